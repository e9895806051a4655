import type { RepoView, ReportView, RiskView } from './types.js'

/**
 * What remains open after the run, worst first. Each risk says what to do,
 * in the words responders used in past incidents (INCIDENTS.md).
 */
export function assessRisks(view: Omit<ReportView, 'risks'>): RiskView[] {
  const risks: RiskView[] = []
  const affected = view.repos.filter((r) => r.status === 'affected')

  const ci = affected.filter((r) => r.findings.some((f) => isWorkflow(f.file) || f.ecosystem === 'GitHub Actions') || (hasWorkflows(r) && r.findings.some((f) => f.certainty === 'resolved')))
  if (ci.length > 0) {
    risks.push({
      level: 'high',
      title: 'An affected version was resolved where CI runs it: rotate the secrets CI can read',
      detail:
        'A workflow uses an affected action, or CI installs from a lockfile that resolves an affected version. Find the CI runs inside the exposure window, treat every secret those jobs could read as stolen, and rotate it once the malicious code is contained (not before: running malware steals the new keys). Delete run logs that may hold secrets.',
      repos: ci.map((r) => r.name),
    })
  }
  const installed = affected.filter((r) => !ci.includes(r) && r.findings.some((f) => f.certainty === 'resolved'))
  if (installed.length > 0) {
    risks.push({
      level: 'high',
      title: 'An affected version is pinned in a lockfile: machines that installed it may be compromised',
      detail: 'Anyone who ran an install from these files during the exposure window ran the malicious version. Check developer machines and build hosts, and rotate the credentials they held.',
      repos: installed.map((r) => r.name),
    })
  }
  if (view.indicators.length > 0) {
    const repos = [...new Set(view.indicators.map((i) => i.repo))]
    risks.push({
      level: 'high',
      title: 'Indicators of compromise were found',
      detail: 'Files, contents or hashes known from this incident are present. Treat these repositories as compromised: contain first (remove injected workflows and runners, keep evidence), then eradicate and rotate.',
      repos,
    })
  }
  if (view.errors.length > 0) {
    const repos = [...new Set(view.errors.map((e) => e.repo).filter((r): r is string => r !== null))]
    risks.push({
      level: 'high',
      title: 'Not everything was read',
      detail: `${view.errors.length} ${view.errors.length === 1 ? 'problem' : 'problems'} stopped files, repositories or steps from being read or finished; what was not read is not known to be clean. See the errors section.`,
      repos,
    })
  }
  const ranges = affected.filter((r) => r.findings.some((f) => f.certainty === 'range'))
  if (ranges.length > 0) {
    risks.push({
      level: 'medium',
      title: 'A version range admits an affected version and no lockfile pins it',
      detail: 'Any install during the exposure window (CI included) may have pulled the affected version. Pin an exact safe version, and check build logs from the window.',
      repos: ranges.map((r) => r.name),
    })
  }
  const unfixed = view.repos.filter((r) => r.remediation?.notRemediated)
  if (unfixed.length > 0) {
    risks.push({
      level: 'medium',
      title: 'Some affected repositories could not be remediated automatically',
      detail: 'They remain exposed until someone changes them by hand; the reasons are listed per repository.',
      repos: unfixed.map((r) => r.name),
    })
  }
  const unmerged = view.repos.filter((r) => r.remediation?.pullRequest && (r.remediation.pullRequest.state === 'open' || r.remediation.pullRequest.state === 'draft'))
  if (unmerged.length > 0) {
    risks.push({
      level: 'medium',
      title: 'Pull requests are not merged yet',
      detail: 'These repositories stay exposed until their pull requests are merged and deployed. Hold update bots back (ignore rules or a cooldown) so that they do not bring the affected version back.',
      repos: unmerged.map((r) => r.name),
    })
  }
  const closed = view.repos.filter((r) => r.remediation?.pullRequest?.state === 'closed')
  if (closed.length > 0) {
    risks.push({ level: 'medium', title: 'Pull requests were closed without merging', detail: 'The fix was not taken: these repositories are still exposed.', repos: closed.map((r) => r.name) })
  }
  if (view.incident.withdrawn) {
    risks.push({
      level: 'low',
      title: `The advisory was withdrawn (${view.incident.withdrawn})`,
      detail: 'A withdrawn advisory may have been a false positive. Confirm with its source before pinning or rotating anything because of it.',
      repos: [],
    })
  }
  if (!view.run.complete) {
    risks.push({
      level: 'medium',
      title: view.run.state === 'running' ? 'The run is still going on: this report is partial' : 'The run stopped before its end: this report is partial',
      detail: view.run.state === 'running' ? 'Render the report again when the run has ended.' : 'Resume it with `firebreak run PLAYBOOK --resume ' + view.run.id + '`.',
      repos: [],
    })
  }
  if (view.run.journalTorn) {
    risks.push({ level: 'low', title: 'The journal\'s last record was cut short', detail: 'The process was killed while writing it; that record is not in this report.', repos: [] })
  }
  return risks
}

function isWorkflow(file: string): boolean {
  return /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(file) || /(^|\/)action\.ya?ml$/.test(file)
}

function hasWorkflows(repo: RepoView): boolean {
  return repo.files.some(isWorkflow)
}
