/** The TOML subset reader, Pipfile.lock's line pass and lazy lockfile paths. */
import { parseTree } from 'jsonc-parser'
import { parse as parseToml } from 'smol-toml'
import { describe, expect, it } from 'vitest'
import { extract } from '../../../src/ecosystems/pypi/extract.js'
import { readTomlSubset } from '../../../src/ecosystems/pypi/toml-reader.js'
import { corpus, label } from './corpus.js'

/** smol-toml's value as plain JSON (its tables have no prototype). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v))

describe('readTomlSubset', () => {
  it.each([
    ['empty', ''],
    ['scalars', 'a = "x"\nb = \'lit\\\\eral\'\nc = 42\nd = -7\ne = true\nf = false\n"quoted key" = 1\n'],
    ['escapes', 'a = "q\\"uote \\\\ tab\\t nl\\n \\u00e9 \\U0001F600"\nb = "python_version < \\"3.11\\""\n'],
    ['comments and blank lines', '# head\n\na = 1 # tail\n  # indented\n[t] # after a header\nb = [ # open\n  1, # one\n  2,\n  # none\n]\n'],
    ['inline tables and nested arrays', 'a = { x = 1, y = "two", z = { w = [1, [2, 3]] } }\nb = []\nc = {}\nd = [{ n = "a" }, { n = "b", v = "1" },]\n'],
    ['tables and arrays of tables', '[[package]]\nname = "a"\n[package.source]\nregistry = "r"\n[[package.wheels]]\nurl = "u"\n[[package]]\nname = "b"\n[package.dependencies]\nc = ">=1"\n'],
    ['an implicit table defined later', '[a.b.c]\nx = 1\n[a.b]\ny = 2\n[a]\nz = 3\n'],
    ['non-ASCII strings', 'summary = "Ünïcödé — ok"\n'],
  ])('%s: the value smol-toml parses', (_name, text) => {
    expect(plain(readTomlSubset(text)?.doc)).toEqual(plain(parseToml(text)))
  })

  it('records the line of every [[array]] header by path', () => {
    const read = readTomlSubset('version = 1\n\n[[package]]\nname = "a"\ndeps = [\n  1,\n]\n\n[[package]]\nname = "b"\n[[package.wheels]]\nu = 1\n')
    expect(read?.arrayHeaders.get('package')).toEqual([3, 9])
    expect(read?.arrayHeaders.get('package.wheels')).toEqual([11])
  })

  it.each([
    ['a duplicate key', 'a = 1\na = 2\n'],
    ['a duplicate key in an inline table', 'a = { x = 1, x = 2 }\n'],
    ['a table defined twice', '[a]\nx = 1\n[a]\ny = 2\n'],
    ['an implicit table defined twice', '[a.b]\n[a]\n[a]\n'],
    ['an inline table extended by a header', 'a = { x = 1 }\n[a.b]\n'],
    ['a static array extended by [[...]]', 'a = [1]\n[[a]]\n'],
    ['a table header over a key', 'a = 1\n[a]\n'],
    ['an unterminated string', 'a = "x\n'],
    ['a trailing comma in an inline table', 'a = { x = 1, }\n'],
    ['an inline table over lines', 'a = { x = 1,\n y = 2 }\n'],
    ['a control character', 'a = "x\u0001"\n'],
    ['an unknown escape', 'a = "\\q"\n'],
    ['a lone surrogate escape', 'a = "\\uD800"\n'],
    ['text after a value', 'a = 1 2\n'],
    ['an unclosed array', 'a = [1, 2\n'],
    ['garbage', 'this is { not a lockfile'],
  ])('%s: declined (smol-toml decides)', (_name, text) => {
    expect(readTomlSubset(text)).toBeUndefined()
  })

  it.each([
    ['a multi-line string', 'a = """\nx\n"""\n'],
    ['a float', 'a = 1.5\n'],
    ['a date', 'a = 1979-05-27\n'],
    ['a dotted key', 'a.b = 1\n'],
    ['a quoted header key', '["a"]\nx = 1\n'],
    ['a hex integer', 'a = 0x1F\n'],
    ['an unsafe integer', 'a = 9007199254740993\n'],
    ['CRLF line ends', 'a = 1\r\nb = 2\r\n'],
    ['tabs', 'a =\t1\n'],
    ['a __proto__ key', '[__proto__]\nx = 1\n'],
    ['deep nesting', `a = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`],
  ])('%s: outside the subset, declined', (_name, text) => {
    expect(readTomlSubset(text)).toBeUndefined()
  })

  const lockfiles = corpus('pypi').filter((f) => ['poetry-lock', 'uv-lock', 'pdm-lock', 'pylock-toml'].includes(f.format))
  it.each(lockfiles.map((f) => [label(f), f] as const))('%s: the value smol-toml parses, when read', (_name, file) => {
    const read = readTomlSubset(file.content)
    // Lockers' own output is within the subset (a few hand-written test files use dates or dotted keys).
    if (file.content.length > 50_000) expect(read).toBeDefined()
    if (read) expect(plain(read.doc)).toEqual(plain(parseToml(file.content)))
  })
})

describe('Pipfile.lock lines', () => {
  const files = corpus('pypi').filter((f) => f.format === 'pipfile-lock')
  /** The line of every entry key, from jsonc-parser's syntax tree. */
  const treeLines = (content: string): string[] => {
    const out: string[] = []
    for (const section of parseTree(content)?.children ?? []) {
      const [key, value] = section.children ?? []
      if (key?.value === '_meta' || value?.type !== 'object') continue
      for (const entry of value.children ?? []) {
        const name = entry.children?.[0]
        if (name) out.push(`${String(name.value).toLowerCase()}:${content.slice(0, name.offset).split('\n').length}`)
      }
    }
    return out
  }
  const extracted = (path: string, content: string): Map<string, number | undefined> =>
    new Map(extract({ path, content }).packages.map((p) => [p.name, p.line]))

  it.each(files.map((f) => [label(f), f] as const))('%s: every line is where the key is', (_name, file) => {
    const lines = extracted(file.path, file.content)
    // A package listed in several sections has the line of one of its entries (the first that counts).
    const written = new Map<string, number[]>()
    for (const e of treeLines(file.content)) {
      const [name, line] = e.split(':')
      const key = (name ?? '').replace(/[-_.]+/g, '-')
      written.set(key, [...(written.get(key) ?? []), Number(line)])
    }
    expect(lines.size).toBeGreaterThan(0)
    for (const [name, line] of lines) expect(written.get(name)).toContain(line)
  })

  it.each([
    ['minified', (doc: unknown) => JSON.stringify(doc)],
    ['indented by 2', (doc: unknown) => JSON.stringify(doc, null, 2)],
    ['with a tab', (doc: unknown) => JSON.stringify(doc, null, '\t')],
  ])('%s: lines still right (found from the syntax tree)', (_name, write) => {
    const content = write({ _meta: {}, default: { version: { version: '==1.0' }, b: { version: '==2.0', markers: 'x' } }, develop: { c: { version: '==3.0' } } })
    const lines = extracted('Pipfile.lock', content)
    for (const e of treeLines(content)) {
      const [name, line] = e.split(':')
      expect(lines.get(name ?? '')).toBe(Number(line))
    }
  })

  it('a package named like a body key gets its own line', () => {
    const content = JSON.stringify({ _meta: {}, default: { a: { version: '==1.0', markers: 'x' }, markers: { version: '==2.0' } } }, null, 4)
    const lines = extracted('Pipfile.lock', content)
    expect(lines.get('markers')).toBe(content.split('\n').findIndex((l) => l.startsWith('        "markers": {')) + 1)
  })

  it('invalid JSON is reported with line and column', () => {
    const result = extract({ path: 'Pipfile.lock', content: '{\n  "default": {,\n}' })
    expect(result.errors).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/^expected a Pipfile.lock \(valid JSON\): 2:\d+: /) })])
  })
})

