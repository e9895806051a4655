/**
 * A playbook over a GitHub organisation with no local checkouts: the pin step
 * clones each affected repository into the run directory, and
 * open-pull-requests pushes from there.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { captureOutput } from '@oclif/test'

import Rollback from '../../src/commands/rollback.js'
import Status from '../../src/commands/status.js'
import { basicAuthHeader } from '../../src/git/read.js'
import { startRun, type RunResult } from '../../src/runner/run.js'
import { AFFECTED, generateOrg } from '../support/fake-github/generate.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.js'

const run = promisify(execFile)
const ADVISORY = 'MAL-2099-0002'
const BRANCH = `firebreak/${ADVISORY}`

describe('remediating an organisation from its API alone', () => {
  const org = generateOrg({ login: 'acme', count: 12, affectedEvery: 4, archivedEvery: 100, forkEvery: 100 })
  let gh: FakeGitHub
  let dir: string
  let playbook: string
  const saved = { ...process.env }
  const step = (r: RunResult, id: string) => r.steps.find((s) => s.id === id)

  beforeAll(async () => {
    gh = await startFakeGitHub({ owners: [org.owner, { login: 'evil-org', repos: [{ name: 'evil-action', files: { 'action.yml': 'name: evil\n' } }] }] })
    for (const tag of ['v1.2.3', 'v1.2.4']) await run('git', ['tag', tag, 'main'], { cwd: gh.repoDir('evil-org', 'evil-action') })
    dir = await mkdtemp(path.join(tmpdir(), 'firebreak-org-pin-'))
    Object.assign(process.env, { GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url, XDG_CACHE_HOME: path.join(dir, 'cache'), npm_config_offline: 'true' })
    const range = (introduced: string, fixed: string) => [{ type: 'ECOSYSTEM', events: [{ introduced }, { fixed }] }]
    await writeFile(
      path.join(dir, 'advisory.json'),
      JSON.stringify({
        id: ADVISORY,
        modified: '2099-01-01T00:00:00Z',
        affected: [
          { package: { ecosystem: 'npm', name: AFFECTED.npm.name }, ranges: range('1.0.1', '1.0.2') },
          { package: { ecosystem: 'PyPI', name: AFFECTED.pypi.name }, ranges: range('2.0.1', '2.0.2') },
        ],
      }),
    )
    playbook = path.join(dir, 'org.yml')
    await writeFile(
      playbook,
      [
        'name: org-remediation',
        'repos: { org: acme }',
        'steps:',
        '  - id: scan',
        '    uses: scan',
        `    with: { advisory: ${JSON.stringify(path.join(dir, 'advisory.json'))} }`,
        '  - id: iocs',
        '    uses: find-files',
        '    with: { paths: ["**/README.md"], content: ["^# repo-0003"] }',
        '  - id: pin',
        '    uses: pin',
        '    with: { to: "evil-pkg=1.0.0, evilpy=2.0.0", relock: false }',
        '  - id: prs',
        '    uses: open-pull-requests',
        '    with: { title: "Pin ${{ advisory.package }} (${{ advisory.id }})" }',
        '',
      ].join('\n'),
    )
  }, 120_000)
  afterAll(async () => {
    process.env = saved
    await gh?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const npmOrPip = () => [...org.affected].filter((n) => !/workflows$/.test(n)).sort()

  it('plans from clones in the run directory and pushes nothing', async () => {
    const planned = await startRun({ playbookFile: playbook, runsDir: path.join(dir, 'runs') })
    expect(planned.state, JSON.stringify(planned.steps)).toBe('completed')
    expect(step(planned, 'prs')?.actions.planned).toBe(npmOrPip().length)
    // find-files read every scanned repository of the organisation, from clones in the run directory.
    const scanned = JSON.parse(await readFile(path.join(planned.dir, 'scan.json'), 'utf8')).repos.length
    expect(step(planned, 'iocs')?.outputs).toEqual({ matches: scanned + 1, 'repos-with-matches': scanned, errors: 0 })
    const diff = await readFile(path.join(planned.dir, 'pin.diff'), 'utf8')
    expect(diff).toContain(`+${AFFECTED.pypi.name}==2.0.0`)
    for (const full of npmOrPip()) expect(await gh.branchSha('acme', full.split('/')[1]!, BRANCH)).toBeUndefined()
  }, 240_000)

  it('applies: one pull request per affected repository, and the token is in no clone', async () => {
    const applied = await startRun({ playbookFile: playbook, runsDir: path.join(dir, 'runs'), apply: true })
    expect(step(applied, 'prs')?.status, JSON.stringify(applied.steps)).toBe('success')
    const withPrs = org.owner.repos.filter((r) => gh.pulls('acme', r.name).length > 0).map((r) => `acme/${r.name}`)
    expect(withPrs.sort()).toEqual(npmOrPip())
    // find-files cloned every scanned repository; pin edited the affected ones in those clones.
    const configs = await readdir(path.join(applied.dir, 'workspaces', 'acme'))
    expect(configs.length).toBe(JSON.parse(await readFile(path.join(applied.dir, 'scan.json'), 'utf8')).repos.length)
    for (const name of configs) {
      const config = await readFile(path.join(applied.dir, 'workspaces', 'acme', name, '.git', 'config'), 'utf8')
      expect(config).not.toContain(gh.token)
      expect(config).not.toContain(basicAuthHeader(gh.token).slice(-20))
    }
    expect(await readFile(path.join(applied.dir, 'journal.jsonl'), 'utf8')).not.toContain(gh.token)
    gh.assertNoViolations()
    appliedRun = applied
  }, 240_000)

  let appliedRun: RunResult
  const command = async (cmd: 'status' | 'rollback', args: string[]) => {
    process.exitCode = undefined
    const argv = [appliedRun.id, '--runs-dir', path.join(dir, 'runs'), '--json', ...args]
    const root = { root: path.resolve('.') }
    const out = await captureOutput(() => (cmd === 'status' ? Status.run(argv, root) : Rollback.run(argv, root)))
    const code = Number((out.error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit ?? process.exitCode ?? 0)
    process.exitCode = undefined
    return { code, json: JSON.parse(out.stdout), stderr: out.stderr }
  }

  it('status: one merged, the rest open and still exposed, exit 1; rollback closes the rest and leaves the merged one', async () => {
    const [first, ...rest] = npmOrPip().map((n) => n.split('/')[1]!)
    await gh.mergePullRequest('acme', first!, gh.pulls('acme', first!)[0]!.number)
    const status = await command('status', [])
    expect(status.code).toBe(1)
    expect(status.json.totals).toMatchObject({ pullRequests: npmOrPip().length, merged: 1, open: rest.length })
    const rollback = await command('rollback', [])
    expect(rollback.code).toBe(0)
    expect(rollback.json.totals).toMatchObject({ closed: rest.length, leftMerged: 1, failed: 0 })
    for (const name of rest) expect(gh.pulls('acme', name)[0]?.state).toBe('closed')
    expect(gh.pulls('acme', first!)[0]?.merged).toBe(true)
    const again = await command('rollback', [])
    expect(again.json.totals).toMatchObject({ closed: 0, failed: 0 })
    gh.assertNoViolations()
  }, 240_000)
})
