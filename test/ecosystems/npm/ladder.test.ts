/** The fixture ladder for every npm format, small inputs inline, plus hostile inputs. */
import { describe, expect, it } from 'vitest'
import { extract, matches } from '../../../src/ecosystems/npm/extract.js'
import { selectorTarget } from '../../../src/ecosystems/npm/package-json.js'

const inv = (path: string, content: string): string[] => {
  const x = extract({ path, content })
  expect(x.errors).toEqual([])
  return x.packages.map((p) => `${p.name}@${p.version}`).sort()
}
const lock3 = (packages: Record<string, unknown>): string => JSON.stringify({ name: 'app', lockfileVersion: 3, packages: { '': { name: 'app' }, ...packages } }, null, 2)
const reg = (name: string, v: string): string => `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${v}.tgz`

describe('matches', () => {
  it.each([
    ['package.json', 'package.json'],
    ['a/b/package-lock.json', 'package-lock.json'],
    ['npm-shrinkwrap.json', 'npm-shrinkwrap.json'],
    ['yarn.lock', 'yarn.lock'],
    ['pnpm-lock.yaml', 'pnpm-lock.yaml'],
    ['shrinkwrap.yaml', 'shrinkwrap.yaml'],
    ['pnpm-workspace.yaml', 'pnpm-workspace.yaml'],
    ['x/bun.lock', 'bun.lock'],
    ['requirements.txt', undefined],
    ['package.json.bak', undefined],
  ])('%s → %s', (path, kind) => expect(matches(path)).toBe(kind))
})

describe('package-lock.json ladder', () => {
  it.each([
    ['empty', lock3({}), []],
    ['one', lock3({ 'node_modules/a': { version: '1.0.0', resolved: reg('a', '1.0.0') } }), ['a@1.0.0']],
    ['one dev', lock3({ 'node_modules/a': { version: '1.0.0', dev: true } }), ['a@1.0.0']],
    ['two', lock3({ 'node_modules/a': { version: '1.0.0' }, 'node_modules/b': { version: '2.0.0' } }), ['a@1.0.0', 'b@2.0.0']],
    ['nested duplicates', lock3({ 'node_modules/a': { version: '1.0.0' }, 'node_modules/b/node_modules/a': { version: '1.0.0' }, 'node_modules/b': { version: '2.0.0' } }), ['a@1.0.0', 'b@2.0.0']],
    ['alias', lock3({ 'node_modules/x': { name: 'real', version: '1.0.0' } }), ['real@1.0.0']],
    ['scoped', lock3({ 'node_modules/@s/a': { version: '1.0.0' } }), ['@s/a@1.0.0']],
    [
      'git/file/link/remote skipped',
      lock3({
        'node_modules/g': { version: '1.0.0', resolved: 'git+ssh://git@github.com/o/r.git#abc' },
        'node_modules/f': { version: '1.0.0', resolved: 'file:../f' },
        'node_modules/l': { resolved: 'packages/l', link: true },
        'node_modules/r': { version: '1.0.0', resolved: 'https://example.com/r.tgz' },
        'node_modules/c': { version: '1.0.0', resolved: 'https://codeload.github.com/o/r/tar.gz/abc' },
        'packages/l': { name: 'l', version: '1.0.0' },
      }),
      [],
    ],
    ['v1 tree with alias', JSON.stringify({ lockfileVersion: 1, dependencies: { x: { version: 'npm:real@1.0.0' }, b: { version: '2.0.0', dependencies: { c: { version: '3.0.0' } } } } }), ['b@2.0.0', 'c@3.0.0', 'real@1.0.0']],
  ])('%s', (_n, content, want) => expect(inv('package-lock.json', content)).toEqual(want))

  it('records line, direct, dev and paths', () => {
    const content = JSON.stringify(
      { name: 'app', lockfileVersion: 3, packages: { '': { dependencies: { debug: '^4' } }, 'node_modules/debug': { version: '4.0.0', dependencies: { chalk: '^5' } }, 'node_modules/chalk': { version: '5.6.1', dev: true } } },
      null,
      2,
    )
    const x = extract({ path: 'package-lock.json', content })
    const chalk = x.packages.find((p) => p.name === 'chalk')
    expect(chalk).toMatchObject({ version: '5.6.1', direct: false, dev: true, line: content.split('\n').findIndex((l) => l.includes('"node_modules/chalk"')) + 1, file: 'package-lock.json' })
    expect(chalk?.paths).toEqual([['app', 'debug', 'chalk']])
    expect(x.packages.find((p) => p.name === 'debug')).toMatchObject({ direct: true, dev: false, paths: [['app', 'debug']] })
  })

  it('bounds paths on a dense graph', () => {
    const packages: Record<string, unknown> = { '': { dependencies: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, '*'])) } }
    for (let i = 0; i < 30; i++) packages[`node_modules/p${i}`] = { version: '1.0.0', dependencies: Object.fromEntries(Array.from({ length: 30 }, (_, j) => [`p${j}`, '*'])) }
    const x = extract({ path: 'package-lock.json', content: JSON.stringify({ lockfileVersion: 3, packages }) })
    for (const p of x.packages) expect(p.paths?.length).toBeLessThanOrEqual(5)
  })
})

