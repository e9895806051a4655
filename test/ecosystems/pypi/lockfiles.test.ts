/** The fixture ladder for poetry.lock, uv.lock, pdm.lock, pylock.toml and Pipfile.lock. */
import { describe, expect, it } from 'vitest'
import { extract } from '../../../src/ecosystems/pypi/extract.js'

const poetry = (body: string) => `${body}\n[metadata]\nlock-version = "2.1"\npython-versions = "^3.9"\ncontent-hash = "x"\n`
const uv = (body: string) => `version = 1\nrevision = 3\nrequires-python = ">=3.9"\n\n${body}`
const uvRoot = (deps: string, dev = '') =>
  `[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\ndependencies = [${deps}]\n${dev ? `[package.dev-dependencies]\ndev = [${dev}]\n` : ''}`
const uvPkg = (name: string, version: string, deps = '') =>
  `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = { registry = "https://pypi.org/simple" }\n${deps ? `dependencies = [${deps}]\n` : ''}`
const pdm = (body: string) => `[metadata]\ngroups = ["default", "dev"]\nlock_version = "4.4.1"\n\n${body}`
const pylock = (body: string) => `lock-version = "1.0"\ncreated-by = "test"\n\n${body}`
const pipfileLock = (sections: Record<string, unknown>) => JSON.stringify({ _meta: { 'pipfile-spec': 6 }, ...sections }, null, 4)

function summary(path: string, content: string): string[] {
  const result = extract({ path, content })
  expect(result.errors).toEqual([])
  return result.packages.map((p) => `${p.name}@${p.version}${p.dev ? ' (dev)' : ''}`)
}

