/**
 * `firebreak status RUN`: what became of a run's pull requests (open,
 * draft, merged, closed), and what is still exposed on each repository's
 * default branch, re-scanned through the GitHub source.
 */
import { join } from 'node:path'

import { NotFoundError } from '../errors.js'
import { readJournal, type JournalRecord } from '../runner/journal.js'
import { JOURNAL_FILE, readMeta } from '../runner/runs.js'
import { loadRunAdvisories } from '../scan/advisories.js'
import { resolveGitHubAuth, type AuthOptions } from '../sources/github/auth.js'
import { createGitHubClient, DEFAULT_API_URL, type GitHubClient } from '../sources/github/client.js'
import { mapPool } from '../sources/github/pool.js'
import { pullRequestState, type PullRequestState } from '../sources/github/pulls.js'
import { scanGitHub } from '../sources/github/scan.js'

/** One pull request a run opened or found, as its journal recorded it. */
export interface RunPullRequest {
  /** The repository's name in the run (a directory name for local checkouts). */
  repo: string
  /** `owner/name` on GitHub. */
  repository: string
  owner: string
  name: string
  number: number
  url: string
  branch: string
  /** The commit the run pushed: a branch that has moved since is not deleted by rollback. */
  commit?: string
  /** Opened by the run (false when the run found it open already). */
  created: boolean
}

/** The pull requests of a run, from its open-pull-requests steps: the latest record per repository. */
export function runPullRequests(records: readonly JournalRecord[]): RunPullRequest[] {
  const uses = new Map<string, string>()
  for (const r of records) if (r.type === 'step-start') uses.set(r.step, r.uses)
  const byRepo = new Map<string, RunPullRequest>()
  for (const r of records) {
    if (r.type !== 'action-end' || r.status !== 'done' || uses.get(r.step) !== 'open-pull-requests') continue
    const v = (r.value ?? {}) as { branch?: string; repository?: string; commit?: string; pullRequest?: { number?: number; url?: string; created?: boolean } }
    if (!v.pullRequest?.number || !v.repository || !v.branch) continue
    const [owner, name] = v.repository.split('/') as [string, string]
    const earlier = byRepo.get(r.repo)
    byRepo.set(r.repo, { repo: r.repo, repository: v.repository, owner, name, number: v.pullRequest.number, url: v.pullRequest.url ?? '', branch: v.branch, commit: v.commit, created: Boolean(v.pullRequest.created) || Boolean(earlier?.created && earlier.number === v.pullRequest.number) })
  }
  return [...byRepo.values()]
}

export function loadRun(dir: string): { id: string; records: JournalRecord[] } {
  const meta = readMeta(dir)
  return { id: meta.id, records: readJournal(join(dir, JOURNAL_FILE)).records }
}

export interface RepoStatus {
  repo: string
  repository: string
  pullRequest: { number: number; url: string; state: PullRequestState | 'unknown'; branch: string; error?: string }
  /** Affected entries still on the default branch (file, name, version). */
  exposed: { file: string; name: string; version: string }[]
  /** Why the default branch could not be read (then it is not counted clean). */
  error?: string
}

export interface RunStatus {
  schema: 'firebreak.status/1'
  run: string
  repos: RepoStatus[]
  totals: { pullRequests: number; open: number; draft: number; merged: number; closed: number; exposed: number }
  /** Every pull request merged and nothing exposed: exit 0. */
  done: boolean
}

export interface StatusOptions {
  client: GitHubClient
  apiUrl: string
  concurrency?: number
  signal?: AbortSignal
}

export async function runStatus(dir: string, options: StatusOptions): Promise<RunStatus> {
  const { id, records } = loadRun(dir)
  const prs = runPullRequests(records)
  if (prs.length === 0) throw new NotFoundError(`run ${id} opened no pull request on GitHub`, 'status follows the pull requests of a run made with --apply and an open-pull-requests step')
  const states = await mapPool(prs, options.concurrency ?? 8, async (pr) => {
    try {
      return { state: (await pullRequestState(options.client, pr.owner, pr.name, pr.number)).state as RepoStatus['pullRequest']['state'] }
    } catch (error) {
      return { state: 'unknown' as const, error: (error as Error).message.split('\n')[0] }
    }
  })
  const advisories = await loadRunAdvisories(records)
  const scan = await scanGitHub({ repos: [...new Set(prs.map((p) => p.repository))], apiUrl: options.apiUrl, client: options.client, cacheDir: false, concurrency: options.concurrency, signal: options.signal }, { matcher: advisories?.matcher })
  const repos: RepoStatus[] = prs.map((pr, i) => {
    const findings = scan.findings.filter((f) => f.repo === pr.repository)
    const errors = scan.errors.filter((e) => e.repo === pr.repository)
    const s = states[i] as { state: RepoStatus['pullRequest']['state']; error?: string }
    return {
      repo: pr.repo,
      repository: pr.repository,
      pullRequest: { number: pr.number, url: pr.url, state: s.state, branch: pr.branch, ...(s.error ? { error: s.error } : {}) },
      exposed: findings.map((f) => ({ file: f.file, name: f.name, version: f.version })),
      ...(errors.length ? { error: errors.map((e) => `${e.file}: ${e.message}`).join('; ') } : {}),
    }
  })
  const count = (state: string) => repos.filter((r) => r.pullRequest.state === state).length
  const exposed = repos.filter((r) => r.exposed.length > 0 || r.error).length
  const totals = { pullRequests: repos.length, open: count('open'), draft: count('draft'), merged: count('merged'), closed: count('closed'), exposed }
  return { schema: 'firebreak.status/1', run: id, repos, totals, done: totals.merged === repos.length && exposed === 0 }
}

/** The one client of a status or rollback command. */
export async function clientFor(options: AuthOptions & { apiUrl?: string }): Promise<{ client: GitHubClient; apiUrl: string }> {
  const apiUrl = (options.apiUrl ?? process.env.GITHUB_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '')
  return { client: createGitHubClient({ auth: await resolveGitHubAuth(options), apiUrl }), apiUrl }
}