describe('package.json ladder', () => {
  const pj = (o: unknown): string => JSON.stringify(o, null, 2)
  it.each([
    ['empty', pj({}), []],
    ['one', pj({ dependencies: { a: '1.0.0' } }), ['a@1.0.0']],
    ['one dev', pj({ devDependencies: { a: '=1.0.0' } }), ['a@1.0.0']],
    ['two', pj({ dependencies: { a: 'v1.0.0' }, optionalDependencies: { b: '2.0.0-rc.1+build' } }), ['a@1.0.0', 'b@2.0.0-rc.1+build']],
    ['duplicates', pj({ dependencies: { a: '1.0.0' }, peerDependencies: { a: '1.0.0' } }), ['a@1.0.0']],
    ['alias', pj({ dependencies: { x: 'npm:real@1.2.3', y: 'npm:other@^1' } }), ['real@1.2.3']],
    ['scoped', pj({ dependencies: { '@s/a': '1.0.0' } }), ['@s/a@1.0.0']],
    ['git/file/link/workspace skipped', pj({ dependencies: { g: 'github:o/r', h: 'o/r#v1', f: 'file:../f', l: 'link:../l', w: 'workspace:*', c: 'catalog:', u: 'https://x/y.tgz', p: 'patch:a@npm%3A1.0.0#x' } }), []],
    ['ranges are not versions', pj({ dependencies: { a: '^1.0.0', b: '1', c: '1.2', d: '*', e: 'latest' } }), []],
    [
      'overrides, resolutions, pnpm, catalogs',
      pj({
        overrides: { a: '1.0.0', b: { '.': '2.0.0', c: '3.0.0' }, 'd@1': '4.0.0' },
        resolutions: { '**/e': '5.0.0', 'x/@s/f': '6.0.0' },
        pnpm: { overrides: { 'g@<1.2': '7.0.0', 'h>i': '8.0.0', 'protobufjs@8.0.1': '8.7.2' }, packageExtensions: { 'j@1': { dependencies: { k: '9.0.0' } } } },
        catalog: { l: '10.0.0' },
        workspaces: { catalogs: { x: { m: '11.0.0' } } },
        packageManager: 'pnpm@9.0.0',
        engines: { node: '20.0.0' },
      }),
      ['@s/f@6.0.0', 'a@1.0.0', 'b@2.0.0', 'c@3.0.0', 'd@4.0.0', 'e@5.0.0', 'g@7.0.0', 'i@8.0.0', 'k@9.0.0', 'l@10.0.0', 'm@11.0.0', 'protobufjs@8.7.2'],
    ],
  ])('%s', (_n, content, want) => expect(inv('package.json', content)).toEqual(want))

  it('reports ranges, tags as "*", and lines', () => {
    const content = pj({ dependencies: { a: '^5.6.0', b: 'latest', c: 'npm:real@~1.2' }, devDependencies: { d: '>=1 <2' } })
    const x = extract({ path: 'package.json', content })
    expect(x.ranges.map((r) => [r.name, r.range, r.dev, r.line])).toEqual([
      ['a', '^5.6.0', false, 3],
      ['b', '*', false, 4],
      ['real', '~1.2', false, 5],
      ['d', '>=1 <2', true, 8],
    ])
  })

  it.each([
    ['a>b', 'b'],
    ['**/b', 'b'],
    ['a/b', 'b'],
    ['b@<1.2', 'b'],
    ['@s/a/@s/b', '@s/b'],
    ['path-to-regexp@>=4.0.0 <6.3.0', 'path-to-regexp'],
    ['a@1>@s/b@2', '@s/b'],
  ])('selector %s targets %s', (key, target) => expect(selectorTarget(key)).toBe(target))
})

