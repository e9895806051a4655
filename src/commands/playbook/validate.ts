import { Args, Flags } from '@oclif/core'

import { BaseCommand } from '../../cli/base-command.js'
import { ExitCode, UsageError } from '../../errors.js'
import { parseInputFlags } from '../../playbook/inputs.js'
import { formatProblem, loadPlaybook } from '../../playbook/load.js'
import type { Problem } from '../../playbook/load.js'

export interface ValidateJson {
  schema: 'firebreak.validate/1'
  files: { file: string; problems: Problem[] }[]
}

export default class Validate extends BaseCommand<typeof Validate> {
  static override summary = 'Check playbooks without running them.'

  static override description = `Reads each playbook FILE and reports every problem as \`file:line:col: path: message\`: YAML syntax errors, keys the schema does not know (with "did you mean"), duplicate step ids, unknown steps, \`with\` arguments a step does not accept, and \`\${{ }}\` expressions that do not parse or refer to unknown inputs, steps, outputs or environment variables.

With --input, also checks the inputs a run would be given: required inputs that are missing, inputs the playbook does not declare, values of the wrong type.

Exit status: 0 when every file is free of errors (warnings are printed but do not fail), 2 otherwise.`

  static override examples = [
    {
      description: 'Check a playbook before committing it:',
      command: '<%= config.bin %> <%= command.id %> playbooks/compromised-npm-package.yaml',
    },
    {
      description: 'Check every bundled playbook, and the inputs a run would get, as JSON:',
      command: '<%= config.bin %> <%= command.id %> playbooks/*.yaml --input advisory=MAL-2025-46969 --json',
    },
  ]

  static override strict = false

  static override args = {
    file: Args.string({ description: 'Playbook files (YAML) to check; several may be given.', required: true }),
  }

  static override flags = {
    input: Flags.string({
      char: 'i',
      multiple: true,
      description: 'An input the run would be given, as name=value (repeatable). When any is given, missing required inputs are reported too.',
      helpValue: 'NAME=VALUE',
    }),
  }

  public async run(): Promise<ValidateJson> {
    const { flags, argv } = await this.parse(Validate)
    const files = argv as string[]
    if (files.length === 0) throw new UsageError('no playbook given', 'e.g. firebreak playbook validate playbook.yaml')
    const inputs = flags.input ? parseInputFlags(flags.input) : undefined
    const out: ValidateJson = { schema: 'firebreak.validate/1', files: [] }
    let errors = 0
    let warnings = 0
    for (const file of files) {
      const result = loadPlaybook(file, { inputs })
      const problems = [...result.errors, ...result.warnings].sort((a, b) => a.line - b.line || a.col - b.col)
      errors += result.errors.length
      warnings += result.warnings.length
      out.files.push({ file, problems })
      if (!this.jsonEnabled()) for (const problem of problems) this.log(formatProblem(problem))
    }
    this.note(`${files.length} playbook${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`)
    if (errors > 0) this.setExit(ExitCode.Usage)
    return out
  }
}
