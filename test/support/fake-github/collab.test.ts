import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startFakeGitHub, type FakeGitHub } from './index.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies of many shapes, checked by the assertions
type Body = any

describe('fake GitHub: refs, pull requests, issues, labels, reviewers, contents', () => {
  let gh: FakeGitHub
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(gh.url + p, { method, headers: { authorization: `token ${gh.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await res.text()
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Body }
  }

  beforeAll(async () => {
    gh = await startFakeGitHub({
      owners: [{ login: 'acme', repos: [{ name: 'api', files: { 'package.json': '{}\n', '.github/CODEOWNERS': '* @acme/core\n' }, branches: { feature: { 'package.json': '{"x":1}\n' } } }] }],
    })
  })
  afterAll(async () => gh?.close())

  it('creates, reads, moves and deletes git references', async () => {
    const main = await call('GET', '/repos/acme/api/git/ref/heads/main')
    expect(main.status).toBe(200)
    const sha = (main.body as { object: { sha: string } }).object.sha
    expect((await call('POST', '/repos/acme/api/git/refs', { ref: 'refs/heads/x/y', sha })).status).toBe(201)
    expect((await call('POST', '/repos/acme/api/git/refs', { ref: 'refs/heads/x/y', sha })).body).toMatchObject({ message: 'Reference already exists' })
    const feature = ((await call('GET', '/repos/acme/api/git/ref/heads/feature')).body as { object: { sha: string } }).object.sha
    expect((await call('PATCH', '/repos/acme/api/git/refs/heads/x/y', { sha: feature })).status).toBe(422)
    expect((await call('PATCH', '/repos/acme/api/git/refs/heads/x/y', { sha: feature, force: true })).status).toBe(200)
    expect(await gh.branchSha('acme', 'api', 'x/y')).toBe(feature)
    expect(((await call('GET', '/repos/acme/api/git/matching-refs/heads/x')).body as unknown[]).length).toBe(1)
    expect((await call('DELETE', '/repos/acme/api/git/refs/heads/x/y')).status).toBe(204)
    expect((await call('DELETE', '/repos/acme/api/git/refs/heads/x/y')).status).toBe(422)
    expect((await call('GET', '/repos/acme/api/git/ref/heads/x/y')).status).toBe(404)
    gh.assertNoViolations()
  })

  it('opens one pull request per head, lists it by head, labels it, requests reviewers, merges it', async () => {
    const sha = ((await call('GET', '/repos/acme/api/git/ref/heads/main')).body as { object: { sha: string } }).object.sha
    await call('POST', '/repos/acme/api/git/refs', { ref: 'refs/heads/fix', sha })
    await gh.pushFiles('acme', 'api', { 'package.json': '{"fixed":true}\n' }, 'fix')
    const created = await call('POST', '/repos/acme/api/pulls', { title: 'Pin', head: 'fix', base: 'main', body: 'b', draft: true })
    expect(created.status).toBe(201)
    const number = (created.body as { number: number }).number
    const again = await call('POST', '/repos/acme/api/pulls', { title: 'Pin', head: 'fix', base: 'main' })
    expect(again.status).toBe(422)
    expect(JSON.stringify(again.body)).toContain('A pull request already exists')
    expect(((await call('GET', '/repos/acme/api/pulls?head=acme:fix&state=open')).body as unknown[]).length).toBe(1)
    expect(((await call('GET', '/repos/acme/api/pulls?head=acme:other')).body as unknown[]).length).toBe(0)
    expect((await call('POST', `/repos/acme/api/issues/${number}/labels`, { labels: ['security'] })).status).toBe(200)
    expect((await call('POST', `/repos/acme/api/pulls/${number}/requested_reviewers`, { reviewers: ['alice'], team_reviewers: ['core'] })).status).toBe(201)
    expect((await call('PATCH', `/repos/acme/api/pulls/${number}`, { title: 'Pin 2' })).body).toMatchObject({ title: 'Pin 2', draft: true })
    await gh.mergePullRequest('acme', 'api', number)
    expect((await call('GET', `/repos/acme/api/pulls/${number}`)).body).toMatchObject({ state: 'closed', merged: true, labels: [{ name: 'security' }], requested_reviewers: [{ login: 'alice' }] })
    const merged = (await call('GET', '/repos/acme/api/contents/package.json?ref=main')).body as { content: string }
    expect(Buffer.from(merged.content, 'base64').toString()).toContain('fixed')
    expect((await call('GET', '/repos/acme/api/contents/package.json')).body).toMatchObject({ type: 'file' })
    gh.assertNoViolations()
  })

  it('keeps issues (numbered with pull requests), lists pull requests among them, and serves CODEOWNERS', async () => {
    const issue = await call('POST', '/repos/acme/api/issues', { title: 'Tracking', body: '<!-- m -->', labels: ['security'] })
    expect(issue.status).toBe(201)
    const n = (issue.body as { number: number }).number
    expect(n).toBeGreaterThan(1)
    expect((await call('PATCH', `/repos/acme/api/issues/${n}`, { body: 'new' })).body).toMatchObject({ body: 'new' })
    const all = (await call('GET', '/repos/acme/api/issues?state=all&per_page=100')).body as { number: number; pull_request?: unknown }[]
    expect(all.some((i) => i.pull_request)).toBe(true)
    expect((await call('POST', `/repos/acme/api/issues/${n}/comments`, { body: 'hi' })).status).toBe(201)
    const owners = (await call('GET', '/repos/acme/api/contents/.github%2FCODEOWNERS')).body as { content: string }
    expect(Buffer.from(owners.content, 'base64').toString()).toBe('* @acme/core\n')
    expect((await call('GET', '/repos/acme/api/contents/CODEOWNERS')).status).toBe(404)
    gh.assertNoViolations()
  })
})
