import { describe, expect, it } from 'vitest'

import { adHocAdvisory } from '../../src/advisory/adhoc.js'
import type { Advisory } from '../../src/advisory/types.js'
import { ecosystems } from '../../src/ecosystems/index.js'
import type { Ecosystem } from '../../src/ecosystems/types.js'
import { applyReplacements, unifiedDiff } from '../../src/remediate/diff.js'
import { formatPlan, planRepo, targetFor, type PlanInput } from '../../src/remediate/plan.js'
import { prove } from '../../src/remediate/prove.js'
import type { Finding } from '../../src/scan/types.js'

function advisory(ecosystem: string, name: string, versions: string[], fixed?: string): Advisory {
  return {
    id: `TEST-${name}`,
    aliases: [],
    references: [],
    source: 'inline',
    affected: [{ ecosystem, ecosystemId: ecosystem as Advisory['affected'][number]['ecosystemId'], name, normalisedName: name.toLowerCase(), versions, ranges: fixed ? [{ type: 'ECOSYSTEM', events: [{ introduced: versions[0]! }, { fixed }] }] : [] }],
  }
}

function finding(f: Partial<Finding> & Pick<Finding, 'file' | 'name' | 'version' | 'ecosystem'>): Finding {
  return { advisory: `TEST-${f.name}`, repo: 'app', direct: true, dev: false, certainty: 'resolved', paths: [[f.name]], ...f }
}

const chalk = advisory('npm', 'chalk', ['5.6.1'], '5.6.2')
const none = { find: () => undefined }

function input(over: Partial<PlanInput>): PlanInput {
  return { repo: 'app', findings: [], advisories: [chalk], mode: 'pin', files: new Map(), ...over }
}

