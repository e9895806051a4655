import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { buildReportView, renderPullRequestBody, renderReport, renderTrackingIssue } from '../../src/report/index.js'
import type { ReportView } from '../../src/report/index.js'
import type { JournalRecord } from '../../src/runner/journal.js'
import { RUN_ID, sarifValidator, writeRun } from './helpers.js'

/** Strings a hostile repository or advisory could carry. */
const HOSTILE = [
  'a|b\nc | d',
  '[x](http://evil)',
  '![img](http://evil/x.png)',
  '@everyone',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '=HYPERLINK("http://evil","click")',
  '+cmd|\' /C calc\'!A0',
  '-2+3',
  '@SUM(A1:A2)',
  '\tTAB',
  '\rCR',
  'x`y``z`',
  '# heading\n- item\n> quote',
  '**bold** _em_ ~~s~~ $x^2$',
  'see #1 and acme/api#2',
  'www.evil.com http://evil.example/path',
  '<!-- comment -->',
  'javascript:alert(1)',
]

let tmp: string
let view: ReportView

function hostileJournal(): JournalRecord[] {
  const records: Record<string, unknown>[] = []
  let t = Date.parse('2025-09-08T13:16:00Z')
  const push = (r: Record<string, unknown>): void => void records.push({ ...r, at: new Date((t += 1000)).toISOString() })
  push({ type: 'run-start', run: RUN_ID, playbook: HOSTILE[1], playbookFile: '/p.yml', apply: true, inputs: {}, attempt: 1, pid: 1 })
  push({ type: 'step-start', step: 'scan', uses: 'scan', name: HOSTILE[4], planned: false })
  HOSTILE.forEach((h, i) => {
    const repo = `r${i}${h}`
    push({
      type: 'action-end', step: 'scan', repo, key: 'scan', status: 'done',
      value: {
        repo: { name: repo, ref: h, commit: h, files: [h, '.github/workflows/ci.yml'] }, packages: [],
        findings: [{ advisory: `MAL-${h}`, repo, file: h, line: i + 1, ecosystem: 'npm', name: h, version: h, direct: false, dev: false, certainty: i % 2 ? 'range' : 'resolved', paths: [[h, h], [repo]] }],
        errors: [{ repo, file: h, line: 2, message: h }],
      },
    })
  })
  push({ type: 'step-end', step: 'scan', status: 'success', outcome: 'affected', summary: HOSTILE.join(' '), advisory: { id: `MAL-${HOSTILE[4]}`, ids: HOSTILE, aliases: HOSTILE, summary: HOSTILE.join(' '), package: HOSTILE[2], ecosystem: HOSTILE[0], versions: HOSTILE, references: ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>'], url: 'javascript:alert(1)', withdrawn: HOSTILE[7] } })
  push({ type: 'step-start', step: 'iocs', uses: 'find-files', planned: false })
  HOSTILE.forEach((h, i) => {
    push({ type: 'action-end', step: 'iocs', repo: `r${i}${h}`, key: 'find-files', status: 'done', value: { repo: h, filesSeen: 1, bytesSearched: 1, errors: [{ file: h, message: h }], matches: [{ kind: 'content', file: h, line: 1, rule: h, excerpt: h, name: h }] } })
  })
  push({ type: 'step-end', step: 'iocs', status: 'success', summary: HOSTILE[3] })
  push({ type: 'step-start', step: 'pin', uses: 'pin', planned: false })
  HOSTILE.forEach((h, i) => {
    const repo = `r${i}${h}`
    if (i % 3 === 2) {
      push({ type: 'action-end', step: 'pin', repo, key: h, status: 'skipped', reason: h })
      return
    }
    push({
      type: 'action-end', step: 'pin', repo, key: h, status: 'done',
      value: { branch: h, base: h, commit: h, files: [h], changes: [{ file: h, package: h, from: h, to: h, line: 3 }], checks: [{ name: h, ok: i % 2 === 0, detail: h }], pullRequest: { number: i + 1, url: i % 2 ? 'javascript:alert(1)' : `https://github.com/acme/${encodeURIComponent(h)}/pull/1`, state: 'open', title: h } },
    })
  })
  push({ type: 'action-end', step: 'pin', repo: HOSTILE[5], key: 'x', status: 'failed', error: HOSTILE.join('\n') })
  push({ type: 'note', step: 'pin', message: HOSTILE.join(' ') })
  push({ type: 'step-end', step: 'pin', status: 'failure', error: HOSTILE[8] })
  push({ type: 'run-end', state: 'failed', outcome: 'unfixed', error: HOSTILE[6] })
  return records as JournalRecord[]
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firebreak-report-hostile-'))
  view = buildReportView(writeRun(tmp, hostileJournal(), { playbook: HOSTILE[1]!, host: HOSTILE[3]!, user: HOSTILE[10] } as never))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** Positions of `|` not escaped by a backslash (a backslash escapes the next character). */
function unescapedPipes(line: string): number {
  let n = 0
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++
    else if (line[i] === '|') n++
  }
  return n
}

/** Markdown with code spans removed (their content is shown verbatim, never interpreted). */
function outsideCode(md: string): string {
  return md.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, (span) => (span.includes('\n') ? span : ' CODE '))
}

function checkMarkdown(md: string): void {
  const text = outsideCode(md)
  // No link or image from data: every `[`, `]`, `(` , `!` from data is escaped, so link syntax only comes from the templates' own links.
  for (const m of text.matchAll(/(?<!\\)\[((?:\\.|[^\]\\])*)(?<!\\)\]\(([^)]*)\)/g)) {
    expect(m[2], m[0]).toMatch(/^https:\/\/(github\.com\/acme\/|github\.com\/advisories\/)/)
  }
  expect(text).not.toMatch(/(?<!\\)!\[/)
  expect(text).not.toMatch(/(?<!\\)<(script|img|!--)/i)
  expect(text).not.toMatch(/\]\(javascript|\]\(data:/)
  // Mentions, references and bare URLs are broken with a zero-width joiner.
  // (The templates' own links, checked above, are left out: their text is a pull request number.)
  const prose = text.replace(/(?<!\\)\[((?:\\.|[^\]\\])*)(?<!\\)\]\(([^)]*)\)/g, ' LINK ')
  for (const m of prose.matchAll(/@everyone|@SUM|#1\b|acme\/api#2|www\.evil|http:\/\/evil/g)) expect(prose.slice(m.index - 60, m.index + 60), m[0]).toBe('')
  // Tables stay tables: every row of a table has as many cell separators as its header.
  const lines = md.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || (i > 0 && lines[i - 1]!.startsWith('|'))) continue
    const expected = unescapedPipes(lines[i]!)
    for (let j = i; j < lines.length && lines[j]!.startsWith('|'); j++) expect(unescapedPipes(lines[j]!), lines[j]).toBe(expected)
  }
  // Data never starts a line: no heading, list, quote or HTML injected by a newline.
  expect(md).not.toMatch(/^(# heading|- item|> quote|c \| d)/m)
}

describe('a journal full of hostile strings', () => {
  it('keeps the strings as data in the view', () => {
    // One repository per string, and one more named by a failed action.
    expect(view.repos).toHaveLength(HOSTILE.length + 1)
    expect(view.repos[1]!.findings[0]!.name).toBe('[x](http://evil)')
    expect(view.incident.summary).toBe(HOSTILE.join(' '))
  })

  it('injects nothing into Markdown: report, tracking issue, pull request bodies', () => {
    checkMarkdown(renderReport(view, { format: 'md' }))
    checkMarkdown(renderTrackingIssue(view))
    for (const repo of view.repos) checkMarkdown(renderPullRequestBody(view, repo))
  })

  it('injects nothing into HTML', () => {
    const html = renderReport(view, { format: 'html' })
    expect(html).not.toMatch(/<script|<img|<!-- comment/i)
    // No event-handler attribute in any tag, and no script URL in a link.
    for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) {
      expect(tag).not.toMatch(/\son[a-z]+\s*=/i)
      expect(tag).not.toMatch(/href="(?!https:\/\/|#")/)
    }
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;')
  })

  it('neutralises every formula in CSV and keeps one row per finding', () => {
    const csv = renderReport(view, { format: 'csv' })
    const rows = parseCsv(csv)
    expect(rows).toHaveLength(HOSTILE.length + 1)
    for (const row of rows) {
      expect(row).toHaveLength(rows[0]!.length)
      for (const cell of row) expect(cell, JSON.stringify(cell)).not.toMatch(/^[=+\-@\t\r]/)
    }
    // The value is kept, behind the quote.
    expect(rows.flat()).toContain(`'=HYPERLINK("http://evil","click")`)
    expect(rows.flat()).toContain("'-2+3")
    expect(rows.flat()).toContain("'@SUM(A1:A2)")
    expect(rows.flat()).toContain("'\tTAB")
    expect(rows.flat()).toContain('a|b\nc | d')
  })

  it('writes valid JSON and SARIF that keep the strings as data', () => {
    const json = JSON.parse(renderReport(view, { format: 'json' })) as ReportView
    expect(json.repos[4]!.findings[0]!.name).toBe('<script>alert(1)</script>')
    const sarif = JSON.parse(renderReport(view, { format: 'sarif' })) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }> }> }> }
    const validate = sarifValidator()
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true)
    for (const result of sarif.runs[0]!.results) {
      const { uri, uriBaseId } = result.locations[0]!.physicalLocation.artifactLocation
      expect(uriBaseId).toMatch(/^[A-Za-z0-9_.-]+$/)
      expect(() => new URL(uri, 'file:///repo/')).not.toThrow()
    }
  })
})

/** RFC 4180 parser for the test: quoted cells may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    }
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else cell += c
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell])
  return rows
}
