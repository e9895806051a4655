/**
 * A strict, selective JSON scanner for the lockfiles in JSON that can run to
 * tens of MB: package-lock.json and npm-shrinkwrap.json.
 *
 * JSON.parse builds every object and string of the file and knows no line
 * numbers, so a reader on top of it pays for the whole tree and then for a
 * second pass to find lines. The scanner walks the text once, skips strings
 * with `indexOf`, counts lines in the whitespace it passes, and builds only
 * the values its caller asks for. No library does this (jsonc-parser's
 * scanner is a tokeniser several times slower than JSON.parse).
 *
 * Anything it does not handle throws NotScannable, and the caller falls back
 * to JSON.parse, which also words the error. It declines:
 * - malformed JSON of any kind (structure, literals, numbers, escapes, trailing
 *   text), so a value read through it is the value JSON.parse gives;
 * - a tab or a carriage return anywhere (JSON.parse reads such files), so that
 *   whitespace is only spaces and line feeds and lines are counted in passing;
 * - a line feed inside a string, found by checking at the end that the lines
 *   counted in whitespace are all the lines of the text.
 * A string with a backslash is decoded by JSON.parse on its own slice, which
 * validates its escapes.
 *
 * One difference from JSON.parse is deliberate: a raw control character
 * U+0001–U+0008, U+000B, U+000C or U+000E–U+001F inside a string is not looked
 * for. JSON forbids it and JSON.parse rejects the file; the scanner reads
 * through it. Finding one means looking at every character of every string,
 * which costs as much as a third of the whole read on a 50 MB lockfile, for
 * characters no lockfile writer emits (JSON.stringify escapes them). NUL is
 * rejected by every reader before it gets here.
 */

/** An array index as a key: JSON.parse's objects list those first, out of document order, so readers decline it. */
export function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0)
  return first >= 48 && first <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295
}

/** The text leaves what the scanner handles: read it with JSON.parse instead. */
export class NotScannable extends Error {
  constructor(at: number) {
    super(`not scannable at offset ${at}`)
  }
}

const SPACE = 32
const LINE_FEED = 10
const QUOTE = 34
const COMMA = 44
const COLON = 58
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const OBJECT = 0
const ARRAY = 1

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

export class JsonScanner {
  /** Offset of the next character to read. */
  pos: number
  /** 1-based line of `pos`, valid once `peek` has passed the whitespace before it. */
  line = 1
  /** First backslash at or after `pos` (-1: none left). */
  private escape: number
  /** The last string read, when it had escapes (decoded); else undefined. */
  private decoded: string | undefined
  private keyFrom = 0
  private keyTo = 0
  private keyDecoded: string | undefined

  private constructor(
    readonly text: string,
    start: number,
  ) {
    this.pos = start
    this.escape = text.indexOf('\\', start)
  }

  /** A scanner for a whole document; throws NotScannable for text outside the subset. */
  static document(text: string): JsonScanner {
    const other = text.indexOf('\t') === -1 ? text.indexOf('\r') : text.indexOf('\t')
    if (other !== -1) throw new NotScannable(other)
    return new JsonScanner(text, text.charCodeAt(0) === 0xfeff ? 1 : 0)
  }

  /** A scanner at a value inside a document already scanned whole (line numbers count from there). */
  static at(text: string, offset: number): JsonScanner {
    return new JsonScanner(text, offset)
  }

  /** Skips whitespace; the code of the next character (NaN at the end). */
  peek(): number {
    const text = this.text
    let i = this.pos
    let c = text.charCodeAt(i)
    while (c === SPACE || c === LINE_FEED) {
      if (c === LINE_FEED) this.line++
      c = text.charCodeAt(++i)
    }
    this.pos = i
    return c
  }

  /** At `{`: enters it; true when a member follows (read its key next), false for `{}`. */
  enterObject(): boolean {
    if (this.peek() !== OPEN_BRACE) throw new NotScannable(this.pos)
    this.pos++
    const c = this.peek()
    if (c === CLOSE_BRACE) {
      this.pos++
      return false
    }
    if (c !== QUOTE) throw new NotScannable(this.pos)
    return true
  }

  /** After a member's value: true when another member follows, false at the closing `}`. */
  nextMember(): boolean {
    const c = this.peek()
    if (c === COMMA) {
      this.pos++
      if (this.peek() !== QUOTE) throw new NotScannable(this.pos)
      return true
    }
    if (c === CLOSE_BRACE) {
      this.pos++
      return false
    }
    throw new NotScannable(this.pos)
  }

  /** Reads a member's key and its colon; compare it with `keyIs`, get it with `keyText`. */
  key(): void {
    const end = this.stringEnd()
    this.keyFrom = this.pos + 1
    this.keyTo = end
    this.keyDecoded = this.decoded
    this.pos = end + 1
    if (this.peek() !== COLON) throw new NotScannable(this.pos)
    this.pos++
  }

