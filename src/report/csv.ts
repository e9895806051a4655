import { csvRow } from './escape.js'
import type { ReportView } from './types.js'

/**
 * CSV (RFC 4180, CRLF line ends): one row per finding, with the repository's
 * remediation and pull request beside it. Cells that a spreadsheet would read
 * as a formula get a leading `'`.
 */
export const CSV_COLUMNS = [
  'repository',
  'advisory',
  'ecosystem',
  'package',
  'version',
  'certainty',
  'direct',
  'dev',
  'file',
  'line',
  'dependency_paths',
  'remediation',
  'branch',
  'pull_request',
  'pull_request_state',
] as const

export function toCsv(view: ReportView): string {
  let out = csvRow(CSV_COLUMNS)
  for (const repo of view.repos) {
    const r = repo.remediation
    for (const f of repo.findings) {
      out += csvRow([
        repo.name,
        f.advisory,
        f.ecosystem,
        f.name,
        f.version,
        f.certainty,
        f.direct,
        f.dev,
        f.file,
        f.line ?? '',
        f.pathsText.join(' | '),
        r ? (r.notRemediated !== null ? `not remediated: ${r.notRemediated}` : r.status) : '',
        r?.branch ?? '',
        r?.pullRequest?.url ?? '',
        r?.pullRequest?.state ?? '',
      ])
    }
  }
  return out
}
