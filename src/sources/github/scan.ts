import { ecosystemFor } from '../../ecosystems/index.js'
import type { Matcher } from '../../scan/match.js'
import { addRepoScan, emptyResult, scanSnapshot, type RepoScan } from '../../scan/scan.js'
import type { RepoFile, RepoSnapshot } from '../../scan/snapshot.js'
import type { ScanResult } from '../../scan/types.js'
import { DEFAULT_MAX_FILE_BYTES, decodeText, formatBytes, type ReadOutcome } from '../local/read.js'
import { resolveGitHubAuth, type AuthOptions } from './auth.js'
import { defaultCacheDir, GitHubCache, gitBlobSha } from './cache.js'
import { createGitHubClient, DEFAULT_API_URL, describeError, fatalError, getJson, type GitHubClient, type RateLimitWait } from './client.js'
import { mapPool } from './pool.js'
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
  signal?: AbortSignal
  onWait?: (wait: RateLimitWait) => void
  /** Tests shrink back-off and rate-limit waits (ms per second). */
  retryBaseMs?: number
  rateLimitBaseMs?: number
  /** An already built client (tests); otherwise one is built from the auth options. */
  client?: GitHubClient
}

export interface GitHubProgress {
  done: number
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
 * `firebreak scan --org ORG`: lists and selects repositories, then for each
 * (at most `concurrency` at a time) lists its tree, fetches only the
 * manifest and lockfile blobs (by SHA, from the disk cache when known) and
 * scans them. A repository that cannot be read is an error in the result,
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
  const listed = await listRepositories(client, options, cache, apiUrl)
  const selected = selectRepositories(listed.repos, options)
  const result = emptyResult()
  for (const m of listed.missing) {
    result.repos.push({ name: m.fullName, files: [] })
    result.errors.push({ repo: m.fullName, file: '.', message: m.message })
  }
  const reader = new BlobReader(client, cache, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, apiUrl)
  let done = 0
  let findings = 0
  hooks.onProgress?.({ done, total: selected.length, findings, rateLimitRemaining })
  const scans = await mapPool(
    selected,
    options.concurrency ?? DEFAULT_CONCURRENCY,
    async (repo) => {
      const scan = await scanRepository(client, cache, reader, repo, options, hooks, apiUrl)
      done++
      findings += scan.findings.length
      hooks.onProgress?.({ done, total: selected.length, findings, rateLimitRemaining, repo: repo.fullName })
      return scan
    },
    options.signal,
  )
  for (const scan of scans) addRepoScan(result, scan, hooks.inventory ?? false)
  if (hooks.inventory) result.packages ??= []
  await cache.prune()
  return result
}

async function scanRepository(client: GitHubClient, cache: GitHubCache, reader: BlobReader, repo: RepoInfo, options: GitHubScanOptions, hooks: GitHubScanHooks, apiUrl: string): Promise<RepoScan> {
  const ref = options.ref ?? repo.defaultBranch
  let snapshot: RepoSnapshot
  try {
    snapshot = await repoSnapshot(client, cache, reader, repo, ref, apiUrl)
  } catch (error) {
    const fatal = fatalError(error, apiUrl)
    if (fatal) throw fatal
    const status = (error as { status?: number }).status
    const message = status === 404 || status === 409 ? `ref ${ref} not found, or the repository is empty (${describeError(error)})` : `could not be listed: ${describeError(error)}`
    return { repo: { name: repo.fullName, ref, files: [] }, packages: [], findings: [], errors: [{ repo: repo.fullName, file: '.', message }] }
  }
  return scanSnapshot(snapshot, { matcher: hooks.matcher, inventory: hooks.inventory, signal: options.signal })
}

async function repoSnapshot(client: GitHubClient, cache: GitHubCache, reader: BlobReader, repo: RepoInfo, ref: string, apiUrl: string): Promise<RepoSnapshot> {
  const key = `${apiUrl} ${repo.fullName} ${ref}`
  const cached = await cache.getRecord<RepoRecord>('repos', key)
  let record: RepoRecord
  // Nothing pushed since the cached listing: the ref (a branch or tag) cannot have moved.
  if (cached && cached.pushedAt !== null && cached.pushedAt === repo.pushedAt && cached.ref === ref) {
    record = cached
  } else {
    const listing = await listTree(client, repo.owner, repo.name, ref, cached?.etag)
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
    files.push({ path: f.path, ecosystem: match.ecosystem.id, kind: match.kind, read: () => reader.read(repo, f) })
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

/** Blobs by SHA: from the disk cache, else one API request, shared by every repository holding the same file. */
class BlobReader {
  private readonly inFlight = new Map<string, Promise<Buffer>>()

  constructor(
    private readonly client: GitHubClient,
    private readonly cache: GitHubCache,
    private readonly maxBytes: number,
    private readonly apiUrl: string,
  ) {}

  async read(repo: RepoInfo, file: TreeFile): Promise<ReadOutcome> {
    if (file.size !== undefined && file.size > this.maxBytes) {
      return { ok: false, message: `file is ${formatBytes(file.size)}, over the ${formatBytes(this.maxBytes)} limit (raise it with --max-file-size)` }
    }
    let data: Buffer
    try {
      data = await this.fetch(repo, file.sha)
    } catch (error) {
      const fatal = fatalError(error, this.apiUrl)
      if (fatal) throw fatal
      return { ok: false, message: `could not be fetched: ${describeError(error)}` }
    }
    return decodeText(data)
  }

  private fetch(repo: RepoInfo, sha: string): Promise<Buffer> {
    let pending = this.inFlight.get(sha)
    if (!pending) {
      pending = this.download(repo, sha).finally(() => this.inFlight.delete(sha))
      this.inFlight.set(sha, pending)
    }
    return pending
  }

  private async download(repo: RepoInfo, sha: string): Promise<Buffer> {
    const hit = await this.cache.getBlob(sha)
    if (hit) return hit
    const { data: blob } = await getJson<{ content: string; encoding: string }>(this.client, 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner: repo.owner, repo: repo.name, file_sha: sha })
    const data = blob.encoding === 'base64' ? Buffer.from(blob.content, 'base64') : Buffer.from(blob.content, 'utf8')
    if (gitBlobSha(data) !== sha) throw new Error(`blob ${sha} did not match its SHA`)
    await this.cache.putBlob(sha, data)
    return data
  }
}
