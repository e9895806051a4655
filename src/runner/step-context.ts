import type { Redactor } from '../playbook/redact.js'
import { isSkip } from '../steps/types.js'
import type { ActionResult, Skip, StepContext } from '../steps/types.js'
import { readJournal } from './journal.js'
import type { JournalRecord, JournalWriter } from './journal.js'

export function actionKey(step: string, repo: string, key: string): string {
  return `${step}\u0000${repo}\u0000${key}`
}

/** Actions recorded done in earlier attempts: key -> value. */
export function doneActions(records: readonly JournalRecord[]): Map<string, unknown> {
  const done = new Map<string, unknown>()
  for (const r of records) if (r.type === 'action-end' && r.status === 'done') done.set(actionKey(r.step, r.repo, r.key), r.value)
  return done
}

/** Counts of how this step's actions ended, for the run summary. */
export interface ActionCounts {
  done: number
  skipped: number
  planned: number
  failed: number
}

/** What the runner hands over to build a step's context: the step's view of the run, and the runner's state. */
export interface StepContextInit extends Pick<StepContext, 'run' | 'step' | 'with' | 'playbook' | 'repos' | 'inputs' | 'advisory' | 'log' | 'signal'> {
  /** Whether the step's actions may execute (apply, or the step does not write). */
  execute: boolean
  journal: JournalWriter
  redactor: Redactor
  done: Map<string, unknown>
  counts: ActionCounts
}

/** Build what a step sees of its run; `action()` journals and resumes per-repository work. */
export function createStepContext(init: StepContextInit): StepContext {
  const { journal, signal, step, counts } = init
  const append = journal.append.bind(journal)

  async function action<T>(repo: string, key: string, fn: (signal: AbortSignal) => Promise<T | Skip>, options: { plan?: unknown } = {}): Promise<ActionResult<T>> {
    const id = actionKey(step.id, repo, key)
    if (init.done.has(id)) {
      counts.done++
      init.log.debug(`${repo}: ${key} already done in an earlier attempt`)
      return { status: 'done', value: init.done.get(id) as T, resumed: true }
    }
    signal.throwIfAborted()
    if (!init.execute) {
      counts.planned++
      append({ type: 'action-end', step: step.id, repo, key, status: 'planned', plan: options.plan })
      return { status: 'planned', plan: options.plan }
    }
    append({ type: 'action-start', step: step.id, repo, key })
    try {
      const value = await fn(signal)
      if (isSkip(value)) {
        counts.skipped++
        append({ type: 'action-end', step: step.id, repo, key, status: 'skipped', reason: value.reason })
        return { status: 'skipped', reason: init.redactor.redactString(value.reason) }
      }
      counts.done++
      append({ type: 'action-end', step: step.id, repo, key, status: 'done', value: value === undefined ? undefined : value })
      init.done.set(id, init.redactor.redact(value))
      return { status: 'done', value: value as T }
    } catch (error) {
      const message = init.redactor.redactString(error instanceof Error ? error.message : String(error))
      if (signal.aborted) {
        append({ type: 'action-end', step: step.id, repo, key, status: 'cancelled', error: message })
        throw error
      }
      counts.failed++
      append({ type: 'action-end', step: step.id, repo, key, status: 'failed', error: message })
      return { status: 'failed', error: message }
    }
  }

  return {
    run: init.run,
    step,
    with: init.with,
    apply: init.run.apply,
    playbook: init.playbook,
    repos: init.repos,
    inputs: init.inputs,
    advisory: init.advisory,
    log: init.log,
    signal,
    redact: (secret: string) => init.redactor.add(secret),
    journal: {
      file: journal.file,
      records: () => readJournal(journal.file).records,
      note: (message: string, data?: Record<string, unknown>) => {
        append({ type: 'note', step: step.id, message, data })
      },
    },
    action,
  }
}