describe.each([
  [
    'poetry.lock',
    {
      one: poetry('[[package]]\nname = "requests"\nversion = "2.31.0"\noptional = false\n'),
      dev: poetry('[[package]]\nname = "pytest"\nversion = "8.0.0"\ngroups = ["dev"]\n\n[[package]]\nname = "old"\nversion = "1.0"\ncategory = "dev"\n'),
      two: poetry('[[package]]\nname = "A_B"\nversion = "1.0"\ngroups = ["main", "dev"]\n\n[[package]]\nname = "c"\nversion = "2.0"\n'),
      duplicates: poetry('[[package]]\nname = "a"\nversion = "1.0"\n\n[[package]]\nname = "A"\nversion = "1.0"\n'),
      skipped: poetry(
        '[[package]]\nname = "g"\nversion = "1.0"\n[package.source]\ntype = "git"\nurl = "https://github.com/a/g"\nreference = "main"\n\n[[package]]\nname = "d"\nversion = "1.0"\n[package.source]\ntype = "directory"\nurl = "../d"\n\n[[package]]\nname = "private"\nversion = "3.0"\n[package.source]\ntype = "legacy"\nurl = "https://pypi.example.com/simple"\nreference = "corp"\n',
      ),
    },
    { one: ['requests@2.31.0'], dev: ['pytest@8.0.0 (dev)', 'old@1.0 (dev)'], two: ['a-b@1.0', 'c@2.0'], duplicates: ['a@1.0'], skipped: ['private@3.0'] },
  ],
  [
    'uv.lock',
    {
      one: uv(`${uvRoot('{ name = "requests" }')}\n${uvPkg('requests', '2.31.0')}`),
      dev: uv(`${uvRoot('', '{ name = "pytest" }')}\n${uvPkg('pytest', '8.0.0')}`),
      two: uv(`${uvRoot('{ name = "a" }, { name = "b" }')}\n${uvPkg('a', '1.0')}\n${uvPkg('b', '2.0')}`),
      duplicates: uv(`${uvRoot('{ name = "a" }')}\n${uvPkg('a', '1.0')}\n${uvPkg('A', '1.0')}`),
      skipped: uv(
        `${uvRoot('{ name = "g" }')}\n[[package]]\nname = "g"\nversion = "1.0"\nsource = { git = "https://github.com/a/g?rev=main#abc" }\n\n[[package]]\nname = "p"\nversion = "1.0"\nsource = { path = "dist/p-1.0.whl" }\n\n[[package]]\nname = "u"\nversion = "1.0"\nsource = { url = "https://x/u-1.0.tar.gz" }\n\n[[package]]\nname = "e"\nversion = "0.1"\nsource = { editable = "packages/e" }\n\n[[package]]\nname = "nover"\nsource = { registry = "https://pypi.org/simple" }\n`,
      ),
    },
    { one: ['requests@2.31.0'], dev: ['pytest@8.0.0 (dev)'], two: ['a@1.0', 'b@2.0'], duplicates: ['a@1.0'], skipped: [] },
  ],
  [
    'pdm.lock',
    {
      one: pdm('[[package]]\nname = "requests"\nversion = "2.31.0"\ngroups = ["default"]\n'),
      dev: pdm('[[package]]\nname = "pytest"\nversion = "8.0.0"\ngroups = ["dev"]\n'),
      two: pdm('[[package]]\nname = "a"\nversion = "1.0"\ngroups = ["default", "dev"]\n\n[[package]]\nname = "b"\nversion = "2.0"\n'),
      duplicates: pdm('[[package]]\nname = "a"\nversion = "1.0"\n\n[[package]]\nname = "a"\nversion = "1.0"\nextras = ["x"]\n'),
      skipped: pdm(
        '[[package]]\nname = "g"\nversion = "1.0"\ngit = "https://github.com/a/g.git"\nrevision = "abc"\n\n[[package]]\nname = "p"\nversion = "1.0"\npath = "./p"\n\n[[package]]\nname = "e"\nversion = "1.0"\neditable = true\n\n[[package]]\nname = "u"\nversion = "1.0"\nurl = "https://x/u.zip"\n',
      ),
    },
    { one: ['requests@2.31.0'], dev: ['pytest@8.0.0 (dev)'], two: ['a@1.0', 'b@2.0'], duplicates: ['a@1.0'], skipped: [] },
  ],
  [
    'pylock.toml',
    {
      one: pylock('[[packages]]\nname = "requests"\nversion = "2.31.0"\n'),
      dev: pylock('[[packages]]\nname = "pytest"\nversion = "8.0.0"\nmarker = "\'dev\' in dependency_groups"\n'),
      two: pylock('[[packages]]\nname = "a"\nversion = "1.0"\ndependencies = [{ name = "b" }]\n\n[[packages]]\nname = "b"\nversion = "2.0"\n'),
      duplicates: pylock('[[packages]]\nname = "a"\nversion = "1.0"\n\n[[packages]]\nname = "A"\nversion = "1.0"\n'),
      skipped: pylock(
        '[[packages]]\nname = "g"\nversion = "1.0"\nvcs = { type = "git", url = "https://github.com/a/g", commit-id = "abc" }\n\n[[packages]]\nname = "d"\ndirectory = { path = "." }\n\n[[packages]]\nname = "z"\nversion = "1.0"\narchive = { url = "https://x/z.zip", hashes = { sha256 = "0" } }\n\n[[packages]]\nname = "nover"\n',
      ),
    },
    // pylock records groups only in markers; dev is not derived from them.
    { one: ['requests@2.31.0'], dev: ['pytest@8.0.0'], two: ['a@1.0', 'b@2.0'], duplicates: ['a@1.0'], skipped: [] },
  ],
  [
    'Pipfile.lock',
    {
      one: pipfileLock({ default: { requests: { version: '==2.31.0' } }, develop: {} }),
      dev: pipfileLock({ default: {}, develop: { pytest: { version: '==8.0.0', markers: "python_version >= '3.8'" } } }),
      two: pipfileLock({ default: { a: { version: '==1.0' } }, docs: { b: { version: '==2.0' } } }),
      duplicates: pipfileLock({ default: { a: { version: '==1.0' } }, develop: { a: { version: '==1.0' } } }),
      skipped: pipfileLock({
        default: { g: { git: 'https://github.com/a/g.git', ref: 'abc', version: '==1.0' }, e: { editable: true, path: '.' }, f: { file: 'https://x/f.zip' }, n: {} },
      }),
    },
    { one: ['requests@2.31.0'], dev: ['pytest@8.0.0 (dev)'], two: ['a@1.0', 'b@2.0'], duplicates: ['a@1.0'], skipped: [] },
  ],
])('%s: the fixture ladder', (path, inputs, expected) => {
  it.each(['one', 'dev', 'two', 'duplicates', 'skipped'] as const)('%s', (step) => {
    expect(summary(path, inputs[step])).toEqual(expected[step])
  })

  it('each package has its file and line', () => {
    for (const p of extract({ path: `sub/${path}`, content: inputs.two }).packages) {
      expect(p).toMatchObject({ ecosystem: 'PyPI', file: `sub/${path}` })
      expect(p.line).toBeGreaterThan(0)
    }
  })

  it.each([
    ['empty', ''],
    ['garbage', 'this is { not a lockfile'],
    ['another format', '[tool.black]\nline-length = 100\n'],
  ])('not the format (%s) is an error, not a crash', (_name, content) => {
    const result = extract({ path, content })
    expect(result.packages).toEqual([])
    expect(result.errors.length).toBeGreaterThan(0)
    expect(result.errors[0]?.message).toMatch(/^expected /)
  })
})

