import { ecosystemFor } from '../../ecosystems/index.js'
import type { Matcher } from '../../scan/match.js'
import { addRepoScan, emptyResult, scanSnapshot, type RepoScan } from '../../scan/scan.js'
import type { RepoFile, RepoSnapshot } from '../../scan/snapshot.js'
import type { ScanResult } from '../../scan/types.js'
import { resolveGitHubAuth, type AuthOptions } from './auth.js'
import { BlobReader } from './blobs.js'
import { defaultCacheDir, GitHubCache } from './cache.js'
import { createGitHubClient, DEFAULT_API_URL, describeError, fatalError, wireFetch, type GitHubClient, type RateLimitWait } from './client.js'
import { mapPool, Slots } from './pool.js'
import { listRepositories, requireOwner, selectRepositories, type RepoInfo, type RepoSelection } from './repos.js'
import { listTree, type TreeFile } from './tree.js'

export const DEFAULT_CONCURRENCY = 8

export interface GitHubScanOptions extends RepoSelection, AuthOptions {
  apiUrl?: string
  /** Branch, tag or commit to read instead of each default branch. */
  ref?: string
  concurrency?: number
  /** Cache folder; false for none (`--no-cache`). */
  cacheDir?: string | false
  cacheMaxBytes?: number
  maxFileBytes?: number
  /** Batch blob reads over GraphQL (default true); REST alone when false. */
  graphql?: boolean
  signal?: AbortSignal
  onWait?: (wait: RateLimitWait) => void
  /** Told once when GraphQL turns out not to be offered and the scan goes on over REST alone. */
  onGraphQLUnavailable?: (reason: string) => void
  /** Tests shrink back-off and rate-limit waits (ms per second). */
  retryBaseMs?: number
  rateLimitBaseMs?: number
  /** An already built client (tests); otherwise one is built from the auth options. */
  client?: GitHubClient
}

export interface GitHubProgress {
  done: number
  /** Trees listed so far: a repository is done once its files, fetched in batches, are read too. */
  listed?: number
  total: number
  findings: number
  rateLimitRemaining?: number
  repo?: string
}

export interface GitHubScanHooks {
  matcher?: Matcher
  inventory?: boolean
  onProgress?: (progress: GitHubProgress) => void
}

/** What the cache keeps per repository and ref: enough to skip the tree request when nothing was pushed. */
interface RepoRecord {
  pushedAt: string | null
  ref: string
  treeSha: string
  etag?: string
  files: TreeFile[]
}

/**
 * `firebreak scan --org ORG`: lists and selects repositories, then lists
 * each one's tree, fetches only the manifest and lockfile blobs (by SHA:
 * from the disk cache when known, else batched over GraphQL across
 * repositories, else over REST) and scans them, with at most `concurrency`
 * requests in flight. A repository that cannot be read is an error in the result,
 * never clean; a rejected token stops the run (AuthError, exit 4).
 */
export async function scanGitHub(options: GitHubScanOptions, hooks: GitHubScanHooks = {}): Promise<ScanResult> {
  requireOwner(options)
  const apiUrl = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '')
  let rateLimitRemaining: number | undefined
  const client =
    options.client ??
    createGitHubClient({
      auth: await resolveGitHubAuth(options),
      apiUrl,
      onWait: options.onWait,
      onRateLimit: (remaining) => (rateLimitRemaining = remaining),
      retryBaseMs: options.retryBaseMs,
      rateLimitBaseMs: options.rateLimitBaseMs,
    })
  const cache = options.cacheDir === false ? GitHubCache.disabled() : await GitHubCache.open(options.cacheDir ?? defaultCacheDir(), options.cacheMaxBytes)
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
  const listed = await listRepositories(client, options, cache, apiUrl, concurrency)
  const selected = selectRepositories(listed.repos, options)
  const result = emptyResult()
  for (const m of listed.missing) {
    result.repos.push({ name: m.fullName, files: [] })
    result.errors.push({ repo: m.fullName, file: '.', message: m.message })
  }
  // One bound on requests in flight, whatever stage makes them (tree listings, blob batches, single blobs),
  // held on the wire: from sending a request to the end of its answer.
  const fetch = wireFetch(new Slots(concurrency))
  const reader = new BlobReader(client, cache, { apiUrl, fetch, graphql: options.graphql ?? true, maxBytes: options.maxFileBytes, onGraphQLUnavailable: options.onGraphQLUnavailable })
  let done = 0
  let listedCount = 0
  let findings = 0
  hooks.onProgress?.({ done, listed: listedCount, total: selected.length, findings, rateLimitRemaining })
  // A repository's scan waits for its blobs, which wait for a batch to fill; listing does not wait for
  // either, so that batches fill from many repositories at once.
  const pending: Promise<RepoScan>[] = []
  try {
    // More repositories in hand than requests allowed: while one parses its tree or looks in the cache,
    // another's request can use the slot.
    await mapPool(
      selected,
      concurrency * 2,
      async (repo, index) => {
        const listed = await listRepository(client, cache, reader, fetch, repo, options, apiUrl)
        listedCount++
        hooks.onProgress?.({ done, listed: listedCount, total: selected.length, findings, rateLimitRemaining })
        const scan = (listed.snapshot ? scanSnapshot(listed.snapshot, { matcher: hooks.matcher, inventory: hooks.inventory, signal: options.signal }) : Promise.resolve(listed.failed)).then((scan) => {
          done++
          findings += scan.findings.length
          hooks.onProgress?.({ done, listed: listedCount, total: selected.length, findings, rateLimitRemaining, repo: repo.fullName })
          return scan
        })
        // Awaited below with the others; until then a rejection must not count as unhandled.
        scan.catch(() => undefined)
        pending[index] = scan
      },
      options.signal,
    )
  } finally {
    reader.listingDone()
  }
  const scans = await Promise.all(pending)
  for (const scan of scans) addRepoScan(result, scan, hooks.inventory ?? false)
  if (hooks.inventory) result.packages ??= []
  await cache.prune()
  return result
}

