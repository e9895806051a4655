/**
 * Where a repository is edited. A local repository is edited where it is; a
 * GitHub repository gets a partial clone (`--filter=blob:none`: commits and
 * trees now, file contents only when read) of its default branch in the run
 * directory, `<run>/workspaces/<owner>/<repo>`, so that the pin step edits
 * both the same way. The token reaches git only through the environment
 * (src/git/push.ts), so the clone's `.git/config` holds the plain URL.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { GitError, gitRun, originOf } from '../git/push.js'

export type RepoLocation =
  | { kind: 'github'; owner: string; name: string; cloneUrl: string; defaultBranch: string }
  | { kind: 'local'; dir: string; name?: string }

export interface Workspace {
  kind: 'github' | 'local'
  /** `owner/name` for GitHub, the directory's name for a local repository. */
  repo: string
  dir: string
  defaultBranch: string
  owner?: string
  name?: string
  /** The clone URL, without credentials. */
  remoteUrl?: string
}

export interface WorkspaceOptions {
  /** The run directory; clones go below it. */
  runDir: string
  authHeader?: string
  signal?: AbortSignal
}

/** Identity for commits made in a clone, when git has none configured (a CI machine). */
const FALLBACK_IDENTITY = { name: 'firebreak', email: 'firebreak@users.noreply.github.com' }

export function workspaceDir(runDir: string, owner: string, name: string): string {
  return path.join(runDir, 'workspaces', owner, name)
}

/**
 * The repository, ready to edit on its default branch. A clone left by an
 * earlier attempt is brought up to date rather than cloned again.
 */
export async function prepareWorkspace(location: RepoLocation, options: WorkspaceOptions): Promise<Workspace> {
  if (location.kind === 'local') {
    const dir = path.resolve(location.dir)
    const head = (await gitRun(['symbolic-ref', '--quiet', '--short', 'HEAD'], dir).catch(() => '')).trim()
    return { kind: 'local', repo: location.name ?? path.basename(dir), dir, defaultBranch: head || 'main' }
  }
  const { owner, name, cloneUrl, defaultBranch } = location
  const dir = workspaceDir(options.runDir, owner, name)
  const auth = { authHeader: options.authHeader, authScope: originOf(cloneUrl), signal: options.signal }
  if (existsSync(path.join(dir, '.git'))) {
    try {
      await gitRun(['fetch', '--quiet', '--no-tags', 'origin', `+refs/heads/${defaultBranch}:refs/remotes/origin/${defaultBranch}`], dir, auth)
      await gitRun(['checkout', '--quiet', '--force', '-B', defaultBranch, `refs/remotes/origin/${defaultBranch}`], dir, auth)
      return { kind: 'github', repo: `${owner}/${name}`, dir, defaultBranch, owner, name, remoteUrl: cloneUrl }
    } catch (error) {
      // A clone left half-made by a killed run: start again.
      if (!(error instanceof GitError)) throw error
      await rm(dir, { recursive: true, force: true })
    }
  }
  await mkdir(path.dirname(dir), { recursive: true })
  await gitRun(['clone', '--quiet', '--filter=blob:none', '--no-tags', '--single-branch', '--branch', defaultBranch, '--', cloneUrl, dir], undefined, auth)
  const email = (await gitRun(['config', 'user.email'], dir).catch(() => '')).trim()
  if (!email) {
    await gitRun(['config', 'user.name', FALLBACK_IDENTITY.name], dir)
    await gitRun(['config', 'user.email', FALLBACK_IDENTITY.email], dir)
  }
  return { kind: 'github', repo: `${owner}/${name}`, dir, defaultBranch, owner, name, remoteUrl: cloneUrl }
}

export type SyncResult =
  | { action: 'up-to-date'; base: string }
  | { action: 'rebased'; base: string; head: string }
  | { action: 'reapplied'; base: string; head: string; conflicts: string[] }

export interface SyncOptions {
  branch: string
  /** Re-does the edit on a fresh branch from the new default branch, and commits it (the pin step provides it). */
  reapply: () => Promise<void>
  authHeader?: string
  signal?: AbortSignal
}

/**
 * Before pushing: when the default branch moved on since the branch was
 * made, rebase the branch onto it; when that conflicts, reset the branch to
 * the new default branch and re-apply the edit. The branch must not be
 * checked out in the repository's own working tree.
 */
