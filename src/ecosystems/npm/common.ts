/**
 * Shared pieces of the npm extractors: the per-file collector (dedup by
 * name@version), cheap line numbering, spec classification (registry, git,
 * file, tarball) and bounded dependency-path search.
 */
import { parse as parseJsonc, type ParseError } from 'jsonc-parser'
import semver from 'semver'
import type { Extraction, FileProblem, Package, RangeRequirement } from '../types.js'

/** At most this many dependency paths are kept per package: enough to explain, bounded on huge graphs. */
export const MAX_PATHS = 5

/** Name of the root in dependency paths when the project has no name. */
export const ROOT_NAME = '(root)'

interface Entry {
  name: string
  version: string
  line?: number
  direct: boolean
  dev: boolean
  /** Graph nodes this name@version sits at (bounded); their paths are merged. */
  nodes?: number[]
  /** The next entry with the same name and another version. */
  next: Entry | undefined
  /** The source (a lockfile's `resolved`) it was first added with, for `mergeSameSource`. */
  source: string | undefined
}

/** A dependency graph over integer nodes, built only when someone asks for paths. */
export interface PathGraph {
  root: number
  edges(node: number): readonly number[]
  label(node: number): string
}

/**
 * Collects packages for one file, listing each name@version once: paths are
 * merged, `direct` is true if any occurrence is direct, `dev` only if all are.
 */
export class Collector {
  /** By name, each a chain of versions: no `name@version` string is built per occurrence. */
  private readonly byName = new Map<string, Entry>()
  /** In order of first occurrence. */
  private readonly entries: Entry[] = []
  readonly ranges: RangeRequirement[] = []
  readonly errors: FileProblem[] = []

  constructor(readonly file: string) {}

  add(name: string, version: string, info: { line?: number; direct?: boolean; dev?: boolean; node?: number } = {}): void {
    this.addAt(name, version, info.line, info.direct ?? false, info.dev ?? false, info.node)
  }

  /** `add` without the options object, for readers that call it once per entry of huge lockfiles. */
  addAt(name: string, version: string, line: number | undefined, direct: boolean, dev: boolean, node: number | undefined, source?: string): void {
    const head = this.byName.get(name)
    let found = head
    while (found !== undefined && found.version !== version) found = found.next
    if (!found) {
      const entry: Entry = { name, version, line, direct, dev, nodes: node === undefined ? undefined : [node], next: undefined, source }
      if (head === undefined) this.byName.set(name, entry)
      else {
        entry.next = head.next
        head.next = entry
      }
      this.entries.push(entry)
      return
    }
    merge(found, line, direct, dev, node)
  }

  /**
   * Merges another occurrence into name@version when that was first added
   * with this same `source` string (undefined: none), and says whether it did.
   * A reader that decides from the source alone whether to add (classifying
   * a `resolved` URL) need not decide again for the same string: on big
   * lockfiles most locations repeat a name@version already seen.
   */
  mergeSameSource(name: string, version: string, source: string | undefined, direct: boolean, dev: boolean, node: number): boolean {
    let found = this.byName.get(name)
    while (found !== undefined && found.version !== version) found = found.next
    if (found === undefined || found.source !== source) return false
    merge(found, undefined, direct, dev, node)
    return true
  }

  addRange(name: string, range: string, info: { line?: number; dev?: boolean } = {}): void {
    this.ranges.push({ ecosystem: 'npm', name, range, file: this.file, line: info.line, dev: info.dev ?? false })
  }

  error(message: string, line?: number): void {
    this.errors.push(line === undefined ? { file: this.file, message } : { file: this.file, line, message })
  }

