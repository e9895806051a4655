import { isMap, isPair, isScalar, isSeq } from 'yaml'
import type { Node } from 'yaml'
import type { z } from 'zod'

import type { StepDefinition } from '../steps/types.js'
import {
  CONTEXTS,
  ExpressionSyntaxError,
  RUN_FIELDS,
  STEP_FIELDS,
  didYouMean,
  findSegments,
  hasExpression,
  parseExpression,
  references,
  singleSegment,
} from './expressions.js'
import type { Reference } from './expressions.js'
import { knownKeysAt, nodeAt, problemAt, problemAtOffset, scalarOffset } from './problems.js'
import type { PathItem, Problem, Source } from './problems.js'

/** What the checks need to know besides the file. */
export interface CheckOptions {
  /** `uses:` name -> step definition. */
  registry: ReadonlyMap<string, StepDefinition>
}

type Raw = Record<string, unknown>

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const lower = (s: string): string => s.toLowerCase()

/** Checks beyond the schema: step ids, `uses`, `with`, expressions. */
export function checkSemantics(source: Source, raw: unknown, options: CheckOptions): Problem[] {
  if (!isObject(raw)) return []
  const problems: Problem[] = []
  const steps = Array.isArray(raw.steps) ? raw.steps : []
  const ids = new Map<string, number>()
  const uses = new Map<string, string>()

  steps.forEach((step: unknown, index) => {
    if (!isObject(step)) return
    if (typeof step.id === 'string') {
      const first = ids.get(step.id)
      if (first !== undefined) {
        const line = source.lines.linePos(nodeAt(source, ['steps', first, 'id'])?.range?.[0] ?? 0).line
        problems.push(problemAt(source, nodeAt(source, ['steps', index, 'id']), ['steps', index, 'id'], `duplicate step id '${step.id}' (first used by steps[${first}] at line ${line})`))
      } else {
        ids.set(step.id, index)
        if (typeof step.uses === 'string') uses.set(step.id, step.uses)
      }
    }
    if (typeof step.uses === 'string' && step.uses !== '') {
      const definition = options.registry.get(step.uses)
      if (!definition) {
        const known = [...options.registry.keys()]
        const list = known.length ? `; known steps: ${known.sort().join(', ')}` : '; no steps are registered'
        problems.push(problemAt(source, nodeAt(source, ['steps', index, 'uses']), ['steps', index, 'uses'], `unknown step '${step.uses}'${didYouMean(step.uses, known)}${list}`))
      } else {
        problems.push(...checkWith(source, index, step.with ?? {}, definition))
      }
    }
  })

  const scope: Scope = { raw, ids, uses, registry: options.registry }
  problems.push(...checkExpressions(source, scope))
  return problems
}

/** Validate `with` against the step's schema; strings holding expressions are checked when the run evaluates them. */
function checkWith(source: Source, index: number, value: unknown, definition: StepDefinition): Problem[] {
  const result = definition.with.safeParse(value)
  if (result.success) return []
  const base: PathItem[] = ['steps', index, 'with']
  const problems: Problem[] = []
  for (const issue of result.error.issues) {
    const path = issue.path.filter((p): p is PathItem => typeof p !== 'symbol')
    const at = valueAt(value, path)
    if (typeof at === 'string' && hasExpression(at)) continue
    problems.push(...issueProblems(source, definition.with, issue, base, path, `step '${definition.name}': `))
  }
  return problems
}

export function valueAt(value: unknown, path: readonly PathItem[]): unknown {
  let current = value
  for (const item of path) {
    if (Array.isArray(current) && typeof item === 'number') current = current[item]
    else if (isObject(current)) current = current[String(item)]
    else return undefined
  }
  return current
}

/** Turn one zod issue into problems placed at the offending node. */
export function issueProblems(source: Source, schema: z.ZodType, issue: z.core.$ZodIssue, base: readonly PathItem[], path: readonly PathItem[], prefix = ''): Problem[] {
  const full = [...base, ...path]
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, path)
    return issue.keys.map((key) =>
      problemAt(source, nodeAt(source, [...full, key], true), [...full, key], `${prefix}unknown key '${key}'${didYouMean(key, known)}${known.length ? `; expected one of ${known.join(', ')}` : ''}`),
    )
  }
  const node = nodeAt(source, full)
  const missing = issue.code === 'invalid_type' && node !== undefined && nodeAt(source, full.slice(0, -1)) === node && full.length > 0
  if (missing) {
    return [problemAt(source, node, full.slice(0, -1), `${prefix}missing required key '${String(full[full.length - 1])}'`)]
  }
  return [problemAt(source, node, full, prefix + issue.message)]
}

interface Scope {
  raw: Raw
  ids: Map<string, number>
  uses: Map<string, string>
  registry: ReadonlyMap<string, StepDefinition>
}

