/**
 * A line reader for the YAML subset pnpm writes in pnpm-lock.yaml and
 * shrinkwrap.yaml (js-yaml `dump`: block mappings and sequences indented by
 * 2, one line per scalar, plain / single- / double-quoted scalars,
 * single-line flow collections such as `resolution: {integrity: …}` and
 * `os: [darwin]`, documents separated by `---`). It builds what
 * `parseAllDocuments(text, { uniqueKeys: false })` + `toJS()` of the `yaml`
 * package would (core schema: plain `true`, `5.4`, `~` are typed), several
 * times faster and without the syntax tree.
 *
 * Literal block scalars (`|`, `|-`) are read too. Anything outside that
 * subset (anchors, aliases, tags, folded or indicated block scalars,
 * multi-line scalars or flows, nested flows, comments after values, tabs,
 * directives, merge keys, typed keys) makes it return undefined, and the
 * caller parses with `yaml`: the reader never guesses.
 */

import { NextIndex, plainKeyColon } from './common.js'

export interface PnpmDoc {
  /** The document as `toJS()` gives it; undefined for a document with no content. */
  data: unknown
  /** Offset of the document's first line in the text. */
  start: number
}

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported('outside the pnpm-lock.yaml subset')

// eslint-disable-next-line no-control-regex
const MAYBE_NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/

/** Core-schema resolution of a plain scalar, as `yaml` does it (schema/core). */
function plainValue(s: string): unknown {
  const c = s.charCodeAt(0)
  // Only strings starting with a digit, sign, dot, `~`, `n`/`N`, `t`/`T`, `f`/`F` can be anything but a string.
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70)) return s
  if (/^(?:~|[Nn]ull|NULL)$/.test(s)) return null
  if (/^(?:[Tt]rue|TRUE)$/.test(s)) return true
  if (/^(?:[Ff]alse|FALSE)$/.test(s)) return false
  // Numbers: never in the fields a lockfile reader uses but versions like `5.4`; decline the rare exotic forms.
  if (/^[-+]?[0-9]+$/.test(s)) {
    const n = parseInt(s, 10)
    if (!Number.isSafeInteger(n)) throw UNSUPPORTED
    return n
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s)
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) || /^0o[0-7]+$/.test(s) || /^0x[0-9a-fA-F]+$/.test(s)) throw UNSUPPORTED
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) throw UNSUPPORTED
  return s
}

/** First characters that make a plain scalar something else, or invalid (YAML c-indicator). */
function isIndicator(c: number): boolean {
  return c === 45 || c === 63 || c === 58 || c === 44 || c === 91 || c === 93 || c === 123 || c === 125 || c === 35 || c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 39 || c === 34 || c === 37 || c === 64 || c === 96
}

/** A block-context plain scalar `s[start, end)` (already trimmed): checked, then typed. */
function plain(s: string, start: number, end: number, typed: boolean): unknown {
  if (end <= start) return null
  const c = s.charCodeAt(start)
  if (isIndicator(c) || c === 32 || c === 9) throw UNSUPPORTED
  const text = s.slice(start, end)
  // A comment, a nested `key: value`, a key-like trailing colon or a tab: outside the subset.
  if (text.includes(' #') || text.includes(': ') || text.includes('\t') || text.endsWith(':')) throw UNSUPPORTED
  return typed ? plainValue(text) : text
}

/** A single-quoted scalar filling `s[start, end)`. */
function singleQuoted(s: string, start: number, end: number): string {
  if (end - start < 2 || s.charCodeAt(end - 1) !== 39) throw UNSUPPORTED
  const inner = s.slice(start + 1, end - 1)
  // Every `'` inside must be doubled.
  for (let i = inner.indexOf("'"); i !== -1; i = inner.indexOf("'", i + 2)) if (inner.charCodeAt(i + 1) !== 39) throw UNSUPPORTED
  return inner.includes("''") ? inner.replaceAll("''", "'") : inner
}

