import { join } from 'node:path'

import type { JournalRecord } from '../runner/journal.js'
import { JOURNAL_FILE, readMeta, stateOf } from '../runner/runs.js'
import type { RunMeta } from '../runner/runs.js'
import type { RepoScan } from '../scan/scan.js'
import type { FileSearchResult } from '../sources/local/files.js'
import { assessRisks } from './risks.js'
import {
  INDICATOR_STEPS,
  REMEDIATION_STEPS,
  REPORT_SCHEMA,
  RemediationRecordSchema,
  type ActionView,
  type FindingView,
  type IncidentView,
  type IndicatorView,
  type ProblemView,
  type RemediationView,
  type RepoView,
  type ReportView,
  type RunView,
  type SummaryView,
  type TimelineEntry,
} from './types.js'
import { readJournal } from '../runner/journal.js'

export interface BuildOptions {
  /** The report's own timestamp (tests). */
  now?: Date
  /**
   * The report is rendered by the last step of the run itself: everything but
   * the run's end is in the journal, so it is not called partial.
   */
  lastStep?: boolean
}

/** Builds the view model of the run in `dir` (run.json and journal.jsonl); works on a run still going on. */
export function buildReportView(dir: string, options: BuildOptions = {}): ReportView {
  const meta = readMeta(dir)
  const { records, torn } = readJournal(join(dir, JOURNAL_FILE))
  return viewFromRecords(meta, records, { ...options, torn })
}

type ActionEnd = Extract<JournalRecord, { type: 'action-end' }>
type StepEnd = Extract<JournalRecord, { type: 'step-end' }>

interface RepoAcc {
  view: RepoView
  scanned: boolean
  scanFailed: boolean
  remediation: RemediationAcc | undefined
}

interface RemediationAcc {
  view: RemediationView
  done: boolean
  planned: boolean
}

