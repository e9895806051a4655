/**
 * Escaping for each output format. Every string that came from a repository
 * or an advisory (package names, paths, branch names, commit messages,
 * advisory text) is hostile data: it must not break a table, add a link, an
 * image, a mention or markup, or run as a spreadsheet formula.
 */

const ZWJ = '\u200d'

/** Characters with a meaning in GitHub-flavoured Markdown inline text (and `|` in tables). */
const MD_SPECIAL = /[\\`*_[\]()!|<>~&#$]/g

/**
 * Escapes text for GitHub-flavoured Markdown, inline (a table cell, a list
 * item, a sentence): newlines become spaces (no new rows, blocks or
 * headings), punctuation that opens links, images, emphasis, code, HTML,
 * tables or math is backslash-escaped, and @mentions, #references and bare
 * URLs are broken with a zero-width joiner so they neither notify nor link.
 */
export function escapeMarkdown(value: unknown, options: { autolinks?: boolean } = {}): string {
  let s = toText(value).replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
  s = s.replace(MD_SPECIAL, (c) => `\\${c}`)
  // A leading list, heading, quote or setext marker would start a block where the text starts a line.
  s = s.replace(/^(\s*)([-+=])/, '$1\\$2').replace(/^(\s*\d+)([.)])/, '$1\\$2')
  // @mentions and team mentions notify people; an e-mail address autolinks.
  s = s.replace(/@(?=[A-Za-z0-9_-])/g, `@${ZWJ}`)
  // Bare URLs, www. and #123 / owner/repo#123 references autolink in GFM (not inside a link's own text).
  if (options.autolinks === false) return s
  s = s.replace(/#(?=[0-9])/g, `#${ZWJ}`)
  s = s.replace(/:\/\//g, `:${ZWJ}//`).replace(/(www)\./gi, `$1${ZWJ}.`)
  return s
}

/**
 * A Markdown code span: shown verbatim, so nothing inside links or mentions.
 * The fence is longer than any backtick run inside; `|` is still escaped
 * because GFM splits table cells on it even inside code.
 */
export function markdownCode(value: unknown): string {
  const s = toText(value).replace(/\r\n|[\r\n\u2028\u2029]/g, ' ').replace(/\|/g, '\\|')
  if (s === '') return ''
  const longest = Math.max(0, ...Array.from(s.matchAll(/`+/g), (m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad = s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' ')) ? ' ' : ''
  return `${fence}${pad}${s}${pad}${fence}`
}

/** An http(s) URL, or undefined: never javascript:, data: or anything else. */
export function safeUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  return url.href
}

/** A Markdown link to a URL we checked; the text is escaped. Unsafe URLs are shown as text only. */
export function markdownLink(url: unknown, label?: unknown): string {
  const href = safeUrl(url)
  const raw = label === undefined || label === null || label === '' ? url : label
  if (!href) return escapeMarkdown(raw)
  const text = escapeMarkdown(raw, { autolinks: false })
  // Parentheses, spaces and angle brackets would end or break the destination.
  const dest = href.replace(/[()<> |\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
  return `[${text}](${dest})`
}

/** Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/

/** One CSV cell (RFC 4180), with formula injection neutralised by a leading `'`. */
export function csvCell(value: unknown): string {
  let s = toText(value)
  if (FORMULA_START.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s
}

export function csvRow(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(',') + '\r\n'
}

function toText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.map(toText).join(', ')
  return String(value)
}