const YARN_HEAD = '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n'
describe('yarn.lock v1 ladder', () => {
  it.each([
    ['empty', YARN_HEAD, []],
    ['one', YARN_HEAD + `a@^1.0.0:\n  version "1.0.0"\n  resolved "${reg('a', '1.0.0')}#abc"\n`, ['a@1.0.0']],
    ['two with deps', YARN_HEAD + `a@^1.0.0, a@^1.0.1:\n  version "1.0.1"\n  dependencies:\n    b "^2"\n\nb@^2:\n  version "2.0.0"\n`, ['a@1.0.1', 'b@2.0.0']],
    ['nested duplicates', YARN_HEAD + `a@^1:\n  version "1.0.0"\n\na@1.0.0:\n  version "1.0.0"\n`, ['a@1.0.0']],
    ['alias', YARN_HEAD + `"x@npm:real@^1":\n  version "1.0.0"\n`, ['real@1.0.0']],
    ['scoped', YARN_HEAD + `"@s/a@^1":\n  version "1.0.0"\n`, ['@s/a@1.0.0']],
    [
      'git/file/link skipped',
      YARN_HEAD +
        `"g@git+https://github.com/o/r.git":\n  version "1.0.0"\n  resolved "git+https://github.com/o/r.git#abc"\n\n"f@file:../f":\n  version "1.0.0"\n\n"l@link:../l":\n  version "1.0.0"\n\n"r@https://example.com/r.tgz":\n  version "1.0.0"\n  resolved "https://example.com/r.tgz"\n\n"t@https://registry.npmjs.org/abbrev/-/abbrev-1.1.1.tgz":\n  version "1.1.1"\n  resolved "https://registry.npmjs.org/abbrev/-/abbrev-1.1.1.tgz"\n`,
      ['abbrev@1.1.1'],
    ],
  ])('%s', (_n, content, want) => expect(inv('yarn.lock', content)).toEqual(want))

  it('gives lines and graph-derived paths', () => {
    const x = extract({ path: 'yarn.lock', content: YARN_HEAD + `a@^1:\n  version "1.0.0"\n  dependencies:\n    b "^2"\n\nb@^2:\n  version "2.0.0"\n` })
    expect(x.packages.find((p) => p.name === 'b')).toMatchObject({ line: 10, direct: false, paths: [['(root)', 'a', 'b']] })
    expect(x.packages.find((p) => p.name === 'a')).toMatchObject({ line: 5, direct: true })
  })
})

const BERRY_HEAD = '__metadata:\n  version: 6\n  cacheKey: 8\n\n'
describe('yarn.lock berry ladder', () => {
  const entry = (key: string, resolution: string, deps = ''): string => `"${key}":\n  version: 0.0.0\n  resolution: "${resolution}"\n${deps}  languageName: node\n  linkType: hard\n\n`
  it.each([
    ['empty', BERRY_HEAD, []],
    ['one', BERRY_HEAD + entry('a@npm:^1.0.0', 'a@npm:1.0.0'), ['a@1.0.0']],
    ['two', BERRY_HEAD + entry('a@npm:^1.0.0', 'a@npm:1.0.0') + entry('b@npm:^2', 'b@npm:2.0.0'), ['a@1.0.0', 'b@2.0.0']],
    ['alias', BERRY_HEAD + entry('x@npm:real@^1', 'real@npm:1.0.0'), ['real@1.0.0']],
    ['scoped + archive url', BERRY_HEAD + entry('@s/a@npm:^1', '@s/a@npm:1.0.0::__archiveUrl=https%3A%2F%2Fx'), ['@s/a@1.0.0']],
    ['patch with base', BERRY_HEAD + entry('a@npm:^1', 'a@npm:1.0.0') + entry('a@patch:a@npm%3A^1#~/p', 'a@patch:a@npm%3A1.0.0#~/p::version=1.0.0&hash=x'), ['a@1.0.0']],
    ['patch without base', BERRY_HEAD + entry('a@patch:a@npm%3A^1#~/p', 'a@patch:a@npm%3A1.0.0#~/p::version=1.0.0&hash=x'), ['a@1.0.0']],
    ['workspace/git/file skipped', BERRY_HEAD + entry('w@workspace:.', 'w@workspace:.') + entry('g@https://github.com/o/r.git', 'g@https://github.com/o/r.git#commit=abc') + entry('f@file:../f', 'f@file:../f#../f::hash=x'), []],
  ])('%s', (_n, content, want) => expect(inv('yarn.lock', content)).toEqual(want))
})

