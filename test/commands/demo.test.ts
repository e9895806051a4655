import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runDemo, type DemoResult } from '../../src/demo/run.js'

let dir: string
let demo: DemoResult

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fb-demo-'))
  demo = await runDemo({ dir })
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const git = (repo: string, ...args: string[]) => execFileSync('git', args, { cwd: path.join(dir, 'org', repo), encoding: 'utf8' }).trim()

describe('firebreak demo', () => {
  it('builds the organisation as git repositories and finds every seeded exposure and indicator, offline', async () => {
    expect(demo.repos.map((r) => path.basename(r))).toEqual(['deploy-tools', 'docs-site', 'ml-pipeline', 'platform', 'storefront'])
    expect(demo.run.state).toBe('completed')
    const scan = JSON.parse(await readFile(path.join(demo.run.dir, 'scan.json'), 'utf8'))
    const found = scan.findings.map((f: { repo: string; name: string; version: string }) => `${f.repo}: ${f.name}@${f.version}`).sort()
    expect(found).toEqual([
      'deploy-tools: tj-actions/changed-files@v45',
      'ml-pipeline: num2words@0.5.15',
      'ml-pipeline: num2words@>=0.5.14',
      'platform: debug@4.4.2',
      'storefront: chalk@5.6.1',
    ])
    expect(scan.errors).toEqual([])
    expect(demo.run.steps.find((s) => s.id === 'indicators')?.outputs).toMatchObject({ 'repos-with-matches': 1 })
  })

  it('pins on local branches with the exact edits, and leaves the default branch alone', () => {
    const branch = 'firebreak/MAL-2025-46969'
    expect(git('storefront', 'diff', `main..${branch}`, '--', 'package.json')).toContain('+    "chalk": "^5.6.2",')
    expect(git('ml-pipeline', 'diff', `main..${branch}`, '--', 'requirements.txt')).toContain('+num2words==0.5.14')
    // The action is pinned to the commit of v46.0.1 on the demo's local git host, with the tag as a comment.
    expect(git('deploy-tools', 'diff', `main..${branch}`)).toMatch(/\+\s+uses: tj-actions\/changed-files@[0-9a-f]{40} # v46\.0\.1/)
    expect(git('docs-site', 'branch', '--list', branch)).toBe('')
    expect(git('storefront', 'status', '--porcelain')).toBe('')
    expect(git('storefront', 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main')
  })

  it('writes report.md and report.html that name the incident, the repositories and the planned pull requests', async () => {
    const md = await readFile(demo.reports.md, 'utf8')
    expect(md).toMatch(/^# Incident report: MAL-2025-46969/)
    for (const repo of ['deploy-tools', 'ml-pipeline', 'platform', 'storefront']) expect(md).toContain(`\`${repo}\``)
    expect(md).toContain('webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7')
    expect(md).toContain('Pull request planned')
    const html = await readFile(demo.reports.html, 'utf8')
    expect(html).toContain('<html')
    expect(html).not.toMatch(/<script\b[^>]*\bsrc=|<link\b[^>]*\bhref="http/)
  })
})
