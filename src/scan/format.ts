import type { Finding, ScanResult } from './types.js'

/** Key order as DESIGN.md shows it, so the JSON reads the same everywhere. */
export function orderScanJson(result: ScanResult): ScanResult {
  return {
    schema: result.schema,
    repos: result.repos,
    ...(result.packages ? { packages: result.packages } : {}),
    findings: result.findings,
    errors: result.errors,
  }
}

function where(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`
}

function describe(finding: Finding): string {
  const kind = finding.certainty === 'range' ? `range ${finding.version} admits an affected version` : `${finding.direct ? 'direct' : 'transitive'}${finding.dev ? ', dev' : ''}`
  const path = finding.certainty === 'resolved' && finding.paths[0] && finding.paths[0].length > 1 ? `; ${finding.paths[0].join(' -> ')}@${finding.version}` : ''
  const version = finding.certainty === 'range' ? '' : `@${finding.version}`
  return `${finding.name}${version} (${kind}${path})`
}

/** The human view: what is affected and where, then what could not be read, then one summary line. */
export function formatScan(result: ScanResult, options: { inventory?: boolean } = {}): string {
  const lines: string[] = []
  if (options.inventory) {
    for (const p of result.packages ?? []) {
      lines.push(`${p.repo}/${where(p.file, p.line)}\t${p.ecosystem}\t${p.name}\t${p.version}${p.dev ? '\tdev' : ''}`)
    }
    if (lines.length > 0) lines.push('')
  }
  for (const f of result.findings) {
    lines.push(`AFFECTED  ${f.repo}/${where(f.file, f.line)}  ${describe(f)}  [${f.advisory}]`)
  }
  if (result.errors.length > 0) {
    if (result.findings.length > 0) lines.push('')
    for (const e of result.errors) lines.push(`ERROR     ${e.repo}/${where(e.file, e.line)}: ${e.message}`)
  }
  const files = result.repos.reduce((n, r) => n + r.files.length, 0)
  const affectedRepos = new Set(result.findings.map((f) => f.repo)).size
  if (lines.length > 0) lines.push('')
  lines.push(
    `${result.repos.length} ${plural(result.repos.length, 'repository', 'repositories')}, ${files} ${plural(files, 'file')} read: ` +
      `${result.findings.length} affected ${plural(result.findings.length, 'entry', 'entries')} in ${affectedRepos} ${plural(affectedRepos, 'repository', 'repositories')}` +
      (result.errors.length > 0 ? `, ${result.errors.length} ${plural(result.errors.length, 'error')} (not everything was read: see above)` : '') +
      (options.inventory ? `, ${(result.packages ?? []).length} packages listed` : ''),
  )
  return lines.join('\n')
}

function plural(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many
}