describe('dependency trees', () => {
  it('uv.lock: direct, dev and up to five shortest paths from the project', () => {
    const content = uv(
      [
        uvRoot('{ name = "a" }, { name = "b" }', '{ name = "t" }'),
        uvPkg('a', '1.0', '{ name = "c" }'),
        uvPkg('b', '1.0', '{ name = "c" }'),
        uvPkg('c', '1.0', '{ name = "a" }'),
        uvPkg('t', '1.0', '{ name = "u" }'),
        uvPkg('u', '1.0'),
      ].join('\n'),
    )
    const byName = Object.fromEntries(extract({ path: 'uv.lock', content }).packages.map((p) => [p.name, p]))
    expect(byName.a).toMatchObject({ direct: true, dev: false, paths: [['app', 'a'], ['app', 'b', 'c', 'a']] })
    expect(byName.c).toMatchObject({ direct: false, dev: false, paths: [['app', 'a', 'c'], ['app', 'b', 'c']] })
    expect(byName.u).toMatchObject({ direct: false, dev: true, paths: [['app', 't', 'u']] })
  })

  it('uv.lock: a reference with a version picks that entry', () => {
    const content = uv([uvRoot('{ name = "s", version = "2.0" }'), uvPkg('s', '1.0'), uvPkg('s', '2.0')].join('\n'))
    const direct = extract({ path: 'uv.lock', content }).packages.map((p) => `${p.version}:${p.direct}`)
    expect(direct).toEqual(['1.0:false', '2.0:true'])
  })

  it('paths are bounded to five per package', () => {
    const mids = Array.from({ length: 8 }, (_, i) => `m${i}`)
    const content = uv(
      [uvRoot(mids.map((m) => `{ name = "${m}" }`).join(', ')), ...mids.map((m) => uvPkg(m, '1.0', '{ name = "leaf" }')), uvPkg('leaf', '1.0')].join('\n'),
    )
    const leaf = extract({ path: 'uv.lock', content }).packages.find((p) => p.name === 'leaf')
    expect(leaf?.paths).toHaveLength(5)
  })

  it('poetry.lock: entries nothing depends on are direct, and paths start there', () => {
    const content = poetry(
      '[[package]]\nname = "top"\nversion = "1.0"\n[package.dependencies]\nMid = ">=1"\n\n[[package]]\nname = "mid"\nversion = "1.0"\n[package.dependencies]\nleaf = "*"\n\n[[package]]\nname = "leaf"\nversion = "1.0"\n',
    )
    const byName = Object.fromEntries(extract({ path: 'poetry.lock', content }).packages.map((p) => [p.name, p]))
    expect(byName.top).toMatchObject({ direct: true, paths: [['top']] })
    expect(byName.leaf).toMatchObject({ direct: false, paths: [['top', 'mid', 'leaf']] })
  })

  it('pdm.lock: dependencies are PEP 508 strings', () => {
    const content = pdm('[[package]]\nname = "top"\nversion = "1.0"\ndependencies = ["leaf[x]>=1; python_version > \'3\'"]\n\n[[package]]\nname = "leaf"\nversion = "1.0"\n')
    const leaf = extract({ path: 'pdm.lock', content }).packages.find((p) => p.name === 'leaf')
    expect(leaf).toMatchObject({ direct: false, paths: [['top', 'leaf']] })
  })

  it('a dependency cycle ends', () => {
    const content = poetry('[[package]]\nname = "a"\nversion = "1.0"\n[package.dependencies]\nb = "*"\n\n[[package]]\nname = "b"\nversion = "1.0"\n[package.dependencies]\na = "*"\n')
    const result = extract({ path: 'poetry.lock', content })
    expect(result.packages.map((p) => p.name)).toEqual(['a', 'b'])
  })
})
