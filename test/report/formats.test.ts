import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { InputError } from '../../src/errors.js'
import { buildReportView, renderPullRequestBody, renderReport, renderTrackingIssue, reportJsonSchemaText, TEMPLATES_DIR } from '../../src/report/index.js'
import type { ReportView } from '../../src/report/index.js'
import { CSV_COLUMNS } from '../../src/report/csv.js'
import { remediationJournal, sarifValidator, writeRun } from './helpers.js'

let tmp: string
let view: ReportView

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firebreak-report-formats-'))
  view = buildReportView(writeRun(tmp, remediationJournal()), { now: new Date('2025-09-08T15:00:00Z') })
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('report.schema.json', () => {
  it('is generated from the zod schema of the view model', () => {
    // Regenerate with: npx tsx src/report/write-schema.ts
    expect(readFileSync(join(TEMPLATES_DIR, 'report.schema.json'), 'utf8')).toBe(reportJsonSchemaText())
  })

  it('validates the json format', () => {
    const ajv = new Ajv({ strict: false })
    addFormats.default(ajv)
    const validate = ajv.compile(JSON.parse(readFileSync(join(TEMPLATES_DIR, 'report.schema.json'), 'utf8')) as object)
    const json = JSON.parse(renderReport(view, { format: 'json' })) as unknown
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true)
    expect(json).toEqual(JSON.parse(JSON.stringify(view)))
  })
})

describe('markdown', () => {
  it('has the incident, the figures, a table per section and the pull requests', () => {
    const md = renderReport(view, { format: 'md' })
    expect(md).toContain('# Incident report: MAL-2025-46969 — `chalk` (npm)')
    expect(md).toContain('| Advisory | [MAL-2025-46969](https://github.com/advisories/GHSA-2v46-p5h4-248w) (also `GHSA-2v46-p5h4-248w`) |')
    expect(md).toContain('| 6 | 4 | 2 | 1 | 4 | 2 | 2 |')
    expect(md).toContain('Pull requests: 1 open, 0 draft, 1 merged, 0 closed.')
    expect(md).toContain('| `api` | `chalk` | `5.6.1` | resolved | `package-lock.json:18` | `api > debug > chalk` | done on `firebreak/MAL-2025-46969` | [\\#41](https://github.com/acme/api/pull/41) (merged) |')
    expect(md).toContain('- `worker`: no safe version satisfies ^5.6.0 without a major upgrade')
    expect(md).toContain('- **HIGH: An affected version was resolved where CI runs it: rotate the secrets CI can read.**')
    expect(md).toContain('| `api` | hash | `bundle.js` | bundle.js variant 1: `' + 'b'.repeat(64) + '` |')
    expect(md).toContain('- `package.json`:12: `chalk` `5.6.1` → `5.6.2`')
    // No line is left with a dangling template expression.
    expect(md).not.toMatch(/\{\{|\}\}/)
  })

  it('renders the tracking issue and a pull request body', () => {
    const issue = renderTrackingIssue(view)
    expect(issue).toContain('**2 of 4 affected repositories remediated**')
    expect(issue).toContain('- [x] `api`: `chalk` `5.6.1` in `package-lock.json:18`. PR [\\#41](https://github.com/acme/api/pull/41) (merged)')
    expect(issue).toContain('- [ ] `web`:')
    expect(issue).toContain('- [ ] `worker`: `chalk` `^5.6.0` in `package.json:7`. Not remediable: no safe version')
    const pr = renderPullRequestBody(view, 'api')
    expect(pr).toContain('## Move `chalk` off the affected version (MAL-2025-46969)')
    expect(pr).toContain('| `package-lock.json:18` | `chalk` | `5.6.1` | resolved | `api > debug > chalk` |')
    expect(pr).toContain('- `package.json` line 12: `chalk` `5.6.1` → `5.6.2`')
    expect(pr).toContain('- [x] re-scan clean')
    expect(pr).toContain('Branch `firebreak/MAL-2025-46969` into `main`, commit `cccccccccccc`.')
    expect(pr).toContain('[MAL-2025-46969](https://github.com/advisories/GHSA-2v46-p5h4-248w)')
  })
})

