/**
 * Shared pieces of the PyPI extractors: a collector that de-duplicates and
 * builds the `Extraction`, TOML parsing with line:col errors, and cheap line
 * lookups (smol-toml keeps no positions, so lines are found in the raw text).
 */
import { parse as parseToml, TomlError } from 'smol-toml'
import type { Extraction, FileProblem, Package, RangeRequirement } from '../types.js'
import { normalizePypiName } from './names.js'
import { readTomlSubset } from './toml-reader.js'

export type Table = Record<string, unknown>

export interface PackageInput {
  /** Name as written; normalised here. */
  name: string
  version: string
  line?: number
  direct: boolean
  dev: boolean
  paths?: string[][]
  /** The entry's node in a lockfile graph whose paths `result` computes lazily. */
  node?: number
}

const MAX_PATHS = 5

/** Collects one file's findings. A name@version seen twice is listed once. */
export class Collector {
  readonly packages: Package[] = []
  readonly ranges: RangeRequirement[] = []
  readonly errors: FileProblem[] = []
  private readonly byKey = new Map<string, Package>()
  private readonly rangeByKey = new Map<string, RangeRequirement>()
  /** Graph nodes of each package, for lazy paths. */
  private readonly nodesOf = new Map<Package, number[]>()

  constructor(readonly file: string) {}

  addPackage(input: PackageInput): void {
    const name = normalizePypiName(input.name)
    const key = `${name}@${input.version}`
    const seen = this.byKey.get(key)
    if (seen) {
      // Seen again: it is direct if any occurrence is, dev only if every occurrence is.
      seen.direct ||= input.direct
      seen.dev &&= input.dev
      if (input.paths?.length) seen.paths = mergePaths(seen.paths ?? [], input.paths)
      if (input.node !== undefined) this.nodesOf.get(seen)?.push(input.node)
      return
    }
    const pkg: Package = { ecosystem: 'PyPI', name, version: input.version, file: this.file, direct: input.direct, dev: input.dev }
    if (input.line !== undefined) pkg.line = input.line
    if (input.paths?.length) pkg.paths = input.paths.slice(0, MAX_PATHS)
    this.byKey.set(key, pkg)
    if (input.node !== undefined) this.nodesOf.set(pkg, [input.node])
    this.packages.push(pkg)
  }

  addRange(rawName: string, range: string, line: number | undefined, dev: boolean): void {
    const name = normalizePypiName(rawName)
    const key = `${name}\u0000${range}`
    const seen = this.rangeByKey.get(key)
    if (seen) {
      seen.dev &&= dev
      return
    }
    const entry: RangeRequirement = { ecosystem: 'PyPI', name, range, file: this.file, dev }
    if (line !== undefined) entry.line = line
    this.rangeByKey.set(key, entry)
    this.ranges.push(entry)
  }

  error(message: string, line?: number): void {
    const problem: FileProblem = { file: this.file, message }
    if (line !== undefined) problem.line = line
    this.errors.push(problem)
  }

  result(kind: string, includes?: string[]): Extraction {
    const out: Extraction = { kind, packages: this.packages, ranges: this.ranges, errors: this.errors }
    if (includes) out.includes = includes
    return out
  }

  /**
   * The extraction of a lockfile whose packages were added with their `node`:
   * `paths` is an enumerable getter, and `graphPaths` (path search over the
   * whole graph) runs once, the first time any package's `paths` is read.
   * A scan reads `paths` of a few findings at most; `--inventory --json`
   * reads them all.
   */
  lazyResult(kind: string, graphPaths: () => ReadonlyMap<number, string[][]>): Extraction {
    let all: ReadonlyMap<number, string[][]> | undefined
    let build: (() => ReadonlyMap<number, string[][]>) | undefined = graphPaths
    const pathsOf = (nodes: readonly number[]): string[][] | undefined => {
      if (build) {
        all = build()
        build = undefined
      }
      let merged: string[][] = []
      for (const n of nodes) {
        const ps = all?.get(n)
        if (ps?.length) merged = merged.length === 0 ? ps.slice(0, MAX_PATHS) : mergePaths(merged, ps)
      }
      return merged.length > 0 ? merged : undefined
    }
    const packages = this.packages.map((pkg) => {
      const nodes = this.nodesOf.get(pkg)
      if (!nodes) return pkg
      let paths: string[][] | undefined | null = null
      return {
        ecosystem: pkg.ecosystem,
        name: pkg.name,
        version: pkg.version,
        file: pkg.file,
        ...(pkg.line !== undefined ? { line: pkg.line } : {}),
        direct: pkg.direct,
        dev: pkg.dev,
        get paths(): string[][] | undefined {
          if (paths === null) paths = pathsOf(nodes)
          return paths
        },
      } satisfies Package
    })
    return { kind, packages, ranges: this.ranges, errors: this.errors }
  }
}

