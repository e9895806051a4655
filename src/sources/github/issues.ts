/**
 * The tracking issue: one per marker (advisory), found by the marker in its
 * body and updated in place, never opened twice (CONVENTIONS.md 7).
 */
import { statusOf, type GitHubClient } from './client.js'

/** The marker a tracking issue carries in its body (an HTML comment: invisible when rendered). */
export function trackingMarker(key: string): string {
  return `<!-- firebreak:tracking:${key} -->`
}

export interface IssueSpec {
  owner: string
  repo: string
  /** What identifies the issue across runs, e.g. the advisory id. */
  key: string
  title: string
  /** Markdown; the marker is appended. */
  body: string
  labels?: string[]
  /** The number recorded by an earlier run: looked at first, saving a search. */
  knownNumber?: number
}

export interface EnsuredIssue {
  number: number
  url: string
  state: 'open' | 'closed'
  created: boolean
  updated: boolean
}

interface RawIssue {
  number: number
  html_url: string
  state: string
  title: string
  body?: string | null
  labels: (string | { name?: string })[]
  pull_request?: unknown
}

function labelNames(issue: RawIssue): string[] {
  return issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')))
}

/** The issue carrying `marker`, searching every issue (open or closed) of the repository, newest first. */
export async function findIssueByMarker(client: GitHubClient, owner: string, repo: string, marker: string, labels?: string[], knownNumber?: number): Promise<RawIssue | undefined> {
  if (knownNumber !== undefined) {
    try {
      const known = (await client.request('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: knownNumber })).data as RawIssue
      if (!known.pull_request && (known.body ?? '').includes(marker)) return known
    } catch (error) {
      if (statusOf(error) !== 404 && statusOf(error) !== 410) throw error
    }
  }
  // Labels narrow the search on GitHub's side; the marker decides.
  const iterator = client.paginate.iterator('GET /repos/{owner}/{repo}/issues', { owner, repo, state: 'all', per_page: 100, ...(labels?.length ? { labels: labels.join(',') } : {}) })
  for await (const page of iterator) {
    for (const issue of page.data as RawIssue[]) if (!issue.pull_request && (issue.body ?? '').includes(marker)) return issue
  }
  return undefined
}

/**
 * One tracking issue per key: found by its marker, its title and body
 * updated when they differ, missing labels added; opened when there is none.
 * A closed tracking issue is updated but not reopened (someone closed it).
 */
export async function ensureIssue(client: GitHubClient, spec: IssueSpec): Promise<EnsuredIssue> {
  const { owner, repo } = spec
  const marker = trackingMarker(spec.key)
  const body = spec.body.includes(marker) ? spec.body : `${spec.body.replace(/\s+$/, '')}\n\n${marker}\n`
  const found = await findIssueByMarker(client, owner, repo, marker, spec.labels, spec.knownNumber)
  if (!found) {
    const response = await client.request('POST /repos/{owner}/{repo}/issues', { owner, repo, title: spec.title, body, labels: spec.labels ?? [] })
    const issue = response.data as RawIssue
    return { number: issue.number, url: issue.html_url, state: issue.state === 'closed' ? 'closed' : 'open', created: true, updated: false }
  }
  let updated = false
  if (found.title !== spec.title || (found.body ?? '') !== body) {
    await client.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: found.number, title: spec.title, body })
    updated = true
  }
  const have = new Set(labelNames(found))
  const missing = (spec.labels ?? []).filter((l) => !have.has(l))
  if (missing.length > 0) await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { owner, repo, issue_number: found.number, labels: missing })
  return { number: found.number, url: found.html_url, state: found.state === 'closed' ? 'closed' : 'open', created: false, updated: updated || missing.length > 0 }
}