/** The pure part: a view from run.json and the journal's records. */
export function viewFromRecords(meta: RunMeta, records: readonly JournalRecord[], options: BuildOptions & { torn?: boolean } = {}): ReportView {
  const uses = new Map<string, string>()
  const repos = new Map<string, RepoAcc>()
  const errors: ProblemView[] = []
  const indicators: IndicatorView[] = []
  const timeline: TimelineEntry[] = []
  const open = new Map<string, Extract<JournalRecord, { type: 'action-start' }>>()
  let advisory: Record<string, unknown> | undefined
  let attempts = 0
  let ranBy = stringOr((meta as unknown as Record<string, unknown>).user) ?? stringOr((meta as unknown as Record<string, unknown>).ranBy)

  const repo = (name: string): RepoAcc => {
    let acc = repos.get(name)
    if (!acc) {
      acc = {
        view: { name, ref: null, commit: null, status: 'not-scanned', files: [], findings: [], errors: [], actions: [], remediation: null, progress: null, indicators: [] },
        scanned: false,
        scanFailed: false,
        remediation: undefined,
      }
      repos.set(name, acc)
    }
    return acc
  }

  for (const record of records) {
    switch (record.type) {
      case 'run-start': {
        attempts = Math.max(attempts, record.attempt ?? attempts + 1)
        ranBy ??= stringOr((record as unknown as Record<string, unknown>).user)
        timeline.push(entry(record.at, 'run-start', null, null, null, `Run started (attempt ${record.attempt}, ${record.apply ? 'apply' : 'plan'})`))
        break
      }
      case 'step-start':
        uses.set(record.step, record.uses)
        timeline.push(entry(record.at, 'step-start', record.step, null, null, `${record.planned ? 'Planning' : 'Running'} step ${record.name ? `${record.step} (${record.name})` : record.step}: ${record.uses}`))
        break
      case 'step-end':
        if (record.advisory) advisory = record.advisory
        if (record.status === 'failure' && record.error) errors.push({ repo: null, step: record.step, file: null, line: null, message: record.error })
        timeline.push(entry(record.at, 'step-end', record.step, null, record.status, stepEndText(record)))
        break
      case 'action-start':
        open.set(`${record.step}\u0000${record.repo}\u0000${record.key}`, record)
        break
      case 'action-end': {
        open.delete(`${record.step}\u0000${record.repo}\u0000${record.key}`)
        const stepUses = uses.get(record.step) ?? record.step
        const acc = repo(record.repo)
        const detail = record.status === 'skipped' ? (record.reason ?? null) : (record.error ?? null)
        acc.view.actions.push({ step: record.step, uses: stepUses, key: record.key, status: record.status, at: record.at, detail })
        timeline.push(entry(record.at, 'action', record.step, record.repo, record.status, `${record.repo}: ${record.key} ${record.status}${detail ? `: ${detail}` : ''}`))
        if (record.status === 'failed') {
          const problem = { repo: record.repo, step: record.step, file: null, line: null, message: `${record.key} failed: ${record.error ?? 'unknown error'}` }
          acc.view.errors.push(problem)
          errors.push(problem)
        }
        if (stepUses === 'scan') addScan(acc, record, errors)
        else if ((INDICATOR_STEPS as readonly string[]).includes(stepUses)) addIndicators(acc, record, indicators, errors)
        else if ((REMEDIATION_STEPS as readonly string[]).includes(stepUses)) addRemediation(acc, record, errors)
        break
      }
      case 'note':
        timeline.push(entry(record.at, 'note', record.step ?? null, null, null, record.message))
        break
      case 'run-end':
        timeline.push(entry(record.at, 'run-end', null, null, record.state, `Run ${record.state}, outcome ${record.outcome}${record.error ? `: ${record.error}` : ''}`))
        break
      default:
        break
    }
  }
  // An action started but not ended is under way (or was cut off by a kill).
  for (const start of open.values()) {
    repo(start.repo).view.actions.push({ step: start.step, uses: uses.get(start.step) ?? start.step, key: start.key, status: 'running', at: start.at, detail: null })
  }

  const { state, outcome, ended } = stateOf(records, meta)
  const run: RunView = {
    id: meta.id,
    playbook: meta.playbook,
    playbookFile: meta.playbookFile,
    ranBy: ranBy ?? null,
    host: meta.host ?? null,
    startedAt: meta.startedAt ?? null,
    endedAt: ended ?? null,
    mode: meta.apply ? 'apply' : 'plan',
    state,
    outcome: outcome ?? null,
    attempts: Math.max(attempts, meta.attempt ?? 0),
    error: lastRunError(records),
    complete: state === 'completed' || state === 'failed' || state === 'cancelled' || (state === 'running' && options.lastStep === true),
    journalTorn: options.torn ?? false,
  }

  const repoViews = [...repos.values()].map(finishRepo)
  const incident = incidentFrom(advisory, repoViews, meta)
  const summary = summarise(repoViews, errors, indicators)
  summary.indicatorsSearched = [...uses.values()].some((u) => (INDICATOR_STEPS as readonly string[]).includes(u))
  const view: ReportView = {
    schema: REPORT_SCHEMA,
    generatedAt: (options.now ?? new Date()).toISOString(),
    incident,
    run,
    summary,
    repos: repoViews,
    timeline,
    indicators,
    risks: [],
    errors,
  }
  view.risks = assessRisks(view)
  view.summary.risks = view.risks.length
  return view
}

function entry(at: string, kind: TimelineEntry['kind'], step: string | null, repo: string | null, status: string | null, text: string): TimelineEntry {
  return { at, kind, step, repo, status, text }
}

function stepEndText(record: StepEnd): string {
  const tail = record.summary ?? record.error ?? record.reason
  return `Step ${record.step} ${record.status}${tail ? `: ${tail}` : ''}`
}

