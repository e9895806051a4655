import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

import { CancelledError, ExitCode, FirebreakError, UsageError } from '../errors.js'
import type { ErrorCode } from '../errors.js'
import { evaluateCondition, evaluateDeep } from '../playbook/expressions.js'
import type { Contexts, Status } from '../playbook/expressions.js'
import { resolveInputs } from '../playbook/inputs.js'
import { formatProblem, loadPlaybookOrThrow } from '../playbook/load.js'
import { Redactor } from '../playbook/redact.js'
import type { Playbook, PlaybookStep, RepoSelection } from '../playbook/schema.js'
import { steps as builtInSteps } from '../steps/index.js'
import type { Logger, RunInfo, RunOutcome, StepDefinition, StepResult } from '../steps/types.js'
import { JournalWriter, readJournal } from './journal.js'
import type { JournalRecord, RunState, StepStatus } from './journal.js'
import { JOURNAL_FILE, currentHost, currentUser, isAlive, newRunId, readMeta, resolveRunsDir, runDir, writeMeta } from './runs.js'
import type { RunMeta } from './runs.js'
import { createStepContext, doneActions } from './step-context.js'
import type { ActionCounts } from './step-context.js'

export interface StartRunOptions {
  playbookFile: string
  /** Inputs as given (`--input k=v`); converted to the declared types. On resume, merged over the first attempt's. */
  inputs?: Record<string, unknown>
  /** Execute steps that write; without it they are planned. */
  apply?: boolean
  /** Default: FIREBREAK_RUNS_DIR, else .firebreak/runs. */
  runsDir?: string
  /** Continue this run from its journal. */
  resume?: string
  /** Abort to cancel the run (Ctrl-C). */
  signal?: AbortSignal
  /** Where `env.*` values come from (default process.env); only the names the playbook lists are read. */
  env?: Record<string, string | undefined>
  /** Step registry (default: the built-in steps). */
  registry?: ReadonlyMap<string, StepDefinition>
  /** Initial `advisory` context. */
  advisory?: Record<string, unknown>
  /** Called with every journal record, after it is on disk (progress display). */
  onRecord?: (record: JournalRecord) => void
  log?: Logger
  /** How long a cancelled or timed-out step may take to wind down (default 5 s). */
  graceMs?: number
}

export interface StepSummary {
  id: string
  uses: string
  name?: string
  status: StepStatus
  /** Ended successfully in an earlier attempt; not run again. */
  resumed?: boolean
  outcome?: RunOutcome
  summary?: string
  reason?: string
  error?: string
  outputs: Record<string, unknown>
  actions: ActionCounts
}

export interface RunResult {
  id: string
  dir: string
  playbook: string
  apply: boolean
  state: RunState
  outcome: RunOutcome
  attempt: number
  steps: StepSummary[]
  error?: { code: ErrorCode; message: string; exitCode: ExitCode }
}

const OUTCOME_RANK: Record<RunOutcome, number> = { clean: 0, affected: 1, unfixed: 2 }

function worse(a: RunOutcome, b: RunOutcome | undefined): RunOutcome {
  return b !== undefined && OUTCOME_RANK[b] > OUTCOME_RANK[a] ? b : a
}

const silent: Logger = { info: () => {}, warn: () => {}, debug: () => {} }

/** Exit code for a finished run: 1 affected/unfixed, the failing error's code, 2 cancelled, else 0. */
export function runExitCode(result: Pick<RunResult, 'state' | 'outcome' | 'error'>): ExitCode {
  if (result.state === 'failed') return result.error?.exitCode ?? ExitCode.Usage
  if (result.state === 'cancelled') return ExitCode.Usage
  return result.outcome === 'clean' ? ExitCode.Clean : ExitCode.Affected
}

/** What earlier attempts finished: steps that ended well, with their outputs. */
interface Prior {
  status: StepStatus
  outputs: Record<string, unknown>
  outcome?: RunOutcome
  summary?: string
  advisory?: Record<string, unknown>
}

