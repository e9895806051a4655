import { ecosystemFor } from '../../ecosystems/index.js'
import { requestJson, type GitHubClient } from './client.js'

export interface TreeFile {
  path: string
  sha: string
  size?: number
  mode: string
}

interface RawTree {
  sha: string
  truncated: boolean
  tree: { path: string; mode: string; type: string; sha: string; size?: number }[]
}

export interface TreeListing {
  /** Files some ecosystem reads, and files a manifest may include (`-r base.txt`). */
  files: TreeFile[]
  treeSha: string
  etag?: string
  /** True when GitHub truncated the recursive listing and the tree was walked sub-tree by sub-tree. */
  walked: boolean
  requests: number
}

/** Directories never read, as for local scans: installed dependencies and VCS data. */
const SKIPPED_DIRS = new Set(['node_modules', '.git'])

/** Includes name other files (`-r other.txt`, `-c constraints.in`); keep those that could be one. */
function maybeIncluded(path: string): boolean {
  const dot = path.lastIndexOf('.')
  const ext = dot === -1 ? '' : path.slice(dot + 1).toLowerCase()
  return ext === 'txt' || ext === 'in'
}

/**
 * Lists a ref's files with one recursive tree request. A truncated listing
 * (GitHub's 100,000-entry / 7 MB cap) is never taken as complete: that
 * tree is listed one level and each sub-tree is listed the same way in turn.
 * Answers 'not-modified' when the tree matches `etag` (304). `fetch`, when
 * given, sends the requests (the scan's, bounded on the wire).
 */
export async function listTree(
  client: GitHubClient,
  owner: string,
  repo: string,
  ref: string,
  etag?: string,
  fetch?: typeof globalThis.fetch,
): Promise<TreeListing | 'not-modified'> {
  let requests = 0
  const get = async (treeish: string, recursive: boolean, ifNoneMatch?: string) => {
    requests++
    const response = await requestJson<RawTree>(client, 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      owner,
      repo,
      tree_sha: treeish,
      ...(recursive ? { recursive: '1' } : {}),
      headers: ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {},
      ...(fetch ? { request: { fetch } } : {}),
    })
    return { data: response.data, etag: response.headers.etag as string | undefined }
  }
  let first
  try {
    first = await get(ref, true, etag)
  } catch (error) {
    if ((error as { status?: number }).status === 304) return 'not-modified'
    throw error
  }
  const entries: RawTree['tree'] = []
  let walked = false
  const walk = async (tree: RawTree, prefix: string, recursive: boolean): Promise<void> => {
    if (!tree.truncated) {
      for (const e of tree.tree) entries.push({ ...e, path: prefix + e.path })
      if (recursive) return
      for (const e of tree.tree) {
        if (e.type !== 'tree' || SKIPPED_DIRS.has(e.path)) continue
        await walk((await get(e.sha, true)).data, `${prefix}${e.path}/`, true)
      }
      return
    }
    walked = true
    // Truncated: take this level alone, then each sub-tree (recursively, splitting again if need be).
    await walk((await get(tree.sha, false)).data, prefix, false)
  }
  await walk(first.data, '', true)
  return { files: filterFiles(entries), treeSha: first.data.sha, etag: walked ? undefined : first.etag, walked, requests }
}

/** The blobs worth keeping: matched by an ecosystem (or includable), outside skipped and virtualenv directories. */
export function filterFiles(entries: RawTree['tree']): TreeFile[] {
  const venvs: string[] = []
  for (const e of entries) if (e.type === 'blob' && e.path.endsWith('/pyvenv.cfg')) venvs.push(e.path.slice(0, -'pyvenv.cfg'.length))
  const out: TreeFile[] = []
  // Trees hold thousands of files and a handful of candidates: the name test first, the rest for those.
  for (const e of entries) {
    if (e.type !== 'blob') continue
    if (!ecosystemFor(e.path) && !maybeIncluded(e.path)) continue
    if (e.path.split('/').some((segment) => SKIPPED_DIRS.has(segment))) continue
    if (venvs.some((v) => e.path.startsWith(v))) continue
    out.push({ path: e.path, sha: e.sha, mode: e.mode, ...(e.size !== undefined ? { size: e.size } : {}) })
  }
  return out
}
