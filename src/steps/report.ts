import { writeFileSync } from 'node:fs'
import path from 'node:path'

import { z } from 'zod'

import { UsageError } from '../errors.js'
import { buildReportView, flavourOf, renderReport, resolveTemplate, REPORT_FORMATS } from '../report/index.js'
import type { ReportFormat } from '../report/index.js'
import { defineStep } from './types.js'

const Format = z.enum(REPORT_FORMATS as [ReportFormat, ...ReportFormat[]])

const With = z.strictObject({
  format: z.union([Format, z.array(Format).min(1)]).optional().describe('Format or formats to write: md, html, json, sarif, csv (default md and html; with `template`, the template\'s own).'),
  template: z.string().optional().describe('Handlebars template to render instead of the bundled one: a path (relative to the working directory or the playbook), or a bundled template\'s name.'),
  out: z.string().optional().describe('File to write, relative to the run directory (default report.<format>); only with one format.'),
})

const EXTENSIONS: Record<ReportFormat, string> = { md: 'md', html: 'html', json: 'json', sarif: 'sarif', csv: 'csv' }

export const reportStep = defineStep({
  name: 'report',
  description: 'Write the incident report of this run (Markdown, HTML, JSON, SARIF or CSV) into the run directory.',
  with: With,
  outputs: {
    files: 'Paths of the files written.',
    file: 'Path of the first file written.',
  },
  // Writes only into the run directory, so a plan writes its report too.
  writes: false,
  async run(ctx, input) {
    const template = input.template ? resolveTemplate(input.template, path.dirname(ctx.run.playbookFile)) : undefined
    const formats: ReportFormat[] = input.format === undefined ? (template ? [flavourOf(template)] : ['md', 'html']) : Array.isArray(input.format) ? [...new Set(input.format)] : [input.format]
    if (input.out !== undefined && formats.length > 1) throw new UsageError('`out` names one file: give one `format` with it')
    if (template && formats.some((f) => f !== 'md' && f !== 'html')) throw new UsageError('`template` renders md or html; write json, sarif or csv in another report step')
    const steps = ctx.playbook.steps
    const view = buildReportView(ctx.run.dir, { lastStep: steps[steps.length - 1]?.id === ctx.step.id })
    const files: string[] = []
    for (const format of formats) {
      const file = path.resolve(ctx.run.dir, input.out ?? `report.${EXTENSIONS[format]}`)
      // The step does not `write`, so it runs in a plan: it must stay inside the run directory.
      if (path.relative(ctx.run.dir, file).startsWith('..') || path.relative(ctx.run.dir, file) === '') {
        throw new UsageError(`out: ${input.out} is outside the run directory`, 'give a file name; copy it elsewhere with `firebreak report RUN --out FILE`')
      }
      writeFileSync(file, renderReport(view, { format, template }))
      files.push(file)
      ctx.log.info(`wrote ${file}`)
    }
    return { outputs: { files, file: files[0] }, summary: `wrote ${files.map((f) => path.basename(f)).join(', ')}` }
  },
})
