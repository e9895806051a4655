import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs'
import { hostname, userInfo } from 'node:os'
import { join, resolve } from 'node:path'

import { InputError, NotFoundError } from '../errors.js'
import type { RunOutcome } from '../steps/types.js'
import { readJournal } from './journal.js'
import type { JournalRecord, RunState } from './journal.js'

export const DEFAULT_RUNS_DIR = '.firebreak/runs'
export const JOURNAL_FILE = 'journal.jsonl'
export const META_FILE = 'run.json'

/** `--runs-dir`, else FIREBREAK_RUNS_DIR, else .firebreak/runs (relative to the working directory). */
export function resolveRunsDir(flag?: string, env: Record<string, string | undefined> = process.env): string {
  return resolve(flag || env.FIREBREAK_RUNS_DIR || DEFAULT_RUNS_DIR)
}

/** Sortable: UTC timestamp to the millisecond, then random hex, e.g. 20250908T134501123Z-3fa9c2. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '')
  return `${stamp}-${randomBytes(3).toString('hex')}`
}

const RUN_ID = /^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{6}$/

export function isRunId(id: string): boolean {
  return RUN_ID.test(id)
}

/** run.json: what the run is; its progress is in the journal. */
export interface RunMeta {
  schema: 'firebreak.run/1'
  id: string
  playbook: string
  playbookFile: string
  playbookSha256: string
  apply: boolean
  /** The inputs as given (redacted), reused on resume. */
  inputs: Record<string, unknown>
  startedAt: string
  attempt: number
  /** Process running the latest attempt. */
  pid: number
  host: string
  /** Who ran it (the operating-system account), for the incident report. */
  user?: string
}

export function runDir(runsDir: string, id: string): string {
  if (!isRunId(id)) throw new InputError(`'${id}' is not a run id (expected e.g. 20250908T134501123Z-3fa9c2)`, { suggestion: 'list runs with `firebreak runs`' })
  return join(runsDir, id)
}

export function readMeta(dir: string): RunMeta {
  const file = join(dir, META_FILE)
  if (!existsSync(file)) throw new NotFoundError(`no run at ${dir}`, 'list runs with `firebreak runs` (and check --runs-dir)')
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunMeta
  } catch (error) {
    throw new InputError(`cannot read ${META_FILE}: ${(error as Error).message}`, { file })
  }
}

/** Replace run.json atomically (write, then rename). */
export function writeMeta(dir: string, meta: RunMeta): void {
  const file = join(dir, META_FILE)
  writeFileSync(file + '.tmp', JSON.stringify(meta, null, 2) + '\n')
  renameSync(file + '.tmp', file)
}

export function currentHost(): string {
  return hostname()
}

/** True when the process that wrote `meta` is still alive on this machine. */
export function isAlive(meta: Pick<RunMeta, 'pid' | 'host'>): boolean {
  if (meta.host !== currentHost()) return false
  try {
    process.kill(meta.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export type ListedState = RunState | 'running' | 'interrupted'

export interface RunListing {
  id: string
  dir: string
  playbook: string
  state: ListedState
  outcome?: RunOutcome
  apply: boolean
  started: string
  ended?: string
}

/** The state of a run from its journal: the last attempt's run-end, or running / interrupted. */
export function stateOf(records: readonly JournalRecord[], meta: Pick<RunMeta, 'pid' | 'host'>): { state: ListedState; outcome?: RunOutcome; ended?: string } {
  let end: Extract<JournalRecord, { type: 'run-end' }> | undefined
  for (const record of records) {
    if (record.type === 'run-start') end = undefined
    else if (record.type === 'run-end') end = record
  }
  if (end) return { state: end.state, outcome: end.outcome, ended: end.at }
  return { state: isAlive(meta) ? 'running' : 'interrupted' }
}

/** Every run under runsDir, oldest first. A missing runsDir has no runs. */
export function listRuns(runsDir: string): RunListing[] {
  if (!existsSync(runsDir)) return []
  const out: RunListing[] = []
  for (const id of readdirSync(runsDir).filter(isRunId).sort()) {
    const dir = join(runsDir, id)
    if (!existsSync(join(dir, META_FILE))) continue
    try {
      const meta = readMeta(dir)
      const { records } = readJournal(join(dir, JOURNAL_FILE))
      const { state, outcome, ended } = stateOf(records, meta)
      out.push({ id, dir, playbook: meta.playbook, state, outcome, apply: meta.apply, started: meta.startedAt, ended })
    } catch {
      // A damaged run directory must not hide the others: list it as interrupted.
      out.push({ id, dir, playbook: '?', state: 'interrupted', apply: false, started: '' })
    }
  }
  return out
}

/** The account running firebreak; a report says who acted. */
export function currentUser(): string | undefined {
  try {
    return userInfo().username
  } catch {
    return process.env.USER ?? process.env.USERNAME
  }
}
