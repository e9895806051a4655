import { Args, Flags } from '@oclif/core'

import { BaseCommand } from '../cli/base-command.js'
import { ExitCode } from '../errors.js'
import { clientFor, runStatus, type RunStatus } from '../remediate/status.js'
import { resolveRunsDir, runDir } from '../runner/runs.js'

export const githubFlags = {
  'runs-dir': Flags.string({ description: 'Where run directories are kept (default .firebreak/runs).', env: 'FIREBREAK_RUNS_DIR', helpValue: 'DIR' }),
  'api-url': Flags.string({ description: 'GitHub REST API (GitHub Enterprise: https://HOST/api/v3). Default GITHUB_API_URL, else https://api.github.com.', helpGroup: 'GITHUB', helpValue: 'URL' }),
  'token-command': Flags.string({ description: 'Command that prints a GitHub token (e.g. "gh auth token"); run without a shell. Default: GITHUB_TOKEN or GH_TOKEN.', helpGroup: 'GITHUB', helpValue: 'CMD' }),
  'app-id': Flags.string({ description: 'GitHub App id, for installation authentication.', helpGroup: 'GITHUB', dependsOn: ['app-private-key', 'app-installation-id'] }),
  'app-private-key': Flags.string({ description: 'GitHub App private key (PEM file).', helpGroup: 'GITHUB', helpValue: 'FILE', dependsOn: ['app-id'] }),
  'app-installation-id': Flags.integer({ description: 'GitHub App installation id.', helpGroup: 'GITHUB', dependsOn: ['app-id'] }),
}

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Where a run\'s pull requests stand, and what is still exposed.'

  static override description = `Re-reads the state of every pull request the run opened (open, draft, merged, closed) and re-scans each repository's default branch on GitHub for the run's advisories. Exits 1 while a pull request is unmerged or an affected version is still on a default branch, 0 when everything is merged and clean.`

  static override examples = [
    { description: 'Follow a run:', command: '<%= config.bin %> <%= command.id %> 20250908T134501123Z-3fa9c2' },
    { description: 'As JSON:', command: '<%= config.bin %> <%= command.id %> 20250908T134501123Z-3fa9c2 --json' },
  ]

  static override args = { run: Args.string({ description: 'Run id (see `firebreak runs`).', required: true }) }

  static override flags = { ...githubFlags }

  public async run(): Promise<RunStatus> {
    const { client, apiUrl } = await clientFor({ apiUrl: this.flags['api-url'], tokenCommand: this.flags['token-command'], appId: this.flags['app-id'], appPrivateKeyFile: this.flags['app-private-key'], appInstallationId: this.flags['app-installation-id'] })
    const status = await runStatus(runDir(resolveRunsDir(this.flags['runs-dir']), this.args.run), { client, apiUrl })
    if (!this.jsonEnabled()) {
      for (const r of status.repos) {
        const exposure = r.error ? `not read: ${r.error}` : r.exposed.length ? `exposed: ${r.exposed.map((e) => `${e.name}@${e.version} in ${e.file}`).join(', ')}` : 'clean'
        this.log(`${r.repository.padEnd(40)} #${String(r.pullRequest.number).padEnd(5)} ${r.pullRequest.state.padEnd(7)} ${exposure}`)
      }
      const t = status.totals
      this.log(`${t.pullRequests} pull requests: ${t.merged} merged, ${t.open} open, ${t.draft} draft, ${t.closed} closed; ${t.exposed} repositories still exposed`)
    }
    this.setExit(status.done ? ExitCode.Clean : ExitCode.Affected)
    return status
  }
}
