import { z } from 'zod'

/**
 * The report view model. Everything a report says is computed here first;
 * templates only format it (CONVENTIONS.md 9). The zod schema is the source of
 * truth: the TypeScript types are inferred from it and templates/report.schema.json
 * is generated from it (kept in sync by test/report/schema.test.ts).
 *
 * Optional facts are `null`, never absent, so that a strict template can test
 * them with `{{#if}}` and a misspelt field still fails.
 */

export const REPORT_SCHEMA = 'firebreak.report/1'

/** Steps whose per-repository `action-end` values are read as {@link RemediationRecord}s. */
export const REMEDIATION_STEPS = ['pin', 'remove', 'open-pull-requests'] as const

/** Steps whose per-repository `action-end` values are read as indicator matches. */
export const INDICATOR_STEPS = ['find-files'] as const

const text = z.string()
const when = z.string().nullable().describe('ISO 8601 timestamp, or null when not known.')

export const PullRequestStateSchema = z.enum(['open', 'draft', 'merged', 'closed']).describe('State of a pull request when it was last recorded.')

/**
 * The contract between the remediation steps (pin, remove, open-pull-requests)
 * and the report: the `value` of their per-repository `action-end` records
 * (and the `plan` of a planned one) must have this shape for the report to
 * show them. Every field is optional, because each step knows part of it (pin
 * knows the branch, commit and changes; open-pull-requests knows the pull
 * request); the report merges a repository's records in journal order, later
 * ones overriding earlier ones. A `skipped` action's reason, or a value with
 * `notRemediated`, is listed under "not remediable".
 */
export const RemediationRecordSchema = z
  .object({
    branch: z.string().optional().describe('Branch the change is on.'),
    base: z.string().optional().describe('Branch the pull request targets.'),
    commit: z.string().optional().describe('Commit SHA of the change.'),
    files: z.array(z.string()).optional().describe('Files changed, relative to the repository root.'),
    changes: z
      .array(
        z.object({
          file: z.string(),
          package: z.string().optional(),
          /** Same as `package` (the remediate module's PlannedChange says `name`). */
          name: z.string().optional(),
          from: z.string(),
          /** Absent for a removal. */
          to: z.string().optional(),
          line: z.number().int().optional(),
        }),
      )
      .optional()
      .describe('What changed: one entry per edited dependency (no `to` for a removal).'),
    relock: z.object({ tool: z.string(), ok: z.boolean(), message: z.string().optional() }).optional().describe('The lockfile regeneration, shown as a check.'),
    edits: z.array(z.string()).optional().describe('In a plan: the files that would be edited (read as `files`).'),
    checks: z
      .array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() }))
      .optional()
      .describe('How the change was checked (lockfile regenerated with scripts off, re-scan clean, ...).'),
    pullRequest: z
      .object({
        number: z.number().int(),
        url: z.string(),
        state: PullRequestStateSchema,
        title: z.string().optional(),
      })
      .optional()
      .describe('The pull request, once opened or found.'),
    plannedPullRequest: z
      .object({ state: z.string(), title: z.string(), base: z.string().optional() })
      .optional()
      .describe('A pull request that would be opened: the repository has no GitHub remote, or the run only plans.'),
    notRemediated: z.string().optional().describe('Why this repository could not be remediated (no safe version, not a direct dependency, ...).'),
  })
  .describe('Value of a remediation step\'s per-repository action-end record.')

export type RemediationRecord = z.infer<typeof RemediationRecordSchema>

export const IncidentSchema = z
  .strictObject({
    id: text.describe('The primary advisory id, or "" when no scan recorded one.'),
    ids: z.array(text).describe('Every advisory id the run matched against.'),
    aliases: z.array(text),
    package: text,
    ecosystem: text,
    affectedVersions: z.array(text),
    safeVersions: z.array(text).describe('Versions to move to: from the advisory, the pins made, or the safe-version input.'),
    summary: text,
    url: z.string().nullable().describe('Link to the advisory.'),
    references: z.array(text),
    withdrawn: when.describe('When the advisory was withdrawn, or null.'),
  })
  .describe('What the incident is about.')