function mergePaths(a: string[][], b: string[][]): string[][] {
  const out = [...a]
  const keys = new Set(a.map((p) => p.join('\u0000')))
  for (const p of b) {
    if (out.length >= MAX_PATHS) break
    const k = p.join('\u0000')
    if (!keys.has(k)) {
      keys.add(k)
      out.push(p)
    }
  }
  return out
}

/** Parses TOML; on failure records `line:col` and the parser's reason and returns undefined. */
export function parseTomlTable(content: string, out: Collector, what: string): Table | undefined {
  try {
    return parseToml(content) as Table
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split('\n', 1)[0]?.replace(/^Invalid TOML document:\s*/, '') ?? 'invalid TOML'
      out.error(`expected ${what} (valid TOML): ${err.line}:${err.column}: ${reason}`, err.line)
    } else {
      out.error(`expected ${what} (valid TOML): ${err instanceof Error ? err.message : String(err)}`)
    }
    return undefined
  }
}

/**
 * A TOML lockfile: the subset reader when the file is within what lockers
 * write, smol-toml otherwise. `headers` are the lines of the `[[arrayKey]]`
 * headers, in order. Undefined (with the error recorded) when it is not TOML.
 */
export function readLockToml(content: string, out: Collector, what: string, arrayKey: string): { doc: Table; headers: number[] } | undefined {
  if (rejectBinary(content, out, what)) return undefined
  const fast = readTomlSubset(content)
  if (fast) return { doc: fast.doc, headers: fast.arrayHeaders.get(arrayKey) ?? [] }
  const doc = parseTomlTable(content, out, what)
  if (!doc) return undefined
  return { doc, headers: new TomlLines(content).arrayHeaders(arrayKey) }
}

/** Rejects content no text format can hold; returns true when the file must not be parsed. */
export function rejectBinary(content: string, out: Collector, what: string): boolean {
  const nul = content.indexOf('\u0000')
  if (nul < 0) return false
  out.error(`expected ${what} (text), found a NUL byte: the file is binary or corrupt`, lineAt(content, nul))
  return true
}

export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
}

/** An own property (never one inherited from Object.prototype). */
export function own(table: unknown, key: string): unknown {
  return isTable(table) && Object.hasOwn(table, key) ? table[key] : undefined
}

export function ownTable(table: unknown, key: string): Table | undefined {
  const v = own(table, key)
  return isTable(v) ? v : undefined
}

export function ownString(table: unknown, key: string): string | undefined {
  const v = own(table, key)
  return typeof v === 'string' ? v : undefined
}

/**
 * The `[[key]]` entries of a lock document, and whether the key is there at
 * all; undefined (with the error said) when it holds anything but an array.
 */
export function lockEntries(doc: Table, key: string, out: Collector): { entries: unknown[]; present: boolean } | undefined {
  const raw = own(doc, key)
  if (raw === undefined) return { entries: [], present: false }
  if (!Array.isArray(raw)) {
    out.error(`expected [[${key}]] entries (an array of tables)`)
    return undefined
  }
  return { entries: raw, present: true }
}

export function ownArray(table: unknown, key: string): unknown[] | undefined {
  const v = own(table, key)
  return Array.isArray(v) ? v : undefined
}

/** 1-based lines of character offsets, by binary search over the newline positions. */
export class LineIndex {
  private readonly starts: number[] = [0]
  constructor(content: string) {
    for (let i = content.indexOf('\n'); i !== -1; i = content.indexOf('\n', i + 1)) this.starts.push(i + 1)
  }
  line(offset: number): number {
    let lo = 0
    let hi = this.starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((this.starts[mid] ?? 0) <= offset) lo = mid
      else hi = mid - 1
    }
    return lo + 1
  }
}