  /**
   * The extraction. `graph` and `lines` are called at most once, the first
   * time any package's `paths` / `line` is read: on big lockfiles path search
   * and line counting cost more than parsing, and most callers (inventory,
   * matching) read them for a few packages only. They are enumerable getters,
   * so JSON.stringify and deep equality see plain values.
   */
  result(kind: string, lazy: { graph?: () => PathGraph; lines?: (wanted: readonly number[]) => (node: number) => number | undefined } = {}): Extraction {
    let graph = lazy.graph
    let lineBuilder = lazy.lines
    let all: Map<number, string[][]> | undefined
    let lineOf: ((node: number) => number | undefined) | undefined
    const pathsOf = (nodes: number[]): string[][] | undefined => {
      if (!all && graph) {
        const g = graph()
        all = shortestPaths(g.root, (n) => g.edges(n), (n) => g.label(n))
        graph = undefined
      }
      if (!all) return undefined
      const merged: string[][] = []
      for (const n of nodes) for (const p of all.get(n) ?? []) merged.push(p)
      if (merged.length === 0) return undefined
      return merged.sort((a, b) => a.length - b.length).slice(0, MAX_PATHS)
    }
    const firstLine = (nodes: number[]): number | undefined => {
      if (!lineOf && lineBuilder) {
        // Only the first node of each package needing a line, in increasing order.
        const wanted: number[] = []
        for (const e of this.entries) if (e.line === undefined && e.nodes) wanted.push(e.nodes[0] as number)
        lineOf = lineBuilder(wanted.sort((a, b) => a - b))
        lineBuilder = undefined
      }
      return lineOf?.(nodes[0] as number)
    }
    const context: LazyContext = { pathsOf, firstLine }
    const packages: Package[] = []
    for (const e of this.entries) {
      const nodes = e.nodes
      let pkg: Package
      const lazyLine = e.line === undefined && lazy.lines !== undefined
      if (nodes && (lazy.graph || lazyLine)) {
        pkg = new LazyPackage(e.name, e.version, this.file, e.line, lazyLine, e.direct, e.dev, lazy.graph !== undefined, nodes, context)
      } else {
        pkg = { ecosystem: 'npm', name: e.name, version: e.version, file: this.file, direct: e.direct, dev: e.dev }
        if (e.line !== undefined) pkg.line = e.line
      }
      packages.push(pkg)
    }
    return { kind, packages, ranges: this.ranges, errors: this.errors }
  }
}

function merge(found: Entry, line: number | undefined, direct: boolean, dev: boolean, node: number | undefined): void {
  found.direct ||= direct
  found.dev &&= dev
  if (found.line === undefined) found.line = line
  if (node !== undefined) {
    if (!found.nodes) found.nodes = [node]
    else if (found.nodes.length < MAX_PATHS) found.nodes.push(node)
  }
}

interface LazyContext {
  pathsOf(nodes: number[]): string[][] | undefined
  firstLine(nodes: number[]): number | undefined
}

/**
 * A package whose `line` and/or `paths` are computed on first read. They are
 * own, enumerable accessors (JSON.stringify and deep equality see plain
 * values), the same two functions for every package, defined in the same
 * order each time, and the state sits in private fields: the objects share
 * one shape and stay fast-mode. Object literals with a getter closure per
 * object made every package a dictionary-mode object (~450 bytes each) and
 * cost 3x the time to build.
 */
class LazyPackage {
  readonly #context: LazyContext
  readonly #nodes: number[]
  /** null: not computed yet. */
  #line: number | undefined | null
  #paths: string[][] | undefined | null

  declare ecosystem: 'npm'
  declare name: string
  declare version: string
  declare file: string
  declare line: number | undefined
  declare direct: boolean
  declare dev: boolean
  declare paths: string[][] | undefined

  constructor(name: string, version: string, file: string, line: number | undefined, lazyLine: boolean, direct: boolean, dev: boolean, lazyPaths: boolean, nodes: number[], context: LazyContext) {
    this.#context = context
    this.#nodes = nodes
    this.#line = lazyLine ? null : line
    this.#paths = lazyPaths ? null : undefined
    this.ecosystem = 'npm'
    this.name = name
    this.version = version
    this.file = file
    if (lazyLine) Object.defineProperty(this, 'line', LazyPackage.LINE)
    else this.line = line
    this.direct = direct
    this.dev = dev
    Object.defineProperty(this, 'paths', LazyPackage.PATHS)
  }

  static readonly LINE: PropertyDescriptor = {
    get(this: LazyPackage): number | undefined {
      let line = this.#line
      if (line === null) this.#line = line = this.#context.firstLine(this.#nodes)
      return line
    },
    enumerable: true,
    configurable: true,
  }

  static readonly PATHS: PropertyDescriptor = {
    get(this: LazyPackage): string[][] | undefined {
      let paths = this.#paths
      if (paths === null) this.#paths = paths = this.#context.pathsOf(this.#nodes)
      return paths
    },
    enumerable: true,
    configurable: true,
  }
}

/**
 * Turns offsets into 1-based line numbers while moving forward through the
 * text: one pass over the file in total, however many lookups, because every
 * caller asks for increasing offsets (keys are searched in document order).
 */
export class ForwardLines {
  private offset = 0
  private line = 1

  constructor(private readonly text: string) {}

