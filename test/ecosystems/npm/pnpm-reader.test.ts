/**
 * The fast pnpm-lock.yaml reader: where it answers, it builds exactly what
 * `yaml` (parseAllDocuments + toJS, uniqueKeys off) builds, key order
 * included; outside the subset pnpm writes it declines, and the extractor
 * parses with `yaml`, so the inventory never changes.
 */
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { extract } from '../../../src/ecosystems/npm/extract.js'
import { readPnpmLock } from '../../../src/ecosystems/npm/pnpm-reader.js'
import { npmCorpus } from './corpus.js'

/** Documents with content, as JSON text (order-sensitive), both ways. */
const viaYaml = (text: string) => JSON.stringify(parseAllDocuments(text, { uniqueKeys: false }).map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined))
const fast = (text: string) => {
  const docs = readPnpmLock(text)
  return docs && JSON.stringify(docs.map((d) => d.data).filter((d) => d !== undefined))
}

const LOCK_FORMATS = ['pnpm-lock-v5', 'pnpm-lock-v6', 'pnpm-lock-v9', 'pnpm-shrinkwrap-yaml']

const SUBSET: [string, string][] = [
  ['scalars typed as the core schema types them', "lockfileVersion: 5.4\na: true\nb: False\nc: ~\nd: null\ne: 12\nf: '5.4'\ng: 1.10\ni: .5\nj: 1.2.3\nk: 'true'\nl:\n"],
  ['quoted keys and values with escapes', "'@s/a@1.0.0':\n  a: 'it''s'\n  b: \"tab\\there\"\n  \"c d\": x\n"],
  ['flow collections', "a:\n  resolution: {integrity: sha512-abc==, tarball: https://r.org/a/-/a-1.0.0.tgz}\n  engines: {node: '>=14', npm: \"*\"}\n  os: [darwin, linux]\n  cpu: []\n  e: {}\n  f: [a, 'b, c', \"d\"]\n"],
  ['block sequences', 'a:\n  transitivePeerDependencies:\n    - supports-color\n    - \'@s/x\'\n  b: 1\n'],
  ['literal block scalars', 'a:\n  deprecated: |-\n    line one\n      indented\n\n    line three\n  kept: |\n    x\n\n  b: c\n'],
  ['several documents', "---\nlockfileVersion: '9.0'\nimporters:\n  .:\n    configDependencies: {}\n---\nlockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: x}\n"],
  ['comments, blank lines, CRLF, BOM', "\uFEFF# head\r\nlockfileVersion: '9.0'\r\n\r\n  # indented comment\r\npackages:\r\n\r\n  a@1.0.0:\r\n    resolution: {integrity: x}\r\n"],
  ['keys with null values and duplicate keys', 'a:\nb:\n  c:\n  d: 1\na: 2\n'],
  ['v5 slash keys and peer suffixes', 'lockfileVersion: 5.3\npackages:\n  /a/1.0.0_b@2.0.0:\n    resolution: {integrity: x}\n    dev: false\n  registry.npmjs.org/c/1.1.0:\n    resolution: {tarball: https://registry.npmjs.org/c/-/c-1.1.0.tgz}\n'],
  ['an empty text', ''],
  ['only a document marker', '---\n'],
]

describe('pnpm reader: the subset pnpm writes', () => {
  it.each(SUBSET)('%s builds what yaml builds', (_name, text) => {
    expect(fast(text)).toBeDefined()
    expect(fast(text)).toEqual(viaYaml(text))
  })

  it('reads every corpus pnpm lockfile itself, as yaml does', () => {
    const files = LOCK_FORMATS.flatMap((format) => npmCorpus(format))
    expect(files.length).toBeGreaterThan(10)
    for (const f of files) {
      expect(fast(f.content), f.savedPath).toBeDefined()
      expect(fast(f.content), f.savedPath).toEqual(viaYaml(f.content))
    }
  })

  it('gives each document its start', () => {
    const docs = readPnpmLock('---\na: 1\n---\nb: 2\n')
    expect(docs?.map((d) => d.start)).toEqual([0, 9])
  })
})

