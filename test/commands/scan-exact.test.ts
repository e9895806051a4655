import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { captureOutput } from '@oclif/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import Scan from '../../src/commands/scan.js'

// One directory of many formats per ecosystem, each with decoys: other versions of the same package.
const files: Record<string, string> = {
  'web/package.json': JSON.stringify({ name: 'web', dependencies: { chalk: '^5.6.0', foo: '1.0.0' } }, null, 2),
  'web/package-lock.json': JSON.stringify(
    {
      name: 'web',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'web', dependencies: { chalk: '^5.6.0', foo: '1.0.0' } },
        'node_modules/chalk': { version: '5.6.1', resolved: 'https://registry.npmjs.org/chalk/-/chalk-5.6.1.tgz' },
        'node_modules/foo': { version: '1.0.0', resolved: 'https://registry.npmjs.org/foo/-/foo-1.0.0.tgz', dependencies: { chalk: '5.6.2' } },
        'node_modules/foo/node_modules/chalk': { version: '5.6.2', resolved: 'https://registry.npmjs.org/chalk/-/chalk-5.6.2.tgz' },
      },
    },
    null,
    2,
  ),
  'legacy/yarn.lock': [
    '# yarn lockfile v1',
    '',
    '',
    'chalk@^4.0.0:',
    '  version "4.1.2"',
    '  resolved "https://registry.yarnpkg.com/chalk/-/chalk-4.1.2.tgz"',
    '',
    'chalk@^5.0.0, chalk@^5.6.0:',
    '  version "5.6.1"',
    '  resolved "https://registry.yarnpkg.com/chalk/-/chalk-5.6.1.tgz"',
    '',
  ].join('\n'),
  'mono/pnpm-lock.yaml': [
    "lockfileVersion: '9.0'",
    'importers:',
    '  .:',
    '    dependencies:',
    '      chalk:',
    '        specifier: ^5.6.2',
    '        version: 5.6.2',
    'packages:',
    '  chalk@5.6.2:',
    '    resolution: {integrity: sha512-x}',
    'snapshots:',
    '  chalk@5.6.2: {}',
    '',
  ].join('\n'),
  'py/requirements.txt': 'Num2Words==0.5.15 \\\n    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000\nrequests==2.32.3\n',
  'py-poetry/poetry.lock': [
    '[[package]]',
    'name = "num2words"',
    'version = "0.5.16"',
    'description = ""',
    'optional = false',
    'python-versions = "*"',
    'files = []',
    '',
    '[metadata]',
    'lock-version = "2.0"',
    'python-versions = "^3.10"',
    'content-hash = "x"',
    '',
  ].join('\n'),
  'py-uv/uv.lock': [
    'version = 1',
    'requires-python = ">=3.10"',
    '',
    '[[package]]',
    'name = "num2words"',
    'version = "0.5.14"',
    'source = { registry = "https://pypi.org/simple" }',
    '',
  ].join('\n'),
  'ci/.github/workflows/ci.yml': [
    'on: push',
    'jobs:',
    '  a:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: tj-actions/changed-files@v45.0.7',
    '      - uses: tj-actions/changed-files@v46.0.1',
    '      # - uses: tj-actions/changed-files@v45.0.1',
    '      - uses: actions/checkout@v4',
    '',
  ].join('\n'),
}

let root: string

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fb-exact-'))
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, 'tree', rel)), { recursive: true })
    await writeFile(path.join(root, 'tree', rel), text)
  }
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function pairs(advisory: string): Promise<{ code: number; found: string[]; errors: unknown[] }> {
  process.exitCode = undefined
  const out = await captureOutput(() => Scan.run([path.join(root, 'tree'), '--advisory', path.resolve('test/fixtures/advisories', advisory), '--json'], { root: path.resolve('.') }))
  const code = Number((out.error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit ?? process.exitCode ?? 0)
  process.exitCode = undefined
  const json = JSON.parse(out.stdout)
  return { code, found: json.findings.map((f: { file: string; name: string; version: string }) => `${f.file} ${f.name}@${f.version}`).sort(), errors: json.errors }
}

describe('firebreak scan finds exactly the affected (name, version) pairs, and nothing else', () => {
  it('npm: chalk 5.6.1 (MAL-2025-46969), not 5.6.2 or 4.1.2, and no range finding beside a lockfile', async () => {
    expect(await pairs('MAL-2025-46969.json')).toEqual({ code: 1, found: ['legacy/yarn.lock chalk@5.6.1', 'web/package-lock.json chalk@5.6.1'], errors: [] })
  })

  it('PyPI: num2words 0.5.15 and 0.5.16 (MAL-2025-6794), names normalised, not 0.5.14', async () => {
    expect(await pairs('MAL-2025-6794.json')).toEqual({ code: 1, found: ['py-poetry/poetry.lock num2words@0.5.16', 'py/requirements.txt num2words@0.5.15'], errors: [] })
  })

  it('GitHub Actions: tj-actions/changed-files up to 45.0.7 (GHSA-mrrh-fwg8-r2c3), not v46.0.1, not a commented-out line', async () => {
    expect(await pairs('GHSA-mrrh-fwg8-r2c3.json')).toEqual({ code: 1, found: ['ci/.github/workflows/ci.yml tj-actions/changed-files@v45.0.7'], errors: [] })
  })

  it('a record of another package finds nothing and exits 0', async () => {
    expect(await pairs('GHSA-97m3-w2cp-4xx6.json')).toEqual({ code: 0, found: [], errors: [] })
  })
})
