import { Flags } from '@oclif/core'

import { BaseCommand } from '../cli/base-command.js'
import { runDemo } from '../demo/run.js'
import { ExitCode } from '../errors.js'

export default class Demo extends BaseCommand<typeof Demo> {
  static override summary = 'Run a whole incident response on a bundled example organisation, offline.'

  static override description = `Builds a small organisation of local git repositories (npm, PyPI and GitHub Actions; a pnpm monorepo; a clean repository) from bundled fixtures, loads real OSV records of past incidents (chalk and debug, September 2025; num2words, July 2025; tj-actions/changed-files, March 2025) and runs the bundled playbook playbooks/worm-response.yaml against them with --apply: it finds every affected repository, hunts indicators of compromise, pins each package on a branch firebreak/<advisory> in each repository (commits made locally; pull requests shown as planned; lockfiles left for regeneration, as there is no registry), and writes report.md and report.html.

No token and no network are needed. Everything is written below --dir (default: a new temporary folder); the paths of the reports are printed at the end.`

  static override examples = [
    { description: 'Run the demo in a temporary folder:', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Keep the demo organisation and run where you can look at them:', command: '<%= config.bin %> <%= command.id %> --dir ./firebreak-demo' },
  ]

  static override flags = {
    dir: Flags.string({ description: 'Folder to build the organisation and keep the run in (default: a new temporary folder).', helpValue: 'DIR' }),
  }

  public async run(): Promise<unknown> {
    const { flags } = await this.parse(Demo)
    const result = await runDemo({ dir: flags.dir, log: (line) => this.note(line) })
    const { run } = result
    if (!this.jsonEnabled()) {
      this.log('')
      for (const step of run.steps) this.log(`${step.status.padEnd(8)} ${step.id}: ${step.summary ?? step.error ?? ''}`)
      this.log('')
      this.log(`run ${run.id}: ${run.state}, outcome ${run.outcome}`)
      this.log(`report:            ${result.reports.md}`)
      this.log(`                   ${result.reports.html}`)
      this.log(`run directory:     ${run.dir}`)
      this.log(`demo organisation: ${result.dir}/org (branches firebreak/… in each affected repository)`)
    }
    if (run.state !== 'completed') this.setExit(ExitCode.Usage)
    return { schema: 'firebreak.demo/1', dir: result.dir, repos: result.repos, reports: result.reports, run }
  }
}
