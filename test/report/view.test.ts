import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { buildReportView, ReportViewSchema } from '../../src/report/index.js'
import type { ReportView } from '../../src/report/index.js'
import { startRun } from '../../src/runner/run.js'
import { RUN_ID, remediationJournal, writeRun } from './helpers.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
let tmp: string

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firebreak-report-view-'))
  cpSync(join(root, 'examples', 'demo-org'), join(tmp, 'org'), { recursive: true })
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('the view of a real run', () => {
  let view: ReportView
  let runDirectory: string

  beforeAll(async () => {
    const org = join(tmp, 'org')
    const result = await startRun({
      playbookFile: ['find-exposure.yaml', 'find-exposure.yml'].map((f) => join(root, 'playbooks', f)).find((f) => existsSync(f))!,
      inputs: {
        advisory: `${join(root, 'examples/advisories/MAL-2025-46969.json')},${join(root, 'examples/advisories/MAL-2025-6794.json')}`,
        repos: ['storefront', 'ml-pipeline', 'docs-site'].map((r) => join(org, r)).join(','),
      },
      runsDir: join(tmp, 'runs'),
    })
    expect(result.state).toBe('completed')
    runDirectory = result.dir
    view = buildReportView(result.dir)
  })

  it('is valid against its own schema', () => {
    expect(ReportViewSchema.safeParse(view).success).toBe(true)
  })

  it('has the incident, the run and the figures', () => {
    expect(view.incident).toMatchObject({ id: 'MAL-2025-46969', ids: ['MAL-2025-46969', 'MAL-2025-6794'], aliases: ['GHSA-2v46-p5h4-248w'], package: 'chalk, num2words', ecosystem: 'npm, PyPI', affectedVersions: ['5.6.1', '0.5.15', '0.5.16'] })
    expect(view.incident.url).toBe('https://github.com/advisories/GHSA-2v46-p5h4-248w')
    expect(view.run).toMatchObject({ playbook: 'find-exposure', mode: 'plan', state: 'completed', outcome: 'affected', complete: true, attempts: 1 })
    expect(view.run.endedAt).not.toBeNull()
    expect(view.summary).toMatchObject({ reposScanned: 3, reposAffected: 2, reposClean: 1, findings: 3, errors: 0, reposRemediated: 0 })
    expect(view.summary.progress).toEqual({ merged: 0, fixed: 0, planned: 0, notRemediable: 0, pending: 2 })
  })

  it('lists findings with file:line, certainty and dependency paths', () => {
    const storefront = view.repos.find((r) => r.name === 'storefront')!
    expect(storefront.status).toBe('affected')
    expect(storefront.findings[0]).toMatchObject({ name: 'chalk', version: '5.6.1', location: 'package-lock.json:18', certainty: 'resolved', paths: [['storefront', 'chalk']], pathsText: ['storefront > chalk'] })
    const ml = view.repos.find((r) => r.name === 'ml-pipeline')!
    expect(ml.findings.map((f) => [f.location, f.certainty])).toEqual([['pyproject.toml:7', 'range'], ['requirements.txt:3', 'resolved']])
    expect(view.repos.find((r) => r.name === 'docs-site')!.status).toBe('clean')
  })

  it('has a timeline of every step and action, and the open risks', () => {
    expect(view.timeline.map((t) => t.kind)).toEqual(['run-start', 'step-start', 'action', 'action', 'action', 'step-end', 'run-end'])
    expect(view.timeline.every((t) => !Number.isNaN(Date.parse(t.at)))).toBe(true)
    expect(view.risks.map((r) => r.title)).toEqual([
      // storefront has workflows: its lockfile is what CI installs.
      'An affected version was resolved where CI runs it: rotate the secrets CI can read',
      'An affected version is pinned in a lockfile: machines that installed it may be compromised',
      'A version range admits an affected version and no lockfile pins it',
    ])
    expect(existsSync(join(runDirectory, 'scan.json'))).toBe(true)
  })

  it('runs find-files and report steps in a playbook, and lists indicators', async () => {
    const org = join(tmp, 'org')
    writeFileSync(join(org, 'storefront', 'bundle.js'), 'fetch("https://webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7")\n')
    const playbook = join(tmp, 'worm.yml')
    writeFileSync(
      playbook,
      `name: worm
repos: { dirs: [${JSON.stringify(join(org, 'storefront'))}, ${JSON.stringify(join(org, 'deploy-tools'))}] }
steps:
  - id: scan
    uses: scan
    with: { advisory: ${JSON.stringify(join(root, 'examples/advisories/MAL-2025-46969.json'))} }
  - id: iocs
    uses: find-files
    with: { paths: ["**/bundle.js"], content: ['webhook\\.site/[0-9a-f-]+'] }
  - id: report
    uses: report
    with: { format: [md, html, json, sarif, csv] }
`,
    )
    const result = await startRun({ playbookFile: playbook, runsDir: join(tmp, 'runs') })
    expect(result.state).toBe('completed')
    const step = result.steps.find((s) => s.id === 'report')!
    expect((step.outputs.files as string[]).map((f) => f.slice(result.dir.length + 1))).toEqual(['report.md', 'report.html', 'report.json', 'report.sarif', 'report.csv'])
    // The bundled storefront fixture also carries the worm's workflow, which posts to webhook.site.
    expect(result.steps.find((s) => s.id === 'iocs')!.outputs).toEqual({ matches: 3, 'repos-with-matches': 1, errors: 0 })
    // Written by the last step: everything but the run's end is in it, and it is not called partial.
    const written = JSON.parse(readFileSync(join(result.dir, 'report.json'), 'utf8')) as ReportView
    expect(written.run).toMatchObject({ state: 'running', complete: true })
    expect(written.indicators.map((i) => [i.repo, i.kind, i.location])).toEqual([
      ['storefront', 'content', '.github/workflows/shai-hulud-workflow.yml:8'],
      ['storefront', 'path', 'bundle.js'],
      ['storefront', 'content', 'bundle.js:1'],
    ])
    expect(written.summary.indicatorsSearched).toBe(true)
    expect(readFileSync(join(result.dir, 'report.md'), 'utf8')).toContain('## Indicators of compromise')
    // Rendered afterwards, the run has ended.
    expect(buildReportView(result.dir).run.state).toBe('completed')
  })
})