/** A double-quoted scalar filling `s[start, end)`: JSON's escapes only (YAML's others are not in the subset). */
function doubleQuoted(s: string, start: number, end: number): string {
  if (end - start < 2 || s.charCodeAt(end - 1) !== 34) throw UNSUPPORTED
  try {
    const v = JSON.parse(s.slice(start, end)) as unknown
    if (typeof v !== 'string') throw UNSUPPORTED
    return v
  } catch {
    throw UNSUPPORTED
  }
}

/** A scalar or single-line flow collection filling `s[start, end)` (trimmed). */
function value(s: string, start: number, end: number): unknown {
  const c = s.charCodeAt(start)
  if (c === 39) return singleQuoted(s, start, end)
  if (c === 34) return doubleQuoted(s, start, end)
  if (c === 123 || c === 91) return flow(s, start, end)
  return plain(s, start, end, true)
}

/** `{a: b, c: 'd'}` or `[a, b]` on one line, with scalar items only. */
function flow(s: string, start: number, end: number): unknown {
  const open = s.charCodeAt(start)
  const close = open === 123 ? 125 : 93
  if (s.charCodeAt(end - 1) !== close) throw UNSUPPORTED
  const isMap = open === 123
  const out: Record<string, unknown> | unknown[] = isMap ? {} : []
  let i = start + 1
  const last = end - 1
  while (i < last && s.charCodeAt(i) === 32) i++
  if (i === last) return out
  for (;;) {
    let key: string | undefined
    if (isMap) {
      // Keys: plain words (`integrity`, `tarball`, `node`…) or quoted.
      const colon = s.indexOf(': ', i)
      if (colon === -1 || colon >= last) throw UNSUPPORTED
      const k = flowScalar(s, i, colon)
      if (typeof k !== 'string' || k === '__proto__' || k === '<<') throw UNSUPPORTED
      key = k
      i = colon + 2
      while (i < last && s.charCodeAt(i) === 32) i++
    }
    // The item runs to the next `,` outside quotes, or to the closing bracket.
    let j = i
    const q = s.charCodeAt(i)
    if (q === 39 || q === 34) {
      j = closingQuote(s, i, last)
      if (j >= last) throw UNSUPPORTED
      j++
    } else {
      while (j < last && s.charCodeAt(j) !== 44) j++
    }
    let itemEnd = j
    while (itemEnd > i && s.charCodeAt(itemEnd - 1) === 32) itemEnd--
    const v = flowScalar(s, i, itemEnd)
    if (isMap) (out as Record<string, unknown>)[key as string] = v
    else (out as unknown[]).push(v)
    while (j < last && s.charCodeAt(j) === 32) j++
    if (j === last) return out
    if (s.charCodeAt(j) !== 44) throw UNSUPPORTED
    j++
    while (j < last && s.charCodeAt(j) === 32) j++
    if (j === last) return out // trailing comma
    i = j
  }
}

/** A scalar inside a flow collection: no nested flows, no flow indicators in plain scalars. */
function flowScalar(s: string, start: number, end: number): unknown {
  if (end <= start) throw UNSUPPORTED
  const c = s.charCodeAt(start)
  if (c === 39) return singleQuoted(s, start, end)
  if (c === 34) return doubleQuoted(s, start, end)
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i)
    if (d === 44 || d === 91 || d === 93 || d === 123 || d === 125) throw UNSUPPORTED
  }
  return plain(s, start, end, true)
}

/** A mapping key `s[start, end)`: a string however it is written, else not ours to read. */
function key(s: string, start: number, end: number): string {
  const c = s.charCodeAt(start)
  let k: unknown
  if (c === 39) k = singleQuoted(s, start, end)
  else if (c === 34) k = doubleQuoted(s, start, end)
  else {
    k = plain(s, start, end, true)
    // `true:`, `1.0:` would become "true", "1": pnpm quotes such keys; we do not guess.
    if (typeof k !== 'string') throw UNSUPPORTED
  }
  if (k === '__proto__' || k === '<<') throw UNSUPPORTED
  return k as string
}

