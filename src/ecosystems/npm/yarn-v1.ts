/**
 * yarn.lock v1 (classic). A line parser for the one layout yarn writes
 * (entry headers at column 0, fields at 2 spaces, dependency lists at 4):
 * @yarnpkg/lockfile's tokenizer re-slices the whole input per token and is
 * quadratic on big files. Anything outside that layout is an error with its
 * line, never a silent skip.
 */
import type { Extraction } from '../types.js'
import { classifyResolved, Collector, describe, isNonRegistrySpec, isSemver, nulLine, ROOT_NAME, type PathGraph } from './common.js'

interface YarnEntry {
  patterns: string[]
  line: number
  /** The only fields the inventory reads. */
  version: string | undefined
  resolved: string | undefined
  /** This entry's `dependencies` and `optionalDependencies` are `[depStart, depEnd)` of the parse's `deps` (pairs). */
  depStart: number
  depEnd: number
}

/** What the line parser reads: entries, and every entry's dependencies as one flat list of name, range pairs. */
export interface YarnV1 {
  entries: YarnEntry[]
  deps: string[]
}

/** `"a@^1", a@^2` → ['a@^1', 'a@^2']; quoted parts may hold commas. */
function splitPatterns(header: string): string[] | undefined {
  const out: string[] = []
  let i = 0
  while (i < header.length) {
    while (header[i] === ' ') i++
    if (header[i] === '"') {
      const end = closingQuote(header, i)
      if (end === -1) return undefined
      out.push(JSON.parse(header.slice(i, end + 1)) as string)
      i = end + 1
    } else {
      let end = header.indexOf(',', i)
      if (end === -1) end = header.length
      out.push(header.slice(i, end).trim())
      i = end
    }
    while (header[i] === ' ') i++
    if (i < header.length && header[i] !== ',') return undefined
    i++
  }
  return out
}

function closingQuote(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i
  }
  return -1
}

/** `key value`, `"key" "value"`, or `key:` (a nested section). */
function splitField(text: string): [string, string | undefined] | undefined {
  let key: string
  let rest: string
  if (text.startsWith('"')) {
    const end = closingQuote(text, 0)
    if (end === -1) return undefined
    key = JSON.parse(text.slice(0, end + 1)) as string
    rest = text.slice(end + 1)
  } else {
    const space = text.indexOf(' ')
    const colon = text.endsWith(':') && (space === -1 || space === text.length - 1) ? text.length - 1 : -1
    if (colon !== -1) return [text.slice(0, colon), undefined]
    if (space === -1) return undefined
    key = text.slice(0, space)
    rest = text.slice(space)
  }
  rest = rest.trim()
  if (rest === ':') return [key, undefined]
  if (rest.startsWith('"')) {
    const end = closingQuote(rest, 0)
    if (end === -1) return undefined
    return [key, JSON.parse(rest.slice(0, end + 1)) as string]
  }
  return [key, rest]
}

/** `name@spec`: the name ends at the first `@` after a possible scope. */
export function splitPattern(pattern: string): { name: string; spec: string } {
  const at = pattern.indexOf('@', 1)
  return at === -1 ? { name: pattern, spec: '' } : { name: pattern.slice(0, at), spec: pattern.slice(at + 1) }
}

/** The registry name a pattern asks for: its own, or an `npm:` alias target. Undefined when not a registry pattern. */
function registryName(pattern: string): string | undefined {
  const { name, spec } = splitPattern(pattern)
  if (spec.startsWith('npm:')) {
    const target = spec.slice(4)
    const at = target.indexOf('@', 1)
    return at === -1 ? target : target.slice(0, at)
  }
  return isNonRegistrySpec(spec) ? undefined : name
}

