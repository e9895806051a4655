import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { pushBranch } from '../../../src/git/push.js'
import { prepareWorkspace } from '../../../src/remediate/workspace.js'
import type { GitHubClient } from '../../../src/sources/github/client.js'
import { ensureIssue, trackingMarker } from '../../../src/sources/github/issues.js'
import { closePullRequest, deleteBranch, ensurePullRequest, pullRequestState } from '../../../src/sources/github/pulls.js'
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js'
import { authHeader, commitOnBranch, fakeClient } from './helpers.js'

describe('ensurePullRequest, ensureIssue, closePullRequest, deleteBranch against the fake GitHub', () => {
  let gh: FakeGitHub
  let client: GitHubClient
  let runDir: string

  /** A firebreak branch pushed to acme/<repo>. */
  async function pushed(repo: string, branch = 'firebreak/MAL-1'): Promise<string> {
    const ws = await prepareWorkspace({ kind: 'github', owner: 'acme', name: repo, cloneUrl: gh.gitUrl('acme', repo), defaultBranch: 'main' }, { runDir, authHeader: authHeader(gh) })
    await commitOnBranch(ws.dir, branch, 'main', { 'package.json': '{"dependencies":{"evil-pkg":"1.0.0"}}\n' })
    const result = await pushBranch({ dir: ws.dir, branch, base: 'main', authHeader: authHeader(gh) })
    if (result.status === 'skipped') throw new Error(result.reason)
    return result.sha
  }

  beforeAll(async () => {
    const files = { 'package.json': '{"dependencies":{"evil-pkg":"1.0.1"}}\n', '.github/CODEOWNERS': '* @acme/platform\npackage.json @alice @firebreak-bot\n' }
    gh = await startFakeGitHub({ owners: [{ login: 'acme', repos: ['one', 'two', 'three', 'four', 'tracker'].map((name) => ({ name, files })) }] })
    client = fakeClient(gh)
    runDir = await mkdtemp(path.join(tmpdir(), 'firebreak-pulls-'))
  })
  afterAll(async () => {
    await gh?.close()
    if (runDir) await rm(runDir, { recursive: true, force: true })
  })

  const spec = { owner: 'acme', repo: 'one', head: 'firebreak/MAL-1', base: 'main', title: 'Pin evil-pkg (MAL-1)', body: 'body v1', labels: ['security'], codeownersFiles: ['package.json'] }

  it('opens one pull request, and a re-run opens none and changes nothing', async () => {
    await pushed('one')
    const first = await ensurePullRequest(client, spec)
    expect(first).toMatchObject({ created: true, updated: false, state: 'open', labelsAdded: ['security'], foreign: false })
    // CODEOWNERS: package.json is @alice's (the author is never asked; the platform team's line is overridden).
    expect(first.reviewersRequested).toEqual(['alice'])
    gh.resetCounts()
    const second = await ensurePullRequest(client, spec)
    expect(second).toMatchObject({ number: first.number, created: false, updated: false, labelsAdded: [], reviewersRequested: [] })
    expect(gh.pulls('acme', 'one')).toHaveLength(1)
    expect(Object.keys(gh.counts()).filter((k) => !k.startsWith('GET'))).toEqual([])
    gh.assertNoViolations()
  })

  it('updates the title and body in place', async () => {
    const again = await ensurePullRequest(client, { ...spec, title: 'Pin evil-pkg to 1.0.0 (MAL-1)', body: 'body v2', draft: true })
    expect(again).toMatchObject({ created: false, updated: true })
    const [pr] = gh.pulls('acme', 'one')
    expect(pr).toMatchObject({ title: 'Pin evil-pkg to 1.0.0 (MAL-1)', draft: false })
    expect(pr?.body).toContain('body v2')
    expect(pr?.body).toContain('<!-- firebreak:pull-request:firebreak/MAL-1 -->')
    gh.assertNoViolations()
  })

  it('leaves a pull request it did not open alone', async () => {
    await pushed('two')
    const res = await fetch(`${gh.url}/repos/acme/two/pulls`, { method: 'POST', headers: { authorization: `token ${gh.token}` }, body: JSON.stringify({ title: 'mine', head: 'firebreak/MAL-1', base: 'main', body: 'by hand' }) })
    expect(res.status).toBe(201)
    const result = await ensurePullRequest(client, { ...spec, repo: 'two' })
    expect(result).toMatchObject({ foreign: true, created: false, updated: false })
    expect(gh.pulls('acme', 'two')).toMatchObject([{ title: 'mine', body: 'by hand', labels: [] }])
    gh.assertNoViolations()
  })

  it('opens drafts, reports states, closes, deletes the branch only when it still points at its commit', async () => {
    const sha = await pushed('three')
    const pr = await ensurePullRequest(client, { ...spec, repo: 'three', draft: true, codeownersFiles: undefined })
    expect(pr.state).toBe('draft')
    const closed = await closePullRequest(client, 'acme', 'three', pr.number)
    expect(closed).toMatchObject({ closed: true, state: 'closed' })
    expect(await closePullRequest(client, 'acme', 'three', pr.number)).toMatchObject({ closed: false, state: 'closed' })
    expect(await deleteBranch(client, 'acme', 'three', 'firebreak/MAL-1', 'f'.repeat(40))).toBe('moved')
    expect(await deleteBranch(client, 'acme', 'three', 'firebreak/MAL-1', sha)).toBe('deleted')
    expect(await deleteBranch(client, 'acme', 'three', 'firebreak/MAL-1', sha)).toBe('absent')
    expect(await deleteBranch(client, 'acme', 'three', 'firebreak/MAL-1')).toBe('absent')
    await pushed('four')
    const four = await ensurePullRequest(client, { ...spec, repo: 'four' })
    await gh.mergePullRequest('acme', 'four', four.number)
    expect(await pullRequestState(client, 'acme', 'four', four.number)).toMatchObject({ state: 'merged' })
    expect(await closePullRequest(client, 'acme', 'four', four.number)).toMatchObject({ closed: false, state: 'merged' })
    gh.assertNoViolations()
  })

  it('keeps one tracking issue per advisory, updated in place, found by its marker', async () => {
    const issueSpec = { owner: 'acme', repo: 'tracker', key: 'MAL-1', title: 'Incident MAL-1', body: '- [ ] acme/one', labels: ['incident'] }
    const first = await ensureIssue(client, issueSpec)
    expect(first).toMatchObject({ created: true, updated: false })
    expect(await ensureIssue(client, issueSpec)).toMatchObject({ number: first.number, created: false, updated: false })
    const third = await ensureIssue(client, { ...issueSpec, body: '- [x] acme/one' })
    expect(third).toMatchObject({ number: first.number, created: false, updated: true })
    // Another advisory gets its own issue; the known number is only a hint.
    const other = await ensureIssue(client, { ...issueSpec, key: 'MAL-2', knownNumber: first.number })
    expect(other.number).not.toBe(first.number)
    expect(gh.issues('acme', 'tracker')).toHaveLength(2)
    const [issue] = gh.issues('acme', 'tracker')
    expect(issue?.body).toContain('- [x] acme/one')
    expect(issue?.body).toContain(trackingMarker('MAL-1'))
    gh.assertNoViolations()
  })
})
