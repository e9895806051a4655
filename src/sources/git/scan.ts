import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { catFileBatch, git, lsTree, partialClone, prefetchBlobs, revParse, type GitOptions, type GitTreeEntry } from '../../git/read.js'
import { ecosystemFor } from '../../ecosystems/index.js'
import type { Matcher } from '../../scan/match.js'
import { addRepoScan, emptyResult, scanSnapshot, type RepoScan } from '../../scan/scan.js'
import type { RepoFile, RepoSnapshot } from '../../scan/snapshot.js'
import type { ScanResult } from '../../scan/types.js'
import { DEFAULT_MAX_FILE_BYTES, decodeText, formatBytes, type ReadOutcome } from '../local/read.js'
import { mapPool } from '../github/pool.js'
import { filterFiles } from '../github/tree.js'

export interface GitScanOptions {
  /** Branch, tag or commit to read; HEAD (the default branch of a clone) otherwise. */
  ref?: string
  concurrency?: number
  maxFileBytes?: number
  signal?: AbortSignal
  /** The auth header for a clone URL (e.g. a token for its host), or undefined for none. */
  authHeaderFor?: (url: string) => string | undefined
}

export interface GitScanHooks {
  matcher?: Matcher
  inventory?: boolean
  onProgress?: (progress: { done: number; total: number; findings: number; repo?: string }) => void
}

/** Directories holding a git repository: a `.git` entry (checkout) or HEAD + objects + refs (bare). */
export async function findGitRepositories(root: string, maxDepth = 6): Promise<string[]> {
  const found: string[] = []
  const visit = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    const names = new Set(entries.map((e) => e.name))
    if (names.has('.git') || (names.has('HEAD') && names.has('objects') && names.has('refs'))) {
      found.push(dir)
      return
    }
    if (depth >= maxDepth) return
    const subdirs = entries.filter((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')).map((e) => e.name).sort()
    for (const name of subdirs) await visit(path.join(dir, name), depth + 1)
  }
  await visit(path.resolve(root), 0)
  return found
}

/** `--repos-dir DIR`: every git repository below DIR, read from its objects at HEAD or `ref` (no working tree needed). */
export async function scanGitDirs(root: string, options: GitScanOptions = {}, hooks: GitScanHooks = {}): Promise<ScanResult> {
  const dirs = await findGitRepositories(root)
  const base = path.resolve(root)
  const targets = dirs.map((dir) => ({ dir, name: (path.relative(path.dirname(base), dir) || path.basename(dir)).split(path.sep).join('/').replace(/\.git$/, '') }))
  return scanEach(targets, options, hooks, async ({ dir, name }) => scanLocalGit(dir, name, options, hooks, {}))
}

/** `--repos-from FILE` with clone URLs of any git host: a blob-less shallow clone each, then only the manifests' blobs. */
export async function scanGitUrls(urls: readonly string[], options: GitScanOptions = {}, hooks: GitScanHooks = {}): Promise<ScanResult> {
  const targets = urls.map((url) => ({ url, name: nameFromUrl(url) }))
  return scanEach(targets, options, hooks, async ({ url, name }) => {
    const work = await mkdtemp(path.join(tmpdir(), 'firebreak-clone-'))
    const gitOptions: GitOptions = { authHeader: options.authHeaderFor?.(url), signal: options.signal }
    try {
      const dir = path.join(work, 'repo.git')
      try {
        await partialClone(url, dir, { ...gitOptions, ref: options.ref })
      } catch (error) {
        return failed(name, options.ref, `could not be cloned: ${(error as Error).message}`)
      }
      return await scanLocalGit(dir, name, { ...options, ref: undefined }, hooks, gitOptions)
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  })
}

async function scanEach<T extends { name: string }>(targets: T[], options: GitScanOptions, hooks: GitScanHooks, fn: (t: T) => Promise<RepoScan>): Promise<ScanResult> {
  const result = emptyResult()
  let done = 0
  let findings = 0
  hooks.onProgress?.({ done, total: targets.length, findings })
  const scans = await mapPool(
    targets,
    options.concurrency ?? 8,
    async (t) => {
      const scan = await fn(t)
      done++
      findings += scan.findings.length
      hooks.onProgress?.({ done, total: targets.length, findings, repo: t.name })
      return scan
    },
    options.signal,
  )
  for (const scan of scans) addRepoScan(result, scan, hooks.inventory ?? false)
  if (hooks.inventory) result.packages ??= []
  return result
}

function failed(name: string, ref: string | undefined, message: string): RepoScan {
  return { repo: { name, ...(ref ? { ref } : {}), files: [] }, packages: [], findings: [], errors: [{ repo: name, file: '.', message }] }
}

async function scanLocalGit(dir: string, name: string, options: GitScanOptions, hooks: GitScanHooks, gitOptions: GitOptions): Promise<RepoScan> {
  const rev = options.ref ?? 'HEAD'
  const commit = await revParse(dir, rev)
  if (!commit) return failed(name, options.ref, `ref ${rev} not found (or the repository has no commits)`)
  let entries: GitTreeEntry[]
  try {
    entries = await lsTree(dir, commit, gitOptions)
  } catch (error) {
    return failed(name, options.ref, `could not be listed: ${(error as Error).message}`)
  }
  const ref = options.ref ?? (await symbolicHead(dir))
  const snapshot = gitSnapshot(dir, name, ref, commit, entries, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, gitOptions)
  return scanSnapshot(snapshot, { matcher: hooks.matcher, inventory: hooks.inventory, signal: options.signal })
}

async function symbolicHead(dir: string): Promise<string | undefined> {
  try {
    return (await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], dir)).trim() || undefined
  } catch {
    return undefined
  }
}

