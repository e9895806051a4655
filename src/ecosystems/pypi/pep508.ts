/**
 * A small PEP 508 requirement parser: name, extras, version specifier,
 * marker, URL. It follows the grammar closely enough to tell a pin
 * (`name==1.0`) from a range, a URL requirement or garbage, and says what it
 * expected when it fails. Markers are kept as text: nothing here evaluates
 * them, because a package behind any marker can still be installed somewhere.
 */
import { valid as validPep440 } from '@renovatebot/pep440'

export interface VersionClause {
  op: string
  version: string
}

export interface Requirement {
  /** The name as written. */
  name: string
  extras: string[]
  /** The specifier as written, without surrounding parentheses or spaces ('' when none). */
  specifier: string
  clauses: VersionClause[]
  marker?: string
  url?: string
}

export type ParseResult = { ok: true; requirement: Requirement } | { ok: false; error: string }

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/
const IDENTIFIER = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/
// Longest operators first so `===` is not read as `==` followed by `=`.
const OPERATORS = ['===', '==', '!=', '~=', '<=', '>=', '<', '>']
const VERSION_CHARS = /^[A-Za-z0-9_.*+!-]+/

class Cursor {
  pos = 0
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.pos < this.text.length && (this.text[this.pos] === ' ' || this.text[this.pos] === '\t')) this.pos++
  }
  peek(): string {
    return this.text[this.pos] ?? ''
  }
  rest(): string {
    return this.text.slice(this.pos)
  }
  done(): boolean {
    return this.pos >= this.text.length
  }
}

/** Parses one PEP 508 requirement string. */
export function parseRequirement(input: string): ParseResult {
  const text = input.trim()
  const c = new Cursor(text)
  const name = NAME.exec(text)?.[0]
  if (!name) return fail(`expected a package name at the start of '${clip(text)}'`)
  c.pos = name.length
  c.skipSpace()

  const extras: string[] = []
  if (c.peek() === '[') {
    c.pos++
    for (;;) {
      c.skipSpace()
      if (c.peek() === ']') break
      const extra = IDENTIFIER.exec(c.rest())?.[0]
      if (!extra) return fail(`expected an extra name or ']' in '${clip(text)}'`)
      extras.push(extra)
      c.pos += extra.length
      c.skipSpace()
      if (c.peek() === ',') {
        c.pos++
        continue
      }
      if (c.peek() !== ']') return fail(`expected ',' or ']' after extra '${extra}' in '${clip(text)}'`)
    }
    c.pos++
    c.skipSpace()
  }

  if (c.peek() === '@') {
    c.pos++
    c.skipSpace()
    const url = /^\S+/.exec(c.rest())?.[0]
    if (!url) return fail(`expected a URL after '@' in '${clip(text)}'`)
    c.pos += url.length
    const marker = readMarker(c, true)
    if (typeof marker === 'object') return marker
    return { ok: true, requirement: { name, extras, specifier: '', clauses: [], url, marker } }
  }

  const spec = readSpecifier(c, text)
  if ('error' in spec) return fail(spec.error)
  const marker = readMarker(c, false)
  if (typeof marker === 'object') return marker
  return { ok: true, requirement: { name, extras, specifier: spec.specifier, clauses: spec.clauses, marker } }
}

function readSpecifier(c: Cursor, text: string): { specifier: string; clauses: VersionClause[] } | { error: string } {
  const parenthesised = c.peek() === '('
  if (parenthesised) {
    c.pos++
    c.skipSpace()
  }
  const start = c.pos
  const clauses: VersionClause[] = []
  for (;;) {
    c.skipSpace()
    const op = OPERATORS.find((o) => c.text.startsWith(o, c.pos))
    if (!op) {
      if (clauses.length === 0) break
      return { error: `expected a version operator (==, >=, ~=, ...) after ',' in '${clip(text)}'` }
    }
    c.pos += op.length
    c.skipSpace()
    const version = VERSION_CHARS.exec(c.rest())?.[0]
    if (!version) return { error: `expected a version after '${op}' in '${clip(text)}'` }
    c.pos += version.length
    clauses.push({ op, version })
    c.skipSpace()
    if (c.peek() !== ',') break
    c.pos++
  }
  const specifier = c.text.slice(start, c.pos).trim()
  if (parenthesised) {
    if (c.peek() !== ')') return { error: `expected ')' to close the version specifier in '${clip(text)}'` }
    c.pos++
    c.skipSpace()
  }
  return { specifier, clauses }
}

/** Reads `; marker` up to the end; anything else left over is an error. */
function readMarker(c: Cursor, needSpaceBefore: boolean): string | undefined | { ok: false; error: string } {
  const before = c.pos
  c.skipSpace()
  if (c.done()) return undefined
  if (c.peek() !== ';') return fail(`unexpected '${clip(c.rest())}' after the requirement; expected ';' and a marker or the end`)
  // PEP 508: after a URL the ';' needs whitespace before it, else it is part of the URL.
  if (needSpaceBefore && c.pos === before) return fail(`expected whitespace before ';' after a URL`)
  const marker = c.rest().slice(1).trim()
  if (!marker) return fail(`expected an environment marker after ';'`)
  const bad = badMarkerToken(marker)
  if (bad !== undefined) return fail(`unexpected '${clip(bad)}' in the environment marker '${clip(marker)}'`)
  return marker
}

// Marker tokens: names, quoted strings, comparison operators, parentheses.
// Only the vocabulary is checked (not the grammar): enough to refuse text
// that pip would refuse, such as a `#` glued to the marker.
const MARKER_TOKEN = /^(?:\s+|[()]|'[^']*'|"[^"]*"|===|==|!=|~=|<=|>=|<|>|[A-Za-z_][A-Za-z0-9_.]*)/

function badMarkerToken(marker: string): string | undefined {
  let rest = marker
  while (rest) {
    const token = MARKER_TOKEN.exec(rest)?.[0]
    if (!token) return rest
    rest = rest.slice(token.length)
  }
  return undefined
}

/**
 * The version of an exact pin: the whole specifier is one `==V` clause and V
 * is a valid PEP 440 version without `*`. The manifest spelling `v1.2.3` is
 * reported as `1.2.3`.
 */
export function exactPin(clauses: readonly VersionClause[]): string | undefined {
  if (clauses.length !== 1) return undefined
  const clause = clauses[0]
  if (!clause || clause.op !== '==') return undefined
  return exactVersion(clause.version)
}

/** A bare version that is valid PEP 440 and not a wildcard, with a leading `v` dropped. */
export function exactVersion(raw: string): string | undefined {
  const version = raw.trim()
  if (!version || version.includes('*') || validPep440(version) === null) return undefined
  return /^[vV]\d/.test(version) ? version.slice(1) : version
}

/** Does this requirement text look like a URL or a path rather than a name? */
export function looksLikeUrlOrPath(text: string): boolean {
  const t = text.trim()
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(t)) return true // http:, git+ssh:, file:, C:
  if (/^[.~/\\]/.test(t)) return true
  const first = t.split(/[\s;]/, 1)[0] ?? ''
  if (/[/\\]/.test(first.split(/[[=<>!~(@]/, 1)[0] ?? '')) return true
  return /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|egg)$/i.test(first)
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error }
}

function clip(text: string): string {
  return text.length > 80 ? text.slice(0, 77) + '...' : text
}
