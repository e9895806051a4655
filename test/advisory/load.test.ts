import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { adHocAdvisory } from '../../src/advisory/adhoc.js'
import { AdvisoryDirectory } from '../../src/advisory/directory.js'
import { loadAdvisory } from '../../src/advisory/load.js'
import { isAffected, rangeAdmitsAffected } from '../../src/advisory/match.js'
import { AdvisoryError } from '../../src/errors.js'
import { fixture } from './helpers.js'

let root: string

/** A small checkout shaped like ossf/malicious-packages, plus a GHSA record laid out as github/advisory-database. */
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'firebreak-advisories-'))
  const place = async (id: string, path: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await copyFile(fixture(id), join(root, path))
  }
  await place('MAL-2025-46969', 'osv/malicious/npm/chalk/MAL-2025-46969.json')
  await place('MAL-2025-46974', 'osv/malicious/npm/debug/MAL-2025-46974.json')
  await place('MAL-2025-47141', 'osv/malicious/npm/@ctrl/tinycolor/MAL-2025-47141.json')
  await place('MAL-2025-6794', 'osv/malicious/pypi/num2words/MAL-2025-6794.json')
  await place('MAL-2026-4377', 'osv/withdrawn/npm/@ctrl/plex/MAL-2026-4377.json')
  // The same withdrawn record where a path alone would place it: skipped for its `withdrawn` field.
  await place('MAL-2026-4377', 'osv/malicious/npm/@ctrl/plex/MAL-2026-4377.json')
  await place('GHSA-jxr6-qrxx-2ph2', 'advisories/github-reviewed/2025/07/GHSA-jxr6-qrxx-2ph2/GHSA-jxr6-qrxx-2ph2.json')
  await writeFile(join(root, 'README.md'), '# not a record\n')
  await writeFile(join(root, 'osv/malicious/npm/chalk/notes.txt'), 'not json')
  await mkdir(join(root, 'osv/malicious/npm/broken'), { recursive: true })
  await writeFile(join(root, 'osv/malicious/npm/broken/MAL-0000-0.json'), '{ not json')
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('loadAdvisory: files', () => {
  it('loads one OSV file', async () => {
    const [advisory] = await loadAdvisory(fixture('MAL-2025-46969'))
    expect(advisory).toMatchObject({ id: 'MAL-2025-46969', aliases: ['GHSA-2v46-p5h4-248w'], summary: 'Malicious code in chalk (npm)' })
    expect(advisory!.source).toBe(fixture('MAL-2025-46969'))
  })

  it('resolves a relative path against cwd', async () => {
    const [advisory] = await loadAdvisory('MAL-2025-46974.json', { cwd: dirname(fixture('MAL-2025-46974')) })
    expect(advisory!.id).toBe('MAL-2025-46974')
  })

  it('names the file and what was expected when it is not JSON', async () => {
    const path = join(root, 'osv/malicious/npm/broken/MAL-0000-0.json')
    await expect(loadAdvisory(path)).rejects.toThrow(AdvisoryError)
    await expect(loadAdvisory(path)).rejects.toThrow(/MAL-0000-0.json: not valid JSON .*expected an OSV record/)
  })

  it('says what a reference can be when it is none of them', async () => {
    await expect(loadAdvisory('no/such/file.json')).rejects.toThrow(/no such file or directory, and not an advisory id/)
  })
})

describe('loadAdvisory: a directory of OSV records', () => {
  it('returns the advisories of one package, reading only its files', async () => {
    const advisories = await loadAdvisory(root, { package: { ecosystem: 'npm', name: 'chalk' } })
    expect(advisories.map((a) => a.id)).toEqual(['MAL-2025-46969'])
  })

  it('finds scoped npm names from the path', async () => {
    const advisories = await loadAdvisory(root, { package: { ecosystem: 'npm', name: '@ctrl/tinycolor' } })
    expect(advisories.map((a) => a.id)).toEqual(['MAL-2025-47141'])
  })

  it('skips withdrawn records', async () => {
    expect(await loadAdvisory(root, { package: { ecosystem: 'npm', name: '@ctrl/plex' } })).toEqual([])
  })

  it('merges records of one incident found in different layouts, names compared normalised', async () => {
    const advisories = await loadAdvisory(root, { package: { ecosystem: 'PyPI', name: 'Num2Words' } })
    expect(advisories).toHaveLength(1)
    // Records of a directory are merged in id order: the GHSA id comes first.
    expect(advisories[0]!.id).toBe('GHSA-jxr6-qrxx-2ph2')
    expect(advisories[0]!.aliases.sort()).toEqual(['MAL-2025-6794', 'PYSEC-2025-72'])
    expect(isAffected(advisories[0]!, 'PyPI', 'num2words', '0.5.16').affected).toBe(true)
  })

  it('a package with no record has no advisories', async () => {
    expect(await loadAdvisory(root, { package: { ecosystem: 'npm', name: 'left-pad' } })).toEqual([])
  })

  it('reading all reports a broken record by name', async () => {
    await expect(loadAdvisory(root, { all: true })).rejects.toThrow(/broken\/MAL-0000-0.json: not valid JSON/)
  })

  it('asks for a package or all', async () => {
    await expect(loadAdvisory(root)).rejects.toThrow(/holds many records/)
  })

  it('indexes packages from paths without reading records', async () => {
    const dir = new AdvisoryDirectory(join(root, 'osv'))
    const packages = await dir.indexedPackages()
    expect(packages).toEqual(
      expect.arrayContaining([
        { ecosystemId: 'npm', name: 'chalk' },
        { ecosystemId: 'npm', name: '@ctrl/tinycolor' },
        { ecosystemId: 'PyPI', name: 'num2words' },
      ]),
    )
  })

  it('lists every standing record with all', async () => {
    await rm(join(root, 'osv/malicious/npm/broken'), { recursive: true })
    const ids = (await loadAdvisory(root, { all: true })).map((a) => a.id).sort()
    // MAL-2025-6794 is merged into GHSA-jxr6-qrxx-2ph2; the withdrawn @ctrl/plex record is left out.
    expect(ids).toEqual(['GHSA-jxr6-qrxx-2ph2', 'MAL-2025-46969', 'MAL-2025-46974', 'MAL-2025-47141'])
  })
})

