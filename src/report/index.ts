import { resolveRunsDir, runDir } from '../runner/runs.js'
import { buildReportView, type BuildOptions } from './build.js'
import type { ReportView } from './types.js'

export { buildReportView, viewFromRecords, isRemediated, progressOf } from './build.js'
export { renderReport, renderPullRequestBody, renderTrackingIssue, resolveTemplate, flavourOf, TEMPLATES_DIR, DEFAULT_TEMPLATES } from './render.js'
export type { RenderOptions } from './render.js'
export * from './types.js'

/** The view of run `id` under `runsDir` (default: FIREBREAK_RUNS_DIR or .firebreak/runs). */
export function loadReport(id: string, runsDir?: string, options: BuildOptions = {}): ReportView {
  return buildReportView(runDir(resolveRunsDir(runsDir), id), options)
}
