/**
 * Pipfile.lock (JSON). Every top-level section except `_meta` is a category
 * (default, develop, custom ones); a version counts only as `==X`. git, path,
 * file and editable entries are skipped.
 *
 * Read with `JSON.parse`; each entry's line comes from one forward pass over
 * the text for its key, as pipenv writes it (`json.dumps(indent=4)`: every
 * entry key alone at the start of its line, at twice the indent of the
 * sections). A file written otherwise (minified, re-indented, escaped keys)
 * has its lines found with jsonc-parser's syntax tree instead, and a file
 * that is not valid JSON is reported with jsonc-parser's line:column.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser'
import type { Extraction, SourceFile } from '../types.js'
import { Collector, isTable, lineAt, LineIndex, own, ownString, rejectBinary } from './common.js'

const NOT_REGISTRY = ['git', 'hg', 'svn', 'bzr', 'path', 'file', 'editable']

export function extractPipfileLock(file: SourceFile): Extraction {
  const out = new Collector(file.path)
  const content = file.content
  if (rejectBinary(content, out, 'a Pipfile.lock')) return out.result('Pipfile.lock')
  let root: unknown
  try {
    root = JSON.parse(content)
  } catch {
    reportInvalid(content, out)
    return out.result('Pipfile.lock')
  }
  if (!isTable(root)) {
    out.error(`expected a Pipfile.lock (a JSON object), found a JSON ${root === null ? 'null' : Array.isArray(root) ? 'array' : typeof root}`, 1)
    return out.result('Pipfile.lock')
  }
  const meta = own(root, '_meta')
  const spec = own(meta, 'pipfile-spec')
  const kind = typeof spec === 'number' ? `Pipfile.lock@${spec}` : 'Pipfile.lock'
  if (meta === undefined && !Object.hasOwn(root, 'default') && !Object.hasOwn(root, 'develop')) {
    out.error("expected a Pipfile.lock: found neither '_meta' nor 'default'/'develop'", 1)
  }

  const sections: [string, Record<string, unknown>][] = []
  for (const category of Object.keys(root)) {
    const entries = root[category]
    if (category !== '_meta' && isTable(entries)) sections.push([category, entries])
  }
  const lines = entryLines(content, sections) ?? treeLines(content)
  let n = 0
  for (const [category, entries] of sections) {
    for (const name of Object.keys(entries)) {
      const line = lines(n++, category, name)
      const body = entries[name]
      if (!isTable(body)) continue
      let skip = false
      for (const k of NOT_REGISTRY) {
        const v = own(body, k)
        if (v !== undefined && v !== false) skip = true
      }
      if (skip) continue
      const pinned = /^==\s*([^=].*)$/.exec(ownString(body, 'version')?.trim() ?? '')?.[1]
      const version = pinned?.trim()
      if (!version) continue
      out.addPackage({ name, version, line, direct: false, dev: category === 'develop' })
    }
  }
  return out.result(kind)
}

type LineOf = (index: number, category: string, name: string) => number | undefined

/**
 * Lines of every entry (numbered in document order across sections) by one
 * forward pass: section keys at the first key's indent, entry keys at twice
 * that, each `"key": {` at the start of a line. Undefined when the text is not
 * laid out so, or a key is not where the order says it must be.
 */
export function entryLines(content: string, sections: readonly [string, Record<string, unknown>][]): LineOf | undefined {
  const indent = /^\{\r?\n( +)"/.exec(content)?.[1]
  if (!indent) return undefined
  const outer = `\n${indent}`
  const inner = `\n${indent}${indent}`
  const keyAt = (prefix: string, key: string, from: number, to: number): number => {
    const needle = prefix + JSON.stringify(key)
    for (let at = content.indexOf(needle, from); at !== -1 && at < to; at = content.indexOf(needle, at + 1)) {
      let i = at + needle.length
      while (content.charCodeAt(i) === 32) i++
      if (content.charCodeAt(i) !== 58) continue
      i++
      while (content.charCodeAt(i) === 32) i++
      if (content.charCodeAt(i) === 123) return at + 1
    }
    return -1
  }
  // Each section's span: from its key to the next section's key.
  const starts: number[] = []
  let cursor = 0
  for (const [category] of sections) {
    const at = keyAt(outer, category, cursor, content.length)
    if (at === -1) return undefined
    starts.push(at)
    cursor = at + 1
  }
  const offsets: number[] = []
  for (let s = 0; s < sections.length; s++) {
    const end = starts[s + 1] ?? content.length
    cursor = starts[s] as number
    for (const name of Object.keys((sections[s] as [string, Record<string, unknown>])[1])) {
      const at = keyAt(inner, name, cursor, end)
      if (at === -1) return undefined
      offsets.push(at)
      cursor = at + 1
    }
  }
  // Offsets increase: count newlines forward once.
  const lines: number[] = new Array<number>(offsets.length)
  let line = 1
  let nl = content.indexOf('\n')
  for (let k = 0; k < offsets.length; k++) {
    const target = offsets[k] as number
    while (nl !== -1 && nl < target) {
      line++
      nl = content.indexOf('\n', nl + 1)
    }
    lines[k] = line
  }
  return (index) => lines[index]
}

/** Lines from jsonc-parser's syntax tree: any layout, at the cost of a second parse. */
function treeLines(content: string): LineOf {
  const byKey = new Map<string, number>()
  const root = parseTree(content, [], { disallowComments: true, allowTrailingComma: false })
  const index = new LineIndex(content)
  for (const section of root?.children ?? []) {
    const [keyNode, valueNode] = section.children ?? []
    if (valueNode?.type !== 'object') continue
    for (const entry of valueNode.children ?? []) {
      const nameNode = entry.children?.[0]
      const key = `${String(keyNode?.value)}\u0000${String(nameNode?.value)}`
      // JSON.parse keeps a duplicate key's place of first appearance.
      if (nameNode && !byKey.has(key)) byKey.set(key, index.line(nameNode.offset))
    }
  }
  return (_index, category, name) => byKey.get(`${category}\u0000${name}`)
}

/** The first syntax error, with its line and column (jsonc-parser's wording). */
function reportInvalid(content: string, out: Collector): void {
  const errors: ParseError[] = []
  let root: Node | undefined
  try {
    root = parseTree(content, errors, { disallowComments: true, allowTrailingComma: false })
  } catch (err) {
    // Deep nesting can exhaust the recursive parser's stack.
    out.error(`expected a Pipfile.lock (JSON): ${err instanceof Error ? err.message : String(err)}`)
    return
  }
  const first = errors[0]
  const offset = first?.offset ?? 0
  const line = lineAt(content, offset)
  const column = offset - content.lastIndexOf('\n', offset - 1)
  const reason = first ? printParseErrorCode(first.error) : root ? 'invalid JSON' : 'empty file'
  out.error(`expected a Pipfile.lock (valid JSON): ${line}:${column}: ${reason}`, line)
}