export async function syncWithDefault(ws: Workspace, options: SyncOptions): Promise<SyncResult> {
  const { branch } = options
  const base = ws.defaultBranch
  const url = ws.remoteUrl
  const auth = { authHeader: options.authHeader, authScope: url ? originOf(url) : undefined, signal: options.signal }
  const upstream = `refs/remotes/origin/${base}`
  await gitRun(['fetch', '--quiet', '--no-tags', url ?? 'origin', `+refs/heads/${base}:${upstream}`], ws.dir, auth)
  const baseSha = (await gitRun(['rev-parse', '--verify', `${upstream}^{commit}`], ws.dir)).trim()
  try {
    await gitRun(['merge-base', '--is-ancestor', upstream, `refs/heads/${branch}`], ws.dir)
    return { action: 'up-to-date', base: baseSha }
  } catch (error) {
    if (!(error instanceof GitError) || error.exitCode !== 1) throw error
  }
  // Rebase in a temporary worktree: the repository's own checkout (a user's, for a local repository) is never touched.
  const tree = await mkdtemp(path.join(tmpdir(), 'firebreak-rebase-'))
  let conflicts: string[] | undefined
  try {
    await gitRun(['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--quiet', tree, branch], ws.dir, auth)
    try {
      await gitRun(['-c', 'core.hooksPath=/dev/null', 'rebase', '--quiet', upstream], tree, auth)
    } catch (error) {
      if (!(error instanceof GitError)) throw error
      conflicts = (await gitRun(['diff', '--name-only', '--diff-filter=U'], tree).catch(() => ''))
        .split('\n')
        .filter(Boolean)
      await gitRun(['rebase', '--abort'], tree).catch(() => undefined)
    }
  } finally {
    await gitRun(['worktree', 'remove', '--force', tree], ws.dir).catch(() => undefined)
    await rm(tree, { recursive: true, force: true })
    await gitRun(['worktree', 'prune'], ws.dir).catch(() => undefined)
  }
  if (conflicts === undefined) {
    const head = (await gitRun(['rev-parse', `refs/heads/${branch}`], ws.dir)).trim()
    return { action: 'rebased', base: baseSha, head }
  }
  // The edit no longer applies as committed: start the branch again from the new default branch and make it afresh.
  await gitRun(['branch', '--force', '--no-track', branch, upstream], ws.dir)
  await options.reapply()
  const head = (await gitRun(['rev-parse', `refs/heads/${branch}`], ws.dir)).trim()
  return { action: 'reapplied', base: baseSha, head, conflicts }
}

/** `owner/name` of a clone URL on `gitHost` (https, http or scp-style ssh), or undefined for another host. */
export function githubRepoOfUrl(url: string, gitHost: string): { owner: string; name: string } | undefined {
  let host: string
  let pathname: string
  const scp = /^[^@\s/]+@([^:\s]+):(.+)$/.exec(url)
  if (scp) {
    host = scp[1] as string
    pathname = scp[2] as string
  } else if (URL.canParse(url)) {
    const u = new URL(url)
    host = u.host
    pathname = u.pathname
  } else return undefined
  if (host.toLowerCase() !== gitHost.toLowerCase() && !(scp && host.toLowerCase() === gitHost.replace(/:\d+$/, '').toLowerCase())) return undefined
  const parts = pathname.replace(/\.git\/?$/, '').split('/').filter(Boolean)
  if (parts.length < 2) return undefined
  return { owner: parts[parts.length - 2] as string, name: parts[parts.length - 1] as string }
}

/**
 * A local repository as a workspace, and the GitHub repository its `origin`
 * is (when origin is on `gitHost`); a repository with no such remote is
 * local only: its pull requests can only be planned.
 */
export async function localWorkspace(dir: string, gitHost: string, name?: string): Promise<Workspace> {
  const absolute = path.resolve(dir)
  const url = (await gitRun(['remote', 'get-url', 'origin'], absolute).catch(() => '')).trim()
  const remote = url ? githubRepoOfUrl(url, gitHost) : undefined
  const originHead = (await gitRun(['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], absolute).catch(() => '')).trim()
  const head = (await gitRun(['symbolic-ref', '--quiet', '--short', 'HEAD'], absolute).catch(() => '')).trim()
  const defaultBranch = originHead.replace(/^origin\//, '') || (head && !head.startsWith('firebreak/') ? head : 'main')
  if (!remote) return { kind: 'local', repo: name ?? path.basename(absolute), dir: absolute, defaultBranch }
  // An https URL is pushed to as it is; an ssh one through the same host's https, where the token works.
  const remoteUrl = /^https?:\/\//.test(url) ? url : `https://${gitHost}/${remote.owner}/${remote.name}.git`
  return { kind: 'github', repo: `${remote.owner}/${remote.name}`, dir: absolute, defaultBranch, owner: remote.owner, name: remote.name, remoteUrl }
}