  /** Whether the last key read is `name`, without building the key. */
  keyIs(name: string): boolean {
    if (this.keyDecoded !== undefined) return this.keyDecoded === name
    return this.keyTo - this.keyFrom === name.length && this.text.startsWith(name, this.keyFrom)
  }

  keyText(): string {
    return this.keyDecoded ?? this.text.slice(this.keyFrom, this.keyTo)
  }

  /** The value if it is a string; any other value is skipped and gives undefined. */
  string(): string | undefined {
    if (this.peek() !== QUOTE) {
      this.skip()
      return undefined
    }
    const end = this.stringEnd()
    const from = this.pos + 1
    this.pos = end + 1
    return this.decoded ?? this.text.slice(from, end)
  }

  /** The value if it is a string or a number; any other value is skipped and gives undefined. */
  scalar(): string | number | undefined {
    const c = this.peek()
    if (c === QUOTE) return this.string()
    if (c === 45 || (c >= 48 && c <= 57)) {
      const from = this.pos
      this.skip()
      return Number(this.text.slice(from, this.pos))
    }
    this.skip()
    return undefined
  }

  /** Whether the value is the literal `true`; any other value is skipped. */
  isTrue(): boolean {
    if (this.peek() === 116 && this.text.startsWith('true', this.pos)) {
      this.pos += 4
      return true
    }
    this.skip()
    return false
  }

  /** Offset of the value if it is an object (then skipped), else -1 (skipped too). */
  objectAt(): number {
    const at = this.peek() === OPEN_BRACE ? this.pos : -1
    this.skip()
    return at
  }

  /** Skips one value of any kind, nested to any depth, without recursion. */
  skip(): void {
    const text = this.text
    // Allocated only for containers: most values skipped are strings.
    let stack: number[] | undefined
    for (;;) {
      const c = this.peek()
      if (c === QUOTE) {
        this.pos = this.stringEnd() + 1
      } else if (c === OPEN_BRACE) {
        this.pos++
        const d = this.peek()
        if (d === CLOSE_BRACE) this.pos++
        else {
          if (d !== QUOTE) throw new NotScannable(this.pos)
          ;(stack ??= []).push(OBJECT)
          this.key()
          continue
        }
      } else if (c === OPEN_BRACKET) {
        this.pos++
        if (this.peek() === CLOSE_BRACKET) this.pos++
        else {
          ;(stack ??= []).push(ARRAY)
          continue
        }
      } else if (c === 116 && text.startsWith('true', this.pos)) this.pos += 4
      else if (c === 102 && text.startsWith('false', this.pos)) this.pos += 5
      else if (c === 110 && text.startsWith('null', this.pos)) this.pos += 4
      else {
        NUMBER.lastIndex = this.pos
        if (!NUMBER.test(text)) throw new NotScannable(this.pos)
        this.pos = NUMBER.lastIndex
      }
      // A value ended: close what it ends, or move to the next member or element.
      for (;;) {
        if (stack === undefined || stack.length === 0) return
        const d = this.peek()
        const inside = stack[stack.length - 1]
        if (d === COMMA) {
          this.pos++
          if (inside === OBJECT) {
            if (this.peek() !== QUOTE) throw new NotScannable(this.pos)
            this.key()
          }
          break
        }
        if ((inside === OBJECT && d === CLOSE_BRACE) || (inside === ARRAY && d === CLOSE_BRACKET)) {
          this.pos++
          stack.pop()
          continue
        }
        throw new NotScannable(this.pos)
      }
    }
  }

  /**
   * After the top-level value: nothing but whitespace may follow, and every
   * line feed of the text must have been passed as whitespace (none inside a
   * string, where JSON allows none).
   */
  finish(): void {
    if (!Number.isNaN(this.peek())) throw new NotScannable(this.pos)
    let lines = 1
    const text = this.text
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++
    if (lines !== this.line) throw new NotScannable(this.pos)
  }

  /**
   * Offset of the closing quote of the string at `pos`. Sets `decoded` when
   * the string has escapes (JSON.parse of its slice, which validates them).
   */
  private stringEnd(): number {
    const text = this.text
    let end = text.indexOf('"', this.pos + 1)
    if (end === -1) throw new NotScannable(this.pos)
    if (this.escape === -1 || this.escape > end) {
      this.decoded = undefined
      return end
    }
    // A backslash before the quote found: step over each escape to the real end.
    while (this.escape !== -1 && this.escape < end) {
      const next = this.escape + 2
      if (end < next) {
        end = text.indexOf('"', next)
        if (end === -1) throw new NotScannable(this.pos)
      }
      this.escape = text.indexOf('\\', next)
    }
    try {
      this.decoded = JSON.parse(text.slice(this.pos, end + 1)) as string
    } catch {
      throw new NotScannable(this.pos)
    }
    return end
  }
}