/** 1-based line of a character offset (one lookup; use LineIndex for many). */
export function lineAt(content: string, offset: number): number {
  let line = 1
  for (let i = content.indexOf('\n'); i !== -1 && i < offset; i = content.indexOf('\n', i + 1)) line++
  return line
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Line lookups in TOML text without a position-keeping parser: table headers
 * are indexed in one pass; keys and array items are then searched for from
 * their table's header onwards, in document order.
 */
export class TomlLines {
  readonly lines: string[]
  private readonly headers: { path: string; line: number; array: boolean }[] = []

  constructor(content: string) {
    this.lines = content.split(/\r\n|\n|\r/)
    this.lines.forEach((text, i) => {
      const m = /^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/.exec(text)
      if (m?.[1] && m[2]) this.headers.push({ path: normalizeKeyPath(m[2]), line: i + 1, array: m[1] === '[[' })
    })
  }

  /** Lines of each `[[path]]` header, in order: the Nth is the Nth element of that array. */
  arrayHeaders(path: string): number[] {
    return this.headers.filter((h) => h.array && h.path === path).map((h) => h.line)
  }

  /**
   * Line where the key at `path` is defined: under its own `[a.b.c]` header,
   * or as a dotted key (`c.d = ...`) inside an ancestor table, or at the top.
   */
  locate(path: readonly string[]): number | undefined {
    for (let split = path.length; split >= 0; split--) {
      const table = path.slice(0, split).join('.')
      const key = path.slice(split)
      if (key.length === 0) {
        const header = this.headers.find((h) => h.path === table)
        if (header) return header.line
        continue
      }
      const line = this.keyLine(table, key)
      if (line !== undefined) return line
    }
    return undefined
  }

  /** Line of the (possibly dotted) `key =` inside the `[table]` region (the top of the file when table is ''). */
  keyLine(table: string, key: readonly string[]): number | undefined {
    let start = 1
    let end: number
    if (table) {
      const index = this.headers.findIndex((h) => h.path === table)
      const header = this.headers[index]
      if (!header) return undefined
      start = header.line + 1
      end = (this.headers[index + 1]?.line ?? this.lines.length + 1) - 1
    } else {
      end = (this.headers[0]?.line ?? this.lines.length + 1) - 1
    }
    const parts = key.map((k) => {
      const e = escapeRegExp(k)
      return `(?:${e}|"${e}"|'${e}')`
    })
    const pattern = new RegExp(`^\\s*${parts.join('\\s*\\.\\s*')}\\s*[=.]`)
    for (let i = start; i <= end; i++) {
      if (pattern.test(this.lines[i - 1] ?? '')) return i
    }
    return undefined
  }

  /** First line at or after `from` where a quoted string starts with `name` (an array item). */
  itemLine(name: string, from: number): number | undefined {
    const pattern = new RegExp(`["']\\s*${escapeRegExp(name)}(?![A-Za-z0-9._-])`)
    for (let i = Math.max(1, from); i <= this.lines.length; i++) {
      if (pattern.test(this.lines[i - 1] ?? '')) return i
    }
    return undefined
  }
}

function normalizeKeyPath(raw: string): string {
  return raw
    .split('.')
    .map((part) => part.trim().replace(/^"(.*)"$|^'(.*)'$/, '$1$2'))
    .join('.')
}

/**
 * Up to five shortest dependency paths per node, by breadth-first search from
 * the roots. Each path starts at a root and ends at the node; nodes already on
 * a path are not revisited, so cycles end.
 */
export function shortestPaths(
  roots: readonly string[],
  edges: ReadonlyMap<string, readonly string[]>,
  label: (node: string) => string,
): Map<string, string[][]> {
  const paths = new Map<string, string[][]>()
  const nodePaths = new Map<string, string[][]>()
  const queue: string[] = []
  for (const root of roots) {
    if (nodePaths.has(root)) continue
    nodePaths.set(root, [[root]])
    queue.push(root)
  }
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] as string
    const mine = nodePaths.get(node) ?? []
    for (const next of edges.get(node) ?? []) {
      let theirs = nodePaths.get(next)
      const first = theirs === undefined
      if (!theirs) {
        theirs = []
        nodePaths.set(next, theirs)
      }
      for (const p of mine) {
        if (theirs.length >= MAX_PATHS) break
        if (!p.includes(next)) theirs.push([...p, next])
      }
      if (first) queue.push(next)
    }
  }
  for (const [node, ps] of nodePaths) {
    paths.set(
      node,
      ps.map((p) => p.map(label)),
    )
  }
  return paths
}
