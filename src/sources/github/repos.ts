import picomatch from 'picomatch'

import { NotFoundError } from '../../errors.js'
import type { GitHubCache } from './cache.js'
import { fatalError, ownerNotFound, remoteError, statusOf, type GitHubClient } from './client.js'
import { mapPool } from './pool.js'

/** What firebreak keeps of a repository from GitHub's listing. */
export interface RepoInfo {
  fullName: string
  owner: string
  name: string
  defaultBranch: string
  archived: boolean
  fork: boolean
  topics: string[]
  language: string | null
  visibility: string
  pushedAt: string | null
}

export interface RepoSelection {
  org?: string
  user?: string
  /** Explicit `owner/name` list (`--repos-from`): taken as given, archived and forks included. */
  repos?: string[]
  include?: string[]
  exclude?: string[]
  topics?: string[]
  languages?: string[]
  visibility?: 'all' | 'public' | 'private' | 'internal'
  archived?: boolean
  forks?: boolean
  pushedSince?: Date
}

export interface Listed {
  repos: RepoInfo[]
  /** Explicit repositories that could not be looked up: reported, never dropped silently. */
  missing: { fullName: string; message: string }[]
}

interface RawRepo {
  full_name: string
  name: string
  owner: { login: string }
  default_branch?: string
  archived?: boolean
  fork: boolean
  topics?: string[]
  language?: string | null
  visibility?: string
  private: boolean
  pushed_at?: string | null
}

function toInfo(r: RawRepo): RepoInfo {
  return {
    fullName: r.full_name,
    owner: r.owner.login,
    name: r.name,
    defaultBranch: r.default_branch ?? 'main',
    archived: r.archived ?? false,
    fork: r.fork,
    topics: r.topics ?? [],
    language: r.language ?? null,
    visibility: r.visibility ?? (r.private ? 'private' : 'public'),
    pushedAt: r.pushed_at ?? null,
  }
}

interface CachedPage {
  etag: string
  repos: RepoInfo[]
  next?: string
  /** The number of the last page, from the first page's Link header. */
  last?: number
}

/**
 * Lists the organisation's or user's repositories, 100 a page, each page a
 * conditional request against the cached copy (a 304 costs no rate limit).
 * Once the first page names the last, the others are asked for side by side.
 */
export async function listRepositories(client: GitHubClient, selection: RepoSelection, cache: GitHubCache, apiUrl: string, concurrency = 8): Promise<Listed> {
  if (selection.repos?.length) return listExplicit(client, selection.repos, cache, apiUrl)
  const kind = selection.org ? 'org' : 'user'
  const login = (selection.org ?? selection.user) as string
  const first = kind === 'org' ? `/orgs/${encodeURIComponent(login)}/repos?type=all&sort=full_name&per_page=100` : `/users/${encodeURIComponent(login)}/repos?type=owner&sort=full_name&per_page=100`
  const fetchPage = async (url: string): Promise<CachedPage> => {
    // Pages are addressed by path so that the cache does not depend on the host's spelling.
    const key = `${apiUrl} ${url}`
    const cached = await cache.getRecord<CachedPage>('pages', key)
    try {
      const response = await client.request(`GET ${url}`, { headers: cached ? { 'if-none-match': cached.etag } : {} })
      const data = response.data as RawRepo[]
      const page: CachedPage = { etag: String(response.headers.etag ?? ''), repos: data.map(toInfo), ...links(response.headers.link) }
      if (page.etag) await cache.putRecord('pages', key, page)
      return page
    } catch (error) {
      if (statusOf(error) === 304 && cached) return cached
      const fatal = fatalError(error, apiUrl)
      if (fatal) throw fatal
      if (statusOf(error) === 404 && url === first) throw ownerNotFound(error, kind, login)
      throw remoteError(`listing the repositories of ${login}`, error)
    }
  }
  const pages = [await fetchPage(first)]
  const last = pages[0]?.last
  // (A last page beyond 10,000 pages of 100 is not believed: then `next` is followed.)
  if (last !== undefined && last > 1 && last <= 10_000) {
    const numbers = Array.from({ length: last - 1 }, (_, i) => i + 2)
    pages.push(...(await mapPool(numbers, concurrency, (n) => fetchPage(`${first}&page=${n}`))))
  } else {
    // No last page given: follow `next` one page at a time.
    for (let next = pages[0]?.next; next; ) {
      const page = await fetchPage(next)
      pages.push(page)
      next = page.next
    }
  }
  const repos: RepoInfo[] = []
  const seen = new Set<string>()
  for (const page of pages) {
    for (const r of page.repos) {
      if (seen.has(r.fullName)) continue
      seen.add(r.fullName)
      repos.push(r)
    }
  }
  return { repos, missing: [] }
}

