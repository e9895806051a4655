import { Args } from '@oclif/core'

import { BaseCommand } from '../cli/base-command.js'
import { ExitCode } from '../errors.js'
import { rollbackRun, type RollbackResult } from '../remediate/rollback.js'
import { clientFor } from '../remediate/status.js'
import { resolveRunsDir, runDir } from '../runner/runs.js'
import { githubFlags } from './status.js'

export default class Rollback extends BaseCommand<typeof Rollback> {
  static override summary = 'Close a run\'s pull requests and delete its branches.'

  static override description = `Closes every pull request the run opened and deletes its branch. A merged pull request is left alone, and so is a branch someone pushed to after the run. Rollback is explicit, so it acts (there is no plan mode); it prints what it did, and running it again does nothing more.`

  static override examples = [{ description: 'Undo a run:', command: '<%= config.bin %> <%= command.id %> 20250908T134501123Z-3fa9c2' }]

  static override args = { run: Args.string({ description: 'Run id (see `firebreak runs`).', required: true }) }

  static override flags = { ...githubFlags }

  public async run(): Promise<RollbackResult> {
    const { client } = await clientFor({ apiUrl: this.flags['api-url'], tokenCommand: this.flags['token-command'], appId: this.flags['app-id'], appPrivateKeyFile: this.flags['app-private-key'], appInstallationId: this.flags['app-installation-id'] })
    const result = await rollbackRun(runDir(resolveRunsDir(this.flags['runs-dir']), this.args.run), { client })
    if (!this.jsonEnabled()) {
      for (const e of result.entries) {
        const pr = { closed: 'closed', 'already-closed': 'already closed', 'left-merged': 'merged: left alone' }[e.pullRequest]
        const branch = { deleted: `branch ${e.branch} deleted`, absent: `branch ${e.branch} already gone`, moved: `branch ${e.branch} kept: pushed to since the run`, kept: `branch ${e.branch} kept` }[e.branchResult]
        this.log(`${e.repository} #${e.number}: ${e.error ? `failed: ${e.error}` : `${pr}; ${branch}`}`)
      }
      const t = result.totals
      this.log(`${t.closed} pull requests closed, ${t.branchesDeleted} branches deleted, ${t.leftMerged} merged left alone${t.failed ? `, ${t.failed} failed` : ''}`)
    }
    if (result.totals.failed > 0) this.setExit(ExitCode.Usage)
    return result
  }
}