export const RunStateSchema = z.enum(['running', 'interrupted', 'completed', 'failed', 'cancelled'])

export const RunSchema = z
  .strictObject({
    id: text,
    playbook: text,
    playbookFile: text,
    ranBy: z.string().nullable().describe('Who started the run, when recorded.'),
    host: z.string().nullable(),
    startedAt: when,
    endedAt: when,
    mode: z.enum(['plan', 'apply']),
    state: RunStateSchema,
    outcome: z.enum(['clean', 'affected', 'unfixed']).nullable(),
    attempts: z.number().int(),
    error: z.string().nullable(),
    complete: z.boolean().describe('False while the run is going on, or when it stopped before its end: the report is partial.'),
    journalTorn: z.boolean().describe('The journal\'s last line was cut short and was ignored.'),
  })
  .describe('The run the report is made from.')

export const SummarySchema = z
  .strictObject({
    reposScanned: z.number().int(),
    reposAffected: z.number().int(),
    reposClean: z.number().int(),
    reposRemediated: z.number().int().describe('Affected repositories with a fix committed (or a pull request).'),
    progress: z
      .strictObject({
        merged: z.number().int().describe('Pull request merged.'),
        fixed: z.number().int().describe('Fix committed or pull request open, not merged yet.'),
        planned: z.number().int().describe('Fix planned (a run without --apply).'),
        notRemediable: z.number().int().describe('Could not be remediated automatically.'),
        pending: z.number().int().describe('Nothing recorded yet, or the remediation failed.'),
      })
      .describe('Every affected repository in exactly one state of remediation.'),
    findings: z.number().int(),
    pullRequests: z.strictObject({ total: z.number().int(), open: z.number().int(), draft: z.number().int(), merged: z.number().int(), closed: z.number().int() }),
    notRemediated: z.array(z.strictObject({ repo: text, reason: text })),
    errors: z.number().int(),
    indicators: z.number().int(),
    indicatorsSearched: z.boolean().describe('A find-files step ran (so "no indicators" means none were found).'),
    risks: z.number().int(),
  })
  .describe('The figures at the top of the report.')

export const FindingViewSchema = z.strictObject({
  advisory: text,
  file: text,
  line: z.number().int().nullable(),
  location: text.describe('file:line, or file when the line is not known.'),
  ecosystem: text,
  name: text,
  version: text,
  certainty: z.enum(['resolved', 'range']).describe('resolved: this version is installed; range: a range admits an affected version.'),
  direct: z.boolean(),
  dev: z.boolean(),
  paths: z.array(z.array(text)).describe('Dependency paths from the project to the package.'),
  pathsText: z.array(text).describe('The same paths, each as "a > b > c".'),
})

export const ProblemSchema = z.strictObject({
  repo: z.string().nullable().describe('The repository, or null for a problem of the run or a step.'),
  step: z.string().nullable(),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  message: text,
})

export const ActionViewSchema = z.strictObject({
  step: text,
  uses: text,
  key: text,
  status: z.enum(['done', 'skipped', 'planned', 'failed', 'cancelled', 'running']),
  at: text,
  detail: z.string().nullable().describe('Why it was skipped, or its error.'),
})

export const IndicatorSchema = z.strictObject({
  repo: text,
  step: text,
  kind: z.enum(['path', 'content', 'hash']),
  file: text,
  line: z.number().int().nullable(),
  location: text,
  rule: text.describe('The glob, regular expression or hash that matched.'),
  name: z.string().nullable().describe('The indicator\'s label, when the playbook gave one.'),
  excerpt: z.string().nullable().describe('The matched text, shortened.'),
  sha256: z.string().nullable(),
})