function priorSteps(records: readonly JournalRecord[]): Map<string, Prior> {
  const prior = new Map<string, Prior>()
  let outputs = new Map<string, Record<string, unknown>>()
  for (const r of records) {
    if (r.type === 'step-start') outputs.set(r.step, {})
    else if (r.type === 'step-output') (outputs.get(r.step) ?? outputs.set(r.step, {}).get(r.step)!)[r.name] = r.value
    else if (r.type === 'step-end') prior.set(r.step, { status: r.status, outputs: outputs.get(r.step) ?? {}, outcome: r.outcome, summary: r.summary, advisory: r.advisory })
    else if (r.type === 'run-start') outputs = new Map()
  }
  return prior
}

/** Start (or resume) a run and carry it to its end. Step failures are in the result, not thrown. */
export async function startRun(options: StartRunOptions): Promise<RunResult> {
  const runsDir = resolveRunsDir(options.runsDir, options.env ?? process.env)
  const env = options.env ?? process.env
  const registry = options.registry ?? builtInSteps
  const apply = options.apply ?? false
  const log = options.log ?? silent
  const playbookFile = resolve(options.playbookFile)

  let id: string
  let previous: RunMeta | undefined
  let records: JournalRecord[] = []
  if (options.resume) {
    id = options.resume
    previous = readMeta(runDir(runsDir, id))
    if (isAlive(previous) && previous.pid !== process.pid) {
      throw new UsageError(`run ${id} is still running (pid ${previous.pid})`, 'stop it first, or wait for it to end')
    }
    records = readJournal(join(runDir(runsDir, id), JOURNAL_FILE)).records
  } else {
    id = newRunId()
  }
  const dir = runDir(runsDir, id)

  const given = { ...(previous?.inputs ?? {}), ...(options.inputs ?? {}) }
  const { playbook, warnings } = loadPlaybookOrThrow(playbookFile, { inputs: given, registry })
  for (const warning of warnings) log.warn(formatProblem(warning))
  const inputs = resolveInputs(playbook, given).values
  const text = readFileSync(playbookFile)
  const sha = createHash('sha256').update(text).digest('hex')
  if (previous && previous.playbookSha256 !== sha) log.warn(`the playbook changed since run ${id} started; steps already done are not run again`)

  const redactor = new Redactor()
  const listed = playbook.env ?? []
  redactor.addFromEnv(env, listed)
  // Steps may read tokens from the environment themselves (GITHUB_TOKEN): mask those too.
  redactor.addFromEnv(env, Object.keys(env), 8)
  const envContext: Record<string, string> = {}
  for (const name of listed) if (env[name] !== undefined) envContext[name] = env[name]!

  mkdirSync(dir, { recursive: true })
  const startedAt = previous?.startedAt ?? new Date().toISOString()
  const attempt = (previous?.attempt ?? 0) + 1
  writeMeta(dir, redactor.redact({
    schema: 'firebreak.run/1', id, playbook: playbook.name, playbookFile, playbookSha256: sha, apply,
    inputs: given, startedAt, attempt, pid: process.pid, host: currentHost(), user: currentUser(),
  } satisfies RunMeta))

  const journal = JournalWriter.open(join(dir, JOURNAL_FILE), redactor, options.onRecord)
  try {
    journal.append({ type: 'run-start', run: id, playbook: playbook.name, playbookFile, apply, inputs, attempt, pid: process.pid })
    const run: RunInfo = { id, dir, apply, startedAt, playbookFile }
    const safeLog: Logger = {
      info: (message) => log.info(redactor.redactString(message)),
      warn: (message) => log.warn(redactor.redactString(message)),
      debug: (message) => log.debug(redactor.redactString(message)),
    }
    const executor = new Executor({ options, playbook, registry, redactor, journal, run, log: safeLog, inputs, envContext, records })
    const result = await executor.execute()
    return { id, dir, playbook: playbook.name, apply, attempt, ...result }
  } finally {
    journal.close()
  }
}

interface ExecutorInit {
  options: StartRunOptions
  playbook: Playbook
  registry: ReadonlyMap<string, StepDefinition>
  redactor: Redactor
  journal: JournalWriter
  run: RunInfo
  log: Logger
  inputs: Record<string, unknown>
  envContext: Record<string, string>
  records: JournalRecord[]
}