export function parseYarnV1(content: string, out: Collector): YarnV1 {
  const entries: YarnEntry[] = []
  // One list for all entries rather than an array per entry: most entries have a few
  // dependencies, and a small array per entry costs more than its contents on big files.
  const deps: string[] = []
  const parsed: YarnV1 = { entries, deps }
  let current: YarnEntry | undefined
  let section: string | undefined
  // Line by line without splitting the text: one substring per non-blank line, no more.
  const length = content.length
  let n = 0
  /** The next tab at or after the current line (searched again only once passed: linear overall). */
  let nextTab = -1
  for (let pos = 0; pos < length; ) {
    const lineStart = pos
    let nl = content.indexOf('\n', pos)
    if (nl === -1) nl = length
    pos = nl + 1
    n++
    let end = nl
    if (end > lineStart && content.charCodeAt(end - 1) === 13) end--
    let i = lineStart
    for (let c = content.charCodeAt(i); i < end && (c === 32 || c === 9 || c === 10 || c === 11 || c === 12 || c === 13); c = content.charCodeAt(++i));
    if (i === end) continue
    const first = content.charCodeAt(i)
    if (first === 35 /* # */) continue
    // Anything beyond ASCII whitespace at the start: let trimStart decide, as before.
    const text = first > 127 ? content.slice(i, end).trimStart() : content.slice(i, end)
    if (text === '' || text.startsWith('#')) continue
    const indent = end - lineStart - text.length
    if ((first === 60 || first === 61 || first === 62) && /^[<=>]{7}/.test(text)) {
      out.error('unresolved merge conflict in yarn.lock', n)
      return parsed
    }
    if (nextTab < lineStart) nextTab = content.indexOf('\t', lineStart) >>> 0 // -1 becomes 2^32 - 1: no more tabs
    if (nextTab < end) {
      out.error('expected spaces for indentation, found a tab', n)
      return parsed
    }
    if (indent === 0) {
      const patterns = text.endsWith(':') ? splitPatterns(text.slice(0, -1)) : undefined
      if (!patterns || patterns.length === 0) {
        out.error(`expected an entry header like \`name@range:\`, found ${JSON.stringify(text.slice(0, 60))}`, n)
        return parsed
      }
      // An exact-sized copy: the pushed-to array has spare capacity, kept for every entry.
      current = { patterns: patterns.length === 1 ? [patterns[0] as string] : patterns.slice(), line: n, version: undefined, resolved: undefined, depStart: deps.length, depEnd: deps.length }
      entries.push(current)
      section = undefined
      continue
    }
    const field = splitField(text)
    if (!current || !field || (indent !== 2 && indent !== 4)) {
      out.error(`expected \`key value\` under an entry, found ${JSON.stringify(text.slice(0, 60))}`, n)
      return parsed
    }
    if (indent === 2) {
      section = field[1] === undefined ? field[0] : undefined
      if (field[1] !== undefined) {
        if (field[0] === 'version') current.version = field[1]
        else if (field[0] === 'resolved') current.resolved = field[1]
      }
    } else if (section === 'dependencies' || section === 'optionalDependencies') {
      if (field[1] !== undefined) {
        if (current.depEnd !== deps.length) throw new Error('internal: dependencies out of order')
        deps.push(field[0], field[1])
        current.depEnd = deps.length
      }
    }
  }
  return parsed
}

export function extractYarnV1(file: string, content: string): Extraction {
  const out = new Collector(file)
  try {
    const nul = nulLine(content)
    if (nul !== undefined) {
      out.error('file contains a NUL byte: not a text yarn.lock', nul)
      return out.result('yarn.lock@1')
    }
    const { entries, deps } = parseYarnV1(content, out)
    if (out.errors.length > 0) return out.result('yarn.lock@1')

    const byPattern = new Map<string, number>()
    entries.forEach((e, i) => e.patterns.forEach((p) => byPattern.set(p, i)))
    // Every dependency resolved once to its entry (-1: none): the strings are dropped, only these stay.
    const depTargets = new Int32Array(deps.length >>> 1)
    for (let d = 0; d < deps.length; d += 2) depTargets[d >>> 1] = byPattern.get(`${deps[d]}@${deps[d + 1]}`) ?? -1
    deps.length = 0
    byPattern.clear()
    const targetsOf = (i: number): number[] => {
      const e = entries[i] as YarnEntry
      const targets: number[] = []
      for (let d = e.depStart >>> 1; d < e.depEnd >>> 1; d++) {
        const t = depTargets[d] as number
        if (t !== -1) targets.push(t)
      }
      return targets
    }
    // yarn.lock does not record the root's dependencies: entries nothing depends on are the roots.
    const required = new Uint8Array(entries.length)
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as YarnEntry
      for (let d = e.depStart >>> 1; d < e.depEnd >>> 1; d++) {
        const t = depTargets[d] as number
        if (t !== -1 && t !== i) required[t] = 1
      }
    }

    const reported: string[] = []
    entries.forEach((entry, i) => {
      const resolved = entry.resolved
      // Read once: not kept alive by the path graph.
      entry.resolved = undefined
      let version = entry.version
      const source = classifyResolved(resolved)
      if (source.kind === 'git') return
      let name = entry.patterns.map(registryName).find((x) => x !== undefined)
      if (name === undefined) {
        // Only URL / git / file patterns: counts only as a registry-layout tarball.
        if (source.kind !== 'tarball') return
        name = source.name
        version = version !== undefined && isSemver(version) ? version : source.version
      } else if (source.kind === 'file') return
      if (version === undefined || !isSemver(version)) return
      reported[i] = name
      out.add(name, version, { line: entry.line, direct: required[i] === 0, node: i })
    })

    const label = (i: number): string => {
      const e = entries[i]
      if (reported[i] !== undefined) return reported[i]
      return e ? (e.patterns.map(registryName).find((x) => x !== undefined) ?? splitPattern(e.patterns[0] as string).name) : ROOT_NAME
    }
    const graph = (): PathGraph => {
      const roots = entries.map((_, i) => i).filter((i) => required[i] === 0)
      // Edges again, kept this time: only path search needs them.
      const edges: number[][] = []
      const edgesOf = (i: number): number[] => (i >= 0 && i < entries.length ? (edges[i] ??= targetsOf(i)) : [])
      return { root: -1, edges: (i) => (i === -1 ? roots : edgesOf(i)), label: (i) => (i === -1 ? ROOT_NAME : label(i)) }
    }
    return out.result('yarn.lock@1', { graph })
  } catch (error) {
    out.error(`could not read yarn.lock: ${describe(error)}`)
    return out.result('yarn.lock@1')
  }
}