export const RemediationViewSchema = z.strictObject({
  step: text,
  status: z.enum(['done', 'planned', 'skipped', 'failed']),
  branch: z.string().nullable(),
  base: z.string().nullable(),
  commit: z.string().nullable(),
  files: z.array(text),
  changes: z.array(z.strictObject({ file: text, package: z.string().nullable(), from: text, to: text, line: z.number().int().nullable() })),
  checks: z.array(z.strictObject({ name: text, ok: z.boolean(), detail: z.string().nullable() })),
  pullRequest: z.strictObject({ number: z.number().int(), url: text, state: PullRequestStateSchema, title: z.string().nullable() }).nullable(),
  plannedPullRequest: z.strictObject({ title: text, base: z.string().nullable() }).nullable(),
  notRemediated: z.string().nullable(),
})

export const RepoStatusSchema = z.enum(['affected', 'clean', 'error', 'not-scanned'])

export const RepoViewSchema = z.strictObject({
  name: text,
  ref: z.string().nullable(),
  commit: z.string().nullable(),
  status: RepoStatusSchema.describe('affected: at least one finding; error: no finding but something was not read; clean: everything read, nothing found.'),
  files: z.array(text).describe('Manifests, lockfiles and workflows read.'),
  findings: z.array(FindingViewSchema),
  errors: z.array(ProblemSchema),
  actions: z.array(ActionViewSchema),
  remediation: RemediationViewSchema.nullable(),
  progress: z.enum(['merged', 'fixed', 'planned', 'notRemediable', 'pending']).nullable().describe('Where an affected repository stands (see summary.progress); null when not affected.'),
  indicators: z.array(IndicatorSchema),
})

export const TimelineEntrySchema = z.strictObject({
  at: text,
  kind: z.enum(['run-start', 'run-end', 'step-start', 'step-end', 'action', 'note']),
  step: z.string().nullable(),
  repo: z.string().nullable(),
  status: z.string().nullable(),
  text: text,
})

export const RiskSchema = z.strictObject({
  level: z.enum(['high', 'medium', 'low']),
  title: text,
  detail: text,
  repos: z.array(text),
})

export const ReportViewSchema = z
  .strictObject({
    schema: z.literal(REPORT_SCHEMA),
    generatedAt: text,
    incident: IncidentSchema,
    run: RunSchema,
    summary: SummarySchema,
    repos: z.array(RepoViewSchema),
    timeline: z.array(TimelineEntrySchema),
    indicators: z.array(IndicatorSchema),
    risks: z.array(RiskSchema),
    errors: z.array(ProblemSchema),
  })
  .describe('A firebreak incident report: the view model every report format is rendered from.')

export type ReportView = z.infer<typeof ReportViewSchema>
export type IncidentView = z.infer<typeof IncidentSchema>
export type RunView = z.infer<typeof RunSchema>
export type SummaryView = z.infer<typeof SummarySchema>
export type RepoView = z.infer<typeof RepoViewSchema>
export type FindingView = z.infer<typeof FindingViewSchema>
export type ActionView = z.infer<typeof ActionViewSchema>
export type IndicatorView = z.infer<typeof IndicatorSchema>
export type RemediationView = z.infer<typeof RemediationViewSchema>
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>
export type RiskView = z.infer<typeof RiskSchema>
export type ProblemView = z.infer<typeof ProblemSchema>

export type ReportFormat = 'md' | 'html' | 'json' | 'sarif' | 'csv'
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'json', 'sarif', 'csv']

/** The JSON Schema of the view model (templates/report.schema.json). */
export function reportJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ReportViewSchema, { target: 'draft-7', io: 'output' }) as Record<string, unknown>
  return { $schema: schema.$schema, title: 'firebreak report view', ...schema }
}

export function reportJsonSchemaText(): string {
  return JSON.stringify(reportJsonSchema(), null, 2) + '\n'
}
