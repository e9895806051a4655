import { UsageError } from '../errors.js'
import { didYouMean } from './expressions.js'
import type { InputType, Playbook } from './schema.js'

/** `--input k=v` flags -> { k: v }. The value may itself contain `=`. */
export function parseInputFlags(flags: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=')
    if (eq <= 0) throw new UsageError(`--input ${flag}: expected name=value`, 'e.g. --input advisory=MAL-2025-1234')
    out[flag.slice(0, eq).trim()] = flag.slice(eq + 1)
  }
  return out
}

/** A problem with the inputs; `input` names the input concerned. */
export interface InputProblem {
  input: string
  message: string
}

/** Convert a value given on the command line (or a default) to the input's type. */
export function coerceInput(value: unknown, type: InputType | undefined): { value?: unknown; error?: string } {
  const kind = type ?? 'string'
  if (kind === 'list') {
    if (Array.isArray(value)) return { value: value.map(String) }
    return { value: String(value).split(',').map((s) => s.trim()).filter((s) => s !== '') }
  }
  if (kind === 'number') {
    const n = typeof value === 'number' ? value : String(value).trim() === '' ? NaN : Number(value)
    return Number.isFinite(n) ? { value: n } : { error: `expected a number, got '${String(value)}'` }
  }
  if (kind === 'boolean') {
    if (typeof value === 'boolean') return { value }
    const s = String(value).trim().toLowerCase()
    if (s === 'true') return { value: true }
    if (s === 'false') return { value: false }
    return { error: `expected true or false, got '${String(value)}'` }
  }
  return { value: Array.isArray(value) ? value.join(',') : String(value) }
}

/**
 * The inputs of a run: given values and defaults, converted to their types.
 * Problems: an input that is not declared, a required one that is missing, a
 * value of the wrong type.
 */
export function resolveInputs(playbook: Pick<Playbook, 'inputs'>, given: Record<string, unknown>): { values: Record<string, unknown>; problems: InputProblem[] } {
  const declared = playbook.inputs ?? {}
  const values: Record<string, unknown> = {}
  const problems: InputProblem[] = []
  for (const name of Object.keys(given)) {
    if (!(name in declared)) {
      const names = Object.keys(declared)
      problems.push({ input: name, message: `input '${name}' is not declared by the playbook${didYouMean(name, names)}${names.length ? `; it declares ${names.join(', ')}` : '; it declares no inputs'}` })
    }
  }
  for (const [name, spec] of Object.entries(declared)) {
    const raw = name in given ? given[name] : spec.default
    if (raw === undefined) {
      if (spec.required) problems.push({ input: name, message: `required input '${name}' is missing${spec.description ? ` (${spec.description})` : ''}; give it with --input ${name}=VALUE` })
      continue
    }
    const { value, error } = coerceInput(raw, spec.type)
    if (error) problems.push({ input: name, message: `input '${name}': ${error}` })
    else values[name] = value
  }
  return { values, problems }
}
