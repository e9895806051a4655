import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startRun } from '../../src/runner/run.js'
import { AFFECTED, generateOrg } from '../support/fake-github/generate.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js'

const org = generateOrg({ login: 'acme', count: 20, affectedEvery: 4 })
let gh: FakeGitHub
let work: string
const savedToken = process.env.GITHUB_TOKEN

beforeAll(async () => {
  gh = await startFakeGitHub({ owners: [org.owner], seed: 7, faults: { failRate: 0.05 } })
  work = await mkdtemp(path.join(tmpdir(), 'fb-scan-org-'))
  process.env.GITHUB_TOKEN = gh.token
  process.env.XDG_CACHE_HOME = path.join(work, 'cache')
})
afterAll(async () => {
  if (savedToken === undefined) delete process.env.GITHUB_TOKEN
  else process.env.GITHUB_TOKEN = savedToken
  delete process.env.XDG_CACHE_HOME
  await gh?.close()
  await rm(work, { recursive: true, force: true })
})

describe('the scan step over a GitHub organisation', () => {
  it('journals every repository of the org, finds every affected one, and the fake saw only valid requests', async () => {
    const playbook = path.join(work, 'org.yml')
    await writeFile(
      playbook,
      [
        'name: org-exposure',
        'inputs:',
        '  api: { required: true }',
        'repos: { org: acme }',
        'steps:',
        '  - id: scan',
        '    uses: scan',
        '    with:',
        `      package: ${AFFECTED.npm.name}`,
        '      ecosystem: npm',
        `      affected: "${AFFECTED.npm.version}"`,
        '      api-url: ${{ inputs.api }}',
        '',
      ].join('\n'),
    )
    const run = await startRun({ playbookFile: playbook, inputs: { api: gh.url }, runsDir: path.join(work, 'runs') })
    expect(run.state).toBe("completed")
    expect(run.outcome).toBe('affected')
    const scan = JSON.parse(await readFile(path.join(run.dir, 'scan.json'), 'utf8'))
    const npmAffected = [...org.affected].filter((n) => /npm/.test(n)).sort()
    expect([...new Set(scan.findings.map((f: { repo: string }) => f.repo))].sort()).toEqual(npmAffected)
    expect(scan.errors).toEqual([])
    const journal = (await readFile(path.join(run.dir, 'journal.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
    const scanned = journal.filter((r) => r.type === 'action-end' && r.step === 'scan' && r.status === 'done').map((r) => r.repo)
    expect(scanned.sort()).toEqual(scan.repos.map((r: { name: string }) => r.name).sort())
    expect(JSON.stringify(journal)).not.toContain(gh.token)
    gh.assertNoViolations()
  })
})
