import { describe, expect, it } from 'vitest'

import { isAffected, rangeAdmitsAffected, safeVersion } from '../../src/advisory/match.js'
import { mergeByAlias } from '../../src/advisory/merge.js'
import type { EcosystemId } from '../../src/ecosystems/types.js'
import { record } from './helpers.js'

const SHA = '0e58ed8671d6b60d0890c21b07f8835ace038e67'

/** [record, ecosystem, name, version, affected] over the real records in test/fixtures/advisories. */
const CASES: Array<[string, EcosystemId, string, string, boolean]> = [
  // versions list only
  ['MAL-2025-46969', 'npm', 'chalk', '5.6.1', true],
  ['MAL-2025-46969', 'npm', 'chalk', 'v5.6.1', true],
  ['MAL-2025-46969', 'npm', 'chalk', '5.6.0', false],
  ['MAL-2025-46969', 'npm', 'chalk', '5.6.2', false],
  ['MAL-2025-46969', 'npm', 'chalk-next', '5.6.1', false],
  ['MAL-2025-46974', 'npm', 'debug', '4.4.2', true],
  ['MAL-2025-46974', 'npm', 'debug', '4.4.1', false],
  ['MAL-2025-6794', 'PyPI', 'num2words', '0.5.15', true],
  ['MAL-2025-6794', 'PyPI', 'Num2Words', '0.5.16', true],
  ['MAL-2025-6794', 'PyPI', 'num2words', '0.5.16.0', true],
  ['MAL-2025-6794', 'PyPI', 'num2words', '0.5.14', false],
  ['MAL-2026-2144', 'PyPI', 'LiteLLM', '1.82.7', true],
  ['MAL-2026-2144', 'PyPI', 'litellm', '1.82.8', true],
  ['MAL-2026-2144', 'PyPI', 'litellm', '1.82.9', false],
  ['GHSA-73qr-pfmq-6rp8', 'npm', 'coa', '2.0.3', true],
  ['GHSA-73qr-pfmq-6rp8', 'npm', 'coa', '3.1.3', true],
  ['GHSA-73qr-pfmq-6rp8', 'npm', 'coa', '2.0.2', false],
  ['GHSA-g2q5-5433-rhrf', 'npm', 'rc', '1.2.9', true],
  ['GHSA-g2q5-5433-rhrf', 'npm', 'rc', '2.3.9', true],
  ['GHSA-g2q5-5433-rhrf', 'npm', 'rc', '1.2.8', false],
  ['GHSA-qmg3-hpqr-gqvc', 'GitHub Actions', 'reviewdog/action-setup', 'v1', true],
  ['GHSA-qmg3-hpqr-gqvc', 'GitHub Actions', 'Reviewdog/Action-Setup', 'v1', true],
  ['GHSA-qmg3-hpqr-gqvc', 'GitHub Actions', 'reviewdog/action-setup', 'v1.3.0', false],
  ['GHSA-qmg3-hpqr-gqvc', 'GitHub Actions', 'reviewdog/action-setup', 'v2', false],
  // several affected entries, several packages
  ['GHSA-cxm3-wv7p-598c', 'npm', 'nx', '21.5.0', true],
  ['GHSA-cxm3-wv7p-598c', 'npm', 'nx', '20.12.0', true],
  ['GHSA-cxm3-wv7p-598c', 'npm', 'nx', '21.4.0', false],
  ['GHSA-cxm3-wv7p-598c', 'npm', '@nx/devkit', '20.9.0', true],
  ['GHSA-cxm3-wv7p-598c', 'npm', '@nx/key', '3.2.0', true],
  ['GHSA-cxm3-wv7p-598c', 'npm', '@nx/key', '21.5.0', false],
  // SEMVER ranges: introduced 0 with no end; introduced / last_affected
  ['MAL-2025-47141', 'npm', '@ctrl/tinycolor', '0.0.1', true],
  ['MAL-2025-47141', 'npm', '@ctrl/tinycolor', '4.1.1', true],
  ['MAL-2025-47141', 'npm', '@ctrl/tinycolor', '99.0.0', true],
  ['MAL-2025-47141', 'npm', '@ctrl/tinycolor', '1.0.0-beta.1', true],
  // ECOSYSTEM ranges with fixed (and versions)
  ['GHSA-pjwm-rvh2-c87w', 'npm', 'ua-parser-js', '0.7.29', true],
  ['GHSA-pjwm-rvh2-c87w', 'npm', 'ua-parser-js', '0.8.0', true],
  ['GHSA-pjwm-rvh2-c87w', 'npm', 'ua-parser-js', '1.0.0', true],
  ['GHSA-pjwm-rvh2-c87w', 'npm', 'ua-parser-js', '0.7.28', false],
  ['GHSA-pjwm-rvh2-c87w', 'npm', 'ua-parser-js', '0.7.30', false],
  ['GHSA-pjwm-rvh2-c87w', 'npm', 'ua-parser-js', '0.8.1', false],
  ['GHSA-pjwm-rvh2-c87w', 'npm', 'ua-parser-js', '1.0.1', false],
  ['GHSA-mh6f-8j2x-4483', 'npm', 'event-stream', '3.3.6', true],
  ['GHSA-mh6f-8j2x-4483', 'npm', 'event-stream', '3.3.5', false],
  ['GHSA-mh6f-8j2x-4483', 'npm', 'event-stream', '4.0.0', false],
  ['GHSA-mh6f-8j2x-4483', 'npm', 'flatmap-stream', '0.1.1', true],
  ['GHSA-hxxf-q3w9-4xgw', 'npm', 'eslint-scope', '3.7.2', true],
  ['GHSA-hxxf-q3w9-4xgw', 'npm', 'eslint-scope', '3.7.1', false],
  ['GHSA-hxxf-q3w9-4xgw', 'npm', 'eslint-config-eslint', '5.0.2', true],
  ['GHSA-hxxf-q3w9-4xgw', 'npm', 'eslint-config-eslint', '6.0.0', false],
  ['GHSA-97m3-w2cp-4xx6', 'npm', 'node-ipc', '10.1.1', true],
  ['GHSA-97m3-w2cp-4xx6', 'npm', 'node-ipc', '10.1.2', true],
  ['GHSA-97m3-w2cp-4xx6', 'npm', 'node-ipc', '10.1.3', false],
  ['GHSA-97m3-w2cp-4xx6', 'npm', 'node-ipc', '10.1.0', false],
  ['GHSA-jcxm-7wvp-g6p5', 'npm', '@solana/web3.js', '1.95.6', true],
  ['GHSA-jcxm-7wvp-g6p5', 'npm', '@solana/web3.js', '1.95.7', true],
  ['GHSA-jcxm-7wvp-g6p5', 'npm', '@solana/web3.js', '1.95.8', false],
  ['GHSA-jcxm-7wvp-g6p5', 'npm', '@solana/web3.js', '1.95.5', false],
  ['GHSA-7x29-qqmq-v6qc', 'GitHub Actions', 'ultralytics/actions', 'v0.0.2', true],
  ['GHSA-7x29-qqmq-v6qc', 'GitHub Actions', 'ultralytics/actions', 'v0.0.3', false],
  // last_affected
  ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '0.5.15', true],
  ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '0.5.16', true],
  // PEP 440 orders a local version above its public one, so it is above last_affected.
  ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '0.5.16+local', false],
  ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '0.5.15+local', true],
  ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '0.5.16.post1', false],
  ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '0.5.17', false],
  ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '0.5.14', false],
  ['GHSA-mrrh-fwg8-r2c3', 'GitHub Actions', 'tj-actions/changed-files', 'v45.0.7', true],
  ['GHSA-mrrh-fwg8-r2c3', 'GitHub Actions', 'TJ-Actions/Changed-Files', 'v1.0.0', true],
  ['GHSA-mrrh-fwg8-r2c3', 'GitHub Actions', 'tj-actions/changed-files', '45.0.8', false],
  ['GHSA-mrrh-fwg8-r2c3', 'GitHub Actions', 'tj-actions/changed-files', 'v46.0.1', false],
  // a floating major may point to any release of its major
  ['GHSA-mrrh-fwg8-r2c3', 'GitHub Actions', 'tj-actions/changed-files', 'v45', true],
  ['GHSA-mrrh-fwg8-r2c3', 'GitHub Actions', 'tj-actions/changed-files', 'v46', false],
]