const OUTSIDE: [string, string][] = [
  ['anchor and alias', 'a: &x 1\nb: *x\n'],
  ['tag', 'a: !!str 1\n'],
  ['folded block scalar', 'a: >\n  text\n'],
  ['block scalar with an indentation indicator', 'a: |2\n   text\n'],
  ['flow over several lines', 'a: {b: 1,\n  c: 2}\n'],
  ['nested flow', 'a: {b: [1, 2]}\n'],
  ['comment after a value', 'a: 1 # one\n'],
  ['comment after a quoted value', "a: '1' # one\n"],
  ['tab indentation', 'a:\n\tb: 1\n'],
  ['mapping inside a sequence', 'a:\n  - b: 1\n'],
  ['sequence at the key indentation', 'a:\n- b\n'],
  ['document end marker', 'a: 1\n...\n'],
  ['directive', '%YAML 1.2\n---\na: 1\n'],
  ['exponent float', 'a: 1e3\n'],
  ['hex integer', 'a: 0x1F\n'],
  ['typed key', 'true: 1\n'],
  ['__proto__ key', '__proto__: 1\n'],
  ['merge key', 'a:\n  <<: {b: 1}\n'],
  ['lone CR line breaks', 'a: 1\rb: 2\r'],
  ['multi-line plain scalar', 'a: one\n  two\n'],
  ['multi-line quoted scalar', "a: 'one\n  two'\n"],
  ['odd indentation', 'a:\n  b: 1\n   c: 2\n'],
  ['root sequence', '- a\n'],
  ['YAML-only escape', 'a: "\\x41"\n'],
  ['non-printable character', 'a: b\u0001c\n'],
]

describe('pnpm reader: outside the subset', () => {
  it.each(OUTSIDE)('%s: declines', (_name, text) => {
    expect(readPnpmLock(text)).toBeUndefined()
  })
})

describe('pnpm extraction: the reader and the yaml fallback agree', () => {
  const inventory = (text: string) => {
    const x = extract({ path: 'pnpm-lock.yaml', content: text })
    return { kind: x.kind, errors: x.errors, packages: x.packages.map((p) => ({ name: p.name, version: p.version, line: p.line, direct: p.direct, dev: p.dev, paths: p.paths })) }
  }
  // An alias at the very end (a key the reader never reads) sends the same file down the fallback.
  const forceFallback = (text: string) => `${text.trimEnd()}\nzz-fallback: &a 1\n`
  it.each(LOCK_FORMATS.flatMap((format) => npmCorpus(format)).map((f) => [f.savedPath, f.content] as const))('%s', (_name, text) => {
    const slow = forceFallback(text)
    expect(readPnpmLock(slow)).toBeUndefined()
    const a = inventory(text)
    expect(a.errors).toEqual([])
    expect(a).toEqual(inventory(slow))
  })
})

describe('pnpm reader: a skipped top-level key', () => {
  const snapshotsLock = "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: x}\nsnapshots:\n  a@1.0.0:\n    dependencies:\n      b: 2.0.0\n    optional: true\n"
  it('is read but not built: null, the rest as without skipping', () => {
    const full = readPnpmLock(snapshotsLock)?.[0]?.data as Record<string, unknown>
    const skipped = readPnpmLock(snapshotsLock, { skip: ['snapshots'] })?.[0]?.data as Record<string, unknown>
    expect(full.snapshots).toEqual({ 'a@1.0.0': { dependencies: { b: '2.0.0' }, optional: true } })
    expect(skipped).toEqual({ ...full, snapshots: null })
  })
  it.each(OUTSIDE)('%s, under the skipped key: still declines', (_name, text) => {
    const nested = `lockfileVersion: '9.0'\nsnapshots:\n${text
      .split('\n')
      .map((l) => (l === '' ? l : `  ${l}`))
      .join('\n')}`
    const withoutSkip = readPnpmLock(nested)
    const withSkip = readPnpmLock(nested, { skip: ['snapshots'] })
    expect(withSkip === undefined).toBe(withoutSkip === undefined)
  })
  it('extraction reads the same inventory and paths as the yaml fallback from a v9 lockfile with snapshots', () => {
    const lock = `${snapshotsLock.replace("lockfileVersion: '9.0'\n", "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n").replace('packages:\n', 'packages:\n  b@2.0.0:\n    resolution: {integrity: y}\n')}  b@2.0.0: {}\n`
    const read = (text: string) => extract({ path: 'pnpm-lock.yaml', content: text }).packages.map((p) => [p.name, p.version, p.line, p.direct, p.paths])
    expect(read(lock)).toEqual([
      ['b', '2.0.0', 9, false, [['(root)', 'a', 'b']]],
      ['a', '1.0.0', 11, true, [['(root)', 'a']]],
    ])
    expect(read(`${lock}zz-fallback: &a 1\n`)).toEqual(read(lock))
  })
})