/** `next` (a path below the API base) and the number of the `last` page, from a Link header. */
function links(link: string | undefined): { next?: string; last?: number } {
  const out: { next?: string; last?: number } = {}
  for (const part of link?.split(',') ?? []) {
    const m = /<([^>]+)>\s*;\s*rel="(next|last)"/.exec(part)
    if (!m || !URL.canParse(m[1] as string)) continue
    const u = new URL(m[1] as string)
    if (m[2] === 'next') {
      // Keep the path below the API base (GitHub Enterprise serves under /api/v3).
      out.next = u.pathname.replace(/^\/api\/v3/, '') + u.search
    } else {
      const page = Number(u.searchParams.get('page'))
      if (Number.isSafeInteger(page) && page > 0) out.last = page
    }
  }
  return out
}

async function listExplicit(client: GitHubClient, names: string[], cache: GitHubCache, apiUrl: string): Promise<Listed> {
  const repos: RepoInfo[] = []
  const missing: Listed['missing'] = []
  for (const fullName of names) {
    const [owner, repo] = fullName.split('/')
    if (!owner || !repo) {
      missing.push({ fullName, message: 'not an owner/name' })
      continue
    }
    const key = `${apiUrl} repo ${fullName}`
    const cached = await cache.getRecord<{ etag: string; repo: RepoInfo }>('pages', key)
    try {
      const response = await client.request('GET /repos/{owner}/{repo}', { owner, repo, headers: cached ? { 'if-none-match': cached.etag } : {} })
      const info = toInfo(response.data as RawRepo)
      if (response.headers.etag) await cache.putRecord('pages', key, { etag: response.headers.etag, repo: info })
      repos.push(info)
    } catch (error) {
      if (statusOf(error) === 304 && cached) {
        repos.push(cached.repo)
        continue
      }
      const fatal = fatalError(error, apiUrl)
      if (fatal) throw fatal
      missing.push({ fullName, message: statusOf(error) === 404 ? 'repository not found (or the token cannot see it)' : remoteError('looking it up', error).message })
    }
  }
  return { repos, missing }
}

/** The selection flags, applied to a listing. Pure. */
export function selectRepositories(repos: readonly RepoInfo[], selection: RepoSelection): RepoInfo[] {
  const explicit = Boolean(selection.repos?.length)
  const include = selection.include?.length ? picomatch(selection.include, { nocase: true }) : undefined
  const exclude = selection.exclude?.length ? picomatch(selection.exclude, { nocase: true }) : undefined
  const topics = selection.topics?.map((t) => t.toLowerCase())
  const languages = selection.languages?.map((l) => l.toLowerCase())
  return repos.filter((r) => {
    if (include && !include(r.fullName)) return false
    if (exclude?.(r.fullName)) return false
    if (!explicit && r.archived && !selection.archived) return false
    if (!explicit && r.fork && !selection.forks) return false
    if (topics && !topics.some((t) => r.topics.includes(t))) return false
    if (languages && !languages.includes((r.language ?? '').toLowerCase())) return false
    if (selection.visibility && selection.visibility !== 'all' && r.visibility !== selection.visibility) return false
    if (selection.pushedSince && (!r.pushedAt || Date.parse(r.pushedAt) < selection.pushedSince.getTime())) return false
    return true
  })
}

export function requireOwner(selection: RepoSelection): void {
  if (!selection.org && !selection.user && !selection.repos?.length) throw new NotFoundError('no organisation, user or repository list given', 'pass --org ORG, --user USER or --repos-from FILE')
}