describe('isAffected over real OSV records', () => {
  it.each(CASES)('%s: %s %s@%s affected=%s', async (id, ecosystem, name, version, expected) => {
    const decision = isAffected(await record(id), ecosystem, name, version)
    expect(decision.affected).toBe(expected)
    expect(decision.unsupported).toBeUndefined()
  })

  it('a withdrawn record affects nothing, and says so', async () => {
    const advisory = await record('MAL-2026-4377')
    expect(advisory.withdrawn).toBe('2026-05-26T17:12:48Z')
    const decision = isAffected(advisory, 'npm', '@ctrl/plex', '6.0.0')
    expect(decision).toMatchObject({ affected: false, withdrawn: '2026-05-26T17:12:48Z' })
    expect(decision.reason).toMatch(/withdrawn/)
  })

  it('a commit SHA or a branch cannot be placed in a range: unsupported, never "not affected"', async () => {
    const advisory = await record('GHSA-mrrh-fwg8-r2c3')
    const sha = isAffected(advisory, 'GitHub Actions', 'tj-actions/changed-files', SHA)
    expect(sha.affected).toBe(false)
    expect(sha.unsupported).toMatch(/resolve it to the tags/)
    const branch = isAffected(advisory, 'GitHub Actions', 'tj-actions/changed-files', 'main')
    expect(branch.unsupported).toMatch(/branch "main"/)
  })

  it('says why a floating tag is affected', async () => {
    const decision = isAffected(await record('GHSA-mrrh-fwg8-r2c3'), 'GitHub Actions', 'tj-actions/changed-files', 'v45')
    expect(decision.reason).toMatch(/floating tag v45/)
  })

  it('keeps per-affected database_specific out of the model but reads the entry', async () => {
    const advisory = await record('GHSA-7x29-qqmq-v6qc')
    expect(advisory.affected).toHaveLength(1)
    expect(advisory.affected[0]).toMatchObject({ ecosystem: 'GitHub Actions', ecosystemId: 'GitHub Actions', normalisedName: 'ultralytics/actions' })
  })
})