  lineAt(target: number): number {
    if (target < this.offset) {
      // Rare (out-of-order keys): recount from the start rather than guess.
      this.offset = 0
      this.line = 1
    }
    let i = this.text.indexOf('\n', this.offset)
    while (i !== -1 && i < target) {
      this.line++
      i = this.text.indexOf('\n', i + 1)
    }
    this.offset = target
    return this.line
  }
}

/** 1-based line and column of an offset (for parse errors; not for hot paths). */
export function lineColAt(text: string, offset: number): { line: number; col: number } {
  let line = 1
  let last = -1
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    last = i
  }
  return { line, col: offset - last }
}

/** Is this an exact, valid semver version (as lockfiles write them)? */
export function isSemver(version: string): boolean {
  // The common shape is checked without building a SemVer object (hot path on big lockfiles).
  if (isPlainSemver(version, 0, version.length)) return true
  return semver.valid(version) !== null
}

/**
 * Is `s[start, end)` a plain `X.Y.Z` (no leading zeros, at most 15 digits a
 * part)? A character loop rather than a regex: it runs per entry of huge lockfiles.
 */
export function isPlainSemver(s: string, start: number, end: number): boolean {
  let i = start
  for (let part = 0; part < 3; part++) {
    const first = i
    while (i < end) {
      const c = s.charCodeAt(i)
      if (c < 48 || c > 57) break
      i++
    }
    const digits = i - first
    if (digits === 0 || digits > 15 || (digits > 1 && s.charCodeAt(first) === 48)) return false
    if (part < 2) {
      if (i >= end || s.charCodeAt(i) !== 46 /* . */) return false
      i++
    }
  }
  return i === end
}

/**
 * A manifest spec that pins one version: `1.2.3`, `=1.2.3`, `v1.2.3`,
 * prereleases and build metadata. Returns the version without `=` / `v`.
 */
export function exactVersion(spec: string): string | undefined {
  let v = spec.trim()
  if (v.startsWith('=')) v = v.slice(1).trim()
  if (v.startsWith('v')) v = v.slice(1)
  // semver.valid also accepts `v`/`=` prefixes and surrounding spaces; we have stripped them already.
  if (!/^\d/.test(v)) return undefined
  return semver.valid(v) === null ? undefined : v
}

const NON_REGISTRY_PROTOCOL = /^(?:file|link|portal|exec|workspace|catalog|patch|git|git\+[a-z]+|ssh|github|gitlab|bitbucket|gist|https?|jsr):/i

/** Specs that name a location rather than a registry version: URLs, git, paths, protocols. */
export function isNonRegistrySpec(spec: string): boolean {
  // The common case first, without a regex: a range (`^1.2.3`, `~1`, `>=2`, `1.x`, `*`) with no `/` or `:`.
  const c = spec.charCodeAt(0)
  if (((c >= 48 && c <= 57) || c === 94 || c === 60 || c === 61 || c === 62 || c === 42 || (c === 126 && spec.charCodeAt(1) !== 47)) && spec.indexOf('/') === -1 && spec.indexOf(':') === -1) {
    return false
  }
  const s = spec.trim()
  if (NON_REGISTRY_PROTOCOL.test(s)) return true
  if (s.startsWith('.') || s.startsWith('/') || s.startsWith('~/') || /^[a-zA-Z]:[\\/]/.test(s)) return true
  // GitHub shorthand `user/repo` or `user/repo#ref` (a range never holds `/`).
  if (/^[^@\s/][^\s/]*\/[^\s]+$/.test(s)) return true
  // git@github.com:user/repo.git
  if (/^[\w.-]+@[\w.-]+:/.test(s)) return true
  return false
}

export type ManifestSpec =
  | { kind: 'exact'; name: string; version: string }
  | { kind: 'range'; name: string; range: string }
  | { kind: 'skip' }

/**
 * Reads a manifest spec for `name`: an exact pin, a range (a tag such as
 * `latest` admits every version, so it is the range `*`), or something a
 * registry compromise cannot reach (git, file, workspace…).
 */
