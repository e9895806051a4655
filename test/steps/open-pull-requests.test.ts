/**
 * The issue's integration test: a generated organisation of 30 repositories
 * (npm, PyPI and Actions layouts) on the fake GitHub, checked out locally,
 * then scan → pin → open-pull-requests → open-issue, planned, applied, and
 * applied again after the default branches moved on; then status and rollback.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { basicAuthHeader } from '../../src/git/read.js'
import { rollbackRun } from '../../src/remediate/rollback.js'
import { runStatus } from '../../src/remediate/status.js'
import { prepareWorkspace } from '../../src/remediate/workspace.js'
import { startRun, type RunResult } from '../../src/runner/run.js'
import { createGitHubClient } from '../../src/sources/github/client.js'
import { AFFECTED, generateOrg } from '../support/fake-github/generate.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js'
import { gitConfigs } from '../remediate/github/helpers.js'

const run = promisify(execFile)
const ADVISORY = 'MAL-2099-0001'
const BRANCH = `firebreak/${ADVISORY}`

function osv(): string {
  const range = (introduced: string, fixed: string) => [{ type: 'ECOSYSTEM', events: [{ introduced }, { fixed }] }]
  return JSON.stringify({
    schema_version: '1.6.0',
    id: ADVISORY,
    modified: '2099-01-01T00:00:00Z',
    summary: 'Malicious code in evil packages',
    affected: [
      { package: { ecosystem: 'npm', name: AFFECTED.npm.name }, ranges: range('1.0.1', '1.0.2') },
      { package: { ecosystem: 'PyPI', name: AFFECTED.pypi.name }, ranges: range('2.0.1', '2.0.2') },
      { package: { ecosystem: 'GitHub Actions', name: AFFECTED.actions.name }, ranges: range('1.2.3', '1.2.4') },
    ],
    references: [{ type: 'ADVISORY', url: `https://osv.dev/vulnerability/${ADVISORY}` }],
  })
}

describe('open-pull-requests over 30 repositories of every ecosystem', () => {
  const org = generateOrg({ login: 'acme', count: 30, affectedEvery: 5, archivedEvery: 5, forkEvery: 7 }) // no archived repository, no fork: every checkout counts
  let gh: FakeGitHub
  let dir: string
  let playbook: string
  let dirs: string[]
  const saved = { ...process.env }
  const runs: RunResult[] = []
  const logs: string[] = []
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), debug: (m: string) => logs.push(m) }
  const start = async (apply: boolean) => {
    const result = await startRun({ playbookFile: playbook, apply, runsDir: path.join(dir, 'runs'), log })
    runs.push(result)
    return result
  }
  const step = (r: RunResult, id: string) => r.steps.find((s) => s.id === id)

  beforeAll(async () => {
    org.owner.repos.push({ name: 'incidents', files: { 'README.md': '# incidents\n' } })
    org.owner.repos[3]!.files['.github/CODEOWNERS'] = '* @acme/platform\nservices/ @alice\n'
    gh = await startFakeGitHub({ owners: [org.owner, { login: 'evil-org', repos: [{ name: 'evil-action', files: { 'action.yml': 'name: evil\n' } }] }] })
    // Tags of the action, for resolving v1.2.4 to a commit.
    const actionDir = gh.repoDir('evil-org', 'evil-action')
    for (const tag of ['v1.2.2', 'v1.2.3', 'v1.2.4']) await run('git', ['tag', tag, 'main'], { cwd: actionDir })
    dir = await mkdtemp(path.join(tmpdir(), 'firebreak-prs-'))
    // Only 127.0.0.1: the action's tags come from the fake (github.com rewritten to it), npm never leaves the machine.
    Object.assign(process.env, {
      GITHUB_TOKEN: gh.token,
      GITHUB_API_URL: gh.url,
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: `url.${gh.url}/git/evil-org/.insteadOf`,
      GIT_CONFIG_VALUE_0: 'https://github.com/evil-org/',
      GIT_CONFIG_KEY_1: `http.${gh.url}/git/evil-org/.extraHeader`,
      GIT_CONFIG_VALUE_1: basicAuthHeader(gh.token),
      npm_config_offline: 'true',
    })
    const checkouts = path.join(dir, 'checkouts')
    dirs = []
    for (const repo of org.owner.repos.filter((r) => r.name !== 'incidents')) {
      const ws = await prepareWorkspace({ kind: 'github', owner: 'acme', name: repo.name, cloneUrl: gh.gitUrl('acme', repo.name), defaultBranch: 'main' }, { runDir: checkouts, authHeader: basicAuthHeader(gh.token) })
      dirs.push(ws.dir)
    }
    await writeFile(path.join(dir, `${ADVISORY}.json`), osv())
    playbook = path.join(dir, 'remediate.yml')
    await writeFile(
      playbook,
      [
        'name: remediate',
        'repos:',
        '  dirs:',
        ...dirs.map((d) => `    - ${JSON.stringify(d)}`),
        'steps:',
        '  - id: scan',
        '    uses: scan',
        `    with: { advisory: ${JSON.stringify(path.join(dir, `${ADVISORY}.json`))} }`,
        '  - id: pin',
        '    uses: pin',
        '  - id: prs',
        '    uses: open-pull-requests',
        '    with:',
        '      title: "Pin ${{ advisory.package }} (${{ advisory.id }})"',
        '      labels: [security]',
        '      codeowners-reviewers: true',
        '  - id: issue',
        '    uses: open-issue',
        '    with: { repo: acme/incidents, title: "Incident ${{ advisory.id }}", labels: [incident] }',
        '',
      ].join('\n'),
    )
  }, 240_000)
  afterAll(async () => {
    process.env = saved
    await gh?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('plans: every affected repository gets a planned pull request, nothing is pushed', async () => {
    const planned = await start(false)
    expect(planned.state).toBe('completed')
    expect(step(planned, 'prs')?.actions.planned).toBe(org.affected.size)
    for (const full of org.affected) expect(await gh.branchSha('acme', full.split('/')[1]!, BRANCH)).toBeUndefined()
    expect(org.owner.repos.flatMap((r) => gh.pulls('acme', r.name))).toEqual([])
    expect(gh.issues('acme', 'incidents')).toEqual([])
  }, 240_000)

  let opened: number
  it('applies: pushes each branch and opens one pull request per repository, across every ecosystem', async () => {
    const applied = await start(true)
    const prs = step(applied, 'prs')
    expect(prs?.status, JSON.stringify(applied.steps)).toBe('success')
    opened = Number(prs?.outputs.opened)
    const withPrs = org.owner.repos.filter((r) => gh.pulls('acme', r.name).length > 0).map((r) => `acme/${r.name}`)
    expect(withPrs.sort()).toEqual([...org.affected].sort())
    expect(opened).toBe(org.affected.size)
    const layouts = new Set(withPrs.map((n) => n.replace(/^acme\/repo-\d+-/, '')))
    expect(layouts).toEqual(new Set(['npm-lock', 'npm-workspaces', 'pip', 'pip-services', 'workflows', 'mixed']))
    for (const name of withPrs) expect(gh.pulls('acme', name.split('/')[1]!)).toMatchObject([{ state: 'open', head: BRANCH, base: 'main', labels: ['security'], title: `Pin ${AFFECTED.npm.name} (${ADVISORY})` }])
    // CODEOWNERS of repo 3 (pip-services): services/ is @alice's.
    expect(gh.pulls('acme', org.owner.repos[3]!.name)[0]?.reviewers).toEqual(['alice'])
    const body = gh.pulls('acme', org.owner.repos[3]!.name)[0]?.body ?? ''
    expect(body).toContain('What was found, and where')
    const issues = gh.issues('acme', 'incidents')
    expect(issues).toHaveLength(1)
    for (const name of withPrs) expect(issues[0]?.body).toContain(name.split('/')[1])
    gh.assertNoViolations()
  }, 240_000)

  it('re-runs: opens 0 new pull requests; a repository pushed to in between is rebased or its edit re-applied', async () => {
    const npmRepo = [...org.affected].map((n) => n.split('/')[1]!).find((n) => n.endsWith('npm-lock'))!
    const pipRepo = [...org.affected].map((n) => n.split('/')[1]!).find((n) => n.endsWith('-pip'))!
    expect([npmRepo, pipRepo].every(Boolean)).toBe(true)
    await gh.pushFiles('acme', pipRepo, { 'README.md': '# moved on\n' })
    const pkg = org.owner.repos.find((r) => r.name === npmRepo)!.files['package.json'] as string
    await gh.pushFiles('acme', npmRepo, { 'package.json': pkg.replace('"left-pad": "1.3.0"', '"left-pad": "1.3.1"') })
    const before = org.owner.repos.flatMap((r) => gh.pulls('acme', r.name)).length
    const again = await start(true)
    const prs = step(again, 'prs')
    expect(prs?.outputs.opened).toBe(0)
    expect(org.owner.repos.flatMap((r) => gh.pulls('acme', r.name)).length).toBe(before)
    const journal = (await readFile(path.join(again.dir, 'journal.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; step?: string; repo?: string; value?: { sync?: string } })
    const sync = (repo: string) => journal.find((r) => r.type === 'action-end' && r.step === 'prs' && r.repo === repo)?.value?.sync
    expect(sync(pipRepo)).toBe('rebased')
    expect(sync(npmRepo)).toBe('reapplied')
    const branchPkg = (await run('git', ['show', `${BRANCH}:package.json`], { cwd: gh.repoDir('acme', npmRepo) })).stdout
    expect(branchPkg).toContain('"left-pad": "1.3.1"')
    expect(branchPkg).toContain(`"${AFFECTED.npm.name}": "1.0.2"`)
    expect(gh.issues('acme', 'incidents')).toHaveLength(1)
    gh.assertNoViolations()
  }, 240_000)

  it('status follows merges; rollback closes everything it opened and leaves the merged one alone', async () => {
    const client = createGitHubClient({ auth: { kind: 'token', token: gh.token, source: 'test' }, apiUrl: gh.url, retries: 0 })
    const last = runs.at(-1)!
    const merged = [...org.affected].map((n) => n.split('/')[1]!).find((n) => n.endsWith('-pip'))!
    await gh.mergePullRequest('acme', merged, gh.pulls('acme', merged)[0]!.number)
    const status = await runStatus(last.dir, { client, apiUrl: gh.url })
    expect(status.totals).toMatchObject({ pullRequests: org.affected.size, merged: 1, open: org.affected.size - 1 })
    expect(status.repos.find((r) => r.repository === `acme/${merged}`)?.exposed).toEqual([])
    expect(status.repos.filter((r) => r.exposed.length > 0).length).toBe(org.affected.size - 1)
    expect(status.done).toBe(false)
    const rolled = await rollbackRun(last.dir, { client })
    expect(rolled.totals).toMatchObject({ closed: org.affected.size - 1, branchesDeleted: org.affected.size - 1, leftMerged: 1, failed: 0 })
    const again = await rollbackRun(last.dir, { client })
    expect(again.totals).toMatchObject({ closed: 0, branchesDeleted: 0, leftMerged: 1 })
    for (const full of org.affected) {
      const name = full.split('/')[1]!
      expect(gh.pulls('acme', name)[0]?.state).toBe('closed')
      if (name === merged) expect(gh.pulls('acme', name)[0]?.merged).toBe(true)
      else expect(await gh.branchSha('acme', name, BRANCH)).toBeUndefined()
    }
    gh.assertNoViolations()
  }, 240_000)

  it('never lets the token into a journal, a report, a log line or a .git/config', async () => {
    const b64 = Buffer.from(`x-access-token:${gh.token}`).toString('base64')
    for (const r of runs) {
      const journal = await readFile(path.join(r.dir, 'journal.jsonl'), 'utf8')
      expect(journal).not.toContain(gh.token)
      expect(journal).not.toContain(b64)
    }
    for (const line of logs) expect(line).not.toContain(gh.token)
    const configs = [...(await gitConfigs(path.join(dir, 'checkouts'))), ...(await gitConfigs(path.join(dir, 'runs')).catch(() => []))]
    expect(configs.length).toBeGreaterThanOrEqual(30)
    for (const { text } of configs) {
      expect(text).not.toContain(gh.token)
      expect(text).not.toContain(b64)
    }
  })
})
