/**
 * A line reader for the TOML subset that lockers write (uv, poetry, pdm,
 * pylock): `[table]` and `[[array]]` headers of bare keys, `key = value` lines
 * with bare or simple quoted keys, values that are single-line basic or
 * literal strings, decimal integers, booleans, single-line inline tables and
 * arrays (which may span lines), comments and blank lines. It builds what
 * smol-toml's `parse` would, with TOML's table rules (no key or table defined
 * twice, inline tables and arrays closed to headers), and records the line of
 * every `[[array]]` header, in one pass and without a generic tokenizer.
 *
 * Anything outside the subset (multi-line strings, floats, dates, dotted or
 * escaped keys, `\r`, tabs, non-decimal integers, `__proto__`) and anything
 * invalid makes it return undefined, and the caller parses with smol-toml:
 * the reader never guesses, and smol-toml words the errors.
 */

export type TomlTable = Record<string, unknown>

export interface TomlRead {
  doc: TomlTable
  /** Lines of the `[[path]]` headers, by dotted path, in document order. */
  arrayHeaders: Map<string, number[]>
}

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported('outside the TOML subset')

// eslint-disable-next-line no-control-regex
const UNSIMPLE = /[\\\x00-\x08\x0A-\x1F\x7F]/
/** The same, searching forward; a line's own `\n` stops it. */
// eslint-disable-next-line no-control-regex
const UNSIMPLE_FROM = /[\\\x00-\x08\x0A-\x1F\x7F]/g
/** The same but for `\n`: when a file has none, every line is simple. */
// eslint-disable-next-line no-control-regex
const UNSIMPLE_ANYWHERE = /[\\\x00-\x08\x0B-\x1F\x7F]/
/** Arrays and inline tables nest no deeper than this (lockfiles use 3). */
const MAX_DEPTH = 64
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0A-\x1F\x7F]/
const BARE_KEY = /^[A-Za-z0-9_-]+$/
const INTEGER = /^[+-]?(?:0|[1-9][0-9]*)$/

function isBareKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45
}

/** Reads `text` as the subset; undefined when it is outside it (or not valid TOML). */
export function readTomlSubset(text: string): TomlRead | undefined {
  try {
    return new Reader(text).read()
  } catch {
    // Outside the subset, or a stack exhausted by nesting: smol-toml decides (and words the error).
    return undefined
  }
}

class Reader {
  private pos = 0
  private line = 1
  /** End of the current line (index of its `\n`, or the text's length). */
  private eol = 0
  /** The current line has no backslash or control character: strings end at the next quote. */
  private simple = true
  /** Whether any line can be other than simple (one search of the whole text). */
  private mixed = true
  private depth = 0
  /** Tables a header may still define (created on the way to a deeper header). */
  private readonly implicit = new WeakSet<object>()
  /** Tables and arrays of tables that headers built (open to later headers). */
  private readonly open = new WeakSet<object>()

  constructor(private readonly text: string) {}

  read(): TomlRead {
    const text = this.text
    if (text.includes('\r') || text.includes('\t')) throw UNSUPPORTED
    this.mixed = UNSIMPLE_ANYWHERE.test(text)
    const root: TomlTable = {}
    this.open.add(root)
    const arrayHeaders = new Map<string, number[]>()
    let table = root
    const n = text.length
    while (this.pos < n) {
      this.startLine()
      let i = this.pos
      while (text.charCodeAt(i) === 32) i++
      const c = text.charCodeAt(i)
      if (i >= this.eol || c === 35) {
        if (c === 35) this.comment(i)
        this.nextLine()
        continue
      }
      if (c === 91) {
        const array = text.charCodeAt(i + 1) === 91
        const close = text.indexOf(array ? ']]' : ']', i)
        if (close === -1 || close > this.eol) throw UNSUPPORTED
        const path = text.slice(i + (array ? 2 : 1), close).trim()
        const keys = path.split('.')
        for (const k of keys) if (!BARE_KEY.test(k) || k === '__proto__') throw UNSUPPORTED
        table = array ? this.arrayTable(root, keys) : this.table(root, keys)
        if (array) {
          const lines = arrayHeaders.get(keys.join('.'))
          if (lines) lines.push(this.line)
          else arrayHeaders.set(keys.join('.'), [this.line])
        }
        this.pos = close + (array ? 2 : 1)
        this.endOfLine()
        continue
      }
      this.pos = i
      this.keyValue(table)
      this.endOfLine()
    }
    return { doc: root, arrayHeaders }
  }