describe('planRepo', () => {
  it('takes the safe version from the advisory, raises the direct range, adds an override for the transitive copy, and plans the relock', async () => {
    const pkg = '{\n  "name": "app",\n  "dependencies": {\n    "chalk": "^5.6.0"\n  }\n}\n'
    const plan = await planRepo(
      input({
        files: new Map([['package.json', pkg], ['package-lock.json', '{"lockfileVersion":3}']]),
        findings: [finding({ file: 'package-lock.json', name: 'chalk', version: '5.6.1', ecosystem: 'npm' }), finding({ file: 'package-lock.json', name: 'chalk', version: '5.6.1', ecosystem: 'npm', direct: false, paths: [['app', 'debug', 'chalk']] })],
      }),
      { relock: { find: (n) => (n === 'npm' ? '/usr/bin/npm' : undefined) } },
    )
    expect(plan.status).toBe('planned')
    expect(plan.edits).toHaveLength(1)
    expect(plan.edits[0]!.changes).toEqual([
      { file: 'package.json', name: 'chalk', from: '^5.6.0', to: '^5.6.2' },
      { file: 'package.json', name: 'chalk', from: '', to: '$chalk' },
    ])
    expect(plan.diff).toBe(
      '--- a/package.json\n+++ b/package.json\n@@ -1,6 +1,9 @@\n {\n   "name": "app",\n   "dependencies": {\n-    "chalk": "^5.6.0"\n+    "chalk": "^5.6.2"\n+  },\n+  "overrides": {\n+    "chalk@5.6.1": "$chalk"\n   }\n }\n',
    )
    expect(plan.relock).toEqual([{ lockfile: 'package-lock.json', manager: 'npm', command: { tool: 'npm', command: '/usr/bin/npm', args: ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier'], cwd: '.', env: { npm_config_ignore_scripts: 'true' } } }])
  })

  it('is serialisable: JSON round-trips it, and its replacements rebuild the edited file', async () => {
    const pkg = '{"dependencies":{"chalk":"5.6.1"}}'
    const plan = await planRepo(input({ files: new Map([['package.json', pkg]]), findings: [finding({ file: 'package.json', name: 'chalk', version: '5.6.1', ecosystem: 'npm' })] }), { relock: none })
    const copy = JSON.parse(JSON.stringify(plan))
    expect(copy).toEqual(plan)
    expect(applyReplacements(pkg, copy.edits[0].replacements)).toBe('{"dependencies":{"chalk":"5.6.2"}}')
    expect(formatPlan(plan)).toContain('edit package.json: chalk 5.6.1 -> 5.6.2')
  })

  it('skips as a value when no safe version is known', async () => {
    const bad = advisory('npm', 'chalk', ['5.6.1'])
    const plan = await planRepo(input({ advisories: [bad], files: new Map([['package.json', '{"dependencies":{"chalk":"5.6.1"}}']]), findings: [finding({ file: 'package.json', name: 'chalk', version: '5.6.1', ecosystem: 'npm' })] }))
    expect(plan.status).toBe('nothing')
    expect(plan.skipped).toEqual([{ file: 'package.json', name: 'chalk', version: '5.6.1', reason: 'no safe version known: give `to`' }])
  })

  it('refuses a target that is itself affected', async () => {
    const plan = await planRepo(input({ to: '5.6.1', files: new Map([['package.json', '{"dependencies":{"chalk":"5.6.1"}}']]), findings: [finding({ file: 'package.json', name: 'chalk', version: '5.6.1', ecosystem: 'npm' })] }))
    expect(plan.skipped[0]!.reason).toMatch(/itself affected/)
  })

  it('a lockfile whose tool is missing: the relock step says so', async () => {
    const plan = await planRepo(
      input({ files: new Map([['package.json', '{"dependencies":{"chalk":"^5.6.0"}}'], ['yarn.lock', '# yarn lockfile v1\n']]), findings: [finding({ file: 'yarn.lock', name: 'chalk', version: '5.6.1', ecosystem: 'npm' })] }),
      { relock: none },
    )
    expect(plan.relock).toEqual([{ lockfile: 'yarn.lock', manager: 'yarn', missing: 'lockfile needs regenerating with yarn (classic): it is not installed here' }])
  })

  it('fails the repository, writing nothing, when hashes cannot be fetched', async () => {
    const ul = advisory('PyPI', 'ultralytics', ['8.3.41'], '8.3.47')
    const req = 'ultralytics==8.3.41 \\\n    --hash=sha256:aaaa\n'
    const findings = [finding({ advisory: 'TEST-ultralytics', file: 'requirements.txt', name: 'ultralytics', version: '8.3.41', ecosystem: 'PyPI' })]
    const failed = await planRepo(input({ advisories: [ul], files: new Map([['requirements.txt', req]]), findings }), {
      fetchHashes: async () => {
        throw new Error('connection refused')
      },
    })
    expect(failed.status).toBe('failed')
    expect(failed.edits).toEqual([])
    expect(failed.failures[0]!.reason).toBe('hashes of ultralytics==8.3.47 could not be fetched from https://pypi.org/simple: connection refused')

    const asked: string[] = []
    const ok = await planRepo(input({ advisories: [ul], files: new Map([['requirements.txt', '--index-url https://mirror.example/simple\n' + req]]), findings }), {
      fetchHashes: async (name, version, index) => {
        asked.push(`${name} ${version} ${index}`)
        return ['f'.repeat(64)]
      },
    })
    expect(asked).toEqual(['ultralytics 8.3.47 https://mirror.example/simple'])
    expect(ok.diff).toContain(`+    --hash=sha256:${'f'.repeat(64)}`)
  })

  it('pins an action to the resolved commit, and refuses a tag that moved onto a listed commit', async () => {
    const bad = '0e58ed8671d6b60d0890c21b07f8835ace038e67'
    const tj: Advisory = { ...advisory('GitHub Actions', 'tj-actions/changed-files', ['45.0.7', bad], '46.0.1') }
    const wf = 'jobs:\n  a:\n    steps:\n      - uses: tj-actions/changed-files@v45.0.7\n'
    const findings = [finding({ advisory: 'TEST-tj-actions/changed-files', file: '.github/workflows/ci.yml', name: 'tj-actions/changed-files', version: 'v45.0.7', ecosystem: 'GitHub Actions' })]
    const good = 'c3a1bb2c992d77180ae65be6ae6c166cf40f857c'
    const plan = await planRepo(input({ advisories: [tj], files: new Map([['.github/workflows/ci.yml', wf]]), findings }), { resolveActionSha: async () => good })
    expect(plan.diff).toContain(`+      - uses: tj-actions/changed-files@${good} # v46.0.1`)
    const moved = await planRepo(input({ advisories: [tj], files: new Map([['.github/workflows/ci.yml', wf]]), findings }), { resolveActionSha: async () => bad })
    expect(moved.status).toBe('failed')
    expect(moved.failures[0]!.reason).toMatch(/the tag moved/)
  })
})

describe('prove', () => {
  const eco: Ecosystem = ecosystems.npm
  const content = '{"dependencies":{"chalk":"5.6.1","debug":"4.4.1"}}'
  const change = { name: 'chalk', to: '5.6.2', affected: ['5.6.1'] }
  const at = (s: string) => content.indexOf(s)

  it.each([
    ['another dependency changed', [{ start: at('4.4.1'), end: at('4.4.1') + 5, text: '4.4.2' }], /other than chalk/],
    ['still affected', [{ start: at('"dependencies"'), end: at('"dependencies"'), text: '"x":1,' }], /no change to chalk/],
    ['no longer parses', [{ start: content.length - 1, end: content.length, text: '' }], /no longer parses|other than chalk/],
    ['adds a newline at the end', [{ start: at('5.6.1'), end: at('5.6.1') + 5, text: '5.6.2' }, { start: content.length, end: content.length, text: '\n' }], /final newline|ends with a newline/],
  ])('refuses an edit that %s', (_name, replacements, reason) => {
    const proof = prove(eco, { path: 'package.json', content }, { file: 'package.json', replacements, description: '', changes: [] }, change, 'pin')
    expect(proof.ok).toBe(false)
    expect(!proof.ok && proof.reason).toMatch(reason)
  })

  it('refuses LF inserted into a CRLF file', () => {
    const crlf = '{\r\n  "dependencies": {\r\n    "chalk": "5.6.1"\r\n  }\r\n}\r\n'
    const i = crlf.indexOf('5.6.1')
    const proof = prove(eco, { path: 'package.json', content: crlf }, { file: 'package.json', replacements: [{ start: i, end: i + 5, text: '5.6.2"\n,"x": "1' }], description: '', changes: [] }, change, 'pin')
    expect(proof).toMatchObject({ ok: false, reason: expect.stringMatching(/LF line endings/) })
  })
})

describe('unifiedDiff', () => {
  it('marks a missing final newline as git does', () => {
    expect(unifiedDiff('f', 'a\nb', 'a\nc')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n')
  })

  it('is empty for equal texts', () => {
    expect(unifiedDiff('f', 'x\n', 'x\n')).toBe('')
  })
})

describe('ad hoc advisories plan too', () => {
  it('pins with an explicit `to`', async () => {
    const adhoc = adHocAdvisory({ package: 'chalk', ecosystem: 'npm', affected: '5.6.1' })
    const plan = await planRepo(input({ advisories: [adhoc], to: '5.6.2', files: new Map([['package.json', '{"dependencies":{"chalk":"5.6.1"}}']]), findings: [finding({ advisory: adhoc.id, file: 'package.json', name: 'chalk', version: '5.6.1', ecosystem: 'npm' })] }))
    expect(plan.edits[0]!.changes).toEqual([{ file: 'package.json', name: 'chalk', from: '5.6.1', to: '5.6.2' }])
  })
})

describe('targetFor', () => {
  it.each([
    [undefined, 'npm', 'chalk', undefined],
    ['5.6.2', 'npm', 'chalk', '5.6.2'],
    ['chalk=5.6.2, debug=4.4.3', 'npm', 'debug', '4.4.3'],
    ['chalk=5.6.2 @scope/pkg=1.0.1', 'npm', '@scope/pkg', '1.0.1'],
    ['chalk=5.6.2', 'npm', 'debug', undefined],
    ['Num2Words=0.5.14', 'PyPI', 'num2words', '0.5.14'],
    ['tj-actions/changed-files=v46.0.1', 'GitHub Actions', 'tj-actions/changed-files', 'v46.0.1'],
  ] as const)('to %s for %s %s gives %s', (to, ecosystem, name, want) => {
    expect(targetFor(to, ecosystem, name)).toBe(want)
  })
})
