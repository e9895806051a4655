import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { adHocAdvisory } from '../../../src/advisory/index.js'
import { AuthError, NotFoundError } from '../../../src/errors.js'
import { createMatcher } from '../../../src/scan/match.js'
import type { ScanResult } from '../../../src/scan/types.js'
import { scanGitHub, type GitHubScanOptions, type RateLimitWait } from '../../../src/sources/github/index.js'
import { AFFECTED, generateOrg } from '../../support/fake-github/generate.js'
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js'

const matcher = createMatcher([
  adHocAdvisory({ package: AFFECTED.npm.name, ecosystem: 'npm', affected: AFFECTED.npm.version }),
  adHocAdvisory({ package: AFFECTED.pypi.name, ecosystem: 'PyPI', affected: AFFECTED.pypi.version }),
  adHocAdvisory({ package: AFFECTED.actions.name, ecosystem: 'GitHub Actions', affected: AFFECTED.actions.version }),
])

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name))
  return out
}

describe('scanGitHub over a 150-repository organisation', () => {
  const org = generateOrg({ login: 'acme', count: 150, truncate: { repo: 3, at: 3 } })
  let gh: FakeGitHub
  let cacheDir: string
  let first: ScanResult
  const waits: RateLimitWait[] = []
  const base = (): GitHubScanOptions => ({ org: 'acme', apiUrl: gh.url, token: gh.token, cacheDir, retryBaseMs: 5, onWait: (w) => waits.push(w) })

  beforeAll(async () => {
    gh = await startFakeGitHub({
      owners: [org.owner],
      seed: 42,
      faults: { failRate: 0.05, primaryAt: [60], primaryResetSeconds: 1, secondaryAt: [100, 101, 150], secondaryRetryAfter: 1 },
    })
    cacheDir = await mkdtemp(path.join(tmpdir(), 'firebreak-cache-'))
    first = await scanGitHub(base(), { matcher })
  }, 120_000)
  afterAll(async () => {
    await gh?.close()
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true })
  })

  it('finds every affected repository and no other', () => {
    expect(first.errors).toEqual([])
    const affected = new Set(first.findings.map((f) => f.repo))
    expect([...affected].sort()).toEqual([...org.affected].sort())
    // Each ecosystem contributed.
    expect(new Set(first.findings.map((f) => f.ecosystem))).toEqual(new Set(['npm', 'PyPI', 'GitHub Actions']))
  })

  it('reads every manifest of every selected repository: none lost, none clean unread', () => {
    const expected = org.owner.repos.map((r) => `acme/${r.name}`).filter((n) => !org.archived.has(n) && !org.forks.has(n))
    expect(first.repos.map((r) => r.name).sort()).toEqual(expected.sort())
    for (const repo of first.repos) expect([...repo.files].sort(), repo.name).toEqual([...(org.manifests.get(repo.name) ?? [])].sort())
  })

  it('walks the truncated tree sub-tree by sub-tree', () => {
    const name = `acme/${org.owner.repos[3]?.name}`
    expect(org.owner.repos[3]?.truncateTreeAt).toBe(3)
    expect(first.repos.find((r) => r.name === name)?.files.sort()).toEqual(['services/svc-0/requirements.txt', 'services/svc-1/requirements.txt', 'services/svc-2/requirements.txt'])
    expect(first.findings.some((f) => f.repo === name && f.file === 'services/svc-1/requirements.txt')).toBe(true)
  })

  it('waited out the primary and secondary rate limits, saying how long', () => {
    expect(waits.some((w) => w.kind === 'primary' && w.seconds >= 1)).toBe(true)
    expect(waits.some((w) => w.kind === 'secondary' && w.seconds === 1)).toBe(true)
    gh.assertNoViolations()
  })

  it('re-scans an unchanged organisation for almost nothing', async () => {
    gh.faults.failRate = 0
    gh.resetCounts()
    const again = await scanGitHub(base(), { matcher })
    expect(again.findings).toEqual(first.findings)
    expect(again.repos).toEqual(first.repos)
    const counts = gh.counts()
    const listing = counts['GET /orgs/{org}/repos'] ?? 0
    const beyond = gh.apiRequests() - listing
    expect(beyond / again.repos.length).toBeLessThan(0.1)
    expect(listing).toBe(2)
    gh.assertNoViolations()
  })

  it('sees a push on re-scan, fetching only what changed', async () => {
    const repo = org.owner.repos.find((r, i) => i % 6 === 2 && !org.affected.has(`acme/${r.name}`) && !r.archived && !r.fork) as { name: string }
    await gh.pushFiles('acme', repo.name, { 'requirements.txt': `# pushed\n${AFFECTED.pypi.name}==${AFFECTED.pypi.version}\n` })
    gh.resetCounts()
    const again = await scanGitHub(base(), { matcher })
    expect(again.findings.filter((f) => f.repo === `acme/${repo.name}`)).toHaveLength(1)
    const counts = gh.counts()
    expect(counts['GET /repos/{owner}/{repo}/git/trees/{tree_sha}']).toBe(1)
    // The one changed blob, in one GraphQL batch of one.
    expect(counts['POST /graphql']).toBe(1)
    expect(counts['GET /repos/{owner}/{repo}/git/blobs/{file_sha}']).toBeUndefined()
    gh.assertNoViolations()
  })

  it('reports a repository that keeps failing as an error, never clean', async () => {
    const victim = [...org.affected][0] as string
    const cold = await mkdtemp(path.join(tmpdir(), 'firebreak-cache-'))
    gh.faults.failRepos.add(victim)
    try {
      const result = await scanGitHub({ ...base(), cacheDir: cold }, { matcher })
      expect(result.errors.map((e) => e.repo)).toEqual([victim])
      expect(result.errors[0]?.message).toMatch(/502/)
      expect(result.repos.find((r) => r.name === victim)).toBeDefined()
    } finally {
      gh.faults.failRepos.clear()
      await rm(cold, { recursive: true, force: true })
    }
  })

  it('includes archived repositories and forks when asked, and filters by glob, topic and language', async () => {
    const all = await scanGitHub({ ...base(), archived: true, forks: true }, {})
    expect(all.repos).toHaveLength(150)
    const some = await scanGitHub({ ...base(), include: ['acme/repo-00*'], exclude: ['**-workflows'], topics: ['python'] }, {})
    expect(some.repos.map((r) => r.name).every((n) => /repo-00\d\d-pip/.test(n))).toBe(true)
    expect(some.repos.length).toBeGreaterThan(0)
    const ts = await scanGitHub({ ...base(), languages: ['typescript'], pushedSince: new Date('2025-01-05T00:00:00Z') }, {})
    expect(ts.repos.every((r) => /npm/.test(r.name))).toBe(true)
    expect(ts.repos.some((r) => r.name === 'acme/repo-0000-npm-lock')).toBe(false)
  })

  it('keeps the token out of the cache', async () => {
    for (const file of await listFiles(cacheDir)) expect(await readFile(file, 'utf8'), file).not.toContain(gh.token)
  })

  it('stops with an AuthError (exit 4) on a rejected token', async () => {
    const error = await scanGitHub({ ...base(), token: 'ghp_wrong' }, {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthError)
    expect((error as AuthError).exitCode).toBe(4)
    expect(String((error as Error).message)).not.toContain('ghp_wrong')
  })

  it('says whether the token lacks a scope on a 404 organisation', async () => {
    const error = await scanGitHub({ ...base(), org: 'nobody' }, {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotFoundError)
    expect((error as NotFoundError).suggestion).toMatch(/probably does not exist/)
  })

  it('reads an explicit list of repositories, reporting the missing ones', async () => {
    const names = [`acme/${org.owner.repos[0]?.name}`, `acme/${org.owner.repos[11]?.name}`, 'acme/nope']
    const result = await scanGitHub({ ...base(), org: undefined, repos: names }, { matcher })
    expect(result.repos.map((r) => r.name)).toEqual(['acme/nope', names[0], names[1]])
    expect(result.errors).toEqual([{ repo: 'acme/nope', file: '.', message: expect.stringMatching(/not found/) }])
  })
})
