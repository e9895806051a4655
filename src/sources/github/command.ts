/**
 * `firebreak scan` over repositories rather than paths: the flags, turned
 * into one call to the GitHub source or the git source. Kept out of the
 * command so that the command stays a thin adapter.
 */
import { readFile } from 'node:fs/promises'

import { InputError, UsageError } from '../../errors.js'
import type { Matcher } from '../../scan/match.js'
import type { ScanResult } from '../../scan/types.js'
import { basicAuthHeader } from '../../git/read.js'
import { scanGitDirs, scanGitUrls } from '../git/scan.js'
import { resolveGitHubAuth } from './auth.js'
import { DEFAULT_API_URL, type RateLimitWait } from './client.js'
import type { RepoSelection } from './repos.js'
import { scanGitHub, type GitHubProgress } from './scan.js'

export interface RemoteScanFlags {
  org?: string
  user?: string
  include?: string[]
  exclude?: string[]
  topic?: string[]
  language?: string[]
  visibility?: string
  archived?: boolean
  forks?: boolean
  'pushed-since'?: string
  'repos-from'?: string
  'repos-dir'?: string
  ref?: string
  concurrency?: number
  'token-command'?: string
  'app-id'?: string
  'app-private-key'?: string
  'app-installation-id'?: number
  'api-url'?: string
  'cache-dir'?: string
  cache?: boolean
  'max-file-size'?: number
  graphql?: boolean
}

export interface RemoteScanHooks {
  matcher?: Matcher
  inventory?: boolean
  onProgress?: (progress: GitHubProgress) => void
  onWait?: (wait: RateLimitWait) => void
  /** Told once when GraphQL is not offered and blobs are read over REST alone. */
  onGraphQLUnavailable?: (reason: string) => void
  signal?: AbortSignal
  env?: NodeJS.ProcessEnv
}

export function remoteFlagsGiven(flags: RemoteScanFlags): boolean {
  return Boolean(flags.org || flags.user || flags['repos-from'] || flags['repos-dir'])
}

/** One line of a `--repos-from` file: a clone URL (any host) or a GitHub `owner/name`. */
export function isCloneUrl(line: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(line) || /^[^@\s/]+@[^:\s]+:/.test(line)
}

export async function readReposFile(file: string): Promise<{ names: string[]; urls: string[] }> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file })
  }
  const names: string[] = []
  const urls: string[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim()
    if (!line) return
    if (isCloneUrl(line)) urls.push(line)
    else if (/^[\w.-]+\/[\w.-]+$/.test(line)) names.push(line)
    else throw new InputError(`expected owner/name or a clone URL, got "${line}"`, { file, line: i + 1 })
  })
  return { names, urls }
}

function parseDate(value: string | undefined): Date | undefined {
  if (!value) return undefined
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value)
  if (Number.isNaN(date.getTime())) throw new UsageError(`--pushed-since ${value} is not a date`, 'use YYYY-MM-DD or ISO 8601')
  return date
}

/** The git host a GitHub API serves: api.github.com → github.com; GHES https://HOST/api/v3 → HOST. */
export function gitHostOf(apiUrl: string): string {
  const host = new URL(apiUrl).host
  return host === 'api.github.com' ? 'github.com' : host
}

function hostOf(url: string): string | undefined {
  return URL.canParse(url) ? new URL(url).host : undefined
}

export async function scanRemote(flags: RemoteScanFlags, hooks: RemoteScanHooks = {}): Promise<ScanResult> {
  const maxFileBytes = (flags['max-file-size'] ?? 128) * 1024 * 1024
  const apiUrl = flags['api-url'] ?? DEFAULT_API_URL
  const env = hooks.env ?? process.env
  const auth = { tokenCommand: flags['token-command'], appId: flags['app-id'], appPrivateKeyFile: flags['app-private-key'], appInstallationId: flags['app-installation-id'], env }
  if (flags['repos-dir']) {
    if (flags.org || flags.user || flags['repos-from']) throw new UsageError('--repos-dir reads local repositories; it does not combine with --org, --user or --repos-from')
    return scanGitDirs(flags['repos-dir'], { ref: flags.ref, concurrency: flags.concurrency, maxFileBytes, signal: hooks.signal }, hooks)
  }
  const listed = flags['repos-from'] ? await readReposFile(flags['repos-from']) : { names: [], urls: [] }
  if (listed.urls.length > 0) {
    if (listed.names.length > 0 || flags.org || flags.user) throw new UsageError('a --repos-from file of clone URLs does not combine with owner/name lines, --org or --user')
    // A GitHub token is sent only to the GitHub host it belongs to.
    const host = gitHostOf(apiUrl)
    const needsToken = listed.urls.some((u) => hostOf(u) === host)
    const resolved = needsToken ? await resolveGitHubAuth(auth).catch(() => undefined) : undefined
    const tokenHeader = resolved?.kind === 'token' ? basicAuthHeader(resolved.token) : undefined
    return scanGitUrls(listed.urls, { ref: flags.ref, concurrency: flags.concurrency, maxFileBytes, signal: hooks.signal, authHeaderFor: (u) => (hostOf(u) === host ? tokenHeader : undefined) }, hooks)
  }
  const selection: RepoSelection = {
    org: flags.org,
    user: flags.user,
    repos: listed.names.length ? listed.names : undefined,
    include: flags.include,
    exclude: flags.exclude,
    topics: flags.topic,
    languages: flags.language,
    visibility: (flags.visibility ?? 'all') as RepoSelection['visibility'],
    archived: flags.archived,
    forks: flags.forks,
    pushedSince: parseDate(flags['pushed-since']),
  }
  if (selection.repos && (selection.org || selection.user)) {
    // An explicit list narrows the organisation to those names.
    selection.repos = selection.repos.filter((n) => n.toLowerCase().startsWith(`${(selection.org ?? selection.user ?? '').toLowerCase()}/`))
  }
  return scanGitHub(
    {
      ...selection,
      ...auth,
      apiUrl,
      ref: flags.ref,
      concurrency: flags.concurrency,
      cacheDir: flags.cache === false ? false : flags['cache-dir'],
      maxFileBytes,
      graphql: flags.graphql,
      signal: hooks.signal,
      onWait: hooks.onWait,
      onGraphQLUnavailable: hooks.onGraphQLUnavailable,
    },
    { matcher: hooks.matcher, inventory: hooks.inventory, onProgress: hooks.onProgress },
  )
}