class Executor {
  private readonly init: ExecutorInit
  private readonly contexts: Contexts
  private readonly status: Status = { failed: false, cancelled: false }
  private outcome: RunOutcome = 'clean'
  private error: RunResult['error']
  private readonly summaries: StepSummary[] = []
  private readonly prior: Map<string, Prior>
  private readonly done: Map<string, unknown>

  constructor(init: ExecutorInit) {
    this.init = init
    this.contexts = {
      inputs: init.inputs,
      advisory: init.options.advisory,
      steps: {},
      run: { id: init.run.id, apply: init.run.apply, dir: init.run.dir, 'started-at': init.run.startedAt },
      env: init.envContext,
    }
    this.prior = priorSteps(init.records)
    this.done = doneActions(init.records)
  }

  async execute(): Promise<Pick<RunResult, 'state' | 'outcome' | 'steps' | 'error'>> {
    const { journal, options } = this.init
    const signal = options.signal ?? new AbortController().signal
    let repos: RepoSelection | undefined
    try {
      repos = evaluateDeep(this.init.playbook.repos, this.contexts) as RepoSelection | undefined
    } catch (error) {
      return this.finish('failed', this.fail(error, 'repos'))
    }
    for (const step of this.init.playbook.steps) {
      if (signal.aborted) this.status.cancelled = true
      if (this.status.cancelled) break
      await this.step(step, repos, signal)
    }
    const state: RunState = this.status.cancelled ? 'cancelled' : this.status.failed ? 'failed' : 'completed'
    if (state === 'cancelled' && !this.error) this.error = describe(new CancelledError())
    journal.append({ type: 'run-end', state, outcome: this.outcome, error: this.error?.message })
    return { state, outcome: this.outcome, steps: this.summaries, error: this.error }
  }

  private finish(state: RunState, error: RunResult['error']): Pick<RunResult, 'state' | 'outcome' | 'steps' | 'error'> {
    this.init.journal.append({ type: 'run-end', state, outcome: this.outcome, error: error?.message })
    return { state, outcome: this.outcome, steps: this.summaries, error }
  }

  private fail(error: unknown, where: string): RunResult['error'] {
    const described = describe(error)
    described.message = this.init.redactor.redactString(`${where}: ${described.message}`)
    return described
  }

  private record(summary: StepSummary, prior?: Prior): void {
    this.summaries.push(summary)
    this.contexts.steps[summary.id] = { outputs: summary.outputs, outcome: summary.status }
    if (prior?.advisory) this.contexts.advisory = prior.advisory
    this.outcome = worse(this.outcome, summary.outcome)
  }

