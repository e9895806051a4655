import { writeFileSync } from 'node:fs'

import { Args, Flags } from '@oclif/core'

import { BaseCommand } from '../cli/base-command.js'
import { loadReport, renderReport, resolveTemplate } from '../report/index.js'
import type { ReportFormat } from '../report/index.js'

export default class Report extends BaseCommand<typeof Report> {
  static override summary = 'Render the incident report of a run.'

  static override description = `Builds the report of a run from its directory (run.json and the journal) and renders it: Markdown for an issue, one self-contained HTML file, the view model as JSON, SARIF 2.1.0 for code scanning, or CSV with one row per finding. It works at any time, also while the run is still going on (the report then says it is partial).

Every string that came from a repository or an advisory is escaped for the format. A template of your own (--template) gets the same data as the bundled ones; its fields are described in templates/report.schema.json, and a field that does not exist is an error that names it.`

  static override examples = [
    { description: 'Print the Markdown report of a run:', command: '<%= config.bin %> <%= command.id %> 20250908T134501123Z-3fa9c2' },
    { description: 'Write the HTML report to a file:', command: '<%= config.bin %> <%= command.id %> 20250908T134501123Z-3fa9c2 --format html --out report.html' },
    { description: 'SARIF for GitHub code scanning:', command: '<%= config.bin %> <%= command.id %> 20250908T134501123Z-3fa9c2 --format sarif --out firebreak.sarif' },
    { description: 'With your own template:', command: '<%= config.bin %> <%= command.id %> 20250908T134501123Z-3fa9c2 --template my-report.md.hbs' },
  ]

  static override args = {
    run: Args.string({ description: 'Id of the run (see `firebreak runs`).', required: true }),
  }

  static override flags = {
    format: Flags.string({
      char: 'f',
      description: 'Output format: md (GitHub-flavoured Markdown), html (self-contained page), json (the view model), sarif (SARIF 2.1.0), csv (one row per finding). Default md, or html for a *.html.hbs template.',
      options: ['md', 'html', 'json', 'sarif', 'csv'],
    }),
    template: Flags.string({ char: 't', description: 'Handlebars template to render instead of the bundled one (md or html; *.html.hbs templates are HTML-escaped, others Markdown-escaped).', helpValue: 'FILE' }),
    out: Flags.string({ char: 'o', description: 'Write the report to this file instead of stdout.', helpValue: 'FILE' }),
    'runs-dir': Flags.string({ description: 'Where run directories are kept (default .firebreak/runs).', env: 'FIREBREAK_RUNS_DIR', helpValue: 'DIR' }),
  }

  // The report itself is the output; --json would only wrap it.
  static override enableJsonFlag = false

  public async run(): Promise<{ out?: string; format: string }> {
    const view = loadReport(this.args.run, this.flags['runs-dir'])
    const format = this.flags.format as ReportFormat | undefined
    const text = renderReport(view, { format, template: this.flags.template ? resolveTemplate(this.flags.template) : undefined })
    if (this.flags.out) {
      writeFileSync(this.flags.out, text)
      this.note(`wrote ${this.flags.out}`)
    } else {
      process.stdout.write(text)
    }
    return { out: this.flags.out, format: format ?? 'md' }
  }
}
