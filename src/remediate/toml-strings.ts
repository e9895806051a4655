/**
 * Where every string of a TOML document sits: its key path (array items as
 * their index) and the byte range of its content. smol-toml keeps no
 * positions, and edits must touch nothing but the value, so this small
 * scanner walks the text the way the TOML grammar does (tables, dotted keys,
 * arrays, inline tables, comments, all four string kinds). It is used on
 * files that already parsed: anything it does not understand stops it.
 */

export interface TomlString {
  /** Table and key segments, array indices as decimal strings. */
  path: string[]
  /** Content range inside the quotes. */
  start: number
  end: number
  /** The raw content (escapes not decoded). */
  raw: string
  /** Basic string with a backslash escape, or multi-line: not edited as a whole. */
  plainText: boolean
  /** A multi-line string (`"""` or `'''`): never edited. */
  multiline: boolean
  /** Offsets of the whole value, quotes included. */
  valueStart: number
  valueEnd: number
}

const BARE = /[A-Za-z0-9_-]/

export function tomlStrings(text: string): TomlString[] | undefined {
  const out: TomlString[] = []
  let pos = 0
  let table: string[] = []
  const arrayTables = new Map<string, number>()

  const skipSpace = (newlines: boolean): void => {
    for (;;) {
      const c = text[pos]
      if (c === ' ' || c === '\t' || (newlines && (c === '\n' || c === '\r'))) pos++
      else if (c === '#') {
        while (pos < text.length && text[pos] !== '\n') pos++
      } else return
    }
  }
  const fail = (): never => {
    throw new SyntaxError(`unexpected TOML at offset ${pos}`)
  }
  const readString = (): { raw: string; start: number; end: number; plainText: boolean; multiline: boolean; valueStart: number } => {
    const valueStart = pos
    const quote = text[pos] as '"' | "'"
    const triple = text.startsWith(quote.repeat(3), pos)
    if (triple) {
      const close = text.indexOf(quote.repeat(3), pos + 3)
      if (close < 0) fail()
      let end = close
      // `""""` closes with the extra quote as content.
      while (text[end + 3] === quote) end++
      const start = pos + 3
      pos = end + 3
      return { raw: text.slice(start, end), start, end, plainText: false, multiline: true, valueStart }
    }
    const start = ++pos
    let escaped = false
    while (pos < text.length && text[pos] !== quote) {
      if (text[pos] === '\n') fail()
      if (quote === '"' && text[pos] === '\\') {
        escaped = true
        pos++
      }
      pos++
    }
    if (text[pos] !== quote) fail()
    const end = pos++
    return { raw: text.slice(start, end), start, end, plainText: !escaped, multiline: false, valueStart }
  }
  const readKey = (): string[] => {
    const parts: string[] = []
    for (;;) {
      skipSpace(false)
      const c = text[pos]
      if (c === '"' || c === "'") parts.push(readString().raw)
      else {
        const start = pos
        while (pos < text.length && BARE.test(text[pos] as string)) pos++
        if (pos === start) fail()
        parts.push(text.slice(start, pos))
      }
      skipSpace(false)
      if (text[pos] !== '.') return parts
      pos++
    }
  }
  const readValue = (path: string[]): void => {
    skipSpace(false)
    const c = text[pos]
    if (c === '"' || c === "'") {
      const s = readString()
      out.push({ path, start: s.start, end: s.end, raw: s.raw, plainText: s.plainText, multiline: s.multiline, valueStart: s.valueStart, valueEnd: pos })
    } else if (c === '[') {
      pos++
      let index = 0
      for (;;) {
        skipSpace(true)
        if (text[pos] === ']') break
        readValue([...path, String(index++)])
        skipSpace(true)
        if (text[pos] === ',') pos++
        else if (text[pos] !== ']') fail()
      }
      pos++
    } else if (c === '{') {
      pos++
      for (;;) {
        skipSpace(false)
        if (text[pos] === '}') break
        const key = readKey()
        if (text[pos] !== '=') fail()
        pos++
        readValue([...path, ...key])
        skipSpace(false)
        if (text[pos] === ',') pos++
        else if (text[pos] !== '}') fail()
      }
      pos++
    } else {
      const start = pos
      while (pos < text.length && !/[,\]}\n\r#]/.test(text[pos] as string)) pos++
      if (pos === start) fail()
    }
  }

  try {
    for (;;) {
      skipSpace(true)
      if (pos >= text.length) break
      if (text[pos] === '[') {
        const array = text[pos + 1] === '['
        pos += array ? 2 : 1
        const key = readKey()
        if (!text.startsWith(array ? ']]' : ']', pos)) fail()
        pos += array ? 2 : 1
        if (array) {
          const id = key.join('\u0000')
          const n = arrayTables.get(id) ?? 0
          arrayTables.set(id, n + 1)
          table = [...key, String(n)]
        } else table = key
        continue
      }
      const key = readKey()
      if (text[pos] !== '=') fail()
      pos++
      readValue([...table, ...key])
    }
  } catch {
    return undefined
  }
  return out
}