describe('the view of a hand-written journal with remediation records', () => {
  let view: ReportView
  beforeAll(() => {
    view = buildReportView(writeRun(join(tmp, 'hand'), remediationJournal(), { user: 'oncall' } as never), { now: new Date('2025-09-08T15:00:00Z') })
  })

  it('is valid against its own schema', () => {
    const parsed = ReportViewSchema.safeParse(view)
    expect(parsed.error?.issues ?? []).toEqual([])
  })

  it('merges pin and open-pull-requests records per repository', () => {
    const api = view.repos.find((r) => r.name === 'api')!
    expect(api.remediation).toMatchObject({
      step: 'prs', status: 'done', branch: 'firebreak/MAL-2025-46969', base: 'main', commit: 'c'.repeat(40),
      files: ['package.json', 'package-lock.json'],
      changes: [{ file: 'package.json', package: 'chalk', from: '5.6.1', to: '5.6.2', line: 12 }],
      pullRequest: { number: 41, url: 'https://github.com/acme/api/pull/41', state: 'merged', title: 'Pin chalk' },
      notRemediated: null,
    })
    expect(api.progress).toBe('merged')
    expect(api.actions.map((a) => `${a.uses}/${a.key}:${a.status}`)).toEqual(['scan/scan:done', 'find-files/find-files:done', 'pin/pin:done', 'open-pull-requests/pull-request:done'])
    expect(view.repos.find((r) => r.name === 'web')!.progress).toBe('fixed')
    expect(view.repos.find((r) => r.name === 'worker')!.remediation).toMatchObject({ status: 'skipped', notRemediated: 'no safe version satisfies ^5.6.0 without a major upgrade' })
    expect(view.repos.find((r) => r.name === 'legacy')!.remediation).toMatchObject({ status: 'failed', notRemediated: null })
  })

  it('counts repositories, pull requests and what could not be remediated', () => {
    expect(view.summary).toMatchObject({
      reposScanned: 6, reposAffected: 4, reposClean: 1, reposRemediated: 2, findings: 4, indicators: 2, errors: 2,
      pullRequests: { total: 2, open: 1, draft: 0, merged: 1, closed: 0 },
      notRemediated: [{ repo: 'worker', reason: 'no safe version satisfies ^5.6.0 without a major upgrade' }],
      progress: { merged: 1, fixed: 1, planned: 0, notRemediable: 1, pending: 1 },
    })
    expect(view.incident.safeVersions).toEqual(['5.6.2'])
    expect(view.run).toMatchObject({ id: RUN_ID, ranBy: 'oncall', host: 'ci-runner-1', mode: 'apply', state: 'completed', outcome: 'unfixed' })
    expect(view.errors.map((e) => [e.repo, e.step, e.file, e.message])).toEqual([
      ['docs', 'scan', 'yarn.lock', 'could not be parsed'],
      ['legacy', 'pin', null, 'pin failed: git push rejected'],
    ])
    expect(view.repos.find((r) => r.name === 'docs')!.status).toBe('error')
  })

  it('names the open risks', () => {
    const risks = Object.fromEntries(view.risks.map((r) => [r.title, r.repos]))
    expect(risks['An affected version was resolved where CI runs it: rotate the secrets CI can read']).toEqual(['api'])
    expect(risks['An affected version is pinned in a lockfile: machines that installed it may be compromised']).toEqual(['web', 'legacy'])
    expect(risks['Indicators of compromise were found']).toEqual(['api'])
    expect(risks['Not everything was read']).toEqual(['docs', 'legacy'])
    expect(risks['A version range admits an affected version and no lockfile pins it']).toEqual(['worker'])
    expect(risks['Pull requests are not merged yet']).toEqual(['web'])
    expect(view.risks[0]!.level).toBe('high')
  })

  it('reads planned remediation from the plan of a planned action', () => {
    const dir = writeRun(join(tmp, 'planned'), [
      { type: 'run-start', at: '2025-09-08T13:16:00.000Z', run: RUN_ID, playbook: 'p', playbookFile: '/p.yml', apply: false, inputs: {}, attempt: 1, pid: 1 },
      { type: 'step-start', at: '2025-09-08T13:16:01.000Z', step: 'scan', uses: 'scan', planned: false },
      { type: 'action-end', at: '2025-09-08T13:16:02.000Z', step: 'scan', repo: 'api', key: 'scan', status: 'done', value: { repo: { name: 'api', files: ['package-lock.json'] }, packages: [], findings: [{ advisory: 'X', repo: 'api', file: 'package-lock.json', line: 2, ecosystem: 'npm', name: 'chalk', version: '5.6.1', direct: true, dev: false, certainty: 'resolved', paths: [['api', 'chalk']] }], errors: [] } },
      { type: 'step-start', at: '2025-09-08T13:16:03.000Z', step: 'pin', uses: 'pin', planned: true },
      { type: 'action-end', at: '2025-09-08T13:16:04.000Z', step: 'pin', repo: 'api', key: 'pin', status: 'planned', plan: { branch: 'firebreak/x', changes: [{ file: 'package.json', from: '5.6.1', to: '5.6.2' }] } },
      { type: 'action-end', at: '2025-09-08T13:16:05.000Z', step: 'pin', repo: 'api', key: 'odd', status: 'done', value: { changes: 'not a list' } },
    ], { apply: false })
    const planned = buildReportView(dir)
    expect(planned.repos[0]!.remediation).toMatchObject({ status: 'done', branch: 'firebreak/x', changes: [{ file: 'package.json', package: null, from: '5.6.1', to: '5.6.2', line: null }] })
    expect(planned.errors.map((e) => e.message)).toEqual([expect.stringContaining('odd: the recorded result is not a remediation record')])
  })
  it('reads the remediate module\'s own value: change `name`, a removal without `to`, `relock` as a check', () => {
    const dir = writeRun(join(tmp, 'remediate-shape'), [
      { type: 'step-start', at: '2025-09-08T13:16:03.000Z', step: 'rm', uses: 'remove', planned: false },
      { type: 'action-end', at: '2025-09-08T13:16:04.000Z', step: 'rm', repo: 'api', key: 'remove', status: 'done', value: { branch: 'firebreak/x', commit: 'd'.repeat(40), files: ['package.json'], changes: [{ file: 'package.json', name: 'chalk', from: '5.6.1' }], relock: { tool: 'npm', ok: false, message: 'npm not found' }, notRemediated: 'lockfile left to regenerate' } },
    ])
    const r = buildReportView(dir).repos[0]!.remediation!
    expect(r.changes).toEqual([{ file: 'package.json', package: 'chalk', from: '5.6.1', to: '(removed)', line: null }])
    expect(r.checks).toEqual([{ name: 'lockfile regenerated with npm', ok: false, detail: 'npm not found' }])
    expect(r.notRemediated).toBe('lockfile left to regenerate')
  })
})