interface Frame {
  indent: number
  map: Record<string, unknown> | undefined
  seq: unknown[] | undefined
  /** Inside a skipped top-level key: read and checked, nothing stored. */
  skip: boolean
}

/**
 * Reads pnpm-lock.yaml text, or returns undefined when it is outside the
 * subset (the caller then parses it with `yaml`).
 */
export function readPnpmLock(text: string, options: { skip?: readonly string[] } = {}): PnpmDoc[] | undefined {
  try {
    return read(text, options.skip)
  } catch (error) {
    if (error instanceof Unsupported) return undefined
    throw error
  }
}

/**
 * `skip`: top-level keys whose values are read and checked (the result is
 * undefined exactly when it would be without `skip`) but not built: they are
 * null in the result. For callers that read those sections later, if at all.
 */
function read(text: string, skip: readonly string[] | undefined): PnpmDoc[] {
  if (MAYBE_NON_PRINTABLE.test(text)) throw UNSUPPORTED
  for (let cr = text.indexOf('\r'); cr !== -1; cr = text.indexOf('\r', cr + 1)) if (text.charCodeAt(cr + 1) !== 10) throw UNSUPPORTED
  const colonSpace = new NextIndex(text, ': ')
  const docs: PnpmDoc[] = []
  let doc: PnpmDoc = { data: undefined, start: 0 }
  docs.push(doc)
  let stack: Frame[] = []
  /** A `key:` with nothing after it: its value is the block that follows, or null. */
  let pending: { map: Record<string, unknown>; key: string; indent: number; skip: boolean } | undefined
  /** A literal block scalar (`key: |-`, as js-yaml writes multi-line strings) being read. */
  let block: { set: (v: string) => void; parent: number; indent: number; lines: string[]; keep: boolean } | undefined
  const endBlock = (): void => {
    if (!block) return
    const lines = block.lines
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
    // `|-` strips the final line break, `|` keeps one.
    block.set(lines.length === 0 ? '' : lines.join('\n') + (block.keep ? '\n' : ''))
    block = undefined
  }
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const length = text.length
  while (pos < length) {
    const lineStart = pos
    let nl = text.indexOf('\n', pos)
    if (nl === -1) nl = length
    let end = nl
    if (end > pos && text.charCodeAt(end - 1) === 13) end--
    pos = nl + 1

    let i = lineStart
    while (i < end && text.charCodeAt(i) === 32) i++
    if (block) {
      if (i === end) {
        if (block.indent === -1) throw UNSUPPORTED // leading blank lines: not in the subset
        // Spaces beyond the block's indentation are content.
        block.lines.push(i - lineStart > block.indent ? text.slice(lineStart + block.indent, end) : '')
        continue
      }
      const at = i - lineStart
      if (block.indent === -1 && at > block.parent) block.indent = at
      if (block.indent !== -1 && at >= block.indent) {
        block.lines.push(text.slice(lineStart + block.indent, end))
        continue
      }
      if (block.indent !== -1 && at > block.parent) throw UNSUPPORTED // less indented than the block, more than its key
      endBlock()
    }
    if (i === end) continue
    const first = text.charCodeAt(i)
    if (first === 35) continue // comment line
    if (first === 9) throw UNSUPPORTED
    const indent = i - lineStart
    while (end > i && text.charCodeAt(end - 1) === 32) end--

    if (indent === 0 && first === 45 && text.startsWith('---', i) && (end === i + 3 || text.charCodeAt(i + 3) === 32)) {
      if (end !== i + 3) throw UNSUPPORTED // content after the marker
      // A new document (the first `---` of the text only starts the first one).
      if (doc.data !== undefined || docs.length > 1 || stack.length > 0) {
        doc = { data: undefined, start: lineStart }
        docs.push(doc)
      } else doc.start = lineStart
      stack = []
      pending = undefined
      continue
    }
    if (indent === 0 && (first === 37 || (first === 46 && text.startsWith('...', i)))) throw UNSUPPORTED // directive, document end

    const isItem = first === 45 && (i + 1 === end || text.charCodeAt(i + 1) === 32)
    if (pending) {
      if (indent > pending.indent) {
        const frame: Frame = isItem ? { indent, map: undefined, seq: [], skip: pending.skip } : { indent, map: {}, seq: undefined, skip: pending.skip }
        if (!pending.skip) pending.map[pending.key] = frame.map ?? frame.seq
        stack.push(frame)
      }
      // Otherwise the key's value stays null.
      pending = undefined
    }
    if (stack.length === 0) {
      if (indent !== 0 || isItem || doc.data !== undefined) throw UNSUPPORTED
      const root: Frame = { indent: 0, map: {}, seq: undefined, skip: false }
      doc.data = root.map
      stack.push(root)
    }
    while ((stack[stack.length - 1] as Frame).indent > indent) stack.pop()
    if (stack.length === 0) throw UNSUPPORTED
    const top = stack[stack.length - 1] as Frame
    if (top.indent !== indent) throw UNSUPPORTED

    if (top.seq) {
      if (!isItem) throw UNSUPPORTED
      let v = i + 1
      while (v < end && text.charCodeAt(v) === 32) v++
      if (v === end) throw UNSUPPORTED // `-` alone: a nested block
      const c = text.charCodeAt(v)
      if (c !== 39 && c !== 34 && c !== 123 && c !== 91) {
        // `- key: value` is a mapping inside the sequence: not in the subset.
        const colon = colonSpace.from(v)
        if ((colon !== -1 && colon < end) || text.charCodeAt(end - 1) === 58) throw UNSUPPORTED
      }
      const item = value(text, v, end)
      if (!top.skip) top.seq.push(item)
      continue
    }
    if (isItem) throw UNSUPPORTED // a sequence where a mapping is
    const map = top.map as Record<string, unknown>

    // `key: value` or `key:`.
    let keyEnd: number
    let colon: number
    if (first === 39 || first === 34) {
      const j = closingQuote(text, i, end)
      if (j >= end) throw UNSUPPORTED
      keyEnd = j + 1
      colon = keyEnd
      if (text.charCodeAt(colon) !== 58) throw UNSUPPORTED
    } else {
      colon = plainKeyColon(text, colonSpace, i, end)
      if (colon === -1) throw UNSUPPORTED
      keyEnd = colon
    }
    const k = key(text, i, keyEnd)
    const skipHere = top.skip
    let v = colon + 1
    if (v < end && text.charCodeAt(v) !== 32) throw UNSUPPORTED
    while (v < end && text.charCodeAt(v) === 32) v++
    if (v === end) {
      // Placeholder keeps the key's position; the block below (if any) replaces it.
      if (!skipHere) map[k] = null
      pending = { map, key: k, indent, skip: skipHere || (indent === 0 && skip !== undefined && skip.includes(k)) }
      continue
    }
    if (text.charCodeAt(v) === 35) throw UNSUPPORTED // a comment after `key:`
    if (text.charCodeAt(v) === 124 /* | */ && (end === v + 1 || (end === v + 2 && text.charCodeAt(v + 1) === 45))) {
      if (!skipHere) map[k] = ''
      block = { set: (b) => (skipHere ? undefined : (map[k] = b)), parent: indent, indent: -1, lines: [], keep: end === v + 1 }
      continue
    }
    const scalar = value(text, v, end)
    if (!skipHere) map[k] = scalar
  }
  endBlock()
  return docs
}

/**
 * The closing quote of the YAML quoted scalar opening at `start` (`'…'`, where
 * `''` is a quote, or `"…"`, where a backslash escapes), or `end` or more
 * when it does not close before `end`.
 */
function closingQuote(s: string, start: number, end: number): number {
  const q = s.charCodeAt(start)
  let j = start + 1
  for (; j < end; j++) {
    const c = s.charCodeAt(j)
    if (q === 34 && c === 92) j++
    else if (c === q) {
      if (q === 39 && s.charCodeAt(j + 1) === 39) j++
      else break
    }
  }
  return j
}
