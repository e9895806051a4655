import { createHash } from 'node:crypto'

import type { ReportView } from './types.js'

/**
 * SARIF 2.1.0: one result per finding (and one per indicator of compromise),
 * with the file relative to its repository (`uriBaseId` names the repository)
 * and the line, so that GitHub code scanning shows it on the line. The rule id
 * is the advisory id. Files or repositories that could not be read are
 * tool execution notifications: the run was not fully successful.
 */

const INDICATOR_RULE = 'firebreak/indicator-of-compromise'

export function toSarif(view: ReportView, version = '0.0.0'): Record<string, unknown> {
  const advisories = [...new Set([...view.repos.flatMap((r) => r.findings.map((f) => f.advisory)), ...view.incident.ids])].filter((id) => id !== '')
  const ruleIds = [...advisories, ...(view.indicators.length > 0 ? [INDICATOR_RULE] : [])]
  const rules = ruleIds.map((id) => rule(view, id))
  const results: Record<string, unknown>[] = []
  for (const repo of view.repos) {
    for (const f of repo.findings) {
      const paths = f.pathsText.length > 0 ? ` Dependency path: ${f.pathsText.join('; ')}.` : ''
      results.push({
        ruleId: f.advisory,
        ruleIndex: ruleIds.indexOf(f.advisory),
        level: f.certainty === 'resolved' ? 'error' : 'warning',
        message: {
          text: `${f.name} ${f.version} ${f.certainty === 'resolved' ? 'is resolved' : 'is a range that admits an affected version'} (${f.direct ? 'direct' : 'transitive'}${f.dev ? ', dev' : ''}); affected by ${f.advisory}.${paths}`,
        },
        locations: [location(repo.name, f.file, f.line)],
        partialFingerprints: { 'firebreakFinding/v1': fingerprint(repo.name, f.advisory, f.file, f.name, f.version) },
        properties: { repository: repo.name, package: f.name, version: f.version, ecosystem: f.ecosystem, certainty: f.certainty, paths: f.paths },
      })
    }
  }
  for (const i of view.indicators) {
    results.push({
      ruleId: INDICATOR_RULE,
      ruleIndex: ruleIds.indexOf(INDICATOR_RULE),
      level: 'error',
      message: { text: `Indicator of compromise (${i.kind}${i.name ? `: ${i.name}` : ''}) matched: ${i.rule}` },
      locations: [location(i.repo, i.file, i.line)],
      partialFingerprints: { 'firebreakIndicator/v1': fingerprint(i.repo, i.kind, i.file, i.rule, String(i.line ?? '')) },
      properties: { repository: i.repo, kind: i.kind },
    })
  }
  const notifications = view.errors.map((e) => ({
    level: 'error',
    message: { text: `${e.repo ?? 'run'}${e.file ? `/${e.file}` : ''}: ${e.message}` },
    ...(e.repo && e.file ? { locations: [location(e.repo, e.file, e.line)] } : {}),
  }))
  const invocation: Record<string, unknown> = {
    executionSuccessful: view.errors.length === 0 && view.run.state !== 'failed',
    toolExecutionNotifications: notifications,
  }
  if (view.run.startedAt) invocation.startTimeUtc = view.run.startedAt
  if (view.run.endedAt) invocation.endTimeUtc = view.run.endedAt
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'firebreak', semanticVersion: version, informationUri: 'https://github.com/firebreak-dev/firebreak', rules } },
        automationDetails: { id: `firebreak/${view.run.playbook}/${view.run.id}` },
        originalUriBaseIds: Object.fromEntries(view.repos.map((r) => [baseId(r.name), { description: { text: `Root of the repository ${r.name}` } }])),
        invocations: [invocation],
        results,
      },
    ],
  }
}

function rule(view: ReportView, id: string): Record<string, unknown> {
  if (id === INDICATOR_RULE) {
    return {
      id,
      name: 'IndicatorOfCompromise',
      shortDescription: { text: 'A file, content or hash known from the incident was found' },
      fullDescription: { text: 'A file path, file content or SHA-256 hash listed as an indicator of compromise by the playbook was found in the repository.' },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security', 'supply-chain', 'indicator-of-compromise'] },
    }
  }
  const primary = id === view.incident.id
  const summary = primary && view.incident.summary ? view.incident.summary : `Affected by ${id}`
  const helpUri = primary && view.incident.url ? view.incident.url : advisoryUrl(id)
  return {
    id,
    name: id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: summary },
    fullDescription: { text: `${summary}. Move to a version that is not affected and rotate any secrets the affected version could read.` },
    helpUri,
    help: { text: `See ${helpUri}` },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['security', 'supply-chain'] },
  }
}

function advisoryUrl(id: string): string {
  return id.startsWith('GHSA-') ? `https://github.com/advisories/${id}` : `https://osv.dev/vulnerability/${encodeURIComponent(id)}`
}

/** uriBaseId values are identifiers; repository names are data. */
function baseId(repo: string): string {
  return `REPO_${repo.replace(/[^A-Za-z0-9_.-]/g, '_')}`
}

function location(repo: string, file: string, line: number | null): Record<string, unknown> {
  const physical: Record<string, unknown> = { artifactLocation: { uri: relativeUri(file), uriBaseId: baseId(repo) } }
  if (line !== null && line > 0) physical.region = { startLine: line }
  return { physicalLocation: physical }
}

/** A relative URI reference: each path segment percent-encoded, so `#`, `?` and `:` stay part of the name. */
function relativeUri(file: string): string {
  return file
    .replace(/^\.?\/+/, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/')
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32)
}