/** Every string in the document that holds `${{ }}`, and every `if:`. */
function checkExpressions(source: Source, scope: Scope): Problem[] {
  const problems: Problem[] = []
  const visit = (node: Node | null | undefined, path: PathItem[]): void => {
    if (!node) return
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue
        visit(pair.value as Node | null, [...path, String(pair.key.value)])
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item as Node, [...path, i]))
    } else if (isScalar(node) && typeof node.value === 'string') {
      const isIf = path.length === 3 && path[0] === 'steps' && path[2] === 'if'
      problems.push(...checkString(source, scope, node, path, node.value, isIf))
    }
  }
  visit(source.doc.contents as Node | null, [])
  return problems
}

function checkString(source: Source, scope: Scope, node: Node, path: PathItem[], value: string, isIf: boolean): Problem[] {
  const stepIndex = path[0] === 'steps' && typeof path[1] === 'number' ? path[1] : undefined
  const expressions: { source: string; offset: number }[] = []
  try {
    if (isIf && !hasExpression(value)) expressions.push({ source: value, offset: 0 })
    else {
      const segments = findSegments(value)
      if (isIf && segments.length > 0 && !singleSegment(value)) {
        return [problemAt(source, node, path, 'this if: mixes text with ${{ }}, so it is a non-empty string and always true; write the whole condition inside one ${{ }}', 'warning')]
      }
      for (const s of segments) expressions.push({ source: s.source, offset: s.start + 3 })
    }
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error
    return [problemAtOffset(source, scalarOffset(source, node, error.offset, '${{'), path, `invalid expression: ${error.message}`)]
  }
  const problems: Problem[] = []
  for (const expression of expressions) {
    const hint = isIf && !hasExpression(value) ? undefined : '${{' + expression.source + '}}'
    const at = (offset: number): number => {
      const exact = scalarOffset(source, node, expression.offset + offset)
      return exact === (node.range?.[0] ?? 0) && hint ? scalarOffset(source, node, 0, hint) : exact
    }
    let expr
    try {
      expr = parseExpression(expression.source, { statusFunctions: isIf })
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error
      problems.push(problemAtOffset(source, at(error.offset), path, `invalid expression '${expression.source.trim()}': ${error.message}`))
      continue
    }
    for (const ref of references(expr, expression.source)) {
      const message = checkReference(scope, ref, stepIndex)
      if (message) problems.push(problemAtOffset(source, at(ref.offset), path, message))
    }
  }
  return problems
}

function findName(names: Iterable<string>, name: string): string | undefined {
  for (const n of names) if (lower(n) === lower(name)) return n
  return undefined
}

/** Why a reference cannot be resolved, or undefined when it can. */
function checkReference(scope: Scope, ref: Reference, stepIndex: number | undefined): string | undefined {
  const [context, name, field, output] = ref.path
  if (name === undefined) return undefined
  switch (context as (typeof CONTEXTS)[number]) {
    case 'inputs': {
      const declared = isObject(scope.raw.inputs) ? Object.keys(scope.raw.inputs) : []
      if (findName(declared, name)) return undefined
      return `unknown input '${name}'${didYouMean(name, declared)}${declared.length ? `; the playbook declares ${declared.join(', ')}` : '; the playbook declares no inputs'}`
    }
    case 'env': {
      const listed = Array.isArray(scope.raw.env) ? scope.raw.env.filter((e): e is string => typeof e === 'string') : []
      if (listed.includes(name)) return undefined
      return `env.${name} is not listed in env:${didYouMean(name, listed)}; a playbook reads only the environment variables it lists`
    }
    case 'run':
      if (findName(RUN_FIELDS, name)) return undefined
      return `run has no '${name}'${didYouMean(name, RUN_FIELDS)}; it has ${RUN_FIELDS.join(', ')}`
    case 'steps': {
      if (stepIndex === undefined) return `steps.${name}: the steps context is available only inside steps`
      const id = findName(scope.ids.keys(), name)
      if (id === undefined) return `unknown step '${name}'${didYouMean(name, scope.ids.keys())}`
      const index = scope.ids.get(id)!
      if (index === stepIndex) return `step '${id}' refers to its own outputs`
      if (index > stepIndex) return `step '${id}' runs after this one (steps[${index}]), so its outputs are not known yet`
      if (field === undefined) return undefined
      if (!findName(STEP_FIELDS, field)) return `steps.${id} has no '${field}'${didYouMean(field, STEP_FIELDS)}; it has ${STEP_FIELDS.join(', ')}`
      if (lower(field) !== 'outputs' || output === undefined) return undefined
      const uses = scope.uses.get(id)
      const definition = uses === undefined ? undefined : scope.registry.get(uses)
      if (!definition) return undefined // unknown step: reported at its uses:
      const declared = Object.keys(definition.outputs)
      if (findName(declared, output)) return undefined
      return `step '${id}' (${definition.name}) has no output '${output}'${didYouMean(output, declared)}${declared.length ? `; it declares ${declared.join(', ')}` : '; it declares no outputs'}`
    }
    default:
      return undefined
  }
}