function lastRunError(records: readonly JournalRecord[]): string | null {
  let error: string | null = null
  for (const r of records) {
    if (r.type === 'run-start') error = null
    else if (r.type === 'run-end') error = r.error ?? null
  }
  return error
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function addScan(acc: RepoAcc, record: ActionEnd, errors: ProblemView[]): void {
  if (record.status === 'failed') {
    acc.scanFailed = true
    return
  }
  if (record.status !== 'done' || typeof record.value !== 'object' || record.value === null) return
  const scan = record.value as Partial<RepoScan>
  acc.scanned = true
  acc.view.ref ??= scan.repo?.ref ?? null
  acc.view.commit ??= scan.repo?.commit ?? null
  for (const file of scan.repo?.files ?? []) if (!acc.view.files.includes(file)) acc.view.files.push(file)
  const seen = new Set(acc.view.findings.map(findingKey))
  for (const f of scan.findings ?? []) {
    const paths = Array.isArray(f.paths) ? f.paths.map((p) => p.map(String)) : [[f.name]]
    const finding: FindingView = {
      advisory: f.advisory,
      file: f.file,
      line: f.line ?? null,
      location: f.line ? `${f.file}:${f.line}` : f.file,
      ecosystem: f.ecosystem,
      name: f.name,
      version: f.version,
      certainty: f.certainty === 'range' ? 'range' : 'resolved',
      direct: f.direct === true,
      dev: f.dev === true,
      paths,
      pathsText: paths.map((p) => p.join(' > ')),
    }
    if (seen.has(findingKey(finding))) continue
    seen.add(findingKey(finding))
    acc.view.findings.push(finding)
  }
  for (const e of scan.errors ?? []) {
    const problem = { repo: acc.view.name, step: record.step, file: e.file ?? null, line: e.line ?? null, message: e.message }
    acc.view.errors.push(problem)
    errors.push(problem)
  }
}

function findingKey(f: FindingView): string {
  return [f.advisory, f.file, f.line, f.name, f.version].join('\u0000')
}

function addIndicators(acc: RepoAcc, record: ActionEnd, indicators: IndicatorView[], errors: ProblemView[]): void {
  if (record.status !== 'done' || typeof record.value !== 'object' || record.value === null) return
  const result = record.value as Partial<FileSearchResult>
  for (const m of result.matches ?? []) {
    const indicator: IndicatorView = {
      repo: acc.view.name,
      step: record.step,
      kind: m.kind,
      file: m.file,
      line: m.line ?? null,
      location: m.line ? `${m.file}:${m.line}` : m.file,
      rule: m.rule,
      name: m.name ?? null,
      excerpt: m.excerpt ?? null,
      sha256: m.sha256 ?? null,
    }
    acc.view.indicators.push(indicator)
    indicators.push(indicator)
  }
  for (const e of result.errors ?? []) {
    const problem = { repo: acc.view.name, step: record.step, file: e.file, line: null, message: e.message }
    acc.view.errors.push(problem)
    errors.push(problem)
  }
  if (result.truncated) {
    const problem = { repo: acc.view.name, step: record.step, file: null, line: null, message: result.truncated }
    acc.view.errors.push(problem)
    errors.push(problem)
  }
}

function addRemediation(acc: RepoAcc, record: ActionEnd, errors: ProblemView[]): void {
  const r = (acc.remediation ??= {
    view: { step: record.step, status: 'planned', branch: null, base: null, commit: null, files: [], changes: [], checks: [], pullRequest: null, plannedPullRequest: null, notRemediated: null },
    done: false,
    planned: false,
  })
  const view = r.view
  view.step = record.step
  if (record.status === 'cancelled') return
  view.status = record.status
  if (record.status === 'skipped') {
    view.notRemediated = record.reason ?? 'skipped'
    return
  }
  if (record.status === 'failed') return
  const raw = record.status === 'done' ? record.value : record.plan
  if (raw === undefined || raw === null) {
    if (record.status === 'done') r.done = true
    else r.planned = true
    return
  }
  const parsed = RemediationRecordSchema.safeParse(raw)
  if (!parsed.success) {
    const problem = { repo: acc.view.name, step: record.step, file: null, line: null, message: `${record.key}: the recorded result is not a remediation record (${parsed.error.issues[0]?.message ?? 'invalid'})` }
    acc.view.errors.push(problem)
    errors.push(problem)
    return
  }
  if (record.status === 'done') r.done = true
  else r.planned = true
  const value = parsed.data
  if (value.branch !== undefined) view.branch = value.branch
  if (value.base !== undefined) view.base = value.base
  if (value.commit !== undefined) view.commit = value.commit
  const files = [...(value.files ?? []), ...(value.edits ?? [])]
  if (files.length > 0) view.files = [...new Set([...view.files, ...files])]
  if (value.changes) view.changes = value.changes.map((c) => ({ file: c.file, package: c.package ?? c.name ?? null, from: c.from, to: c.to ?? '(removed)', line: c.line ?? null }))
  if (value.checks || value.relock) {
    view.checks = (value.checks ?? []).map((c) => ({ name: c.name, ok: c.ok, detail: c.detail ?? null }))
    if (value.relock) {
      const name = value.relock.tool ? `lockfile regenerated with ${value.relock.tool}` : 'lockfile'
      view.checks.push({ name, ok: value.relock.ok, detail: value.relock.message || null })
    }
  }
  if (value.pullRequest) view.pullRequest = { ...value.pullRequest, title: value.pullRequest.title ?? null }
  if (value.plannedPullRequest) view.plannedPullRequest = { title: value.plannedPullRequest.title, base: value.plannedPullRequest.base ?? null }
  if (value.notRemediated !== undefined) view.notRemediated = value.notRemediated
}

function finishRepo(acc: RepoAcc): RepoView {
  const view = acc.view
  view.remediation = acc.remediation?.view ?? null
  if (view.findings.length > 0) view.status = 'affected'
  else if (acc.scanFailed || view.errors.length > 0) view.status = 'error'
  else if (acc.scanned) view.status = 'clean'
  else view.status = 'not-scanned'
  view.progress = view.status === 'affected' ? progressOf(view) : null
  return view
}

/** An affected repository counts as remediated once a fix was committed or a pull request exists, and nothing says otherwise. */
export function isRemediated(repo: RepoView): boolean {
  const r = repo.remediation
  if (!r || r.notRemediated !== null || r.status === 'planned' || r.pullRequest?.state === 'closed') return false
  return r.commit !== null || r.pullRequest !== null
}

/** Where an affected repository stands: exactly one of the progress states. */
export function progressOf(repo: RepoView): keyof SummaryView['progress'] {
  const r = repo.remediation
  if (!r) return 'pending'
  if (r.pullRequest?.state === 'merged') return 'merged'
  if (isRemediated(repo)) return 'fixed'
  if (r.notRemediated !== null) return 'notRemediable'
  if (r.status === 'planned') return 'planned'
  return 'pending'
}

function summarise(repos: RepoView[], errors: ProblemView[], indicators: IndicatorView[]): SummaryView {
  const affected = repos.filter((r) => r.status === 'affected')
  const prs = repos.map((r) => r.remediation?.pullRequest).filter((p): p is NonNullable<typeof p> => p !== null && p !== undefined)
  const count = (state: string): number => prs.filter((p) => p.state === state).length
  const progress = { merged: 0, fixed: 0, planned: 0, notRemediable: 0, pending: 0 }
  for (const r of affected) progress[progressOf(r)]++
  const notRemediated = repos
    .filter((r) => r.remediation?.notRemediated)
    .map((r) => ({ repo: r.name, reason: r.remediation!.notRemediated! }))
  return {
    reposScanned: repos.filter((r) => r.status !== 'not-scanned').length,
    reposAffected: affected.length,
    reposClean: repos.filter((r) => r.status === 'clean').length,
    reposRemediated: progress.merged + progress.fixed,
    progress,
    findings: repos.reduce((n, r) => n + r.findings.length, 0),
    pullRequests: { total: prs.length, open: count('open'), draft: count('draft'), merged: count('merged'), closed: count('closed') },
    notRemediated,
    errors: errors.length,
    indicators: indicators.length,
    indicatorsSearched: false,
    risks: 0,
  }
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '')
  if (typeof value === 'string' && value !== '') return [value]
  return []
}

