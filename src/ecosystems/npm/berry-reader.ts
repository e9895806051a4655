/**
 * A line reader for the YAML subset yarn berry writes in yarn.lock
 * (@yarnpkg/parsers `stringifySyml`): top-level keys at column 0, quoted when
 * they are not simple strings (`"a@npm:^1, a@npm:^2":`), fields at 2 spaces,
 * nested maps (`dependencies:`, `peerDependencies:`, `dependenciesMeta:` …) at
 * 4 and deeper, 2 spaces per level, every scalar on one line, plain or
 * JSON-quoted. It reads only what the extractor needs (keys, `resolution`,
 * dependency maps) and allocates nothing for the rest.
 *
 * Anything outside that subset (flow collections, block scalars, anchors,
 * multi-line or single-quoted strings, odd indentation, tabs, directives,
 * duplicate keys, escapes JSON does not share with YAML) makes it return
 * undefined, and the caller falls back to `parseSyml`: the reader never
 * guesses. Where it answers, it answers what `parseSyml` (js-yaml with the
 * failsafe schema: every scalar a string) would.
 */

import { NextIndex, plainKeyColon } from './common.js'

/** One top-level entry of a berry lockfile. */
export interface BerryEntry {
  /** The key as parseSyml reads it: one or more comma-separated descriptors. */
  key: string
  /** 1-based line of the key. */
  line: number
  /** The entry is a mapping (a key with no fields reads as null and is not one). */
  isMap: boolean
  resolution?: string
  /**
   * `dependencies`, `peerDependencies` and `optionalDependencies`, flattened:
   * name, range, name, range, … Set by the parseSyml fallback; the line
   * reader only checks them and leaves them to `berryDeps`, which decodes
   * them on demand (most entries' are only needed for `paths`).
   */
  deps?: string[]
  /** Where the entry's fields are in the text (line reader only). */
  bodyStart: number
  bodyEnd: number
}

/** Sections whose entries are dependency edges. */
const DEP_SECTIONS = new Set(['dependencies', 'peerDependencies', 'optionalDependencies'])

/** Thrown inside the reader for anything outside the subset; never escapes it. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported('outside the yarn.lock subset')

/**
 * Is `s[start, end)` a string yarn writes unquoted (its `simpleStringPattern`)?
 * Such a string reads back as itself under YAML's failsafe schema.
 */
