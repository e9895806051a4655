import type { z } from 'zod'

import type { Playbook, RepoSelection } from '../playbook/schema.js'
import type { JournalRecord } from '../runner/journal.js'

/**
 * What a run concluded about the organisation. Steps raise it; the worst one
 * wins (clean < affected < unfixed). `affected` and `unfixed` exit with 1.
 */
export type RunOutcome = 'clean' | 'affected' | 'unfixed'

/** What every step sees of the run it belongs to. */
export interface RunInfo {
  id: string
  /** The run directory, `<runsDir>/<id>`; the only place a plan may write. */
  dir: string
  /** True when the run was started with `--apply`. */
  apply: boolean
  /** ISO timestamp of the first attempt. */
  startedAt: string
  /** Absolute path of the playbook file. */
  playbookFile: string
}

export interface Logger {
  info(message: string): void
  warn(message: string): void
  debug(message: string): void
}

/** Returned by an action's function to record it as skipped (with why) rather than done. */
export interface Skip {
  readonly skip: true
  readonly reason: string
}

export function skip(reason: string): Skip {
  return { skip: true, reason }
}

export function isSkip(value: unknown): value is Skip {
  return typeof value === 'object' && value !== null && (value as { skip?: unknown }).skip === true && typeof (value as { reason?: unknown }).reason === 'string'
}

/** How one per-repository action ended; failures are values, not exceptions. */
export type ActionResult<T> =
  | { status: 'done'; value: T; resumed?: boolean }
  | { status: 'skipped'; reason: string }
  | { status: 'planned'; plan?: unknown }
  | { status: 'failed'; error: string }

export interface ActionOptions {
  /** What the action would do; journaled and returned when the run only plans. */
  plan?: unknown
}

/** Read access to the journal, and a way to add a note to it. */
export interface StepJournal {
  /** Path of `journal.jsonl`. */
  readonly file: string
  /** Every record written so far (all attempts of this run). */
  records(): JournalRecord[]
  /** Append a `note` record (redacted) for this step. */
  note(message: string, data?: Record<string, unknown>): void
}

export interface StepContext<W = unknown> {
  run: RunInfo
  step: { id: string; uses: string; name?: string }
  /** The step's `with`, expressions evaluated and parsed by the step's schema. */
  with: W
  /** True with `--apply`. A step with `writes: true` runs its actions only then. */
  apply: boolean
  /** The playbook as loaded (expressions not evaluated). */
  playbook: Playbook
  /** The playbook's `repos`, expressions evaluated. */
  repos: RepoSelection | undefined
  /** Inputs after defaults and type coercion. */
  inputs: Record<string, unknown>
  /** The `advisory` context as set so far by earlier steps (or the run's options). */
  advisory: Record<string, unknown> | undefined
  log: Logger
  journal: StepJournal
  /** Aborted on Ctrl-C / SIGTERM and when `timeout-minutes` passes. */
  signal: AbortSignal
  /** Register a secret: it is replaced by `***` in outputs, the journal and reports. */
  redact(secret: string): void
  /**
   * One journaled, resumable piece of work on one repository (`key` names it
   * within the step, e.g. "branch" or "pull-request"). Journals action-start and
   * action-end. On resume an action recorded done is not run again: its value is
   * restored from the journal. When the step `writes` and the run does not
   * `apply`, `fn` is not called and the action is journaled as planned.
   * `fn` may return `skip(reason)`. A thrown error is returned as `failed`,
   * except cancellation, which propagates.
   */
  action<T>(repo: string, key: string, fn: (signal: AbortSignal) => Promise<T | Skip>, options?: ActionOptions): Promise<ActionResult<T>>
}

/** What a step hands back to the runner. */
export interface StepResult {
  /** Values for the outputs the step declares; anything else is an error. */
  outputs?: Record<string, unknown>
  /** Raise the run's outcome (worst wins). */
  outcome?: RunOutcome
  /** One line for the run's summary. */
  summary?: string
  /** Sets the `advisory` expression context for the following steps. */
  advisory?: Record<string, unknown>
}

export interface StepDefinition<S extends z.ZodType = z.ZodType> {
  /** What a playbook writes in `uses:`. */
  name: string
  description: string
  /** Schema of `with`; use z.strictObject so misspelt keys are caught. */
  with: S
  /** Output name -> description; `steps.<id>.outputs.<name>` may refer only to these. */
  outputs: Record<string, string>
  /** Touches anything outside the run directory (remote or local): planned unless `--apply`. */
  writes: boolean
  run(ctx: StepContext<z.output<S>>, input: z.output<S>): Promise<StepResult | void>
}

/** Helper that keeps the `with` type of a step definition. */
export function defineStep<S extends z.ZodType>(definition: StepDefinition<S>): StepDefinition<S> {
  return definition
}