function incidentFrom(advisory: Record<string, unknown> | undefined, repos: RepoView[], meta: RunMeta): IncidentView {
  const a = advisory ?? {}
  const id = stringOr(a.id) ?? ''
  const pkg = stringOr(a.package) ?? ''
  // Safe versions: what the advisory context says, else the versions the pins moved to, else the run's input.
  const safe = new Set([...stringList(a.safeVersions), ...stringList(a.fixed)])
  const packages = stringList(a.packages)
  if (safe.size === 0) {
    // One package: its versions; several: name and version, or the list means nothing.
    for (const r of repos) {
      for (const c of r.remediation?.changes ?? []) {
        if (c.to === '(removed)') continue
        if (packages.length > 1) safe.add(c.package ? `${c.package} ${c.to}` : c.to)
        else if (c.package === null || c.package === pkg) safe.add(c.to)
      }
    }
  }
  if (safe.size === 0) for (const v of stringList(meta.inputs?.['safe-version'])) safe.add(v)
  return {
    id,
    ids: stringList(a.ids).length > 0 ? stringList(a.ids) : id ? [id] : [],
    aliases: stringList(a.aliases),
    package: pkg,
    ecosystem: stringOr(a.ecosystem) ?? '',
    affectedVersions: stringList(a.versions),
    safeVersions: [...safe],
    summary: stringOr(a.summary) ?? '',
    url: stringOr(a.url) ?? null,
    references: stringList(a.references),
    withdrawn: stringOr(a.withdrawn) ?? null,
  }
}

export type { ActionView }