describe('ad-hoc advisories', () => {
  it.each([
    ['npm', 'chalk', '5.6.1', 'ADHOC-npm-chalk', { versions: ['5.6.1'] }],
    ['npm', 'chalk', '5.6.1, 5.6.2', 'ADHOC-npm-chalk', { versions: ['5.6.1', '5.6.2'] }],
    ['npm', 'rc', '1.0.1 || 1.0.2', 'ADHOC-npm-rc', { versions: ['1.0.1', '1.0.2'] }],
    ['npm', 'chalk', '>=5.6.1 <5.6.2', 'ADHOC-npm-chalk', { versions: [], specifiers: ['>=5.6.1 <5.6.2'] }],
    ['pypi', 'Num2Words', '==2.0.1', 'ADHOC-PyPI-Num2Words', { versions: [], specifiers: ['==2.0.1'], normalisedName: 'num2words' }],
    ['pip', 'litellm', '1.82.7,1.82.8', 'ADHOC-PyPI-litellm', { versions: ['1.82.7', '1.82.8'] }],
    ['actions', 'tj-actions/changed-files', '<=45.0.7', 'ADHOC-GitHub-Actions-tj-actions/changed-files', { specifiers: ['<=45.0.7'] }],
    ['GitHub Actions', 'reviewdog/action-setup', 'v1', 'ADHOC-GitHub-Actions-reviewdog/action-setup', { versions: ['v1'] }],
  ] as const)('%s %s %j → %s', (ecosystem, name, affected, id, entry) => {
    const a = adHocAdvisory({ ecosystem, package: name, affected })
    expect(a.id).toBe(id)
    expect(a.source).toBe('inline')
    expect(a.affected[0]).toMatchObject(entry)
  })

  it.each([
    ['npm', 'chalk', '>=5.6.1 <5.6.2', '5.6.1', true],
    ['npm', 'chalk', '>=5.6.1 <5.6.2', '5.6.2', false],
    ['npm', 'chalk', '>=5.6.1 <5.6.2', '5.6.2-beta.1', true],
    ['npm', 'rc', '1.0.1 || 1.0.2', '1.0.2', true],
    ['pypi', 'foo-bar', '==2.0.1', '2.0.1', true],
    ['pypi', 'foo-bar', '==2.0.1', '2.0.1+local', true],
    ['pypi', 'foo-bar', '>=2.0,<2.1', '2.1rc1', false],
    ['pypi', 'foo-bar', '^2.0', '2.9.9', true],
    ['actions', 'tj-actions/changed-files', '<=45.0.7', 'v45.0.7', true],
    ['actions', 'tj-actions/changed-files', '<=45.0.7', 'v45.0.8', false],
  ] as const)('%s %s %j: %s affected=%s', (ecosystem, name, affected, version, expected) => {
    const a = adHocAdvisory({ ecosystem, package: name, affected })
    expect(isAffected(a, a.affected[0]!.ecosystemId!, name, version).affected).toBe(expected)
  })

  it('intersects an ad-hoc range with a manifest range', () => {
    const a = adHocAdvisory({ ecosystem: 'npm', package: 'chalk', affected: '>=5.6.1 <5.6.2' })
    expect(rangeAdmitsAffected(a, 'npm', 'chalk', '^5.0.0').affected).toBe(true)
    expect(rangeAdmitsAffected(a, 'npm', 'chalk', '^4.0.0').affected).toBe(false)
    const p = adHocAdvisory({ ecosystem: 'pypi', package: 'num2words', affected: '>=0.5.15,<=0.5.16' })
    expect(rangeAdmitsAffected(p, 'PyPI', 'num2words', '^0.5').affected).toBe(true)
    expect(rangeAdmitsAffected(p, 'PyPI', 'num2words', '>=0.5.17').affected).toBe(false)
  })

  it.each([
    [{ ecosystem: 'cargo', package: 'x', affected: '1.0.0' }, /unknown ecosystem "cargo"/],
    [{ ecosystem: 'npm', package: '', affected: '1.0.0' }, /expected a package name/],
    [{ ecosystem: 'npm', package: 'x', affected: '' }, /expected the affected versions/],
    [{ ecosystem: 'npm', package: 'x', affected: '>= 1.0, < 1.2' }, /neither a valid npm range nor a comma list of exact versions/],
    [{ ecosystem: 'pypi', package: 'x', affected: 'latest' }, /neither a valid PyPI range/],
  ])('%j is refused', (spec, message) => {
    expect(() => adHocAdvisory(spec)).toThrow(AdvisoryError)
    expect(() => adHocAdvisory(spec)).toThrow(message)
  })

  it('loadAdvisory takes the inline form', async () => {
    const [a] = await loadAdvisory({ ecosystem: 'npm', package: 'chalk', affected: '5.6.1' })
    expect(a!.id).toBe('ADHOC-npm-chalk')
  })
})