  private startLine(): void {
    const nl = this.text.indexOf('\n', this.pos)
    this.eol = nl === -1 ? this.text.length : nl
    if (!this.mixed) return
    UNSIMPLE_FROM.lastIndex = this.pos
    this.simple = !UNSIMPLE_FROM.test(this.text) || UNSIMPLE_FROM.lastIndex > this.eol
  }

  private nextLine(): void {
    this.pos = this.eol + 1
    this.line++
  }

  /** A comment from `i` to the end of the line: no control characters but tab. */
  private comment(i: number): void {
    if (!this.simple && CONTROL.test(this.text.slice(i, this.eol))) throw UNSUPPORTED
  }

  /** Spaces, then a comment or nothing, to the end of the line; moves to the next line. */
  private endOfLine(): void {
    this.spaces()
    if (this.pos < this.eol) {
      if (this.text.charCodeAt(this.pos) !== 35) throw UNSUPPORTED
      this.comment(this.pos)
    }
    this.nextLine()
  }

  private spaces(): void {
    while (this.text.charCodeAt(this.pos) === 32) this.pos++
  }

  /** A bare key or a basic-quoted key without escapes. */
  private key(): string {
    const text = this.text
    const start = this.pos
    let key: string
    if (text.charCodeAt(start) === 34) {
      const end = text.indexOf('"', start + 1)
      if (end === -1 || end > this.eol) throw UNSUPPORTED
      key = text.slice(start + 1, end)
      if (UNSIMPLE.test(key)) throw UNSUPPORTED
      this.pos = end + 1
    } else {
      let i = start
      while (isBareKeyChar(text.charCodeAt(i))) i++
      if (i === start) throw UNSUPPORTED
      key = text.slice(start, i)
      this.pos = i
    }
    // Dotted keys are outside the subset.
    if (key === '__proto__' || text.charCodeAt(this.pos) === 46) throw UNSUPPORTED
    let i = this.pos
    while (text.charCodeAt(i) === 32) i++
    if (text.charCodeAt(i) === 46) throw UNSUPPORTED
    return key
  }

  /** `key = value` into `table` (a key given twice is left to smol-toml; a missing value ends the line and is refused by `value`). */
  private keyValue(table: TomlTable): void {
    const key = this.key()
    if (Object.hasOwn(table, key)) throw UNSUPPORTED
    this.spaces()
    if (this.text.charCodeAt(this.pos) !== 61) throw UNSUPPORTED
    this.pos++
    this.spaces()
    table[key] = this.value()
  }

  private value(): unknown {
    const text = this.text
    const c = text.charCodeAt(this.pos)
    if (c === 34) return this.basicString()
    if (c === 39) return this.literalString()
    if (c === 123 || c === 91) {
      if (++this.depth > MAX_DEPTH) throw UNSUPPORTED
      const value = c === 123 ? this.inlineTable() : this.array()
      this.depth--
      return value
    }
    // Scalars end at a space, comma, bracket, brace, comment or the end of the line.
    let end = this.pos
    for (; end < this.eol; end++) {
      const d = text.charCodeAt(end)
      if (d === 32 || d === 44 || d === 93 || d === 125 || d === 35) break
    }
    const word = text.slice(this.pos, end)
    this.pos = end
    if (word === 'true') return true
    if (word === 'false') return false
    if (INTEGER.test(word)) {
      const value = Number(word)
      if (!Number.isSafeInteger(value)) throw UNSUPPORTED
      // smol-toml reads `-0` as 0.
      return value === 0 ? 0 : value
    }
    throw UNSUPPORTED
  }