describe('lazy paths', () => {
  const uv = `version = 1\n[[package]]\nname = "app"\nversion = "0.1"\nsource = { virtual = "." }\ndependencies = [{ name = "a" }]\n\n[[package]]\nname = "a"\nversion = "1.0"\nsource = { registry = "r" }\ndependencies = [{ name = "b" }]\n\n[[package]]\nname = "b"\nversion = "2.0"\nsource = { registry = "r" }\n`

  it('are computed on first read, and are plain values to JSON and deep equality', () => {
    const result = extract({ path: 'uv.lock', content: uv })
    const b = result.packages.find((p) => p.name === 'b')
    expect(b?.paths).toEqual([['app', 'a', 'b']])
    expect(b?.paths).toBe(b?.paths)
    expect(JSON.parse(JSON.stringify(result.packages))).toEqual([
      { ecosystem: 'PyPI', name: 'a', version: '1.0', file: 'uv.lock', line: 8, direct: true, dev: false, paths: [['app', 'a']] },
      { ecosystem: 'PyPI', name: 'b', version: '2.0', file: 'uv.lock', line: 14, direct: false, dev: false, paths: [['app', 'a', 'b']] },
    ])
  })

  it('merge the paths of every entry of one name@version', () => {
    const content = '[[package]]\nname = "top"\nversion = "1"\n[package.dependencies]\nleaf = "*"\n\n[[package]]\nname = "other"\nversion = "1"\n[package.dependencies]\nLeaf = "*"\n\n[[package]]\nname = "leaf"\nversion = "1"\n\n[[package]]\nname = "Leaf"\nversion = "1"\n'
    const leaf = extract({ path: 'poetry.lock', content }).packages.find((p) => p.name === 'leaf')
    expect(leaf?.paths).toEqual([['top', 'leaf'], ['other', 'leaf']])
  })

  it('the same lines and packages from the subset reader and from smol-toml', () => {
    // A float in [metadata] puts the file outside the subset: smol-toml and the header scan read it.
    const outside = uv.replace('version = 1\n', 'version = 1\nweird = 1.5\n')
    expect(readTomlSubset(outside)).toBeUndefined()
    const strip = (content: string) => JSON.parse(JSON.stringify(extract({ path: 'uv.lock', content }).packages)) as { line: number }[]
    expect(strip(outside).map((p) => p.line - 1)).toEqual(strip(uv).map((p) => p.line))
  })
})
