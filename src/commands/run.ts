import { relative } from 'node:path'

import { Args, Flags } from '@oclif/core'

import { BaseCommand } from '../cli/base-command.js'
import { parseInputFlags } from '../playbook/inputs.js'
import type { JournalRecord } from '../runner/journal.js'
import { runExitCode, startRun } from '../runner/run.js'
import type { RunResult, StepSummary } from '../runner/run.js'

export interface RunJson extends RunResult {
  schema: 'firebreak.run/1'
}

export default class Run extends BaseCommand<typeof Run> {
  static override summary = 'Run a playbook: plan by default, execute with --apply.'

  static override description = `Runs the steps of PLAYBOOK in order. Every run gets an id and a directory, <runs-dir>/<id>/, holding run.json and journal.jsonl: an append-only record of every step and every per-repository action, written to disk before the run goes on.

Without --apply the run plans: steps that would change anything outside the run directory (push a branch, open a pull request, edit a file) describe what they would do and do nothing. With --apply they do it.

Ctrl-C (or SIGTERM) stops the current step cleanly and ends the run as cancelled. A cancelled or killed run continues with --resume ID: steps that ended successfully and actions recorded as done are not repeated.

Exit status: 0 clean, 1 affected or left unfixed, 2 a step failed, bad input or cancelled, 4 authentication.`

  static override examples = [
    {
      description: 'Plan: see what the playbook would do, changing nothing:',
      command: '<%= config.bin %> <%= command.id %> playbooks/compromised-npm-package.yaml --input advisory=MAL-2025-46969',
    },
    {
      description: 'Execute it:',
      command: '<%= config.bin %> <%= command.id %> playbooks/compromised-npm-package.yaml --input advisory=MAL-2025-46969 --apply',
    },
    {
      description: 'Continue a run that was interrupted:',
      command: '<%= config.bin %> <%= command.id %> playbooks/compromised-npm-package.yaml --resume 20250908T134501123Z-3fa9c2 --apply',
    },
  ]

  static override args = {
    playbook: Args.string({ description: 'The playbook (YAML) to run.', required: true }),
  }

  static override flags = {
    input: Flags.string({ char: 'i', multiple: true, description: 'A playbook input, as name=value (repeatable).', helpValue: 'NAME=VALUE' }),
    apply: Flags.boolean({ description: 'Execute the steps that write (branches, commits, pull requests); without it they are only planned.' }),
    resume: Flags.string({ description: 'Continue this run from its journal instead of starting a new one.', helpValue: 'RUN_ID' }),
    'runs-dir': Flags.string({ description: 'Where run directories are kept (default .firebreak/runs).', env: 'FIREBREAK_RUNS_DIR', helpValue: 'DIR' }),
  }

  public async run(): Promise<RunJson> {
    const { flags, args } = this
    const controller = new AbortController()
    const onSignal = (signal: NodeJS.Signals): void => {
      if (controller.signal.aborted) process.exit(130) // a second Ctrl-C: stop now
      process.stderr.write(`\n${signal}: stopping after the current action; resume with --resume\n`)
      controller.abort()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    let result: RunResult
    try {
      result = await startRun({
        playbookFile: args.playbook,
        inputs: parseInputFlags(flags.input),
        apply: flags.apply,
        resume: flags.resume,
        runsDir: flags['runs-dir'],
        signal: controller.signal,
        onRecord: (record) => this.progress(record),
        log: {
          info: (message) => this.note(`  ${message}`),
          warn: (message) => process.stderr.write(`warning: ${message}\n`),
          debug: () => {},
        },
      })
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
    if (!this.jsonEnabled()) this.log(summarise(result))
    this.setExit(runExitCode(result))
    return { schema: 'firebreak.run/1', ...result }
  }

  private progress(record: JournalRecord): void {
    if (record.type === 'run-start') this.note(`run ${record.run} (${record.apply ? 'apply' : 'plan'}${record.attempt > 1 ? `, attempt ${record.attempt}` : ''}): ${record.playbook}`)
    else if (record.type === 'step-start') this.note(`▶ ${record.step} (${record.uses})${record.planned ? ' planning' : ''}`)
    else if (record.type === 'step-end') this.note(`${mark(record.status)} ${record.step} ${record.status}${record.error ? `: ${record.error}` : record.reason ? ` (${record.reason})` : ''}`)
    else if (record.type === 'action-end' && record.status === 'failed') this.note(`  ✗ ${record.repo}: ${record.key}: ${record.error ?? 'failed'}`)
  }
}

function mark(status: string): string {
  return status === 'success' ? '✓' : status === 'planned' ? '○' : status === 'skipped' ? '-' : '✗'
}

function stepLine(step: StepSummary): string {
  const actions = Object.entries(step.actions).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ')
  const detail = step.error ?? step.summary ?? step.reason ?? ''
  const extra = [detail, actions ? `actions: ${actions}` : '', step.resumed ? 'from an earlier attempt' : ''].filter(Boolean).join('; ')
  return `  ${step.status.padEnd(9)} ${step.id}${extra ? `  ${extra}` : ''}`
}

/** The per-step summary printed at the end of a run. */
export function summarise(result: RunResult): string {
  const lines = [`run ${result.id}: ${result.state}, outcome ${result.outcome}${result.apply ? '' : ' (plan only: nothing was written; run again with --apply to execute)'}`]
  for (const step of result.steps) lines.push(stepLine(step))
  if (result.error) lines.push(`error: ${result.error.message}`)
  lines.push(`directory: ${relative(process.cwd(), result.dir) || '.'}`)
  if (result.state === 'cancelled' || result.state === 'failed') lines.push(`resume with: firebreak run PLAYBOOK --resume ${result.id}${result.apply ? ' --apply' : ''}`)
  return lines.join('\n')
}