describe('html', () => {
  it('is one self-contained file that prints well', () => {
    const html = renderReport(view, { format: 'html' })
    expect(html).toMatch(/^<!DOCTYPE html>/)
    expect(html).toContain('@media print')
    expect(html).toContain('<svg class="chart" role="img" aria-label="Remediation progress: 2 of 4 affected repositories remediated"')
    // No external assets: no script, stylesheet link or remote image; the only URLs are links.
    expect(html).not.toMatch(/<script|<link |<img |@import|url\(/i)
    expect([...html.matchAll(/src=/g)]).toHaveLength(0)
    expect(html).toContain('<a href="https://github.com/acme/api/pull/41" rel="noreferrer noopener">#41</a>')
  })

  it('never uses triple-stash on data in the bundled templates', () => {
    for (const name of ['incident-report.md.hbs', 'incident-report.html.hbs', 'pull-request.md.hbs', 'tracking-issue.md.hbs']) {
      expect(readFileSync(join(TEMPLATES_DIR, name), 'utf8'), name).not.toContain('{{{')
    }
  })
})

describe('sarif', () => {
  it('has one result per finding, with file and line per repository, and validates against SARIF 2.1.0', () => {
    const sarif = JSON.parse(renderReport(view, { format: 'sarif' })) as { version: string; runs: Array<{ results: Array<Record<string, unknown> & { properties: Record<string, unknown> }>; tool: { driver: { rules: Array<{ id: string }> } }; originalUriBaseIds: Record<string, unknown>; invocations: Array<Record<string, unknown>> }> }
    const validate = sarifValidator()
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true)
    expect(sarif.version).toBe('2.1.0')
    const run = sarif.runs[0]!
    const findings = run.results.filter((r) => r.ruleId === 'MAL-2025-46969')
    expect(findings).toHaveLength(4)
    expect(findings[0]).toMatchObject({
      ruleId: 'MAL-2025-46969', level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'package-lock.json', uriBaseId: 'REPO_api' }, region: { startLine: 18 } } }],
    })
    expect(findings.find((r) => r.properties.repository === 'worker')).toMatchObject({ level: 'warning' })
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['MAL-2025-46969', 'firebreak/indicator-of-compromise'])
    expect(Object.keys(run.originalUriBaseIds)).toContain('REPO_api')
    expect(run.invocations[0]).toMatchObject({ executionSuccessful: false })
  })
})

describe('csv', () => {
  it('has one row per finding, RFC 4180', () => {
    const csv = renderReport(view, { format: 'csv' })
    const lines = csv.split('\r\n')
    expect(lines[0]).toBe(CSV_COLUMNS.join(','))
    expect(lines.at(-1)).toBe('')
    expect(lines.slice(1, -1)).toHaveLength(4)
    expect(lines[1]).toBe('api,MAL-2025-46969,npm,chalk,5.6.1,resolved,false,false,package-lock.json,18,api > debug > chalk,done,firebreak/MAL-2025-46969,https://github.com/acme/api/pull/41,merged')
    expect(lines[3]).toContain(',not remediated: no safe version satisfies ^5.6.0 without a major upgrade,,,')
  })
})

describe('templates of your own', () => {
  function template(name: string, text: string): string {
    const file = join(tmp, name)
    writeFileSync(file, text)
    return file
  }

  it('render with the same data and the escaping of their kind', () => {
    expect(renderReport(view, { template: template('mine.md.hbs', '{{incident.id}}: {{summary.reposAffected}} affected, {{incident.summary}}') })).toBe('MAL-2025-46969: 4 affected, Malicious code in chalk \\(npm\\)')
    expect(renderReport(view, { template: template('mine.html.hbs', '<b>{{incident.summary}}</b>') })).toBe('<b>Malicious code in chalk (npm)</b>')
  })

  it.each([
    ['a plain field', '{{incident.severity}}', 'incident.severity', 1],
    ['a field in a block', '\n\n{{#each repos}}{{nmae}}{{/each}}', 'repos[0].nmae', 3],
    ['a helper argument', '{{#if run.finished}}x{{/if}}', 'run.finished', 1],
    ['a helper argument in a loop', '{{#each repos}}{{code repo.name}}{{/each}}', 'repos[0].repo', 1],
  ])('fail, naming the field, when they use one that does not exist: %s', (_what, text, field, line) => {
    const file = template('strict.md.hbs', text)
    let error: unknown
    try {
      renderReport(view, { template: file })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputError)
    expect((error as Error).message).toContain(`"${field}" is not a field of the report view`)
    expect((error as Error).message.startsWith(`${file}:${line}`)).toBe(true)
    expect((error as InputError).suggestion).toContain('report.schema.json')
  })

  it('report a syntax error with its line', () => {
    expect(() => renderReport(view, { template: template('broken.md.hbs', 'ok\n{{#each repos}}') })).toThrow(/broken\.md\.hbs:2:.*template:/)
  })

  it('are refused with a data format', () => {
    expect(() => renderReport(view, { format: 'csv', template: template('x.md.hbs', '') })).toThrow(/--template renders Markdown or HTML/)
  })
})
