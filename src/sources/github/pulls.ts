/**
 * Pull requests and branches, safe to repeat (CONVENTIONS.md 7): finding
 * what exists comes first, "already exists" is success, and a pull request
 * firebreak did not open (no marker in its body) is never edited.
 */
import { statusOf, type GitHubClient } from './client.js'
import { loadCodeowners, reviewersFor } from './codeowners.js'

/** The marker firebreak writes at the end of every pull request body it opens: the proof that the pull request is its own. */
export function pullRequestMarker(branch: string): string {
  return `<!-- firebreak:pull-request:${branch} -->`
}

export type PullRequestState = 'open' | 'draft' | 'merged' | 'closed'

export interface PullRequestSpec {
  owner: string
  repo: string
  /** The branch holding the change (in the same repository). */
  head: string
  base: string
  title: string
  /** Markdown; the ownership marker is appended. */
  body: string
  draft?: boolean
  labels?: string[]
  reviewers?: string[]
  teamReviewers?: string[]
  /** Also ask the owners (CODEOWNERS on the base branch) of these files to review. */
  codeownersFiles?: string[]
}

export interface PullRequestInfo {
  number: number
  url: string
  state: PullRequestState
  title: string
  head: string
  base: string
  headSha: string
  mergedAt: string | null
}

export interface EnsuredPullRequest extends PullRequestInfo {
  /** Opened by this call. */
  created: boolean
  /** Title, body or base changed by this call. */
  updated: boolean
  /** An open pull request for the branch that firebreak did not open: left alone. */
  foreign: boolean
  labelsAdded: string[]
  reviewersRequested: string[]
  /** What could not be done and did not stop the rest (reviewers that cannot be asked, ...). */
  warnings: string[]
}

interface RawPull {
  number: number
  html_url: string
  state: string
  draft?: boolean
  merged?: boolean
  merged_at: string | null
  title: string
  body: string | null
  head: { ref: string; sha: string }
  base: { ref: string }
  user: { login: string } | null
  labels: { name?: string }[]
  requested_reviewers?: { login: string }[] | null
  requested_teams?: { slug: string }[] | null
}

function stateOf(pr: RawPull): PullRequestState {
  if (pr.merged_at || pr.merged) return 'merged'
  if (pr.state === 'closed') return 'closed'
  return pr.draft ? 'draft' : 'open'
}

function info(pr: RawPull): PullRequestInfo {
  return { number: pr.number, url: pr.html_url, state: stateOf(pr), title: pr.title, head: pr.head.ref, base: pr.base.ref, headSha: pr.head.sha, mergedAt: pr.merged_at }
}

function withMarker(body: string, head: string): string {
  const marker = pullRequestMarker(head)
  return body.includes(marker) ? body : `${body.replace(/\s+$/, '')}\n\n${marker}\n`
}

/** Pull requests whose head is `branch` in the repository itself, newest first. */
export async function findPullRequests(client: GitHubClient, owner: string, repo: string, branch: string, state: 'open' | 'closed' | 'all' = 'open'): Promise<RawPull[]> {
  const response = await client.request('GET /repos/{owner}/{repo}/pulls', { owner, repo, head: `${owner}:${branch}`, state, per_page: 100 })
  return (response.data as RawPull[]).filter((pr) => pr.head.ref === branch)
}

/**
 * Makes sure one open pull request from `head` to `base` exists with this
 * title, body, labels and reviewers: finds it, or opens it; updates what
 * differs; never opens a second one. An open pull request for the branch
 * without firebreak's marker is returned untouched (`foreign`).
 */