describe('a run in progress', () => {
  it('renders while the run is going on, and says it is partial', () => {
    const records = remediationJournal().slice(0, 12)
    const view = buildReportView(writeRun(join(tmp, 'live'), records, { pid: process.pid, host: hostname() }))
    expect(view.run).toMatchObject({ state: 'running', complete: false, endedAt: null })
    expect(view.risks.map((r) => r.title)).toContain('The run is still going on: this report is partial')
  })

  it('tolerates a torn last line, and an action that started but did not end', () => {
    const records = remediationJournal().slice(0, 5)
    const dir = writeRun(join(tmp, 'torn'), records, {}, '{"type":"action-end","step":"scan","repo":"web","ke')
    const view = buildReportView(dir)
    expect(view.run).toMatchObject({ state: 'interrupted', complete: false, journalTorn: true })
    expect(view.repos.find((r) => r.name === 'web')!.actions).toEqual([expect.objectContaining({ status: 'running', key: 'scan' })])
    expect(view.risks.map((r) => r.title)).toEqual(expect.arrayContaining(['The run stopped before its end: this report is partial', "The journal's last record was cut short"]))
  })

  it('says when the advisory was withdrawn', () => {
    const records = remediationJournal().map((r) => (r.type === 'step-end' && r.advisory ? { ...r, advisory: { ...r.advisory, withdrawn: '2025-09-09T00:00:00Z' } } : r))
    const view = buildReportView(writeRun(join(tmp, 'withdrawn'), records))
    expect(view.incident.withdrawn).toBe('2025-09-09T00:00:00Z')
    expect(view.risks.find((r) => r.title.startsWith('The advisory was withdrawn'))).toMatchObject({ level: 'low' })
  })

  it('reports a run directory that is not there', () => {
    expect(() => buildReportView(join(tmp, 'nope', RUN_ID))).toThrow(/no run at/)
  })
})