describe('pnpm-lock.yaml ladder', () => {
  it.each([
    ['empty', "lockfileVersion: '9.0'\n", []],
    ['v9 one', "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n", ['a@1.0.0']],
    ['v9 peers + scoped', "lockfileVersion: '9.0'\npackages:\n  '@s/a@1.0.0(b@2.0.0)':\n    resolution: {integrity: sha512-x}\n  b@2.0.0:\n    resolution: {integrity: sha512-x}\n", ['@s/a@1.0.0', 'b@2.0.0']],
    ['v6', "lockfileVersion: '6.0'\npackages:\n  /a@1.0.0:\n    resolution: {integrity: sha512-x}\n    dev: true\n", ['a@1.0.0']],
    ['v5 peers + host', 'lockfileVersion: 5.4\npackages:\n  /a/1.0.0_b@2.0.0:\n    resolution: {integrity: x}\n  registry.npmjs.org/@s/b/2.0.0:\n    resolution: {integrity: x}\n', ['@s/b@2.0.0', 'a@1.0.0']],
    ['multi-document', "---\nlockfileVersion: '9.0'\nimporters: {}\npackages:\n  x@1.0.0:\n    resolution: {integrity: sha512-x}\n---\nlockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n", ['a@1.0.0', 'x@1.0.0']],
    [
      'git/file/directory skipped',
      "lockfileVersion: '9.0'\npackages:\n  g@https://codeload.github.com/o/r/tar.gz/abc:\n    resolution: {tarball: https://codeload.github.com/o/r/tar.gz/abc}\n    version: 1.0.0\n  d@file:d:\n    resolution: {directory: d, type: directory}\n  h@git+https://x/r.git#abc:\n    resolution: {type: git, repo: x, commit: abc}\n    version: 1.0.0\n  node@runtime:20.0.0:\n    resolution: {type: variations, variants: []}\n  /sux-1.2.4:\n    resolution: {integrity: x}\n",
      [],
    ],
  ])('%s', (_n, content, want) => expect(inv('pnpm-lock.yaml', content)).toEqual(want))

  it('direct from importers, paths through snapshots', () => {
    const content = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0\npackages:\n  a@1.0.0:\n    resolution: {integrity: x}\n  b@2.0.0:\n    resolution: {integrity: x}\nsnapshots:\n  a@1.0.0:\n    dependencies:\n      b: 2.0.0\n  b@2.0.0: {}\n"
    const x = extract({ path: 'pnpm-lock.yaml', content })
    expect(x.packages.find((p) => p.name === 'a')).toMatchObject({ direct: true, line: 9 })
    expect(x.packages.find((p) => p.name === 'b')).toMatchObject({ direct: false, line: 11, paths: [['(root)', 'a', 'b']] })
  })
})

describe('pnpm-workspace.yaml ladder', () => {
  it.each([
    ['empty', '', []],
    ['catalog', "packages: ['pkgs/*']\ncatalog:\n  a: 1.0.0\n  b: ^2\n", ['a@1.0.0']],
    ['catalogs, overrides, extensions, configDependencies', "catalogs:\n  x:\n    '@s/a': 1.0.0\noverrides:\n  'b@<2': 2.0.0\npackageExtensions:\n  c:\n    peerDependencies:\n      d: 3.0.0\nconfigDependencies:\n  e: 4.0.0+sha512-abc\n", ['@s/a@1.0.0', 'b@2.0.0', 'd@3.0.0', 'e@4.0.0']],
  ])('%s', (_n, content, want) => expect(inv('pnpm-workspace.yaml', content)).toEqual(want))
})