export function classifySpec(name: string, raw: string): ManifestSpec {
  let spec = raw.trim()
  let real = name
  if (spec.startsWith('npm:')) {
    const rest = spec.slice(4).trim()
    const at = rest.indexOf('@', 1)
    if (at !== -1) {
      real = rest.slice(0, at)
      spec = rest.slice(at + 1).trim()
    } else if (/^[\d^~<>=*vxX]/.test(rest) && semver.validRange(rest) !== null) {
      // yarn `resolutions` write `npm:1.2.3` for "this package, from the registry, at 1.2.3".
      spec = rest
    } else {
      return { kind: 'range', name: rest, range: '*' }
    }
  }
  if (spec === '' || spec === '*' || spec === 'x' || spec === 'X') return { kind: 'range', name: real, range: '*' }
  if (isNonRegistrySpec(spec)) return { kind: 'skip' }
  const exact = exactVersion(spec)
  if (exact !== undefined) return { kind: 'exact', name: real, version: exact }
  if (semver.validRange(spec) !== null) return { kind: 'range', name: real, range: spec }
  if (spec.startsWith('$')) return { kind: 'skip' } // npm overrides `$dep` refers to the root's own spec
  // Anything else a registry resolves is a dist-tag: it admits every version.
  if (/^[a-zA-Z][\w.-]*$/.test(spec)) return { kind: 'range', name: real, range: '*' }
  return { kind: 'skip' }
}

/** What a `resolved` URL says about where a package came from. */
export type Source = { kind: 'registry' } | { kind: 'tarball'; name: string; version: string } | { kind: 'git' } | { kind: 'file' } | { kind: 'remote' }

/** Where a URL's path ends: before any `#` fragment or `?` query. */
function urlEnd(url: string): number {
  let end = url.length
  const hash = url.indexOf('#')
  if (hash !== -1) end = hash
  const query = url.indexOf('?')
  if (query !== -1 && query < end) end = query
  return end
}

/** Index of `%2f` / `%2F` in `s[from, to)`, or -1. */
function encodedSlash(s: string, from: number, to: number): number {
  for (let i = s.indexOf('%', from); i !== -1 && i + 3 <= to; i = s.indexOf('%', i + 1)) {
    if (s.charCodeAt(i + 1) === 50 /* 2 */ && (s.charCodeAt(i + 2) | 32) === 102 /* f */) return i
  }
  return -1
}

/**
 * Where the version starts in a registry-layout tarball URL whose path ends
 * at `end`, or -1 when the URL does not have that layout. Compares in place:
 * no substring is built unless the version is more than `X.Y.Z`.
 */
function tarballVersionStart(url: string, end: number): number {
  if (!url.endsWith('.tgz', end)) return -1
  const dash = url.lastIndexOf('/-/', end)
  if (dash === -1) return -1
  const baseStart = url.lastIndexOf('/', end - 1) + 1
  const baseEnd = end - 4
  const segStart = url.lastIndexOf('/', dash - 1) + 1
  let segFrom = segStart
  if (url.charCodeAt(segStart) === 64 /* @ */) {
    // `@scope%2fname`
    const enc = encodedSlash(url, segStart, dash)
    if (enc === -1) return -1
    segFrom = enc + 3
  }
  // The file name is `<segment>-<version>`.
  const segLength = dash - segFrom
  if (baseEnd - baseStart < segLength + 1) return -1
  for (let k = 0; k < segLength; k++) if (url.charCodeAt(segFrom + k) !== url.charCodeAt(baseStart + k)) return -1
  if (url.charCodeAt(baseStart + segLength) !== 45 /* - */) return -1
  const vStart = baseStart + segLength + 1
  if (isPlainSemver(url, vStart, baseEnd)) return vStart
  return isSemver(url.slice(vStart, baseEnd)) ? vStart : -1
}

/**
 * Name and version from a registry-layout tarball URL,
 * `…/<name>/-/<name>-<version>.tgz` (scoped: `…/@scope/name/-/name-<version>.tgz`
 * or `@scope%2fname`). String operations rather than a regex: this runs once
 * per entry of lockfiles with hundreds of thousands of entries.
 */
export function registryTarball(url: string): { name: string; version: string } | undefined {
  const end = urlEnd(url)
  const vStart = tarballVersionStart(url, end)
  if (vStart === -1) return undefined
  const dash = url.lastIndexOf('/-/', end)
  const segStart = url.lastIndexOf('/', dash - 1) + 1
  let name = url.slice(segStart, dash)
  if (name.startsWith('@')) {
    const enc = encodedSlash(url, segStart, dash)
    name = `${url.slice(segStart, enc)}/${url.slice(enc + 3, dash)}`
  } else {
    const scopeStart = url.lastIndexOf('/', segStart - 2) + 1
    const scope = url.slice(scopeStart, segStart - 1)
    if (scope.startsWith('@')) name = `${scope}/${name}`
  }
  return { name, version: url.slice(vStart, end - 4) }
}