describe('aliases: one incident, one advisory', () => {
  it('merges the MAL and GHSA records of num2words', async () => {
    const merged = mergeByAlias([await record('MAL-2025-6794'), await record('GHSA-jxr6-qrxx-2ph2')])
    expect(merged).toHaveLength(1)
    const [advisory] = merged
    expect(advisory!.id).toBe('MAL-2025-6794')
    expect(advisory!.aliases.sort()).toEqual(['GHSA-jxr6-qrxx-2ph2', 'PYSEC-2025-72'])
    expect(advisory!.affected).toHaveLength(2)
    expect(isAffected(advisory!, 'PyPI', 'num2words', '0.5.16').affected).toBe(true)
  })

  it('keeps unrelated incidents apart, in the order given', async () => {
    const merged = mergeByAlias([await record('MAL-2025-46969'), await record('MAL-2025-46974'), await record('GHSA-jxr6-qrxx-2ph2'), await record('MAL-2025-6794')])
    expect(merged.map((a) => a.id)).toEqual(['MAL-2025-46969', 'MAL-2025-46974', 'GHSA-jxr6-qrxx-2ph2'])
  })

  it('reads aliases as written', async () => {
    expect((await record('MAL-2025-46974')).aliases).toEqual(['GHSA-8mgj-vmr8-frr6', 'GHSA-4x49-vf9v-38px'])
    expect((await record('GHSA-97m3-w2cp-4xx6')).aliases).toEqual(['CVE-2022-23812'])
  })
})

