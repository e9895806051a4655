import { Evaluator, Lexer, Parser, data } from '@actions/expressions'
import type { Expr } from '@actions/expressions'
import { ContextAccess, FunctionCall, Grouping, IndexAccess, Literal, Logical, Binary, Unary } from '@actions/expressions/ast'
import type { FunctionDefinition, FunctionInfo } from '@actions/expressions/funcs/info'

/**
 * GitHub Actions expressions (`${{ }}` and `if:`), parsed and evaluated with
 * GitHub's own @actions/expressions so authors reuse what they know.
 */

export const CONTEXTS = ['inputs', 'advisory', 'steps', 'run', 'env'] as const
export type ContextName = (typeof CONTEXTS)[number]

/** Fields of the `run` context. */
export const RUN_FIELDS = ['id', 'apply', 'dir', 'started-at'] as const

/** Fields of `steps.<id>`. */
export const STEP_FIELDS = ['outputs', 'outcome'] as const

/** Status functions, allowed in `if:` only (as in GitHub Actions). */
export const STATUS_FUNCTIONS: FunctionInfo[] = ['success', 'failure', 'always', 'cancelled'].map((name) => ({ name, minArgs: 0, maxArgs: 0 }))

/** One `${{ }}` inside a string: offsets of `${{` and just past `}}`, and the text between. */
export interface Segment {
  start: number
  end: number
  source: string
}

export class ExpressionSyntaxError extends Error {
  /** Offset within the expression source (0-based). */
  readonly offset: number
  constructor(message: string, offset: number) {
    super(message)
    this.name = 'ExpressionSyntaxError'
    this.offset = offset
  }
}

/** True when the string holds at least one `${{`. */
export function hasExpression(value: string): boolean {
  return value.includes('${{')
}

/**
 * Find the `${{ }}` segments of a string. `}}` inside a quoted literal does not
 * close a segment. An unclosed `${{` is a syntax error at its offset.
 */
export function findSegments(value: string): Segment[] {
  const segments: Segment[] = []
  let from = 0
  for (;;) {
    const start = value.indexOf('${{', from)
    if (start < 0) return segments
    let i = start + 3
    let inString = false
    let end = -1
    for (; i < value.length; i++) {
      const c = value[i]
      if (c === "'") inString = !inString
      else if (!inString && c === '}' && value[i + 1] === '}') {
        end = i + 2
        break
      }
    }
    if (end < 0) throw new ExpressionSyntaxError("'${{' is not closed by '}}'", start)
    segments.push({ start, end, source: value.slice(start + 3, end - 2) })
    from = end
  }
}

/** The string is exactly one `${{ }}` (surrounding whitespace allowed): its value keeps its type. */
export function singleSegment(value: string): Segment | undefined {
  const segments = findSegments(value)
  if (segments.length !== 1) return undefined
  const [only] = segments as [Segment]
  if (value.slice(0, only.start).trim() !== '' || value.slice(only.end).trim() !== '') return undefined
  return only
}

export interface ParseOptions {
  /** Allow success(), failure(), always(), cancelled(). */
  statusFunctions?: boolean
}

/** Parse one expression (the text inside `${{ }}`, or an `if:` value). */
export function parseExpression(source: string, options: ParseOptions = {}): Expr | undefined {
  let tokens
  try {
    tokens = new Lexer(source).lex().tokens
  } catch (error) {
    const message = (error as Error).message
    const at = /Located at position (\d+)/.exec(message)
    throw new ExpressionSyntaxError(message.replace(/\. Located at position.*$/s, ''), at ? Number(at[1]) - 1 : 0)
  }
  try {
    return new Parser(tokens, [...CONTEXTS], options.statusFunctions ? STATUS_FUNCTIONS : []).parse()
  } catch (error) {
    const pos = (error as { pos?: { line: number; column: number } }).pos
    throw new ExpressionSyntaxError(describeParseError(error as Error, options), pos ? offsetOf(source, pos) : 0)
  }
}

function describeParseError(error: Error, options: ParseOptions): string {
  const named = /^Unrecognized named-value: '(.*)'$/.exec(error.message)
  if (named) return `unknown context '${named[1]}'${didYouMean(named[1] ?? '', CONTEXTS)}; expected one of ${CONTEXTS.join(', ')}`
  const fn = /^Unrecognized function: '(.*)'$/.exec(error.message)
  if (fn && !options.statusFunctions && STATUS_FUNCTIONS.some((f) => f.name === fn[1]?.toLowerCase())) {
    return `${fn[1]}() is allowed only in if:`
  }
  return error.message
}

function offsetOf(source: string, pos: { line: number; column: number }): number {
  let offset = 0
  for (let line = 0; line < pos.line; line++) offset = source.indexOf('\n', offset) + 1
  return offset + pos.column
}

/** A property path read by an expression, e.g. ['steps', 'scan', 'outputs', 'count']. */
export interface Reference {
  path: string[]
  /** Offset of the context name within the expression source. */
  offset: number
  /** Source line/column of the context token inside the expression. */
  pos: { line: number; column: number }
}

/** Every context path an expression reads, as far as it is made of literal names. */
export function references(expr: Expr | undefined, source: string): Reference[] {
  const found: Reference[] = []
  const walk = (node: Expr | undefined): void => {
    if (!node) return
    if (node instanceof IndexAccess || node instanceof ContextAccess) {
      const names: string[] = []
      let current: Expr = node
      while (current instanceof IndexAccess) {
        const index: Expr = current.index
        if (index instanceof Literal && index.literal instanceof data.StringData) names.unshift(index.literal.value)
        else {
          names.length = 0 // a computed index: only the names before it are known
          walk(index)
        }
        current = current.expr
      }
      if (current instanceof ContextAccess) {
        const pos = current.name.range.start
        found.push({ path: [current.name.lexeme.toLowerCase(), ...names], offset: offsetOf(source, pos), pos })
      } else walk(current)
      return
    }
    if (node instanceof Unary) walk(node.expr)
    else if (node instanceof Binary) {
      walk(node.left)
      walk(node.right)
    } else if (node instanceof Logical) node.args.forEach(walk)
    else if (node instanceof Grouping) walk(node.group)
    else if (node instanceof FunctionCall) node.args.forEach(walk)
  }
  walk(expr)
  return found
}

