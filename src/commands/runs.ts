import { Flags } from '@oclif/core'

import { BaseCommand } from '../cli/base-command.js'
import { listRuns, resolveRunsDir } from '../runner/runs.js'
import type { RunListing } from '../runner/runs.js'

export interface RunsJson {
  schema: 'firebreak.runs/1'
  runsDir: string
  runs: RunListing[]
}

export default class Runs extends BaseCommand<typeof Runs> {
  static override summary = 'List runs and their state.'

  static override description = `Lists every run under the runs directory, oldest first, with its playbook and state: running, completed, failed, cancelled, or interrupted (no end recorded and its process is gone; continue it with \`firebreak run PLAYBOOK --resume ID\`).`

  static override examples = [
    { description: 'List runs in the default directory (.firebreak/runs):', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'As JSON, from another directory:', command: '<%= config.bin %> <%= command.id %> --runs-dir /var/lib/firebreak/runs --json' },
  ]

  static override flags = {
    'runs-dir': Flags.string({ description: 'Where run directories are kept (default .firebreak/runs).', env: 'FIREBREAK_RUNS_DIR', helpValue: 'DIR' }),
  }

  public async run(): Promise<RunsJson> {
    const runsDir = resolveRunsDir(this.flags['runs-dir'])
    const runs = listRuns(runsDir)
    if (!this.jsonEnabled()) {
      if (runs.length === 0) this.note(`no runs in ${runsDir}`)
      else {
        this.log(['ID'.padEnd(26), 'STATE'.padEnd(12), 'OUTCOME'.padEnd(9), 'MODE'.padEnd(6), 'STARTED'.padEnd(25), 'PLAYBOOK'].join(' '))
        for (const run of runs) {
          this.log([run.id.padEnd(26), run.state.padEnd(12), (run.outcome ?? '-').padEnd(9), (run.apply ? 'apply' : 'plan').padEnd(6), run.started.padEnd(25), run.playbook].join(' '))
        }
      }
    }
    return { schema: 'firebreak.runs/1', runsDir, runs }
  }
}