describe('rangeAdmitsAffected over real records', () => {
  it.each([
    ['MAL-2025-46969', 'npm', 'chalk', '^5.6.0', true],
    ['MAL-2025-46969', 'npm', 'chalk', '~5.5.0', false],
    ['MAL-2025-46969', 'npm', 'chalk', '*', true],
    ['MAL-2025-46969', 'npm', 'chalk', '5.6.2', false],
    ['MAL-2025-46974', 'npm', 'debug', '^4.3.1', true],
    ['MAL-2025-46974', 'npm', 'debug', '^3.2.7', false],
    ['GHSA-jcxm-7wvp-g6p5', 'npm', '@solana/web3.js', '^1.95.0', true],
    ['GHSA-jcxm-7wvp-g6p5', 'npm', '@solana/web3.js', '~1.94.0', false],
    ['GHSA-jcxm-7wvp-g6p5', 'npm', '@solana/web3.js', '>=1.95.8', false],
    ['MAL-2025-47141', 'npm', '@ctrl/tinycolor', '^3.0.0', true],
    ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '^0.5.10', true],
    ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '~0.5.17', false],
    ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '>=0.5.17', false],
    ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '==0.5.16', true],
    ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '<0.5.15', false],
    ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '>0.5.14,<0.5.16', true],
    ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '>0.5.16', false],
    ['GHSA-jxr6-qrxx-2ph2', 'PyPI', 'num2words', '*', true],
    ['MAL-2025-6794', 'PyPI', 'num2words', '>=0.5,<1', true],
    ['MAL-2025-6794', 'PyPI', 'num2words', '~=0.5.14', true],
    // listed versions are tested one by one: this range excludes both
    ['MAL-2025-6794', 'PyPI', 'num2words', '!=0.5.15,!=0.5.16', false],
    ['MAL-2025-6794', 'PyPI', 'num2words', '<=0.5.14', false],
    ['MAL-2026-2144', 'PyPI', 'litellm', '^1.80', true],
    ['MAL-2026-2144', 'PyPI', 'litellm', '~1.81', false],
  ] as const)('%s: %s %s %j admits an affected version: %s', async (id, ecosystem, name, range, expected) => {
    const decision = rangeAdmitsAffected(await record(id), ecosystem, name, range)
    expect(decision.affected).toBe(expected)
    expect(decision.unsupported).toBeUndefined()
  })

  it('an invalid range is unsupported, not clean', async () => {
    expect(rangeAdmitsAffected(await record('MAL-2025-46969'), 'npm', 'chalk', 'latest')).toMatchObject({ affected: false, unsupported: expect.stringMatching(/not a valid npm range/) })
  })
})

describe('safeVersion over real records', () => {
  it('is the lowest fixed above the found version', async () => {
    expect(safeVersion(await record('GHSA-jcxm-7wvp-g6p5'), 'npm', '@solana/web3.js', '1.95.6')).toBe('1.95.8')
    expect(safeVersion(await record('GHSA-pjwm-rvh2-c87w'), 'npm', 'ua-parser-js', '0.7.29')).toBe('0.7.30')
    expect(safeVersion(await record('GHSA-pjwm-rvh2-c87w'), 'npm', 'ua-parser-js', '0.8.0')).toBe('0.8.1')
    expect(safeVersion(await record('GHSA-7x29-qqmq-v6qc'), 'GitHub Actions', 'ultralytics/actions', 'v0.0.2')).toBe('0.0.3')
  })

  it('is the newest known version not affected when there is no fixed', async () => {
    const known = ['0.5.13', '0.5.14', '0.5.15', '0.5.16', '0.5.17rc1']
    expect(safeVersion(await record('GHSA-jxr6-qrxx-2ph2'), 'PyPI', 'num2words', '0.5.16', known)).toBe('0.5.14')
    expect(safeVersion(await record('MAL-2025-46969'), 'npm', 'chalk', '5.6.1', ['5.6.0', '5.6.1', '5.6.2', '6.0.0-beta.1'])).toBe('5.6.2')
  })

  it('is undefined when nothing is known: the playbook must give it', async () => {
    expect(safeVersion(await record('MAL-2025-46969'), 'npm', 'chalk', '5.6.1')).toBeUndefined()
    expect(safeVersion(await record('MAL-2025-47141'), 'npm', '@ctrl/tinycolor', '4.1.1', ['4.1.0', '4.1.2'])).toBeUndefined()
  })
})
