import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { defaultCacheDir, gitBlobSha, GitHubCache } from '../../../src/sources/github/cache.js'
import { mapPool } from '../../../src/sources/github/pool.js'

const dirs: string[] = []
async function temp(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fb-cache-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

describe('GitHubCache', () => {
  it('lives in XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/firebreak')
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'relative' })).toMatch(/\.cache\/firebreak$/)
  })

  it('stores blobs by SHA and drops one that no longer matches it', async () => {
    const dir = await temp()
    const cache = await GitHubCache.open(dir)
    const data = Buffer.from('{"name":"x"}\n')
    const sha = gitBlobSha(data)
    await cache.putBlob(sha, data)
    expect((await cache.getBlob(sha))?.toString()).toBe(data.toString())
    await writeFile(path.join(dir, 'github', 'blobs', sha.slice(0, 2), sha.slice(2)), 'tampered')
    expect(await cache.getBlob(sha)).toBeUndefined()
  })

  it('evicts the least recently used blobs beyond its bound', async () => {
    const dir = await temp()
    const cache = await GitHubCache.open(dir, 40_000)
    const shas: string[] = []
    for (let i = 0; i < 5; i++) {
      const data = Buffer.from(String(i).repeat(10_000))
      const sha = gitBlobSha(data)
      shas.push(sha)
      await cache.putBlob(sha, data)
      const when = new Date(Date.now() - (10 - i) * 60_000)
      await utimes(path.join(dir, 'github', 'blobs', sha.slice(0, 2), sha.slice(2)), when, when)
    }
    await cache.getBlob(shas[0] as string)
    const { bytes, removed } = await cache.prune()
    expect(bytes).toBeLessThanOrEqual(32_000)
    expect(removed).toBe(2)
    expect(await cache.getBlob(shas[0] as string)).toBeDefined()
    expect(await cache.getBlob(shas[1] as string)).toBeUndefined()
  })

  it('stores nothing when disabled', async () => {
    const cache = GitHubCache.disabled()
    await cache.putRecord('x', 'k', { a: 1 })
    expect(await cache.getRecord('x', 'k')).toBeUndefined()
  })
})

describe('mapPool', () => {
  it('keeps order and never runs more than the bound at once', async () => {
    let running = 0
    let peak = 0
    const out = await mapPool([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setTimeout(r, n * 3))
      running--
      return n * 10
    })
    expect(out).toEqual([50, 10, 40, 20, 30, 0])
    expect(peak).toBe(2)
  })
})
