import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { InputError, UsageError } from '../errors.js'
import { toCsv } from './csv.js'
import { compileTemplate, type TemplateFlavour } from './handlebars.js'
import { toSarif } from './sarif.js'
import type { ReportFormat, RepoView, ReportView } from './types.js'

/** The bundled templates (templates/ at the package root, from src/report or dist/report). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url))

export const DEFAULT_TEMPLATES = {
  md: 'incident-report.md.hbs',
  html: 'incident-report.html.hbs',
  pullRequest: 'pull-request.md.hbs',
  trackingIssue: 'tracking-issue.md.hbs',
} as const

export interface RenderOptions {
  format?: ReportFormat
  /** A Handlebars template file; its escaping follows its name (`*.html.hbs` is HTML, anything else Markdown) unless `format` says md or html. */
  template?: string
}

/** Which escaping a template gets: from `format` when it is md or html, else from the file name. */
export function flavourOf(file: string, format?: ReportFormat): TemplateFlavour {
  if (format === 'md' || format === 'html') return format
  return /\.html?(\.hbs|\.handlebars)?$/i.test(file) ? 'html' : 'md'
}

/** Renders the report in one format; md and html through a template, the others from the view directly. */
export function renderReport(view: ReportView, options: RenderOptions = {}): string {
  const format = options.format ?? (options.template ? flavourOf(options.template) : 'md')
  if (options.template) {
    if (format !== 'md' && format !== 'html') throw new UsageError(`--template renders Markdown or HTML; --format ${format} does not use a template`, 'drop --template, or use --format md or html')
    return renderTemplateFile(options.template, flavourOf(options.template, format), view)
  }
  switch (format) {
    case 'md':
      return renderTemplateFile(bundled(DEFAULT_TEMPLATES.md), 'md', view)
    case 'html':
      return renderTemplateFile(bundled(DEFAULT_TEMPLATES.html), 'html', view)
    case 'json':
      return JSON.stringify(view, null, 2) + '\n'
    case 'sarif':
      return JSON.stringify(toSarif(view, packageVersion()), null, 2) + '\n'
    case 'csv':
      return toCsv(view)
    default:
      throw new UsageError(`unknown report format '${String(format)}'`, 'use md, html, json, sarif or csv')
  }
}

/** The body of one repository's pull request: `repo` is added beside the report's fields. */
export function renderPullRequestBody(view: ReportView, repo: RepoView | string, template?: string): string {
  const found = typeof repo === 'string' ? view.repos.find((r) => r.name === repo) : repo
  if (!found) throw new InputError(`no repository '${String(repo)}' in run ${view.run.id}`)
  return renderTemplateFile(template ?? bundled(DEFAULT_TEMPLATES.pullRequest), 'md', { ...view, repo: found })
}

/** The tracking issue: a checklist of affected repositories and their pull requests. */
export function renderTrackingIssue(view: ReportView, template?: string): string {
  return renderTemplateFile(template ?? bundled(DEFAULT_TEMPLATES.trackingIssue), 'md', view)
}

export function renderTemplateFile(file: string, flavour: TemplateFlavour, context: unknown): string {
  let source: string
  try {
    source = readFileSync(file, 'utf8')
  } catch (error) {
    throw new InputError(`cannot read template: ${(error as Error).message}`, { file, suggestion: 'give a Handlebars file with --template (or `template:` in the playbook)' })
  }
  return compileTemplate(source, flavour, file)(context)
}

function bundled(name: string): string {
  return path.join(TEMPLATES_DIR, name)
}

/**
 * Where a template named in a playbook or on the command line is: an absolute
 * path; else relative to the working directory, then to the playbook's
 * folder, then a bundled template by name (`incident-report.md.hbs` or
 * `templates/incident-report.md.hbs`).
 */
export function resolveTemplate(ref: string, playbookDir?: string): string {
  if (path.isAbsolute(ref)) return ref
  const candidates = [path.resolve(ref), ...(playbookDir ? [path.resolve(playbookDir, ref)] : []), path.join(TEMPLATES_DIR, path.basename(ref))]
  return candidates.find((c) => existsSync(c)) ?? path.resolve(ref)
}

let version: string | undefined
function packageVersion(): string {
  if (version === undefined) {
    try {
      version = String((JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version?: string }).version ?? '0.0.0')
    } catch {
      version = '0.0.0'
    }
  }
  return version
}
