import { closeSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs'

import { InputError } from '../errors.js'
import { Redactor } from '../playbook/redact.js'
import type { RunOutcome } from '../steps/types.js'

/**
 * The journal: `journal.jsonl` in the run directory, append-only JSON lines.
 * Every record is written and fsynced before the run continues, so a killed
 * run can be resumed from it. Everything passes through the Redactor first.
 */

/** How a step ended (the `steps.<id>.outcome` value). */
export type StepStatus = 'success' | 'planned' | 'skipped' | 'failure' | 'cancelled'

export type RunState = 'completed' | 'failed' | 'cancelled'

export type ActionStatus = 'done' | 'skipped' | 'planned' | 'failed' | 'cancelled'

export type JournalRecord =
  | {
      type: 'run-start'
      at: string
      run: string
      playbook: string
      playbookFile: string
      apply: boolean
      inputs: Record<string, unknown>
      /** 1 for the first attempt, then one more per resume. */
      attempt: number
      pid: number
    }
  | { type: 'step-start'; at: string; step: string; uses: string; name?: string; with?: unknown; planned: boolean }
  | { type: 'step-output'; at: string; step: string; name: string; value: unknown }
  | {
      type: 'step-end'
      at: string
      step: string
      status: StepStatus
      outcome?: RunOutcome
      summary?: string
      error?: string
      reason?: string
      advisory?: Record<string, unknown>
    }
  | { type: 'action-start'; at: string; step: string; repo: string; key: string }
  | {
      type: 'action-end'
      at: string
      step: string
      repo: string
      key: string
      status: ActionStatus
      reason?: string
      value?: unknown
      plan?: unknown
      error?: string
    }
  | { type: 'note'; at: string; step?: string; message: string; data?: Record<string, unknown> }
  | { type: 'run-end'; at: string; state: RunState; outcome: RunOutcome; error?: string }

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
/** A record before the writer stamps it with `at`. */
export type JournalEntry = DistributiveOmit<JournalRecord, 'at'>

export class JournalWriter {
  readonly file: string
  private fd: number | undefined
  private readonly redactor: Redactor
  private readonly listener?: (record: JournalRecord) => void

  private constructor(file: string, fd: number, redactor: Redactor, listener?: (record: JournalRecord) => void) {
    this.file = file
    this.fd = fd
    this.redactor = redactor
    this.listener = listener
  }

  /**
   * Open for appending. A torn last line (the process was killed mid-write) is
   * cut off first, so the next record starts on a line of its own.
   */
  static open(file: string, redactor: Redactor, listener?: (record: JournalRecord) => void): JournalWriter {
    cutTornTail(file)
    return new JournalWriter(file, openSync(file, 'a'), redactor, listener)
  }

  /** Redact, write, fsync. After close() records are dropped (a step that outlived its run). */
  append(entry: JournalEntry): JournalRecord | undefined {
    if (this.fd === undefined) return undefined
    const record = this.redactor.redact({ ...entry, at: new Date().toISOString() }) as JournalRecord
    const bytes = Buffer.from(JSON.stringify(record) + '\n', 'utf8')
    let written = 0
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written)
    fsyncSync(this.fd)
    this.listener?.(record)
    return record
  }

  get closed(): boolean {
    return this.fd === undefined
  }

  close(): void {
    if (this.fd === undefined) return
    closeSync(this.fd)
    this.fd = undefined
  }
}

function cutTornTail(file: string): void {
  let content: Buffer
  try {
    content = readFileSync(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  if (content.length === 0 || content[content.length - 1] === 0x0a) return
  truncateSync(file, content.lastIndexOf(0x0a) + 1)
}

export interface JournalContents {
  records: JournalRecord[]
  /** The last line was cut short (the process was killed while writing it); it is ignored. */
  torn: boolean
}

/** Read a journal. A torn last line is tolerated; a bad line elsewhere is an error. */
export function readJournal(file: string): JournalContents {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], torn: false }
    throw error
  }
  const lines = text.split('\n')
  const records: JournalRecord[] = []
  let torn = false
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    try {
      records.push(JSON.parse(line) as JournalRecord)
    } catch (error) {
      const last = lines.slice(i + 1).every((l) => l.trim() === '')
      if (last) torn = true
      else throw new InputError(`the journal has a line that is not JSON: ${(error as Error).message}`, { file, line: i + 1, column: 1 })
    }
  })
  return { records, torn }
}
