import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'

/** Default ceiling on the cache: blobs are manifests and lockfiles, rarely more than a few MB each. */
export const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024

/** `$XDG_CACHE_HOME/firebreak`, else `~/.cache/firebreak`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(homedir(), '.cache')
  return path.join(base, 'firebreak')
}

/** The git object id of a blob: what GitHub's tree gives for each file. */
export function gitBlobSha(data: Uint8Array): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex')
}

/**
 * A disk cache shared by runs: blobs by git SHA (content-addressed, so
 * identical files across repositories cost one download ever, and a blob is
 * checked against its SHA when read back), and small JSON records (ETags and
 * listings). Bounded: the least recently used blobs go first. Holds
 * repository content and never credentials.
 */
export class GitHubCache {
  private constructor(private readonly root: string | undefined, private readonly maxBytes: number) {}

  /** A cache that stores nothing (`--no-cache`). */
  static disabled(): GitHubCache {
    return new GitHubCache(undefined, 0)
  }

  static async open(dir: string, maxBytes = DEFAULT_CACHE_BYTES): Promise<GitHubCache> {
    const root = path.join(dir, 'github')
    await mkdir(root, { recursive: true, mode: 0o700 })
    return new GitHubCache(root, maxBytes)
  }

  get enabled(): boolean {
    return this.root !== undefined
  }

  private blobPath(sha: string): string {
    return path.join(this.root as string, 'blobs', sha.slice(0, 2), sha.slice(2))
  }

  private recordPath(kind: string, key: string): string {
    return path.join(this.root as string, kind, createHash('sha256').update(key).digest('hex').slice(0, 40) + '.json')
  }

  async getBlob(sha: string): Promise<Buffer | undefined> {
    if (!this.root || !/^[0-9a-f]{40}$/.test(sha)) return undefined
    const file = this.blobPath(sha)
    const data = await readFile(file).catch(() => undefined)
    if (!data) return undefined
    if (gitBlobSha(data) !== sha) {
      await rm(file, { force: true })
      return undefined
    }
    // Recently used blobs are kept when the cache is pruned.
    const now = new Date()
    await utimes(file, now, now).catch(() => undefined)
    return data
  }

  async putBlob(sha: string, data: Uint8Array): Promise<void> {
    if (!this.root || !/^[0-9a-f]{40}$/.test(sha) || data.length > this.maxBytes / 4) return
    await atomicWrite(this.blobPath(sha), data)
  }

  async getRecord<T>(kind: string, key: string): Promise<T | undefined> {
    if (!this.root) return undefined
    try {
      const value = JSON.parse(await readFile(this.recordPath(kind, key), 'utf8')) as { key?: string; value?: T }
      return value.key === key ? value.value : undefined
    } catch {
      return undefined
    }
  }

  async putRecord(kind: string, key: string, value: unknown): Promise<void> {
    if (!this.root) return
    await atomicWrite(this.recordPath(kind, key), JSON.stringify({ key, value }))
  }

  /** Removes the least recently used blobs until the cache fits its bound. */
  async prune(): Promise<{ bytes: number; removed: number }> {
    if (!this.root) return { bytes: 0, removed: 0 }
    const blobs: { file: string; size: number; mtime: number }[] = []
    const dir = path.join(this.root, 'blobs')
    for (const sub of await readdir(dir).catch(() => [] as string[])) {
      for (const name of await readdir(path.join(dir, sub)).catch(() => [] as string[])) {
        const file = path.join(dir, sub, name)
        const info = await stat(file).catch(() => undefined)
        if (info?.isFile()) blobs.push({ file, size: info.size, mtime: info.mtimeMs })
      }
    }
    let bytes = blobs.reduce((sum, b) => sum + b.size, 0)
    let removed = 0
    if (bytes <= this.maxBytes) return { bytes, removed }
    blobs.sort((a, b) => a.mtime - b.mtime)
    // Down to 80% so that pruning does not run on every scan.
    for (const blob of blobs) {
      if (bytes <= this.maxBytes * 0.8) break
      await rm(blob.file, { force: true })
      bytes -= blob.size
      removed++
    }
    return { bytes, removed }
  }
}

async function atomicWrite(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(tmp, data, { mode: 0o600 })
    await rename(tmp, file)
  } catch {
    // A cache that cannot be written is only slower.
    await rm(tmp, { force: true }).catch(() => undefined)
  }
}