/** Is this a registry-layout tarball URL (`registryTarball` would read it)? Allocates nothing in the common case. */
export function isRegistryTarball(url: string): boolean {
  return tarballVersionStart(url, urlEnd(url)) !== -1
}

export type SourceKind = Source['kind']

/**
 * What kind of source a `resolved` URL is (see `classifyResolved`), without
 * building anything: for readers that need the tarball's name and version
 * only when the entry lacks its own.
 */
export function resolvedKind(resolved: string | undefined): SourceKind {
  if (resolved === undefined || resolved === '') return 'registry'
  let r = resolved
  const first = r.charCodeAt(0)
  const last = r.charCodeAt(r.length - 1)
  if (first <= 32 || first > 126 || last <= 32 || last > 126) r = r.trim()
  // `https://…`, nearly every entry of every lockfile: one pass over the characters.
  if (first === 104 && r.charCodeAt(1) === 116 && r.charCodeAt(2) === 116 && r.charCodeAt(3) === 112 && r.charCodeAt(4) === 115 && r.charCodeAt(5) === 58 && r.charCodeAt(6) === 47 && r.charCodeAt(7) === 47) {
    return httpsKind(r)
  }
  if (r.startsWith('https://') || r.startsWith('http://') || /^https?:/i.test(r)) {
    if (r.includes('://codeload.github.com/')) return 'git'
    if (r.includes('archive') && (r.includes('/archive/') || r.includes('/repository/archive'))) return 'git'
    if (isRegistryTarball(r)) return 'tarball'
    if (/\.git(?:#|$)/.test(r) || /^https?:\/\/[^/]+\/[^/]+\/[^/#]+#/.test(r)) return 'git'
    return 'remote'
  }
  if (/^(?:file|link|portal|exec):/i.test(r)) return 'file'
  if (/^(?:git\+|git:|ssh:|github:|gitlab:|bitbucket:|gist:)/i.test(r)) return 'git'
  if (/^[\w.-]+@[\w.-]+:/.test(r)) return 'git'
  // Relative paths (workspace links in lockfiles).
  if (r.startsWith('.') || r.startsWith('/')) return 'file'
  return 'registry'
}

/**
 * `resolvedKind` of an `https://` URL, as its general branch decides it, with
 * the substring searches only run when one pass over the characters says
 * they can match.
 */
function httpsKind(r: string): SourceKind {
  const length = r.length
  // Native searches rather than a loop over the characters: this runs once per entry of huge lockfiles.
  const hash = r.indexOf('#', 8)
  const query = r.indexOf('?', 8)
  const colon = r.indexOf(':', 8) !== -1
  // `…hiv…` with its `v` at 8 or later.
  const archive = r.indexOf('hiv', 6) !== -1
  let pathEnd = length
  if (hash !== -1) pathEnd = hash
  if (query !== -1 && query < pathEnd) pathEnd = query
  /** The last `/` before any `#` or `?` (at 8 or later). */
  let slash = pathEnd === 0 ? -1 : r.lastIndexOf('/', pathEnd - 1)
  if (slash < 8) slash = -1
  // `https://codeload…` itself, or `://codeload…` further on.
  if ((colon || r.charCodeAt(8) === 99) /* c */ && r.includes('://codeload.github.com/')) return 'git'
  if (archive && (r.includes('/archive/') || r.includes('/repository/archive'))) return 'git'
  const end = pathEnd
  if (
    end - slash > 5 &&
    r.charCodeAt(end - 4) === 46 /* . */ &&
    r.charCodeAt(end - 3) === 116 /* t */ &&
    r.charCodeAt(end - 2) === 103 /* g */ &&
    r.charCodeAt(end - 1) === 122 /* z */ &&
    tarballVersionStart(r, end) !== -1
  ) {
    return 'tarball'
  }
  if (/\.git(?:#|$)/.test(r) || /^https?:\/\/[^/]+\/[^/]+\/[^/#]+#/.test(r)) return 'git'
  return 'remote'
}

/**
 * Classifies a `resolved` / `version` URL of a lockfile entry. Undefined
 * input (no `resolved`) counts as registry: lockfiles omit it for registry
 * entries in several cases (bundled deps, `--no-save-resolved`).
 */
export function classifyResolved(resolved: string | undefined): Source {
  const kind = resolvedKind(resolved)
  if (kind !== 'tarball') return { kind }
  return { kind, ...(registryTarball((resolved as string).trim()) as { name: string; version: string }) }
}

/**
 * Up to MAX_PATHS shortest dependency paths from `root` to every node, by
 * breadth-first search. Each node is entered at most MAX_PATHS times, so the
 * work is O(MAX_PATHS × edges) even on graphs with exponentially many paths,
 * and no recursion (graph depth is untrusted). Paths are parent-pointer
 * chains until the end, to keep memory linear.
 */
export function shortestPaths(root: number, edges: (node: number) => readonly number[], label: (node: number) => string): Map<number, string[][]> {
  interface Step {
    node: number
    prev: Step | undefined
    depth: number
  }
  const found = new Map<number, Step[]>()
  const start: Step = { node: root, prev: undefined, depth: 0 }
  found.set(root, [start])
  const queue: Step[] = [start]
  for (let head = 0; head < queue.length; head++) {
    const step = queue[head] as Step
    for (const next of edges(step.node)) {
      let list = found.get(next)
      if (list === undefined) {
        list = []
        found.set(next, list)
      } else if (list.length >= MAX_PATHS) continue
      if (onPath(step, next)) continue
      const s: Step = { node: next, prev: step, depth: step.depth + 1 }
      list.push(s)
      queue.push(s)
    }
  }
  const labels = new Map<number, string>()
  const labelOf = (n: number): string => {
    let l = labels.get(n)
    if (l === undefined) labels.set(n, (l = label(n)))
    return l
  }
  const out = new Map<number, string[][]>()
  for (const [node, steps] of found) {
    if (node === root) continue
    out.set(
      node,
      steps.map((s) => {
        const path = new Array<string>(s.depth + 1)
        for (let c: Step | undefined = s; c; c = c.prev) path[c.depth] = labelOf(c.node)
        return path
      }),
    )
  }
  return out

  function onPath(step: Step, node: number): boolean {
    for (let c: Step | undefined = step; c; c = c.prev) if (c.node === node) return true
    return false
  }
}

/** Message for an exception caught while reading a file. */
export function describe(error: unknown): string {
  if (error instanceof RangeError) return `nesting too deep to read (${error.message})`
  if (error instanceof Error) return error.message
  return String(error)
}

/** A NUL byte means the file is binary or corrupt: none of these formats allow one. */
export function nulLine(text: string): number | undefined {
  const i = text.indexOf('\u0000')
  return i === -1 ? undefined : lineColAt(text, i).line
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Position of a JSON.parse SyntaxError: from V8's message when it gives one,
 * else from jsonc-parser's error list (only on this failure path, so the
 * slower parser never runs on good files).
 */
export function jsonErrorWhere(text: string, error: unknown): { line?: number; col?: number } {
  if (!(error instanceof SyntaxError)) return {}
  const m = /position (\d+)/.exec(error.message)
  if (m) return lineColAt(text, Number(m[1]))
  if (/Unexpected end of JSON input/.test(error.message)) return lineColAt(text, text.length)
  try {
    const errors: ParseError[] = []
    parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true })
    const first = errors[0]
    if (first) return lineColAt(text, first.offset)
  } catch {
    // jsonc-parser recurses; on hostile nesting we simply have no position.
  }
  return {}
}

/** Parses JSON, or records a problem with line:col and returns undefined. */
export function parseJson(text: string, out: Collector, expected: string): unknown {
  try {
    return JSON.parse(stripBom(text)) as unknown
  } catch (error) {
    const { line, col } = jsonErrorWhere(text, error)
    const where = line !== undefined ? ` at ${line}:${col}` : ''
    out.error(`invalid JSON${where}: ${describe(error)}; expected ${expected}`, line)
    return undefined
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/**
 * `text.indexOf(needle, from)` for callers whose `from` never decreases (line
 * readers): the search runs again only once the last hit is passed, so a text
 * with few or no hits costs one pass in total, not one pass per line.
 */
/**
 * The colon ending a plain YAML key that starts at `from` on a line ending at
 * `end`: its `: `, else a `:` that ends the line; -1 when there is neither.
 */
export function plainKeyColon(text: string, colonSpace: NextIndex, from: number, end: number): number {
  const colon = colonSpace.from(from)
  if (colon !== -1 && colon < end) return colon
  return text.charCodeAt(end - 1) === 58 ? end - 1 : -1
}

export class NextIndex {
  private hit = -1
  private searchedFrom = Infinity

  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}

  from(position: number): number {
    if (this.searchedFrom > position || (this.hit !== -1 && this.hit < position)) {
      this.hit = this.text.indexOf(this.needle, position)
      this.searchedFrom = position
    }
    return this.hit
  }
}