/** Turn a plain JS value into expression data. */
export function toData(value: unknown): data.ExpressionData {
  if (value === null || value === undefined) return new data.Null()
  if (typeof value === 'string') return new data.StringData(value)
  if (typeof value === 'number') return new data.NumberData(value)
  if (typeof value === 'boolean') return new data.BooleanData(value)
  if (Array.isArray(value)) return new data.Array(...value.map(toData))
  if (typeof value === 'object') {
    return new data.Dictionary(...Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: toData(v) })))
  }
  return new data.StringData(String(value))
}

/** Turn expression data back into a plain JS value. */
export function fromData(value: data.ExpressionData | undefined): unknown {
  if (value === undefined || value instanceof data.Null) return null
  if (value instanceof data.StringData || value instanceof data.NumberData || value instanceof data.BooleanData) return value.value
  if (value instanceof data.Array) return value.values().map(fromData)
  if (value instanceof data.Dictionary) return Object.fromEntries(value.pairs().map((p) => [p.key, fromData(p.value)]))
  return null
}

/** The values of the contexts, as plain data. */
export interface Contexts {
  inputs: Record<string, unknown>
  advisory?: Record<string, unknown>
  steps: Record<string, { outputs: Record<string, unknown>; outcome?: string }>
  run: { id: string; apply: boolean; dir: string; 'started-at': string }
  /** Only the names the playbook lists. */
  env: Record<string, string>
}

/** The run's status, read by success(), failure(), always(), cancelled(). */
export interface Status {
  failed: boolean
  cancelled: boolean
}

function dictionary(contexts: Contexts): data.Dictionary {
  return new data.Dictionary(
    { key: 'inputs', value: toData(contexts.inputs) },
    { key: 'advisory', value: toData(contexts.advisory ?? {}) },
    { key: 'steps', value: toData(contexts.steps) },
    { key: 'run', value: toData(contexts.run) },
    { key: 'env', value: toData(contexts.env) },
  )
}

function statusFunctions(status: Status): Map<string, FunctionDefinition> {
  const make = (name: string, value: () => boolean): [string, FunctionDefinition] => [name, { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value()) }]
  return new Map([
    make('success', () => !status.failed && !status.cancelled),
    make('failure', () => status.failed && !status.cancelled),
    make('always', () => true),
    make('cancelled', () => status.cancelled),
  ])
}

/** Evaluate one expression source to a plain value. */
export function evaluateExpression(source: string, contexts: Contexts, status?: Status): unknown {
  const expr = parseExpression(source, { statusFunctions: status !== undefined })
  if (!expr) return null
  const evaluator = new Evaluator(expr, dictionary(contexts), status ? statusFunctions(status) : undefined)
  return fromData(evaluator.evaluate())
}

/** String form of a value interpolated into a larger string (as GitHub Actions does). */
function interpolated(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/**
 * Evaluate the `${{ }}` in a string. A value that is exactly one `${{ }}`
 * keeps the expression's type; otherwise each is interpolated as a string.
 */
export function evaluateString(value: string, contexts: Contexts): unknown {
  if (!hasExpression(value)) return value
  const single = singleSegment(value)
  if (single) return evaluateExpression(single.source, contexts)
  let out = ''
  let last = 0
  for (const segment of findSegments(value)) {
    out += value.slice(last, segment.start) + interpolated(evaluateExpression(segment.source, contexts))
    last = segment.end
  }
  return out + value.slice(last)
}

/** Evaluate every string inside a value (objects and arrays walked). */
export function evaluateDeep(value: unknown, contexts: Contexts): unknown {
  if (typeof value === 'string') return evaluateString(value, contexts)
  if (Array.isArray(value)) return value.map((v) => evaluateDeep(v, contexts))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, evaluateDeep(v, contexts)]))
  }
  return value
}

/** The expression source of an `if:` value (with or without `${{ }}`), or undefined when it is an interpolated string. */
export function conditionSource(condition: string): string | undefined {
  if (!hasExpression(condition)) return condition
  return singleSegment(condition)?.source
}

/**
 * Decide an `if:`. Without a status function the condition holds only when no
 * earlier step failed and the run is not cancelled (GitHub's implicit success()).
 */
export function evaluateCondition(condition: string | boolean | undefined, contexts: Contexts, status: Status): boolean {
  const healthy = !status.failed && !status.cancelled
  if (condition === undefined) return healthy
  if (typeof condition === 'boolean') return healthy && condition
  const source = conditionSource(condition)
  if (source === undefined) return healthy && interpolated(evaluateString(condition, contexts)) !== ''
  const usesStatus = /\b(success|failure|always|cancelled)\s*\(/i.test(source)
  const result = Boolean(evaluateExpression(source, contexts, status))
  return usesStatus ? result : healthy && result
}

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

/** The closest candidate, when close enough to be a likely typo (one edit per three characters). */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  const limit = Math.max(1, Math.floor(name.length / 3))
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance && d <= limit && d < Math.max(name.length, candidate.length)) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** " (did you mean 'x'?)" or "". */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const match = closest(name, candidates)
  return match === undefined ? '' : ` (did you mean '${match}'?)`
}
