import { readFileSync } from 'node:fs'

import { LineCounter, parseDocument } from 'yaml'

import { PlaybookError } from '../errors.js'
import { steps as builtInSteps } from '../steps/index.js'
import type { StepDefinition } from '../steps/types.js'
import { checkSemantics, issueProblems } from './check.js'
import { resolveInputs } from './inputs.js'
import { formatProblem, nodeAt, problemAt, problemAtOffset } from './problems.js'
import type { PathItem, Problem, Source } from './problems.js'
import { PlaybookSchema } from './schema.js'
import type { Playbook } from './schema.js'

export type { Problem } from './problems.js'
export { formatProblem } from './problems.js'

export interface LoadOptions {
  /**
   * Inputs to check against the playbook's declarations (missing required,
   * undeclared, wrong type). Not checked when omitted.
   */
  inputs?: Record<string, unknown>
  /** Step registry; the built-in one by default. */
  registry?: ReadonlyMap<string, StepDefinition>
}

export interface LoadResult {
  /** Set when the playbook has no errors. */
  playbook?: Playbook
  warnings: Problem[]
  errors: Problem[]
}

/** Read and check a playbook file. Never throws for a bad playbook: problems are values. */
export function loadPlaybook(file: string, options: LoadOptions = {}): LoadResult {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message
    return { warnings: [], errors: [{ file, line: 1, col: 1, path: '(root)', message: `cannot read the playbook: ${reason}`, severity: 'error' }] }
  }
  return loadPlaybookText(text, file, options)
}

/** Check playbook text; `file` is used in problems only. */
export function loadPlaybookText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const source: Source = { file, text, doc, lines }
  const warnings = doc.warnings.map((w) => problemAtOffset(source, w.pos[0], [], `YAML: ${w.message}`, 'warning'))
  if (doc.errors.length > 0) {
    return { warnings, errors: doc.errors.map((e) => problemAtOffset(source, e.pos[0], [], `YAML syntax error: ${firstLine(e.message)}`)) }
  }

  const raw: unknown = doc.toJS({ maxAliasCount: 100 })
  const all: Problem[] = []
  const parsed = PlaybookSchema.safeParse(raw)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is PathItem => typeof p !== 'symbol')
      all.push(...issueProblems(source, PlaybookSchema, issue, [], path))
    }
  }
  all.push(...checkSemantics(source, raw, { registry: options.registry ?? builtInSteps }))
  if (options.inputs && parsed.success) {
    for (const problem of resolveInputs(parsed.data, options.inputs).problems) {
      const declared = parsed.data.inputs && problem.input in parsed.data.inputs
      const path: PathItem[] = declared ? ['inputs', problem.input] : ['inputs']
      // A missing input points at its declaration; an undeclared one at `inputs:`.
      all.push(problemAt(source, parsed.data.inputs ? nodeAt(source, path, true) : undefined, path, problem.message))
    }
  }

  const errors = dedupe(all.filter((p) => p.severity === 'error'))
  warnings.push(...all.filter((p) => p.severity === 'warning'))
  errors.sort(byPlace)
  warnings.sort(byPlace)
  return { playbook: errors.length === 0 && parsed.success ? parsed.data : undefined, warnings, errors }
}

/** Load a playbook or throw a PlaybookError listing every problem. */
export function loadPlaybookOrThrow(file: string, options: LoadOptions = {}): { playbook: Playbook; warnings: Problem[] } {
  const result = loadPlaybook(file, options)
  if (!result.playbook) {
    const problems = result.errors.map(formatProblem)
    throw new PlaybookError(`${file}: the playbook has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.join('\n')}`, problems)
  }
  return { playbook: result.playbook, warnings: result.warnings }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message
}

function byPlace(a: Problem, b: Problem): number {
  return a.line - b.line || a.col - b.col
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const key = formatProblem(p)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
