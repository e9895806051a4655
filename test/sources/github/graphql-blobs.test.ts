import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { adHocAdvisory } from '../../../src/advisory/index.js'
import { createMatcher } from '../../../src/scan/match.js'
import type { ScanResult } from '../../../src/scan/types.js'
import { blobQuery, graphqlBase } from '../../../src/sources/github/graphql-blobs.js'
import { Slots } from '../../../src/sources/github/pool.js'
import { scanGitHub, type GitHubScanOptions } from '../../../src/sources/github/index.js'
import { AFFECTED, generateOrg } from '../../support/fake-github/generate.js'
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js'

const matcher = createMatcher([
  adHocAdvisory({ package: AFFECTED.npm.name, ecosystem: 'npm', affected: AFFECTED.npm.version }),
  adHocAdvisory({ package: AFFECTED.pypi.name, ecosystem: 'PyPI', affected: AFFECTED.pypi.version }),
  adHocAdvisory({ package: AFFECTED.actions.name, ecosystem: 'GitHub Actions', affected: AFFECTED.actions.version }),
])

const BLOBS = 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}'
const GRAPHQL = 'POST /graphql'

/** A requirements file just over GraphQL's 512,000-byte text limit, affected on its last line. */
const bigRequirements = `${'# padding line to push this file past the GraphQL text limit\n'.repeat(8800)}${AFFECTED.pypi.name}==${AFFECTED.pypi.version}\n`
/** Latin-1 bytes: GraphQL's text of them is lossy, so only REST gives the blob exactly (which the scan then reports as not UTF-8). */
const latin1Requirements = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${AFFECTED.pypi.name}==${AFFECTED.pypi.version}\n`)])

function summary(result: ScanResult) {
  return {
    findings: result.findings.map((f) => `${f.repo}:${f.file}:${f.name}@${f.version}`).sort(),
    files: result.repos.map((r) => `${r.name}:${[...r.files].sort().join(',')}`).sort(),
    errors: result.errors,
  }
}

describe('blob reads batched over GraphQL', () => {
  const org = generateOrg({ login: 'gq', count: 24 })
  org.owner.repos.push(
    { name: 'big-file', files: { 'requirements.txt': bigRequirements } },
    { name: 'latin1', files: { 'requirements.txt': latin1Requirements } },
  )
  const expectedAffected = new Set([...org.affected, 'gq/big-file'])
  let gh: FakeGitHub
  let restOnly: ReturnType<typeof summary>
  let restBlobs = 0
  const base = (): GitHubScanOptions => ({ org: 'gq', apiUrl: gh.url, token: gh.token, cacheDir: false, retryBaseMs: 5 })

  beforeAll(async () => {
    gh = await startFakeGitHub({ owners: [org.owner], seed: 7 })
    restOnly = summary(await scanGitHub({ ...base(), graphql: false }, { matcher }))
    restBlobs = gh.counts()[BLOBS] ?? 0
  }, 60_000)
  afterAll(async () => {
    await gh?.close()
  })

  it('reads everything REST reads, with one GraphQL request instead of one request per blob', async () => {
    expect(gh.counts()[GRAPHQL]).toBeUndefined()
    gh.resetCounts()
    const progress: { done: number; listed?: number; total: number }[] = []
    const result = await scanGitHub(base(), { matcher, onProgress: (p) => progress.push(p) })
    expect(summary(result)).toEqual(restOnly)
    // Progress says how many trees are listed while the batch that completes them is still to come.
    const last = progress[progress.length - 1]
    expect(last?.done).toBe(result.repos.length)
    expect(last?.listed).toBe(result.repos.length)
    expect(progress.some((p) => p.listed === result.repos.length && p.done < p.listed)).toBe(true)
    expect(new Set(result.findings.map((f) => f.repo))).toEqual(expectedAffected)
    // The exact bytes were read, and found not to be UTF-8: the same error as over REST.
    expect(result.errors).toEqual([{ repo: 'gq/latin1', file: 'requirements.txt', line: expect.any(Number), message: expect.stringMatching(/UTF-8/) }])
    const counts = gh.counts()
    // Batches of up to 100 blobs. Over REST went only the file past the text limit (never asked of
    // GraphQL) and the Latin-1 one (asked, found lossy by its SHA, then read exactly).
    expect(restBlobs).toBeGreaterThan(20)
    expect(counts[GRAPHQL]).toBe(1)
    expect(counts[BLOBS]).toBe(2)
    gh.assertNoViolations()
  })

  it('falls back to REST for the whole scan when the address has no GraphQL, saying so once', async () => {
    const restGh = await startFakeGitHub({ owners: [org.owner], seed: 7, graphql: false })
    try {
      const said: string[] = []
      const result = await scanGitHub({ ...base(), apiUrl: restGh.url, token: restGh.token, onGraphQLUnavailable: (reason) => said.push(reason) }, { matcher })
      expect(summary(result)).toEqual(restOnly)
      expect(said).toEqual(['GraphQL is not available (HTTP 404)'])
      // Asked once, never again; every blob then read over REST.
      expect(restGh.counts()[GRAPHQL]).toBe(1)
      expect(restGh.counts()[BLOBS]).toBeGreaterThan(20)
      restGh.assertNoViolations()
    } finally {
      await restGh.close()
    }
  })

  it('reads a batch that keeps failing over REST, losing nothing', async () => {
    gh.faults.graphqlFailRate = 1
    try {
      gh.resetCounts()
      const said: string[] = []
      const result = await scanGitHub({ ...base(), onGraphQLUnavailable: (reason) => said.push(reason) }, { matcher })
      expect(summary(result)).toEqual(restOnly)
      // A 5xx is not "unavailable": the next batch would try again.
      expect(said).toEqual([])
      // The batch tried twice, then read over REST.
      expect(gh.counts()[GRAPHQL]).toBe(2)
      expect(gh.counts()[BLOBS]).toBeGreaterThan(20)
    } finally {
      gh.faults.graphqlFailRate = 0
    }
  })

  it('keeps at most `concurrency` requests in flight across listing and batches', async () => {
    gh.faults.latencyMs = 20
    try {
      gh.resetCounts()
      const result = await scanGitHub({ ...base(), concurrency: 3 }, { matcher })
      expect(summary(result)).toEqual(restOnly)
      expect(gh.maxInFlight()).toBeLessThanOrEqual(3)
      expect(gh.maxInFlight()).toBeGreaterThanOrEqual(2)
    } finally {
      gh.faults.latencyMs = 0
    }
  })
})

describe('blobQuery', () => {
  it('asks each repository once, each SHA once, with aliases that lead back to it', () => {
    const a = 'a'.repeat(40)
    const b = 'b'.repeat(40)
    const { query, aliases } = blobQuery([
      { owner: 'o', repo: 'one', sha: a },
      { owner: 'o', repo: 'two', sha: b },
      { owner: 'o', repo: 'one', sha: b },
    ])
    expect(query.match(/repository\(/g)).toHaveLength(2)
    expect(query.match(/object\(/g)).toHaveLength(2)
    expect(aliases.get(a)).toEqual(['r0', 'b0'])
    expect(aliases.get(b)).toEqual(['r1', 'b1'])
    expect(query).toContain(`r1: repository(owner: "o", name: "two") { b1: object(oid: "${b}")`)
  })

  it('finds GraphQL beside the REST base, on GitHub and GitHub Enterprise', () => {
    expect(graphqlBase('https://api.github.com')).toBe('https://api.github.com')
    expect(graphqlBase('https://ghe.example.com/api/v3')).toBe('https://ghe.example.com/api')
  })
})

describe('Slots', () => {
  it('never runs more than its size at once, and runs everything', async () => {
    const slots = new Slots(2)
    let running = 0
    let peak = 0
    let started = 0
    const gates: (() => void)[] = []
    const runs = [0, 1, 2, 3, 4].map((n) =>
      slots.run(async () => {
        running++
        started++
        peak = Math.max(peak, running)
        await new Promise<void>((resolve) => gates.push(resolve))
        running--
        return n
      }),
    )
    while (started < 5) {
      await new Promise((resolve) => setImmediate(resolve))
      expect(running).toBeLessThanOrEqual(2)
      gates.shift()?.()
    }
    for (const open of gates) open()
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4])
    expect(peak).toBe(2)
  })
})