describe('bun.lock ladder', () => {
  const bun = (packages: string): string => `{\n  "lockfileVersion": 1,\n  "workspaces": {\n    "": { "name": "app", "dependencies": { "a": "^1" }, },\n  },\n  "packages": {\n${packages}\n  },\n}\n`
  it.each([
    ['empty', bun(''), []],
    ['one', bun('    "a": ["a@1.0.0", "", { "dependencies": { "b": "^2" } }, "sha512-x"],'), ['a@1.0.0']],
    ['nested + scoped', bun('    "a": ["a@1.0.0", "", {}, "x"],\n    "b/a": ["a@2.0.0", "", {}, "x"],\n    "@s/c": ["@s/c@3.0.0", "", {}, "x"],'), ['@s/c@3.0.0', 'a@1.0.0', 'a@2.0.0']],
    ['alias', bun('    "x": ["real@1.0.0", "", {}, "x"],'), ['real@1.0.0']],
    ['git/file/link skipped', bun('    "g": ["g@github:o/r#abc", {}, "o-r-abc"],\n    "f": ["f@file:../f", {}],\n    "l": ["l@link:../l", {}],\n    "w": ["w@workspace:pkgs/w"],'), []],
  ])('%s', (_n, content, want) => expect(inv('bun.lock', content)).toEqual(want))
})

describe('not the format, hostile input: an error, never a crash', () => {
  const deep = 100_000
  it.each([
    ['package.json', '[1, 2]', /expected a package\.json object/],
    ['package.json', '{"a": ', /invalid JSON at 1:/],
    ['package-lock.json', '"just a string"', /expected a package-lock/],
    ['package-lock.json', '{"lockfileVersion": 3, "packages": ' + '{"a":'.repeat(deep) + '1' + '}'.repeat(deep) + '}', null],
    ['package.json', '{"overrides": ' + '{"a":'.repeat(deep) + '"1.0.0"' + '}'.repeat(deep) + '}', null],
    ['package-lock.json', '{"lockfileVersion": 1, "dependencies": ' + '{"a": {"version": "1.0.0", "dependencies": '.repeat(5000) + '{}' + '}}'.repeat(5000) + '}', null],
    ['package.json', '{"dependencies": {"a": "1.0.0\u0000"}}', /NUL byte/],
    ['yarn.lock', 'foo:\n  bar: baz\n- list\n', /expected/],
    ['yarn.lock', 'a@^1:\n  version "1.0.0"\n\u0000', /NUL byte/],
    ['yarn.lock', '__metadata:\n  version: 6\n"a@npm:1":\n  resolution: [unclosed\n', /invalid yarn\.lock/],
    ['pnpm-lock.yaml', 'lockfileVersion: 9\npackages: [unclosed\n', /invalid YAML at \d+:\d+/],
    ['pnpm-lock.yaml', '- a\n- b\n', /expected a pnpm-lock\.yaml mapping/],
    ['pnpm-lock.yaml', 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n', /alias/i],
    ['pnpm-workspace.yaml', 'catalog: &a [x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n', /alias/i],
    ['pnpm-lock.yaml', '['.repeat(deep) + ']'.repeat(deep), null],
    ['bun.lock', '{"packages": [1,}', /invalid JSONC/],
    ['bun.lock', '{"lockfileVersion": 1, "packages": ' + '['.repeat(deep) + ']'.repeat(deep) + '}', null],
  ].map(([path, content, message], i) => [`#${i} ${String(path)}: ${JSON.stringify(content).slice(0, 40)}`, path, content, message] as const))('%s', (_label, path, content, message) => {
    const x = extract({ path: path as string, content: content as string })
    if (message) expect(x.errors.map((e) => e.message).join('\n')).toMatch(message as RegExp)
    for (const e of x.errors) expect(e.file).toBe(path)
    expect(Array.isArray(x.packages)).toBe(true)
  })
})
