/**
 * Branches and commits for remediation, one `simpleGit(dir)` per repository
 * and no module-level state (CONVENTIONS 7), so repositories can be worked on
 * in parallel. Work happens in a temporary worktree: the user's checkout, its
 * index and its working tree are never touched.
 *
 * A branch firebreak made is recognisable by its commits: each carries a
 * `Firebreak-Run: <run id>` trailer. A branch with any commit above its base
 * that lacks the trailer (or a branch with no commit of firebreak's own and
 * no local mark) belongs to someone else and is never changed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { simpleGit, type SimpleGit } from 'simple-git'

export const RUN_TRAILER = 'Firebreak-Run'
export const ADVISORY_TRAILER = 'Firebreak-Advisory'
/** Local mark on a branch created but not yet committed to: `git config branch.<name>.firebreak-run`. */
const MARK = 'firebreak-run'

export interface Repo {
  dir: string
  git: SimpleGit
}

/** `unsafe.allowUnsafeHooksPath`: firebreak itself sets `core.hooksPath=/dev/null` so that no hook runs. */
function gitFor(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, maxConcurrentProcesses: 2, trimmed: false, unsafe: { allowUnsafeHooksPath: true } })
}

export function openRepo(dir: string): Repo {
  return { dir, git: gitFor(dir) }
}

export async function isGitRepo(dir: string): Promise<boolean> {
  try {
    return (await openRepo(dir).git.revparse(['--is-inside-work-tree'])).trim() === 'true'
  } catch {
    return false
  }
}

async function exists(repo: Repo, ref: string): Promise<string | undefined> {
  try {
    return (await repo.git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || undefined
  } catch {
    return undefined
  }
}

/** The default branch: origin's HEAD when there is a remote, else the branch checked out (if it is not firebreak's), else main/master. */
export async function defaultBranch(repo: Repo, prefix = 'firebreak/'): Promise<string> {
  try {
    const ref = (await repo.git.raw(['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD'])).trim()
    if (ref) return ref.replace(/^refs\/remotes\//, '')
  } catch {
    // no remote HEAD: a local repository
  }
  const current = (await repo.git.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')).trim()
  if (current && !current.startsWith(prefix)) return current
  for (const name of ['main', 'master']) if (await exists(repo, `refs/heads/${name}`)) return name
  throw new Error('cannot tell the default branch: check out the default branch or give `base`')
}

/** Content of `file` at `ref`, or undefined when it is not there. */
export async function showFile(repo: Repo, ref: string, file: string): Promise<string | undefined> {
  try {
    return await repo.git.show([`${ref}:${file}`])
  } catch {
    return undefined
  }
}

export type BranchState =
  | { status: 'created' | 'exists'; branch: string; base: string; head: string }
  | { status: 'foreign'; branch: string; reason: string }

/** Commits on `branch` above `base` with their trailers: who made them. */
async function ownCommits(repo: Repo, base: string, branch: string): Promise<{ sha: string; ours: boolean }[]> {
  const log = await repo.git.raw(['log', '--format=%H%x00%(trailers:key=' + RUN_TRAILER + ',valueonly,separator=%x2C)%x00', `${base}..${branch}`])
  return log
    .split('\n')
    .filter((l) => l.includes('\u0000'))
    .map((l) => {
      const [sha, trailer] = l.split('\u0000')
      return { sha: sha!, ours: (trailer ?? '').trim() !== '' }
    })
}

/**
 * Idempotent: creates `name` at `from` when missing; when present, returns it
 * if firebreak made it, and `foreign` otherwise (never touched).
 */
export async function ensureBranch(repo: Repo, name: string, from: string, runId: string): Promise<BranchState> {
  const base = await exists(repo, from)
  if (!base) throw new Error(`base branch ${from} not found`)
  const head = await exists(repo, `refs/heads/${name}`)
  if (!head) {
    await repo.git.raw(['branch', '--no-track', name, base])
    await repo.git.raw(['config', `branch.${name}.${MARK}`, runId])
    return { status: 'created', branch: name, base, head: base }
  }
  const commits = await ownCommits(repo, base, `refs/heads/${name}`)
  const marked = (await repo.git.raw(['config', '--get', `branch.${name}.${MARK}`]).catch(() => '')).trim() !== ''
  if (commits.some((c) => !c.ours)) return { status: 'foreign', branch: name, reason: `branch ${name} has commits firebreak did not make; it is left alone` }
  if (commits.length === 0 && !marked) return { status: 'foreign', branch: name, reason: `branch ${name} exists and was not created by firebreak; it is left alone` }
  return { status: 'exists', branch: name, base, head }
}

export interface Worktree {
  dir: string
  git: SimpleGit
  remove(): Promise<void>
}

/** A temporary worktree with `branch` checked out, for editing and relocking away from the user's checkout. */
export async function openWorktree(repo: Repo, branch: string): Promise<Worktree> {
  const dir = mkdtempSync(path.join(tmpdir(), 'firebreak-wt-'))
  // Hooks may be the repository's own scripts (core.hooksPath, husky): never run them.
  await repo.git.raw(['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--quiet', dir, branch])
  const git = gitFor(dir)
  return {
    dir,
    git,
    async remove() {
      await repo.git.raw(['worktree', 'remove', '--force', dir]).catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
      await repo.git.raw(['worktree', 'prune']).catch(() => undefined)
    },
  }
}

export interface CommitOptions {
  message: string
  runId: string
  advisory?: string
  signoff?: boolean
}

/** The commit message with firebreak's trailers (and Signed-off-by when asked, added by git itself). */
export function commitMessage(options: CommitOptions): string {
  const trailers = [`${RUN_TRAILER}: ${options.runId}`, ...(options.advisory ? [`${ADVISORY_TRAILER}: ${options.advisory}`] : [])]
  return `${options.message.trim()}\n\n${trailers.join('\n')}\n`
}

/** Stages `files` in the worktree and commits them; undefined when nothing changed (idempotent re-run). */
export async function commitFiles(tree: Worktree, files: readonly string[], options: CommitOptions): Promise<string | undefined> {
  if (files.length === 0) return undefined
  await tree.git.raw(['add', '--', ...files])
  const staged = (await tree.git.raw(['diff', '--cached', '--name-only'])).trim()
  if (!staged) return undefined
  const email = (await tree.git.raw(['config', 'user.email']).catch(() => '')).trim()
  const identity = email ? [] : ['-c', 'user.name=firebreak', '-c', 'user.email=firebreak@localhost']
  await tree.git.raw([...identity, '-c', 'core.hooksPath=/dev/null', 'commit', '--quiet', '--no-verify', ...(options.signoff ? ['--signoff'] : []), '-m', commitMessage(options)])
  return (await tree.git.raw(['rev-parse', 'HEAD'])).trim()
}

/** Deletes a branch this run created and never committed to (a plan that turned out to have nothing to write). */
export async function dropCreatedBranch(repo: Repo, name: string): Promise<void> {
  await repo.git.raw(['branch', '-D', name]).catch(() => undefined)
  await repo.git.raw(['config', '--unset', `branch.${name}.${MARK}`]).catch(() => undefined)
}

/** Files changed on `branch` since `base` (what an earlier run committed). */
export async function changedFiles(repo: Repo, base: string, branch: string): Promise<string[]> {
  return (await repo.git.raw(['diff', '--name-only', `${base}...${branch}`])).split('\n').filter(Boolean)
}