export async function ensurePullRequest(client: GitHubClient, spec: PullRequestSpec): Promise<EnsuredPullRequest> {
  const { owner, repo } = spec
  const body = withMarker(spec.body, spec.head)
  const warnings: string[] = []
  let pr = (await findPullRequests(client, owner, repo, spec.head, 'open'))[0]
  let created = false
  let updated = false
  if (pr && !(pr.body ?? '').includes(pullRequestMarker(spec.head))) {
    return { ...info(pr), created: false, updated: false, foreign: true, labelsAdded: [], reviewersRequested: [], warnings: [`pull request #${pr.number} for ${spec.head} was not opened by firebreak; left as it is`] }
  }
  if (!pr) {
    try {
      const response = await client.request('POST /repos/{owner}/{repo}/pulls', { owner, repo, head: spec.head, base: spec.base, title: spec.title, body, draft: spec.draft ?? false })
      pr = response.data as RawPull
      created = true
    } catch (error) {
      // Opened meanwhile (another run, a retried request): take that one.
      if (statusOf(error) !== 422 || !/already exists/i.test(JSON.stringify((error as { response?: { data?: unknown } }).response?.data ?? ''))) throw error
      pr = (await findPullRequests(client, owner, repo, spec.head, 'open'))[0]
      if (!pr) throw error
    }
  }
  if (!created) {
    const patch: Record<string, string> = {}
    if (pr.title !== spec.title) patch.title = spec.title
    if ((pr.body ?? '') !== body) patch.body = body
    if (pr.base.ref !== spec.base) patch.base = spec.base
    if (Object.keys(patch).length > 0) {
      pr = (await client.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: pr.number, ...patch })).data as RawPull
      updated = true
    }
  }
  const have = new Set(pr.labels.map((l) => l.name ?? ''))
  const labelsAdded = (spec.labels ?? []).filter((l) => !have.has(l))
  if (labelsAdded.length > 0) await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { owner, repo, issue_number: pr.number, labels: labelsAdded })

  const users = new Set(spec.reviewers ?? [])
  const teams = new Set(spec.teamReviewers ?? [])
  if (spec.codeownersFiles?.length) {
    const rules = await loadCodeowners(client, owner, repo, spec.base)
    const owners = reviewersFor(rules, spec.codeownersFiles, owner)
    owners.users.forEach((u) => users.add(u))
    owners.teams.forEach((t) => teams.add(t))
  }
  const author = pr.user?.login.toLowerCase()
  const asked = new Set((pr.requested_reviewers ?? []).map((r) => r.login.toLowerCase()))
  const askedTeams = new Set((pr.requested_teams ?? []).map((t) => t.slug.toLowerCase()))
  const newUsers = [...users].filter((u) => u.toLowerCase() !== author && !asked.has(u.toLowerCase()))
  const newTeams = [...teams].filter((t) => !askedTeams.has(t.toLowerCase()))
  const reviewersRequested: string[] = []
  if (newUsers.length > 0 || newTeams.length > 0) {
    try {
      await client.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', { owner, repo, pull_number: pr.number, reviewers: newUsers, team_reviewers: newTeams })
      reviewersRequested.push(...newUsers, ...newTeams.map((t) => `${owner}/${t}`))
    } catch (error) {
      // A reviewer who is not a collaborator is a 422: the pull request stands without them.
      if (statusOf(error) !== 422) throw error
      warnings.push(`reviewers not requested (${[...newUsers, ...newTeams].join(', ')}): ${(error as Error).message.split('\n')[0]}`)
    }
  }
  return { ...info(pr), created, updated, foreign: false, labelsAdded, reviewersRequested, warnings }
}

/** The state of a pull request now. */
export async function pullRequestState(client: GitHubClient, owner: string, repo: string, number: number): Promise<PullRequestInfo> {
  const response = await client.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: number })
  return info(response.data as RawPull)
}

/** Closes a pull request; one already closed or merged is returned as it is. */
export async function closePullRequest(client: GitHubClient, owner: string, repo: string, number: number): Promise<PullRequestInfo & { closed: boolean }> {
  const now = await pullRequestState(client, owner, repo, number)
  if (now.state === 'merged' || now.state === 'closed') return { ...now, closed: false }
  const response = await client.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: number, state: 'closed' })
  return { ...info(response.data as RawPull), closed: true }
}

/** The commit a branch points at, or undefined when there is no such branch. */
export async function branchHead(client: GitHubClient, owner: string, repo: string, branch: string): Promise<string | undefined> {
  try {
    const response = await client.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref: `heads/${branch}` })
    return (response.data as { object: { sha: string } }).object.sha
  } catch (error) {
    if (statusOf(error) === 404 || statusOf(error) === 409) return undefined
    throw error
  }
}

export type DeleteBranchResult = 'deleted' | 'absent' | 'moved'

/**
 * Deletes a branch. With `expectedSha`, only when the branch still points
 * there: a branch someone else has pushed to since is not ours to delete.
 */
export async function deleteBranch(client: GitHubClient, owner: string, repo: string, branch: string, expectedSha?: string): Promise<DeleteBranchResult> {
  if (expectedSha !== undefined) {
    const head = await branchHead(client, owner, repo, branch)
    if (head === undefined) return 'absent'
    if (head !== expectedSha) return 'moved'
  }
  try {
    await client.request('DELETE /repos/{owner}/{repo}/git/refs/{ref}', { owner, repo, ref: `heads/${branch}` })
    return 'deleted'
  } catch (error) {
    // "Reference does not exist": already gone, which is what was asked.
    if (statusOf(error) === 422 || statusOf(error) === 404) return 'absent'
    throw error
  }
}