/** A snapshot over git objects: the first read fetches (partial clone) and reads every listed file in one batch. */
export function gitSnapshot(dir: string, name: string, ref: string | undefined, commit: string, entries: GitTreeEntry[], maxBytes: number, gitOptions: GitOptions): RepoSnapshot {
  const kept = filterFiles(entries.map((e) => ({ ...e, type: 'blob' })))
  const byPath = new Map(kept.map((f) => [f.path, f]))
  let contents: Promise<Map<string, Buffer>> | undefined
  const load = () =>
    (contents ??= (async () => {
      const wanted = kept.filter((f) => f.mode !== '120000' && (f.size === undefined || f.size <= maxBytes)).map((f) => f.sha)
      await prefetchBlobs(dir, wanted, gitOptions).catch(() => undefined)
      return catFileBatch(dir, wanted, gitOptions)
    })())
  const read = async (f: { sha: string; size?: number; mode: string }): Promise<ReadOutcome> => {
    if (f.mode === '120000') return { ok: false, message: 'symbolic link not followed; the file it points to was not read' }
    if (f.size !== undefined && f.size > maxBytes) return { ok: false, message: `file is ${formatBytes(f.size)}, over the ${formatBytes(maxBytes)} limit (raise it with --max-file-size)` }
    let data: Buffer | undefined
    try {
      data = (await load()).get(f.sha)
    } catch (error) {
      return { ok: false, message: `could not be read from git: ${(error as Error).message}` }
    }
    return data ? decodeText(data) : { ok: false, message: `blob ${f.sha} could not be fetched` }
  }
  const files: RepoFile[] = []
  for (const f of kept) {
    const match = ecosystemFor(f.path)
    if (match) files.push({ path: f.path, ecosystem: match.ecosystem.id, kind: match.kind, read: () => read(f) })
  }
  return {
    name,
    ...(ref ? { ref } : {}),
    commit,
    files,
    errors: [],
    async readOther(p) {
      const f = byPath.get(p)
      return f ? read(f) : undefined
    },
  }
}

/** `https://host/group/sub/name.git` → `group/sub/name`; `file:///x/y.git` → `y`. */
export function nameFromUrl(url: string): string {
  try {
    const u = new URL(url)
    const p = u.pathname.replace(/\/+$/, '').replace(/\.git$/, '')
    if (u.protocol === 'file:') return path.basename(p)
    return p.replace(/^\//, '') || u.host
  } catch {
    // scp-like `git@host:group/name.git`
    const m = /^[^@]+@[^:]+:(.+?)(\.git)?\/?$/.exec(url)
    return m?.[1] ?? url
  }
}

export async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false
}