function isSimple(s: string, start: number, end: number): boolean {
  if (end <= start) return false
  switch (s.charCodeAt(start)) {
    case 45: // -
    case 63: // ?
    case 58: // :
    case 44: // ,
    case 93: // ]
    case 91: // [
    case 123: // {
    case 125: // }
    case 35: // #
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case 39: // '
    case 34: // "
    case 37: // %
    case 64: // @
    case 96: // `
    case 32:
    case 9:
      return false
  }
  const last = s.charCodeAt(end - 1)
  if (last === 32 || last === 9) return false
  // The rest holds none of `,[]{}:#` nor a line break: a native scan, fast even before the JIT warms up.
  SIMPLE_REST.lastIndex = start + 1
  SIMPLE_REST.test(s)
  return SIMPLE_REST.lastIndex >= end
}
const SIMPLE_REST = /[^,[\]{}:#\r\n]*/y

/** End (exclusive) of a double-quoted scalar starting at `start`, or -1 when it does not close on this line. */
function quotedEnd(s: string, start: number, end: number): number {
  for (let q = s.indexOf('"', start + 1); q !== -1 && q < end; q = s.indexOf('"', q + 1)) {
    // Escaped when preceded by an odd number of backslashes.
    let backslashes = 0
    while (s.charCodeAt(q - 1 - backslashes) === 92) backslashes++
    if (backslashes % 2 === 0) return q + 1
  }
  return -1
}

/** Would `scalar` read `s[start, end)`? Checks without building the string (quoted ones with escapes aside). */
function scalarOk(s: string, start: number, end: number): boolean {
  if (s.charCodeAt(start) !== 34) return isSimple(s, start, end)
  if (end - start < 2 || quotedEnd(s, start, end) !== end) return false
  let backslash = false
  for (let i = start + 1; i < end - 1; i++) {
    const c = s.charCodeAt(i)
    if (c < 32) return false
    if (c === 92) backslash = true
  }
  if (!backslash) return true
  try {
    JSON.parse(s.slice(start, end))
    return true
  } catch {
    return false
  }
}

/** The value of the scalar `s[start, end)`, plain or double-quoted, as parseSyml reads it. */
function scalar(s: string, start: number, end: number): string {
  if (s.charCodeAt(start) === 34) {
    if (end - start < 2 || s.charCodeAt(end - 1) !== 34) throw UNSUPPORTED
    const inner = s.slice(start + 1, end - 1)
    if (inner.indexOf('\\') === -1 && inner.indexOf('"') === -1) {
      // JSON and YAML both reject raw control characters in quoted strings; keep the reader as strict.
      for (let i = 0; i < inner.length; i++) if (inner.charCodeAt(i) < 32) throw UNSUPPORTED
      return inner
    }
    try {
      // JSON's escapes are a subset of YAML's with the same meaning; anything else is not ours to read.
      return JSON.parse(s.slice(start, end)) as string
    } catch {
      throw UNSUPPORTED
    }
  }
  if (!isSimple(s, start, end)) throw UNSUPPORTED
  return s.slice(start, end)
}

/**
 * Reads a berry yarn.lock, or returns undefined when the text is outside the
 * subset this reader knows (the caller then uses parseSyml).
 */
export function readBerryLock(content: string): BerryEntry[] | undefined {
  try {
    return read(content)
  } catch (error) {
    if (error instanceof Unsupported) return undefined
    throw error
  }
}

/** What js-yaml refuses to read at all (its PATTERN_NON_PRINTABLE): such files go to parseSyml for its error. */
// eslint-disable-next-line no-control-regex
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/
/** A cheaper first test: the same characters, and any surrogate at all (then the exact pattern decides). */
// eslint-disable-next-line no-control-regex
const MAYBE_NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/

function read(text: string): BerryEntry[] {
  if (MAYBE_NON_PRINTABLE.test(text) && NON_PRINTABLE.test(text)) throw UNSUPPORTED
  // YAML breaks lines at a lone CR too; this reader only at LF (CRLF is fine).
  for (let cr = text.indexOf('\r'); cr !== -1; cr = text.indexOf('\r', cr + 1)) if (text.charCodeAt(cr + 1) !== 10) throw UNSUPPORTED
  const entries: BerryEntry[] = []
  const seen = new Set<string>()
  const colonSpace = new NextIndex(text, ': ')
  let current: BerryEntry | undefined
  /** The deepest indentation the next line may have: 2 more than an open mapping key, else the last line's. */
  let maxIndent = 0
  /** The last field at 2 spaces opened a dependency map (`dependencies:` …). */
  let depsOpen = false
  let lineNo = 0
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const length = text.length
  while (pos < length) {
    lineNo++
    let nl = text.indexOf('\n', pos)
    if (nl === -1) nl = length
    let end = nl
    if (end > pos && text.charCodeAt(end - 1) === 13) end--
    const lineStart = pos
    pos = nl + 1

    let i = lineStart
    while (i < end && text.charCodeAt(i) === 32) i++
    if (i === end) continue // blank
    const first = text.charCodeAt(i)
    if (first === 35 /* # */) continue // comment line
    if (first === 9) throw UNSUPPORTED // tab in indentation
    const indent = i - lineStart
    if (indent > maxIndent || indent % 2 !== 0) throw UNSUPPORTED

    // The key: double-quoted, or plain up to `: ` / a final `:`.
    const keyStart = i
    let keyEnd: number
    let colon: number
    if (first === 34) {
      keyEnd = quotedEnd(text, i, end)
      if (keyEnd === -1 || text.charCodeAt(keyEnd) !== 58) throw UNSUPPORTED
      colon = keyEnd
    } else {
      colon = plainKeyColon(text, colonSpace, i, end)
      if (colon === -1) throw UNSUPPORTED
      keyEnd = colon
      // Plain keys are simple strings at every depth, so no line can open a flow collection or a comment.
      if (!isSimple(text, keyStart, keyEnd)) throw UNSUPPORTED
    }
    // The value: empty (or a comment) opens a nested mapping.
    let v = colon + 1
    if (v < end && text.charCodeAt(v) !== 32) throw UNSUPPORTED
    while (v < end && text.charCodeAt(v) === 32) v++
    const opens = v === end || text.charCodeAt(v) === 35
    if (!opens) {
      const c = text.charCodeAt(v)
      // Flow collections, block scalars, anchors, aliases, tags, single quotes: not in the subset.
      if (c === 91 || c === 123 || c === 124 || c === 62 || c === 38 || c === 42 || c === 33 || c === 39 || c === 37 || c === 64 || c === 96) throw UNSUPPORTED
      if (c === 34) {
        if (quotedEnd(text, v, end) !== end) throw UNSUPPORTED
      } else {
        // `a: b: c` is an error to YAML: a plain value holds no `: `.
        const inner = colonSpace.from(v)
        if (inner !== -1 && inner < end) throw UNSUPPORTED
      }
    }
    maxIndent = opens ? indent + 2 : indent

    if (indent === 0) {
      if (!opens) throw UNSUPPORTED // a scalar at the top level: not a lockfile entry
      const key = scalar(text, keyStart, keyEnd)
      if (seen.has(key)) throw UNSUPPORTED // js-yaml keeps the first position and the last value
      seen.add(key)
      if (current) current.bodyEnd = lineStart
      current = { key, line: lineNo, isMap: false, bodyStart: pos, bodyEnd: length }
      entries.push(current)
      depsOpen = false
      continue
    }
    if (current === undefined) throw UNSUPPORTED
    current.isMap = true
    if (indent === 2) {
      depsOpen = false
      // Field names are plain words in every lockfile yarn writes; compare without decoding.
      const name = scalar(text, keyStart, keyEnd)
      if (opens) {
        if (name === 'resolution') throw UNSUPPORTED // a mapping where a string belongs: let parseSyml say so
        depsOpen = DEP_SECTIONS.has(name)
      } else if (name === 'resolution') {
        current.resolution = scalar(text, v, end)
      } else if (DEP_SECTIONS.has(name)) {
        throw UNSUPPORTED // a scalar where a mapping belongs
      }
      continue
    }
    if (indent === 4 && depsOpen) {
      if (opens) throw UNSUPPORTED // a dependency whose range is a mapping or null
      if (!scalarOk(text, keyStart, keyEnd) || !scalarOk(text, v, end)) throw UNSUPPORTED
    }
    // Deeper lines of other maps (bin, dependenciesMeta, peerDependenciesMeta): checked for shape, not read.
  }
  return entries
}

/**
 * The dependency sections of an entry the line reader read, decoded:
 * name, range, name, range, … The text was checked by `readBerryLock`, so
 * this only walks the entry's lines again.
 */
export function berryDeps(text: string, entry: BerryEntry): string[] {
  if (entry.deps) return entry.deps
  const deps: string[] = []
  let inDeps = false
  const colonSpace = new NextIndex(text, ': ')
  for (let pos = entry.bodyStart; pos < entry.bodyEnd; ) {
    const lineStart = pos
    let nl = text.indexOf('\n', pos)
    if (nl === -1 || nl > entry.bodyEnd) nl = entry.bodyEnd
    let end = nl
    if (end > pos && text.charCodeAt(end - 1) === 13) end--
    pos = nl + 1
    let i = lineStart
    while (i < end && text.charCodeAt(i) === 32) i++
    if (i === end || text.charCodeAt(i) === 35) continue
    const indent = i - lineStart
    let keyEnd: number
    let colon: number
    if (text.charCodeAt(i) === 34) {
      keyEnd = quotedEnd(text, i, end)
      colon = keyEnd
    } else {
      colon = plainKeyColon(text, colonSpace, i, end)
      // The entry was read once already: a line here always has its colon.
      if (colon === -1) colon = end - 1
      keyEnd = colon
    }
    let v = colon + 1
    while (v < end && text.charCodeAt(v) === 32) v++
    const opens = v === end || text.charCodeAt(v) === 35
    if (indent === 2) inDeps = opens && DEP_SECTIONS.has(scalar(text, i, keyEnd))
    else if (indent === 4 && inDeps) deps.push(scalar(text, i, keyEnd), scalar(text, v, end))
  }
  return deps
}
