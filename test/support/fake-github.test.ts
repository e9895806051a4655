import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { matchOperation, OpenApiValidator, startFakeGitHub, type FakeGitHub } from './fake-github/index.js'

const run = promisify(execFile)

describe('fake GitHub', () => {
  let gh: FakeGitHub
  const get = (p: string, headers: Record<string, string> = {}) =>
    fetch(gh.url + p, { headers: { authorization: `token ${gh.token}`, ...headers } })

  beforeAll(async () => {
    gh = await startFakeGitHub({
      owners: [
        {
          login: 'acme',
          repos: [
            { name: 'api', files: { 'package.json': '{"dependencies":{"chalk":"5.6.1"}}\n', 'services/a/requirements.txt': 'requests==2.0.0\n' }, topics: ['web'], language: 'TypeScript' },
            { name: 'old', files: { 'README.md': 'x' }, archived: true, defaultBranch: 'master' },
            ...Array.from({ length: 5 }, (_, i) => ({ name: `r${i}`, files: { 'a/b/c.txt': `${i}` }, truncateTreeAt: 1 })),
          ],
        },
        { login: 'alice', type: 'User', repos: [{ name: 'dots', files: { 'x.txt': 'y' } }] },
      ],
    })
  })
  afterAll(async () => gh?.close())

  it('lists an organisation with Link pagination and rate-limit headers', async () => {
    const res = await get('/orgs/acme/repos?per_page=3&page=1')
    expect(res.status).toBe(200)
    expect(res.headers.get('link')).toContain('rel="next"')
    expect(res.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/)
    const page = (await res.json()) as { full_name: string }[]
    expect(page.map((r) => r.full_name)).toEqual(['acme/api', 'acme/old', 'acme/r0'])
    const last = (await (await get('/orgs/acme/repos?per_page=3&page=3')).json()) as unknown[]
    expect(last).toHaveLength(1)
    gh.assertNoViolations()
  })

  it('answers 304 to a matching If-None-Match without spending the rate limit', async () => {
    const first = await get('/repos/acme/api')
    const etag = first.headers.get('etag') as string
    const remaining = Number(first.headers.get('x-ratelimit-remaining'))
    const second = await get('/repos/acme/api', { 'if-none-match': etag })
    expect(second.status).toBe(304)
    expect(Number(second.headers.get('x-ratelimit-remaining'))).toBe(remaining)
    gh.assertNoViolations()
  })

  it('serves trees (recursive, truncated) and blobs from the bare repositories', async () => {
    const tree = (await (await get('/repos/acme/api/git/trees/main?recursive=1')).json()) as { truncated: boolean; tree: { path: string; type: string; sha: string }[] }
    expect(tree.truncated).toBe(false)
    expect(tree.tree.filter((e) => e.type === 'blob').map((e) => e.path)).toEqual(['package.json', 'services/a/requirements.txt'])
    const blobSha = tree.tree.find((e) => e.path === 'package.json')?.sha as string
    const blob = (await (await get(`/repos/acme/api/git/blobs/${blobSha}`)).json()) as { content: string }
    expect(Buffer.from(blob.content, 'base64').toString()).toContain('chalk')
    const truncated = (await (await get('/repos/acme/r0/git/trees/main?recursive=1')).json()) as { truncated: boolean; tree: unknown[] }
    expect(truncated).toMatchObject({ truncated: true })
    expect(truncated.tree).toHaveLength(1)
    const commit = (await (await get('/repos/acme/old/commits/master')).json()) as { sha: string }
    expect(commit.sha).toMatch(/^[0-9a-f]{40}$/)
    const branch = await get('/repos/acme/old/branches/master')
    expect(branch.status).toBe(200)
    expect((await get('/rate_limit')).status).toBe(200)
    expect((await get('/users/alice/repos')).status).toBe(200)
    expect((await get('/orgs/nobody/repos')).status).toBe(404)
    gh.assertNoViolations()
  })

  it('answers 401 with GitHub\'s error body without a valid token', async () => {
    const res = await fetch(gh.url + '/orgs/acme/repos', { headers: { authorization: 'token nope' } })
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ message: 'Bad credentials' })
    gh.assertNoViolations()
  })

  it('records a request that GitHub does not document', async () => {
    const before = gh.violations.length
    await get('/orgs/acme/repos?per_page=3&colour=blue')
    await get('/repos/acme/api/no-such-thing')
    expect(gh.violations.slice(before).join('\n')).toMatch(/unknown query parameter colour[\s\S]*no such operation/)
    gh.violations.length = before
  })

  it('catches a response body that violates the schema', () => {
    const validator = new OpenApiValidator()
    const op = matchOperation('GET', '/repos/acme/api/git/trees/main')
    expect(op?.template).toBe('/repos/{owner}/{repo}/git/trees/{tree_sha}')
    if (!op) return
    expect(validator.validateResponse(op, 200, { sha: 'x', truncated: false, tree: [] })).toEqual([])
    expect(validator.validateResponse(op, 200, { sha: 'x', tree: [] }).join()).toMatch(/truncated/)
    expect(validator.validateResponse(op, 200, { sha: 'x', truncated: 'no', tree: [{ path: 'a' }] }).length).toBeGreaterThan(0)
    expect(validator.validateResponse(op, 418, {}).join()).toMatch(/not documented/)
  })

  it('injects rate limits and 5xx, and the helper fails nothing for them', async () => {
    gh.faults.failRate = 1
    expect((await get('/repos/acme/api')).status).toBe(502)
    gh.faults.failRate = 0
    const n = gh.apiRequests()
    gh.faults.secondaryAt.add(n + 1)
    const secondary = await get('/repos/acme/api')
    expect([403, 429]).toContain(secondary.status)
    expect(secondary.headers.get('retry-after')).toBe('1')
    gh.faults.primaryAt.add(n + 2)
    const primary = await get('/repos/acme/api')
    expect(primary.status).toBe(403)
    expect(primary.headers.get('x-ratelimit-remaining')).toBe('0')
    gh.assertNoViolations()
    await new Promise((r) => setTimeout(r, 2100))
    expect((await get('/repos/acme/api')).status).toBe(200)
  })

  it('serves git smart HTTP with the token in basic auth, and takes pushes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fake-gh-clone-'))
    try {
      const auth = `Authorization: Basic ${Buffer.from(`x-access-token:${gh.token}`).toString('base64')}`
      await run('git', ['-c', `http.extraHeader=${auth}`, 'clone', '--quiet', gh.gitUrl('acme', 'api'), dir])
      expect(await readFile(path.join(dir, 'package.json'), 'utf8')).toContain('chalk')
      await run('git', ['-C', dir, 'checkout', '-q', '-b', 'firebreak/fix'])
      await run('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'fix'])
      await run('git', ['-C', dir, '-c', `http.extraHeader=${auth}`, 'push', '-q', 'origin', 'firebreak/fix'])
      expect((await get('/repos/acme/api/branches/firebreak%2Ffix')).status).toBe(200)
      const denied = run('git', ['clone', '--quiet', gh.gitUrl('acme', 'api'), path.join(dir, 'x')], { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } })
      await expect(denied).rejects.toThrow()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    gh.assertNoViolations()
  })
})
