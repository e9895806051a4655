/**
 * Line diffs for plans and for turning an edited text back into replacements
 * on the original. Lines keep their terminators, so a changed line ending is a
 * changed line. Files here are manifests (small), and the common prefix and
 * suffix are cut first, so the quadratic LCS runs on a few lines only.
 */
import type { Replacement } from '../ecosystems/types.js'

/** Lines with their terminators (`\n`, `\r\n`); the last may have none. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? []
}

type Op = { kind: 'same' | 'del' | 'add'; line: string }

/** Longest-common-subsequence edit script over lines. */
function script(a: string[], b: string[]): Op[] {
  let pre = 0
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++
  let suf = 0
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++
  const x = a.slice(pre, a.length - suf)
  const y = b.slice(pre, b.length - suf)
  const n = x.length
  const m = y.length
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  }
  const ops: Op[] = a.slice(0, pre).map((line) => ({ kind: 'same', line }))
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      ops.push({ kind: 'same', line: x[i]! })
      i++
      j++
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Deletions before additions, as git prints them.
      ops.push({ kind: 'del', line: x[i++]! })
    } else {
      ops.push({ kind: 'add', line: y[j++]! })
    }
  }
  for (const line of a.slice(a.length - suf)) ops.push({ kind: 'same', line })
  return ops
}

/**
 * A unified diff (`git diff` style, 3 lines of context) of one file; '' when
 * the texts are equal. A last line without a newline is marked as git marks it.
 */
export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  if (before === after) return ''
  const ops = script(splitLines(before), splitLines(after))
  const out = [`--- a/${file}`, `+++ b/${file}`]
  // Indices of changed ops, grouped into hunks that share context.
  const changed = ops.map((op, k) => (op.kind === 'same' ? -1 : k)).filter((k) => k >= 0)
  let h = 0
  while (h < changed.length) {
    let start = Math.max(0, changed[h]! - context)
    let end = Math.min(ops.length, changed[h]! + context + 1)
    while (h + 1 < changed.length && changed[h + 1]! - context <= end) {
      h++
      end = Math.min(ops.length, changed[h]! + context + 1)
    }
    h++
    let oldStart = 1
    let newStart = 1
    for (let k = 0; k < start; k++) {
      if (ops[k]!.kind !== 'add') oldStart++
      if (ops[k]!.kind !== 'del') newStart++
    }
    const body: string[] = []
    let oldCount = 0
    let newCount = 0
    for (let k = start; k < end; k++) {
      const op = ops[k]!
      const mark = op.kind === 'same' ? ' ' : op.kind === 'del' ? '-' : '+'
      if (op.kind !== 'add') oldCount++
      if (op.kind !== 'del') newCount++
      const ends = op.line.endsWith('\n')
      body.push(mark + (ends ? op.line.slice(0, -1) : op.line))
      if (!ends) body.push('\\ No newline at end of file')
    }
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`, ...body)
    start = end
  }
  return out.join('\n') + '\n'
}

function range(start: number, count: number): string {
  const s = count === 0 ? start - 1 : start
  return count === 1 ? `${s}` : `${s},${count}`
}

/** The changed line blocks of `after` against `before`, as replacements on `before`. */
export function replacementsBetween(before: string, after: string): Replacement[] {
  if (before === after) return []
  const ops = script(splitLines(before), splitLines(after))
  const out: Replacement[] = []
  let offset = 0
  let k = 0
  while (k < ops.length) {
    if (ops[k]!.kind === 'same') {
      offset += ops[k]!.line.length
      k++
      continue
    }
    const start = offset
    let text = ''
    while (k < ops.length && ops[k]!.kind !== 'same') {
      if (ops[k]!.kind === 'del') offset += ops[k]!.line.length
      else text += ops[k]!.line
      k++
    }
    out.push({ start, end: offset, text })
  }
  return out
}

/** Applies replacements (sorted, not overlapping) to the original text. */
export function applyReplacements(text: string, replacements: readonly Replacement[]): string {
  let out = ''
  let at = 0
  for (const r of [...replacements].sort((p, q) => p.start - q.start)) {
    if (r.start < at || r.end < r.start || r.end > text.length) throw new Error(`overlapping or out-of-range replacement [${r.start}, ${r.end})`)
    out += text.slice(at, r.start) + r.text
    at = r.end
  }
  return out + text.slice(at)
}
