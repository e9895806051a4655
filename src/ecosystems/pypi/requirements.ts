/**
 * requirements.txt / constraints.txt / pip-tools `.in`, read the way pip's
 * req_file.py reads them: physical lines joined on a trailing `\` (unless the
 * line is a comment), comments stripped (`#` at the start or after
 * whitespace, so `#egg=` stays), then each logical line is either an option
 * line (starts with `-`) or a requirement that ends at the first token
 * starting with `-` (`--hash`, `-C`, ...). `-r`/`-c` targets are reported in
 * `includes`, never folded in: each file is its own inventory.
 */
import { posix } from 'node:path'
import type { Extraction, SourceFile } from '../types.js'
import { Collector, rejectBinary } from './common.js'
import { exactPin, looksLikeUrlOrPath, parseRequirement } from './pep508.js'

// Python's str.splitlines() boundaries, which pip uses (the file separators \x1c-\x1e included).
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/
const COMMENT_LINE = /^\s*#/
const COMMENT = /(^|\s+)#.*$/

interface Pending {
  name: string
  version?: string
  range?: string
  line: number
  via: string[]
}

export function extractRequirements(file: SourceFile, kind: string): Extraction {
  const out = new Collector(file.path)
  if (rejectBinary(file.content, out, 'a pip requirements file')) return out.result(kind)
  const includes: string[] = []
  const pending: Pending[] = []
  let last: Pending | undefined
  let inVia = false

  for (const { line, text, raw, comment } of logicalLines(file.content)) {
    if (comment !== undefined) {
      // pip-compile / uv annotations: `# via x` or `# via` then `#   x` lines.
      const via = /^\s*#\s*via\b\s*(.*)$/.exec(comment)
      if (via) {
        inVia = true
        if (last && via[1]) last.via.push(...splitVia(via[1]))
      } else if (inVia && last) {
        const item = /^\s*#\s+(\S.*)$/.exec(comment)?.[1]
        if (item) last.via.push(item.trim())
        else inVia = false
      }
      continue
    }
    inVia = false
    last = undefined
    if (text.startsWith('-')) {
      readOptionLine(text, line, file.path, includes, out)
      continue
    }
    const requirement = readRequirementLine(text, line, out)
    if (requirement) {
      pending.push(requirement)
      last = requirement
      // Older pip-compile writes `name==1.0  # via a, b` on the requirement's own line.
      const inline = /\s#\s*via\s+(.*)$/.exec(raw)
      if (inline?.[1]) requirement.via.push(...splitVia(inline[1]))
    }
  }

  for (const r of pending) {
    // Annotated (compiled) files say which entries the input asked for (`-r file`);
    // the others were pulled in by another package.
    const direct = r.via.length === 0 || r.via.some((v) => /^-r\s|^--requirement\b/.test(v))
    if (r.version !== undefined) out.addPackage({ name: r.name, version: r.version, line: r.line, direct, dev: false })
    else if (r.range !== undefined) out.addRange(r.name, r.range, r.line, false)
  }
  return out.result(kind, includes)
}

/** Logical lines with their first physical line; comment lines are passed through for annotations. */
function* logicalLines(content: string): Generator<{ line: number; text: string; raw: string; comment?: string }> {
  const physical = content.split(LINE_BREAK)
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop()
  let joined: string[] = []
  let first = 0
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i] as string
    const isComment = COMMENT_LINE.test(raw)
    if (isComment && joined.length === 0) {
      yield { line: i + 1, text: '', raw, comment: raw }
      continue
    }
    if (!raw.endsWith('\\') || isComment) {
      // A comment line ends a continuation, and is dropped with the comment strip below.
      const text = joined.length > 0 ? joined.join('') + (isComment ? ' ' + raw : raw) : raw
      const line = joined.length > 0 ? first : i + 1
      joined = []
      const stripped = text.replace(COMMENT, '').trim()
      if (stripped) yield { line, text: stripped, raw: text }
      continue
    }
    if (joined.length === 0) first = i + 1
    joined.push(raw.replace(/^\\+|\\+$/g, ''))
  }
  if (joined.length > 0) {
    const text = joined.join('')
    const stripped = text.replace(COMMENT, '').trim()
    if (stripped) yield { line: first, text: stripped, raw: text }
  }
}

function readRequirementLine(text: string, line: number, out: Collector): Pending | undefined {
  const tokens = text.split(/[ \t]+/)
  const cut = tokens.findIndex((t) => t.startsWith('-'))
  const args = (cut < 0 ? tokens : tokens.slice(0, cut)).join(' ').trim()
  if (!args) return undefined
  // `${VAR}` is substituted from the environment by pip: no version can be read here.
  if (args.includes('${')) return undefined
  if (looksLikeUrlOrPath(args)) return undefined
  const parsed = parseRequirement(args)
  if (!parsed.ok) {
    out.error(`invalid requirement: ${parsed.error}`, line)
    return undefined
  }
  const req = parsed.requirement
  if (req.url !== undefined) return undefined
  const version = exactPin(req.clauses)
  if (version !== undefined) return { name: req.name, version, line, via: [] }
  return { name: req.name, range: req.specifier, line, via: [] }
}

function readOptionLine(text: string, line: number, from: string, includes: string[], out: Collector): void {
  const tokens = text.split(/\s+/).filter(Boolean)
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string
    // optparse spellings: `--requirement=f`, `--requirement f`, `-rf`, `-r f`.
    const long = /^--(requirement|constraint)(?:=(.*))?$/.exec(token)
    const short = long ? undefined : /^-([rc])(.*)$/.exec(token)
    if (!long && !short) continue
    const option = long ? `--${long[1]}` : `-${short?.[1]}`
    let target = (long ? long[2] : short?.[2]) ?? ''
    if (!target) target = tokens[++i] ?? ''
    target = target.replace(/^["']|["']$/g, '')
    if (!target) {
      out.error(`expected a file name after '${option}'`, line)
      continue
    }
    const resolved = resolveInclude(from, target)
    if (resolved !== undefined && !includes.includes(resolved)) includes.push(resolved)
  }
}

/**
 * Where an include points, relative to the scanned root: resolved against
 * the including file's folder, as pip does. URLs, absolute paths and paths
 * that leave the root cannot be read from the tree and are left out.
 */
export function resolveInclude(from: string, target: string): string | undefined {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target) || target.startsWith('/') || /^[A-Za-z]:[\\/]/.test(target)) return undefined
  const joined = posix.normalize(posix.join(posix.dirname(from), target.replace(/\\/g, '/')))
  if (joined === '..' || joined.startsWith('../')) return undefined
  return joined.replace(/^\.\//, '')
}

/**
 * Every requirements file reachable from `start` through `-r`/`-c`, each
 * once, in the order first reached: a file that includes itself, or a cycle
 * of includes, ends instead of looping.
 */
export function followIncludes(start: string, includesOf: (path: string) => readonly string[] | undefined): string[] {
  const seen = new Set<string>([start])
  const order = [start]
  for (let i = 0; i < order.length; i++) {
    for (const next of includesOf(order[i] as string) ?? []) {
      if (seen.has(next)) continue
      seen.add(next)
      order.push(next)
    }
  }
  return order
}

function splitVia(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}
