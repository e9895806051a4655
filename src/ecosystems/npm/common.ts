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
  private readonly entries = new Map<string, Entry>()
  readonly ranges: RangeRequirement[] = []
  readonly errors: FileProblem[] = []

  constructor(readonly file: string) {}

  add(name: string, version: string, info: { line?: number; direct?: boolean; dev?: boolean; node?: number } = {}): void {
    const key = `${name}@${version}`
    const found = this.entries.get(key)
    if (!found) {
      this.entries.set(key, {
        name,
        version,
        line: info.line,
        direct: info.direct ?? false,
        dev: info.dev ?? false,
        nodes: info.node === undefined ? undefined : [info.node],
      })
      return
    }
    found.direct ||= info.direct ?? false
    found.dev &&= info.dev ?? false
    if (found.line === undefined) found.line = info.line
    if (info.node !== undefined) {
      if (!found.nodes) found.nodes = [info.node]
      else if (found.nodes.length < MAX_PATHS) found.nodes.push(info.node)
    }
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
  result(kind: string, lazy: { graph?: () => PathGraph; lines?: () => (node: number) => number | undefined } = {}): Extraction {
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
        lineOf = lineBuilder()
        lineBuilder = undefined
      }
      return lineOf?.(nodes[0] as number)
    }
    const packages: Package[] = []
    for (const e of this.entries.values()) {
      const nodes = e.nodes
      let pkg: Package
      if (nodes && (lazy.graph || lazy.lines)) {
        let paths: string[][] | undefined | null = lazy.graph ? null : undefined
        let line: number | undefined | null = e.line === undefined && lazy.lines ? null : e.line
        // No spread here: object literals with accessors are already the slow part of this loop.
        pkg = {
          ecosystem: 'npm',
          name: e.name,
          version: e.version,
          file: this.file,
          get line(): number | undefined {
            if (line === null) line = firstLine(nodes)
            return line
          },
          direct: e.direct,
          dev: e.dev,
          get paths(): string[][] | undefined {
            if (paths === null) paths = pathsOf(nodes)
            return paths
          },
        }
      } else {
        pkg = { ecosystem: 'npm', name: e.name, version: e.version, file: this.file, direct: e.direct, dev: e.dev }
        if (e.line !== undefined) pkg.line = e.line
      }
      packages.push(pkg)
    }
    return { kind, packages, ranges: this.ranges, errors: this.errors }
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
  if (/^(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})$/.test(version)) return true
  return semver.valid(version) !== null
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

/**
 * Name and version from a registry-layout tarball URL,
 * `…/<name>/-/<name>-<version>.tgz` (scoped: `…/@scope/name/-/name-<version>.tgz`
 * or `@scope%2fname`). String operations rather than a regex: this runs once
 * per entry of lockfiles with hundreds of thousands of entries.
 */
export function registryTarball(url: string): { name: string; version: string } | undefined {
  let end = url.length
  const hash = url.indexOf('#')
  if (hash !== -1) end = hash
  const query = url.indexOf('?')
  if (query !== -1 && query < end) end = query
  if (!url.endsWith('.tgz', end)) return undefined
  const dash = url.lastIndexOf('/-/', end)
  if (dash === -1) return undefined
  const baseStart = url.lastIndexOf('/', end - 1) + 1
  const base = url.slice(baseStart, end - 4)
  const segStart = url.lastIndexOf('/', dash - 1) + 1
  let segment = url.slice(segStart, dash)
  let name = segment
  if (segment.startsWith('@')) {
    // `@scope%2fname`
    const enc = segment.toLowerCase().indexOf('%2f')
    if (enc === -1) return undefined
    name = `${segment.slice(0, enc)}/${segment.slice(enc + 3)}`
    segment = segment.slice(enc + 3)
  } else {
    const scopeStart = url.lastIndexOf('/', segStart - 2) + 1
    const scope = url.slice(scopeStart, segStart - 1)
    if (scope.startsWith('@')) name = `${scope}/${segment}`
  }
  if (!base.startsWith(segment + '-')) return undefined
  const version = base.slice(segment.length + 1)
  if (!isSemver(version)) return undefined
  return { name, version }
}

/**
 * Classifies a `resolved` / `version` URL of a lockfile entry. Undefined
 * input (no `resolved`) counts as registry: lockfiles omit it for registry
 * entries in several cases (bundled deps, `--no-save-resolved`).
 */
export function classifyResolved(resolved: string | undefined): Source {
  if (resolved === undefined || resolved === '') return { kind: 'registry' }
  const r = resolved.trim()
  if (r.startsWith('https://') || r.startsWith('http://') || /^https?:/i.test(r)) {
    if (r.includes('://codeload.github.com/') || r.includes('/archive/') || r.includes('/repository/archive')) return { kind: 'git' }
    const tarball = registryTarball(r)
    if (tarball) return { kind: 'tarball', ...tarball }
    if (/\.git(?:#|$)/.test(r) || /^https?:\/\/[^/]+\/[^/]+\/[^/#]+#/.test(r)) return { kind: 'git' }
    return { kind: 'remote' }
  }
  if (/^(?:file|link|portal|exec):/i.test(r)) return { kind: 'file' }
  if (/^(?:git\+|git:|ssh:|github:|gitlab:|bitbucket:|gist:)/i.test(r)) return { kind: 'git' }
  if (/^[\w.-]+@[\w.-]+:/.test(r)) return { kind: 'git' }
  // Relative paths (workspace links in lockfiles).
  if (r.startsWith('.') || r.startsWith('/')) return { kind: 'file' }
  return { kind: 'registry' }
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