/** A repository's snapshot, with every blob it will read already asked for; or, when its tree cannot be listed, the error. */
async function listRepository(
  client: GitHubClient,
  cache: GitHubCache,
  reader: BlobReader,
  fetch: typeof globalThis.fetch,
  repo: RepoInfo,
  options: GitHubScanOptions,
  apiUrl: string,
): Promise<{ snapshot: RepoSnapshot; failed?: undefined } | { snapshot?: undefined; failed: RepoScan }> {
  const ref = options.ref ?? repo.defaultBranch
  try {
    return { snapshot: await repoSnapshot(client, cache, reader, fetch, repo, ref, apiUrl) }
  } catch (error) {
    const fatal = fatalError(error, apiUrl)
    if (fatal) throw fatal
    const status = (error as { status?: number }).status
    const message = status === 404 || status === 409 ? `ref ${ref} not found, or the repository is empty (${describeError(error)})` : `could not be listed: ${describeError(error)}`
    return { failed: { repo: { name: repo.fullName, ref, files: [] }, packages: [], findings: [], errors: [{ repo: repo.fullName, file: '.', message }] } }
  }
}

async function repoSnapshot(client: GitHubClient, cache: GitHubCache, reader: BlobReader, fetch: typeof globalThis.fetch, repo: RepoInfo, ref: string, apiUrl: string): Promise<RepoSnapshot> {
  const key = `${apiUrl} ${repo.fullName} ${ref}`
  const cached = await cache.getRecord<RepoRecord>('repos', key)
  let record: RepoRecord
  // Nothing pushed since the cached listing: the ref (a branch or tag) cannot have moved.
  if (cached && cached.pushedAt !== null && cached.pushedAt === repo.pushedAt && cached.ref === ref) {
    record = cached
  } else {
    const listing = await listTree(client, repo.owner, repo.name, ref, cached?.etag, fetch)
    if (listing === 'not-modified') record = { ...(cached as RepoRecord), pushedAt: repo.pushedAt }
    else record = { pushedAt: repo.pushedAt, ref, treeSha: listing.treeSha, etag: listing.etag, files: listing.files }
    await cache.putRecord('repos', key, record)
  }
  const byPath = new Map(record.files.map((f) => [f.path, f]))
  const files: RepoFile[] = []
  const errors: RepoSnapshot['errors'] = []
  for (const f of record.files) {
    const match = ecosystemFor(f.path)
    if (!match) continue
    if (f.mode === '120000') {
      errors.push({ file: f.path, message: 'symbolic link not followed; the file it points to was not read' })
      continue
    }
    // Asked for now, read when the scan gets to it: every wanted blob joins a batch at once.
    const read = reader.read(repo, f)
    // The scan awaits it; until then a rejection (a revoked token) must not count as unhandled.
    read.catch(() => undefined)
    files.push({ path: f.path, ecosystem: match.ecosystem.id, kind: match.kind, read: () => read })
  }
  return {
    name: repo.fullName,
    ref,
    files,
    errors,
    async readOther(path) {
      const f = byPath.get(path)
      if (!f) return undefined
      if (f.mode === '120000') return { ok: false, message: 'symbolic link not followed; the file it points to was not read' }
      return reader.read(repo, f)
    },
  }
}