  private basicString(): string {
    const text = this.text
    const start = this.pos + 1
    if (text.charCodeAt(start) === 34 && text.charCodeAt(start + 1) === 34) throw UNSUPPORTED
    if (this.simple) {
      const end = text.indexOf('"', start)
      if (end === -1 || end > this.eol) throw UNSUPPORTED
      this.pos = end + 1
      return text.slice(start, end)
    }
    // Runs without escapes are sliced whole; only escapes are decoded one by one.
    let out = ''
    let i = start
    for (;;) {
      const quote = text.indexOf('"', i)
      if (quote === -1 || quote > this.eol) throw UNSUPPORTED
      const slash = text.indexOf('\\', i)
      const stop = slash !== -1 && slash < quote ? slash : quote
      const run = text.slice(i, stop)
      if (CONTROL.test(run)) throw UNSUPPORTED
      out += run
      i = stop
      if (stop === quote) break
      const e = text.charCodeAt(i + 1)
      if (e === 98) out += '\b'
      else if (e === 116) out += '\t'
      else if (e === 110) out += '\n'
      else if (e === 102) out += '\f'
      else if (e === 114) out += '\r'
      else if (e === 34) out += '"'
      else if (e === 92) out += '\\'
      else if (e === 117 || e === 85) {
        const len = e === 117 ? 4 : 8
        const hex = text.slice(i + 2, i + 2 + len)
        if (hex.length !== len || !/^[0-9A-Fa-f]+$/.test(hex)) throw UNSUPPORTED
        const code = parseInt(hex, 16)
        if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) throw UNSUPPORTED
        out += String.fromCodePoint(code)
        i += len
      } else throw UNSUPPORTED
      i += 2
    }
    this.pos = i + 1
    return out
  }

  private literalString(): string {
    const text = this.text
    const start = this.pos + 1
    if (text.charCodeAt(start) === 39 && text.charCodeAt(start + 1) === 39) throw UNSUPPORTED
    const end = text.indexOf("'", start)
    if (end === -1 || end > this.eol) throw UNSUPPORTED
    const value = text.slice(start, end)
    if (!this.simple && CONTROL.test(value)) throw UNSUPPORTED
    this.pos = end + 1
    return value
  }

  /** `{ k = v, … }` on one line, no trailing comma. */
  private inlineTable(): TomlTable {
    const text = this.text
    const table: TomlTable = {}
    this.pos++
    this.spaces()
    if (text.charCodeAt(this.pos) === 125) {
      this.pos++
      return table
    }
    for (;;) {
      if (this.pos >= this.eol) throw UNSUPPORTED
      this.keyValue(table)
      this.spaces()
      const c = text.charCodeAt(this.pos)
      this.pos++
      if (c === 125) return table
      if (c !== 44) throw UNSUPPORTED
      this.spaces()
    }
  }

  /** `[ v, … ]`, over several lines with comments between items; a trailing comma is allowed. */
  private array(): unknown[] {
    const text = this.text
    const items: unknown[] = []
    this.pos++
    for (;;) {
      this.blank()
      if (text.charCodeAt(this.pos) === 93) {
        this.pos++
        return items
      }
      items.push(this.value())
      this.blank()
      const c = text.charCodeAt(this.pos)
      this.pos++
      if (c === 93) return items
      if (c !== 44) throw UNSUPPORTED
    }
  }

  /** Spaces, comments and newlines inside an array. */
  private blank(): void {
    const text = this.text
    for (;;) {
      this.spaces()
      if (this.pos >= this.text.length) throw UNSUPPORTED
      const c = text.charCodeAt(this.pos)
      if (c === 35) {
        this.comment(this.pos)
        this.pos = this.eol
      } else if (this.pos === this.eol) {
        this.nextLine()
        this.startLine()
      } else return
    }
  }

  /** `[a.b.c]`: the way there through tables (or the last element of arrays of tables) that headers built. */
  private table(root: TomlTable, keys: string[]): TomlTable {
    const parent = this.walk(root, keys)
    const last = keys[keys.length - 1] as string
    if (Object.hasOwn(parent, last)) {
      const existing = parent[last]
      // Only a table created on the way to a deeper header may be defined now, once.
      if (!isObject(existing) || !this.implicit.has(existing)) throw UNSUPPORTED
      this.implicit.delete(existing)
      return existing
    }
    const table: TomlTable = {}
    this.open.add(table)
    parent[last] = table
    return table
  }

  /** `[[a.b.c]]`: a new element of an array of tables. */
  private arrayTable(root: TomlTable, keys: string[]): TomlTable {
    const parent = this.walk(root, keys)
    const last = keys[keys.length - 1] as string
    let array: unknown
    if (Object.hasOwn(parent, last)) {
      array = parent[last]
      if (!Array.isArray(array) || !this.open.has(array)) throw UNSUPPORTED
    } else {
      array = []
      this.open.add(array as unknown[])
      parent[last] = array
    }
    const table: TomlTable = {}
    this.open.add(table)
    ;(array as unknown[]).push(table)
    return table
  }

  private walk(root: TomlTable, keys: string[]): TomlTable {
    let t = root
    for (let k = 0; k < keys.length - 1; k++) {
      const key = keys[k] as string
      if (!Object.hasOwn(t, key)) {
        const next: TomlTable = {}
        this.open.add(next)
        this.implicit.add(next)
        t[key] = next
        t = next
        continue
      }
      const v = t[key]
      if (Array.isArray(v)) {
        if (!this.open.has(v) || v.length === 0) throw UNSUPPORTED
        t = v[v.length - 1] as TomlTable
      } else if (isObject(v) && this.open.has(v)) t = v
      else throw UNSUPPORTED
    }
    return t
  }
}

function isObject(v: unknown): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
