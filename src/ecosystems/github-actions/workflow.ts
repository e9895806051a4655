/**
 * GitHub Actions workflows and action metadata files. Read with `yaml`'s
 * document API so every `uses:` keeps its line; only the places GitHub reads
 * a `uses:` from are visited (`jobs.<id>.uses`, `jobs.<id>.steps[].uses`,
 * `runs.steps[].uses`), so comments and look-alike keys elsewhere never count.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml'
import type { Extraction, FileProblem, Package, SourceFile } from '../types.js'

/** More alias expansion than this is a billion-laughs file, not a workflow. */
const MAX_ALIAS_COUNT = 100
/** `owner/repo[/path]`: a repository reference, with an optional path inside it. */
const ACTION_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(?:\/[^@\s]+)?$/

export function extractWorkflow(file: SourceFile, kind: string): Extraction {
  const packages: Package[] = []
  const errors: FileProblem[] = []
  const result = (): Extraction => ({ kind, packages, ranges: [], errors })
  const nul = file.content.indexOf('\u0000')
  if (nul >= 0) {
    errors.push({ file: file.path, line: lineOf(file.content, nul), message: `expected ${describe(kind)} (YAML text), found a NUL byte: the file is binary or corrupt` })
    return result()
  }

  // `yaml`'s own duplicate-key check compares every key with every earlier one (quadratic in a
  // mapping's size); the same rule is checked below in one pass.
  const doc = parseDocument(file.content, { prettyErrors: false, uniqueKeys: false })
  const lines = new Lines(file.content)
  const inspected = doc.errors.length > 0 ? undefined : inspect(doc)
  const first = doc.errors[0] ?? inspected?.duplicate
  if (first) {
    const line = lines.line(first.pos[0])
    const col = first.pos[0] - lines.start(line) + 1
    const reason = first.message.split('\n', 1)[0] ?? 'invalid YAML'
    errors.push({ file: file.path, line, message: `expected ${describe(kind)} (valid YAML): ${line}:${col}: ${reason}` })
    return result()
  }
  try {
    // With aliases, builds the plain value once with the alias limit: an alias bomb is refused here, in
    // bounded time. Without any, there is nothing to expand (and no need to build the value).
    if (inspected?.alias) doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    errors.push({ file: file.path, message: `expected ${describe(kind)}: the YAML expands aliases more than ${MAX_ALIAS_COUNT} times (${reason})` })
    return result()
  }
  const root = deref(doc, doc.contents)
  if (root === undefined || (isScalar(root) && (root.value === null || root.value === ''))) return result()
  if (!isMap(root)) {
    errors.push({ file: file.path, line: lineAtNode(lines, root), message: `expected ${describe(kind)}: a YAML mapping at the top level` })
    return result()
  }

  const seen = new Set<string>()
  const add = (node: Node | undefined): void => {
    if (!isScalar(node) || typeof node.value !== 'string') return
    const ref = parseUses(node.value)
    if (!ref) return
    const key = `${ref.name}@${ref.version}`
    if (seen.has(key)) return
    seen.add(key)
    const pkg: Package = { ecosystem: 'GitHub Actions', name: ref.name, version: ref.version, file: file.path, direct: true, dev: false }
    const line = lineAtNode(lines, node)
    if (line !== undefined) pkg.line = line
    packages.push(pkg)
  }
  const addSteps = (steps: Node | undefined): void => {
    if (!isSeq(steps)) return
    for (const item of steps.items) add(get(doc, deref(doc, item as Node), 'uses'))
  }

  const jobs = get(doc, root, 'jobs')
  if (isMap(jobs)) {
    for (const pair of jobs.items) {
      const job = deref(doc, pair.value as Node | null)
      add(get(doc, job, 'uses'))
      addSteps(get(doc, job, 'steps'))
    }
  }
  addSteps(get(doc, get(doc, root, 'runs'), 'steps'))
  return result()
}

/**
 * `owner/repo[/path]@ref` → name and ref as written. Local actions (`./x`),
 * `docker://` images and `${{ }}` expressions are not packages.
 */
export function parseUses(value: string): { name: string; version: string } | undefined {
  const text = value.trim()
  if (!text || text.startsWith('.') || text.startsWith('docker://') || text.includes('${{')) return undefined
  const at = text.lastIndexOf('@')
  if (at <= 0) return undefined
  const name = text.slice(0, at)
  const version = text.slice(at + 1)
  if (!version || /\s/.test(version) || !ACTION_NAME.test(name)) return undefined
  return { name, version }
}

function get(doc: Document, node: Node | undefined, key: string): Node | undefined {
  if (!isMap(node)) return undefined
  for (const pair of node.items) {
    if (isScalar(pair.key) && pair.key.value === key) return deref(doc, pair.value as Node | null)
  }
  return undefined
}

/** Follows an alias to its anchored node (GitHub supports anchors in workflows). */
function deref(doc: Document, node: Node | null | undefined): Node | undefined {
  if (!node) return undefined
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? undefined
  return node
}

function lineAtNode(lines: Lines, node: Node): number | undefined {
  const start = node.range?.[0]
  return start === undefined ? undefined : lines.line(start)
}

/**
 * One walk over the document, in `visit`'s order (depth first, a mapping
 * before its keys and values): the first mapping key written twice, as
 * `yaml`'s default `uniqueKeys` check reports it (scalar keys with the same
 * value; other keys are only equal to themselves), and whether there is any
 * alias. A plain loop: two `visit` passes cost about as much as the rest of
 * the reader on top of `yaml`'s parse.
 */
export function inspect(doc: Document): { duplicate?: { pos: [number, number]; message: string }; alias: boolean } {
  let alias = false
  const stack: unknown[] = [doc.contents]
  while (stack.length > 0) {
    const node = stack.pop()
    if (isAlias(node)) alias = true
    else if (isMap(node)) {
      if (node.items.length > 1) {
        const seen = new Set<unknown>()
        for (const pair of node.items) {
          const key = pair.key
          if (!isScalar(key) || (typeof key.value === 'number' && Number.isNaN(key.value))) continue
          if (seen.has(key.value)) {
            const at = key.range?.[0] ?? 0
            return { duplicate: { pos: [at, at + 1], message: 'Map keys must be unique' }, alias }
          }
          seen.add(key.value)
        }
      }
      for (let i = node.items.length - 1; i >= 0; i--) {
        const pair = node.items[i]
        stack.push(pair?.value, pair?.key)
      }
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i])
    }
  }
  return { alias }
}

/**
 * 1-based lines of offsets: the newline offsets are found once, on the first
 * lookup, then each lookup is a binary search (what `yaml`'s LineCounter does,
 * without a call per line during lexing).
 */
export class Lines {
  private starts: number[] | undefined

  constructor(private readonly text: string) {}

  line(offset: number): number {
    const starts = this.lineStarts()
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((starts[mid] as number) <= offset) lo = mid
      else hi = mid - 1
    }
    return lo + 1
  }

  /** Offset where a 1-based line starts. */
  start(line: number): number {
    return this.lineStarts()[line - 1] ?? 0
  }

  private lineStarts(): number[] {
    if (!this.starts) {
      const starts = [0]
      const text = this.text
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
      this.starts = starts
    }
    return this.starts
  }
}

function lineOf(content: string, offset: number): number {
  let line = 1
  for (let i = content.indexOf('\n'); i !== -1 && i < offset; i = content.indexOf('\n', i + 1)) line++
  return line
}

function describe(kind: string): string {
  return kind === 'action.yml' ? 'an action metadata file (action.yml)' : 'a GitHub Actions workflow'
}
