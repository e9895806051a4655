import { parse as parseYaml } from 'yaml'
import { describe, expect, it } from 'vitest'
import { extract, matches } from '../../../src/ecosystems/github-actions/extract.js'
import { corpus, label } from '../pypi/corpus.js'

type Obj = Record<string, unknown>

function inventory(path: string, content: string): string[] {
  const result = extract({ path, content })
  expect(result.errors).toEqual([])
  return result.packages.map((p) => `${p.name}@${p.version}`)
}

/** The INVENTORY.md rules, plainly, over `yaml`'s plain value. */
function oracle(content: string): string[] {
  const doc = (parseYaml(content) ?? {}) as Obj
  const uses: unknown[] = []
  const steps = (s: unknown) => (Array.isArray(s) ? s : []).forEach((step) => uses.push((step as Obj | null)?.uses))
  for (const job of Object.values((doc.jobs as Obj | undefined) ?? {})) {
    uses.push((job as Obj | null)?.uses)
    steps((job as Obj | null)?.steps)
  }
  steps(((doc.runs as Obj | undefined) ?? {}).steps)
  const out = new Set<string>()
  for (const u of uses) {
    if (typeof u !== 'string' || u.startsWith('./') || u.startsWith('docker://') || u.includes('${{')) continue
    const at = u.lastIndexOf('@')
    if (at > 0 && /^[^/\s]+\/[^/\s]+/.test(u.slice(0, at))) out.add(`${u.slice(0, at)}@${u.slice(at + 1)}`)
  }
  return [...out].sort()
}

describe('corpus: every workflow matches the yaml oracle', () => {
  const files = corpus('github-actions')

  it.each(files.map((f) => [label(f), f] as const))('%s', (_name, file) => {
    expect(inventory(file.path, file.content).sort()).toEqual(oracle(file.content))
  })

  it.each(files.map((f) => [label(f), f] as const))('%s: lines point at the uses: line', (_name, file) => {
    const lines = file.content.split(/\r\n|\n/)
    for (const p of extract({ path: file.path, content: file.content }).packages) {
      expect(lines[(p.line ?? 0) - 1]).toContain(`${p.name}@${p.version}`)
      expect(p).toMatchObject({ ecosystem: 'GitHub Actions', direct: true, dev: false, file: file.path })
    }
  })

  it('commented-out uses and ratchet comments are not read', () => {
    const firebase = files.find((f) => f.saved.includes('firebase-tools'))
    const found = inventory(firebase?.path ?? '', firebase?.content ?? '')
    expect(found.every((p) => /@[0-9a-f]{40}$/.test(p))).toBe(true)
    const osv = files.find((f) => f.saved.includes('osv-scanner-reusable-pr'))
    expect(inventory(osv?.path ?? '', osv?.content ?? '')).not.toContain('tj-actions/changed-files@v37')
  })

  it('branch refs and major tags are versions', () => {
    const ucx = files.find((f) => f.saved.includes('databrickslabs__ucx'))
    expect(inventory(ucx?.path ?? '', ucx?.content ?? '')).toContain('databricks/setup-cli@main')
    const axios = files.find((f) => f.saved.includes('axios'))
    expect(inventory(axios?.path ?? '', axios?.content ?? '')).toContain('tj-actions/changed-files@v45')
  })
})

describe('the fixture ladder', () => {
  const wf = (steps: string) => `on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`
  it.each([
    ['empty', '', []],
    ['no jobs', 'name: x\non: push\n', []],
    ['one step', wf('      - uses: actions/checkout@v4\n'), ['actions/checkout@v4']],
    ['two steps', wf('      - uses: actions/checkout@v4\n      - uses: actions/setup-node@1a4442cacd436585916779262731d5b162bc6ec7 # v3.8.2\n'), ['actions/checkout@v4', 'actions/setup-node@1a4442cacd436585916779262731d5b162bc6ec7']],
    ['duplicates are listed once', wf('      - uses: actions/checkout@v4\n      - uses: actions/checkout@v4\n'), ['actions/checkout@v4']],
    ['a path inside the repository is part of the name', wf('      - uses: github/codeql-action/init@v3\n'), ['github/codeql-action/init@v3']],
    ['a reusable workflow at job level', 'on: push\njobs:\n  call:\n    uses: org/repo/.github/workflows/ci.yml@main\n', ['org/repo/.github/workflows/ci.yml@main']],
    ['a composite action', 'name: x\nruns:\n  using: composite\n  steps:\n    - uses: actions/cache@v4\n    - run: echo\n', ['actions/cache@v4']],
    ['quoted and flow style', 'jobs: {a: {steps: [{uses: "actions/checkout@v4"}, {"uses": \'a/b@c\'}]}}\n', ['actions/checkout@v4', 'a/b@c']],
    ['anchors and aliases', 'jobs:\n  a:\n    steps: &s\n      - uses: x/y@v1\n  b:\n    steps: *s\n', ['x/y@v1']],
  ])('%s', (_name, content, expected) => {
    expect(inventory('.github/workflows/ci.yml', content)).toEqual(expected)
  })

  it.each([
    ['local action', './.github/actions/setup'],
    ['local root action', './'],
    ['docker image', 'docker://alpine:3.19'],
    ['expression', 'actions/checkout@${{ inputs.ref }}'],
    ['no ref', 'actions/checkout'],
    ['empty ref', 'actions/checkout@'],
    ['no owner', 'checkout@v4'],
  ])('%s is skipped', (_name, uses) => {
    expect(inventory('action.yml', `runs:\n  using: composite\n  steps:\n    - uses: ${JSON.stringify(uses)}\n`)).toEqual([])
  })

  it('uses: outside steps and jobs is not read, nor in comments', () => {
    const content = 'on: push\nenv:\n  uses: a/b@v1\n# uses: c/d@v1\njobs:\n  x:\n    with:\n      uses: e/f@v1\n    steps:\n      # - uses: g/h@v1\n      - run: \'echo "uses: i/j@v1"\'\n'
    expect(inventory('.github/workflows/ci.yml', content)).toEqual([])
  })

  it('a package carries file and line', () => {
    expect(extract({ path: '.github/workflows/ci.yml', content: wf('      - name: x\n        uses: actions/checkout@v4\n') }).packages).toEqual([
      { ecosystem: 'GitHub Actions', name: 'actions/checkout', version: 'v4', file: '.github/workflows/ci.yml', line: 7, direct: true, dev: false },
    ])
  })

  it.each([
    ['invalid YAML', 'jobs:\n  a: [1\n  b: 2\n', /valid YAML\): \d+:\d+: /],
    ['not a mapping', '- just\n- a list\n', /a YAML mapping at the top level/],
    ['several documents', 'jobs: {}\n---\njobs: {}\n', /multiple documents/],
  ])('not the format (%s) is an error, not a crash', (_name, content, message) => {
    const result = extract({ path: '.github/workflows/ci.yml', content })
    expect(result.packages).toEqual([])
    expect(result.errors).toEqual([expect.objectContaining({ file: '.github/workflows/ci.yml', message: expect.stringMatching(message) })])
    expect(result.errors[0]?.message).toMatch(/^expected /)
  })
})

