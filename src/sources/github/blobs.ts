import { DEFAULT_MAX_FILE_BYTES, decodeText, formatBytes, type ReadOutcome } from '../local/read.js'
import { gitBlobSha, type GitHubCache } from './cache.js'
import { describeError, fatalError, requestJson, type GitHubClient } from './client.js'
import { fetchBlobsByGraphQL, GRAPHQL_TEXT_LIMIT, GraphQLUnavailable, type BlobWant } from './graphql-blobs.js'
import type { RepoInfo } from './repos.js'
import type { TreeFile } from './tree.js'

/**
 * A GraphQL batch goes out once it holds this many blobs or bytes, or when
 * no tree listing is left to add to it. GitHub paces GraphQL requests like
 * writes (about one a second), so batches are large; the byte bound keeps an
 * answer well inside GraphQL's time limit.
 */
const BATCH_BLOBS = 100
const BATCH_BYTES = 4 * 1024 * 1024

export interface BlobReaderOptions {
  apiUrl: string
  /** Sends the requests: the scan's, bounded on the wire together with tree listing. */
  fetch?: typeof globalThis.fetch
  /** Batch blob reads over GraphQL (REST alone when false, or when GraphQL proves unavailable). */
  graphql: boolean
  maxBytes?: number
  onGraphQLUnavailable?: (reason: string) => void
}

interface Queued extends BlobWant {
  size: number
  /** The bytes, or undefined when the blob must be read over REST. */
  resolve(data: Buffer | undefined): void
  reject(error: unknown): void
}

/**
 * Blobs by SHA: from the disk cache, else batched over GraphQL (many
 * repositories per request), else one REST request each; one download per
 * SHA, shared by every repository holding the same file. Every blob is
 * checked against its SHA before it is used or cached.
 */
export class BlobReader {
  private readonly inFlight = new Map<string, Promise<Buffer>>()
  private readonly queue: Queued[] = []
  private queuedBytes = 0
  /** Downloads still looking in the disk cache: each may yet join the queue. */
  private checking = 0
  private listing = true
  private graphql: boolean

  constructor(
    private readonly client: GitHubClient,
    private readonly cache: GitHubCache,
    private readonly options: BlobReaderOptions,
  ) {
    this.graphql = options.graphql
  }

  /** Every tree is listed: what waits for a fuller batch goes out now, and later reads go out at once. */
  listingDone(): void {
    this.listing = false
    this.flush()
  }

  async read(repo: RepoInfo, file: TreeFile): Promise<ReadOutcome> {
    const maxBytes = this.options.maxBytes ?? DEFAULT_MAX_FILE_BYTES
    if (file.size !== undefined && file.size > maxBytes) {
      return { ok: false, message: `file is ${formatBytes(file.size)}, over the ${formatBytes(maxBytes)} limit (raise it with --max-file-size)` }
    }
    let data: Buffer
    try {
      data = await this.fetch(repo, file)
    } catch (error) {
      const fatal = fatalError(error, this.options.apiUrl)
      if (fatal) throw fatal
      return { ok: false, message: `could not be fetched: ${describeError(error)}` }
    }
    return decodeText(data)
  }

  private fetch(repo: RepoInfo, file: TreeFile): Promise<Buffer> {
    let pending = this.inFlight.get(file.sha)
    if (!pending) {
      pending = this.download(repo, file).finally(() => this.inFlight.delete(file.sha))
      this.inFlight.set(file.sha, pending)
    }
    return pending
  }

  private async download(repo: RepoInfo, file: TreeFile): Promise<Buffer> {
    this.checking++
    let hit: Buffer | undefined
    try {
      hit = await this.cache.getBlob(file.sha)
    } finally {
      this.checking--
    }
    if (hit) {
      this.flush()
      return hit
    }
    const batchable = this.graphql && file.size !== undefined && file.size < GRAPHQL_TEXT_LIMIT
    // A read that does not join the queue may be the one a partial batch was waiting for.
    if (!batchable) this.flush()
    const data = (batchable ? await this.enqueue(repo, file) : undefined) ?? (await this.readRest(repo, file.sha))
    await this.cache.putBlob(file.sha, data)
    return data
  }

  private enqueue(repo: RepoInfo, file: TreeFile): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ owner: repo.owner, repo: repo.name, sha: file.sha, size: file.size ?? 0, resolve, reject })
      this.queuedBytes += file.size ?? 0
      this.flush()
    })
  }

  private flush(): void {
    // Once listing is over, a partial batch waits only for reads still looking in the cache.
    const last = !this.listing && this.checking === 0
    while (this.queue.length > 0 && (last || this.queue.length >= BATCH_BLOBS || this.queuedBytes >= BATCH_BYTES)) {
      let count = 0
      let bytes = 0
      while (count < this.queue.length && count < BATCH_BLOBS) {
        const size = (this.queue[count] as Queued).size
        if (count > 0 && bytes + size > BATCH_BYTES) break
        bytes += size
        count++
      }
      this.queuedBytes -= bytes
      void this.send(this.queue.splice(0, count))
    }
  }

  private async send(batch: Queued[]): Promise<void> {
    let got = new Map<string, Buffer>()
    // A failed batch is tried once more, then read over REST (with REST's own retries): a batch
    // that keeps failing costs one request a blob, and loses none.
    for (let attempt = 0; attempt < 2 && this.graphql; attempt++) {
      try {
        got = await fetchBlobsByGraphQL(this.client, this.options.apiUrl, batch, this.options.fetch)
        break
      } catch (error) {
        if (error instanceof GraphQLUnavailable) this.stopGraphQL(error.message)
        else if (fatalError(error, this.options.apiUrl)) {
          for (const queued of batch) queued.reject(error)
          return
        }
      }
    }
    for (const queued of batch) queued.resolve(got.get(queued.sha))
  }

  private stopGraphQL(reason: string): void {
    if (!this.graphql) return
    this.graphql = false
    this.options.onGraphQLUnavailable?.(reason)
    for (const queued of this.queue.splice(0)) queued.resolve(undefined)
    this.queuedBytes = 0
  }

  private async readRest(repo: RepoInfo, sha: string): Promise<Buffer> {
    const { data: blob } = await requestJson<{ content: string; encoding: string }>(this.client, 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
      owner: repo.owner,
      repo: repo.name,
      file_sha: sha,
      ...(this.options.fetch ? { request: { fetch: this.options.fetch } } : {}),
    })
    const data = blob.encoding === 'base64' ? Buffer.from(blob.content, 'base64') : Buffer.from(blob.content, 'utf8')
    if (gitBlobSha(data) !== sha) throw new Error(`blob ${sha} did not match its SHA`)
    return data
  }
}