  private async step(step: PlaybookStep, repos: RepoSelection | undefined, runSignal: AbortSignal): Promise<void> {
    const { journal, registry, redactor, run } = this.init
    const definition = registry.get(step.uses)!
    const counts: ActionCounts = { done: 0, skipped: 0, planned: 0, failed: 0 }
    const base = { id: step.id, uses: step.uses, name: step.name, actions: counts }
    const execute = run.apply || !definition.writes

    const prior = this.prior.get(step.id)
    if (prior && (prior.status === 'success' || (prior.status === 'planned' && !run.apply))) {
      this.init.log.info(`${step.id}: ended ${prior.status} in an earlier attempt; not run again`)
      this.record({ ...base, status: prior.status, resumed: true, outcome: prior.outcome, summary: prior.summary, outputs: prior.outputs }, prior)
      return
    }

    let input: unknown
    try {
      if (!evaluateCondition(step.if, this.contexts, this.status)) {
        const reason = this.status.failed ? 'an earlier step failed' : 'if: was false'
        journal.append({ type: 'step-end', step: step.id, status: 'skipped', reason })
        this.record({ ...base, status: 'skipped', reason, outputs: {} })
        return
      }
      const parsed = definition.with.safeParse(evaluateDeep(step.with ?? {}, this.contexts))
      if (!parsed.success) throw new UsageError(`with: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(with)'}: ${i.message}`).join('; ')}`)
      input = parsed.data
    } catch (error) {
      this.stepFailed(step, base, error)
      return
    }

    const planned = !execute
    journal.append({ type: 'step-start', step: step.id, uses: step.uses, name: step.name, with: input, planned })
    this.init.log.info(`${step.id}: ${planned ? 'planning' : 'running'} ${step.uses}`)

    const controller = new AbortController()
    const timeoutMs = step['timeout-minutes'] !== undefined ? step['timeout-minutes'] * 60_000 : undefined
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new StepTimeout(step['timeout-minutes']!)), timeoutMs)
    const signal = AbortSignal.any([runSignal, controller.signal])
    const ctx = createStepContext({
      run, step: { id: step.id, uses: step.uses, name: step.name }, with: input, execute, playbook: this.init.playbook, repos,
      inputs: this.init.inputs, advisory: this.contexts.advisory, log: this.init.log, journal, signal, redactor, done: this.done, counts,
    })
    let result: StepResult | void
    try {
      result = await raceAbort(definition.run(ctx, input), signal, this.init.options.graceMs ?? 5000)
      // A step that returns after its signal aborted may have stopped half-way: never record it as a success.
      signal.throwIfAborted()
    } catch (error) {
      if (runSignal.aborted) {
        this.status.cancelled = true
        journal.append({ type: 'step-end', step: step.id, status: 'cancelled', error: 'cancelled' })
        this.record({ ...base, status: 'cancelled', error: 'cancelled', outputs: {} })
      } else {
        this.stepFailed(step, base, signal.aborted ? signal.reason : error)
      }
      return
    } finally {
      if (timer) clearTimeout(timer)
    }

    const outputs = redactor.redact(result?.outputs ?? {})
    const undeclared = Object.keys(outputs).filter((name) => !(name in definition.outputs))
    if (undeclared.length > 0) {
      this.stepFailed(step, base, new FirebreakError(`step ${step.uses} returned undeclared outputs: ${undeclared.join(', ')}`, { code: 'INTERNAL' }))
      return
    }
    for (const [name, value] of Object.entries(outputs)) journal.append({ type: 'step-output', step: step.id, name, value })
    const status: StepStatus = planned ? 'planned' : 'success'
    const advisory = result?.advisory ? redactor.redact(result.advisory) : undefined
    journal.append({ type: 'step-end', step: step.id, status, outcome: result?.outcome, summary: result?.summary, advisory })
    this.record({ ...base, status, outcome: result?.outcome, summary: result?.summary && redactor.redactString(result.summary), outputs }, { status, outputs, advisory })
  }

  private stepFailed(step: PlaybookStep, base: Omit<StepSummary, 'status' | 'outputs'>, error: unknown): void {
    const described = this.fail(error, `step ${step.id}`)!
    const continueOnError = step['continue-on-error'] === true
    this.init.journal.append({ type: 'step-end', step: step.id, status: 'failure', error: described.message, reason: continueOnError ? 'continue-on-error' : undefined })
    this.record({ ...base, status: 'failure', error: described.message, outputs: {} })
    this.init.log.warn(described.message)
    if (!continueOnError) {
      this.status.failed = true
      this.error ??= described
    }
  }
}

class StepTimeout extends FirebreakError {
  constructor(minutes: number) {
    super(`timed out after ${minutes} minute${minutes === 1 ? '' : 's'} (timeout-minutes)`, { code: 'CANCELLED', exitCode: ExitCode.Usage })
  }
}

function describe(error: unknown): { code: ErrorCode; message: string; exitCode: ExitCode } {
  if (error instanceof FirebreakError) return { code: error.code, message: error.message, exitCode: error.exitCode }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), exitCode: ExitCode.Usage }
}

/**
 * Wait for a step, but stop waiting when its signal aborts: the step gets
 * `graceMs` to wind down (and journal its actions), then is abandoned.
 */
async function raceAbort<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      const timer = setTimeout(() => reject(signal.reason), graceMs)
      timer.unref()
      work.then(() => { clearTimeout(timer); reject(signal.reason) }, () => { clearTimeout(timer); reject(signal.reason) })
    }
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([work, aborted])
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}