describe('duplicate keys and lines (checked without yaml\'s quadratic check)', () => {
  it.each([
    ['a duplicate job', 'jobs:\n  a:\n    uses: o/r/.github/workflows/x.yml@v1\n  a:\n    uses: o/r/.github/workflows/y.yml@v1\n', 4, 3],
    ['a duplicate key in a step', 'jobs:\n  a:\n    steps:\n      - uses: x/y@v1\n        uses: x/z@v1\n', 5, 9],
    ['a duplicate key in a flow mapping', 'jobs: {a: {uses: o/r/w.yml@v1}, a: {}}\n', 1, 33],
  ])('%s is an error at the second key, as yaml reports it', (_name, content, line, col) => {
    const result = extract({ path: '.github/workflows/ci.yml', content })
    expect(result.packages).toEqual([])
    expect(result.errors).toEqual([{ file: '.github/workflows/ci.yml', line, message: `expected a GitHub Actions workflow (valid YAML): ${line}:${col}: Map keys must be unique` }])
  })

  it('keys equal only as text are not duplicates (1 and "1")', () => {
    const content = 'env:\n  1: a\n  "1": b\njobs:\n  a:\n    steps:\n      - uses: x/y@v1\n'
    expect(extract({ path: '.github/workflows/ci.yml', content }).errors).toEqual([])
  })

  it('lines of uses after CRLF line ends and a long run of run: lines', () => {
    const content = `jobs:\r\n  a:\r\n    steps:\r\n${'      - run: echo\r\n'.repeat(500)}      - uses: x/y@v1\r\n`
    expect(extract({ path: '.github/workflows/ci.yml', content }).packages[0]?.line).toBe(504)
  })
})

describe('hostile inputs', () => {
  it('an alias bomb is refused in bounded time', () => {
    let content = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for (let i = 0; i < 12; i++) {
      const prev = String.fromCharCode(97 + i)
      const next = String.fromCharCode(98 + i)
      content += `${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]\n`
    }
    content += 'jobs:\n  x:\n    steps:\n      - uses: a/b@v1\n'
    const started = performance.now()
    const result = extract({ path: '.github/workflows/ci.yml', content })
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(result.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/aliases/) })])
  })

  it('deep nesting is an error in bounded time', () => {
    const content = `jobs: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`
    const started = performance.now()
    const result = extract({ path: '.github/workflows/ci.yml', content })
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(result.errors.length).toBe(1)
  })

  it('NUL bytes are refused with their line', () => {
    expect(extract({ path: 'action.yml', content: 'runs:\n  \u0000steps: []\n' }).errors).toEqual([
      { file: 'action.yml', line: 2, message: expect.stringContaining('NUL byte') },
    ])
  })
})

describe('matches', () => {
  it.each([
    ['.github/workflows/ci.yml', 'workflow'],
    ['.github/workflows/release.yaml', 'workflow'],
    ['sub/.github/workflows/ci.yml', 'workflow'],
    ['action.yml', 'action.yml'],
    ['actions/setup/action.yaml', 'action.yml'],
  ])('%s → %s', (path, kind) => {
    expect(matches(path)).toBe(kind)
  })

  it.each(['.github/workflows/nested/ci.yml', '.github/dependabot.yml', 'workflows/ci.yml', 'my-action.yml', '.github/workflows/ci.json'])('%s is not read', (path) => {
    expect(matches(path)).toBeUndefined()
  })
})
