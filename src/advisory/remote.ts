import { AdvisoryError, AuthError, RemoteError } from '../errors.js'
import { convertGithubAdvisory } from './ghsa.js'
import { parseOsvRecord } from './osv.js'
import type { Advisory } from './types.js'

export const DEFAULT_OSV_API_URL = 'https://api.osv.dev'
export const DEFAULT_GITHUB_API_URL = 'https://api.github.com'

export interface RemoteOptions {
  /** OSV API base URL (default https://api.osv.dev). */
  osvApiUrl?: string
  /** GitHub REST API base URL (default https://api.github.com). */
  apiUrl?: string
  /** GitHub token; optional for public advisories. */
  token?: string
  /** Per request (default 30 s). */
  timeoutMs?: number
  /** Extra attempts after a 5xx or a network failure (default 2). */
  retries?: number
}

const GHSA_ID = /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/i
const OSV_ID = /^[A-Z][A-Z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]*$/

export function isGhsaId(ref: string): boolean {
  return GHSA_ID.test(ref)
}

/** MAL-…, PYSEC-…, OSV-…, GHSA-…, CVE-…, RUSTSEC-…: any OSV id shape. */
export function isOsvId(ref: string): boolean {
  return OSV_ID.test(ref)
}

function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** GET a JSON document; errors name the URL and say what went wrong. */
async function getJson(url: string, headers: Record<string, string>, what: string, options: RemoteOptions): Promise<unknown> {
  const retries = options.retries ?? 2
  let lastError: unknown
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(200 * attempt)
    let response: Response
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) })
    } catch (err) {
      lastError = new RemoteError(`${what}: could not reach ${url} (${(err as Error).message})`, undefined, err)
      continue
    }
    if (response.status === 404) {
      await response.body?.cancel()
      throw new AdvisoryError(`${what}: not found at ${url} (HTTP 404)`, 'Check the advisory id, or pass an OSV file instead.')
    }
    if (response.status === 401) {
      await response.body?.cancel()
      throw new AuthError(`${what}: ${url} rejected the token (HTTP 401)`, 'Check GITHUB_TOKEN / --token, or run without a token.')
    }
    if (response.status >= 500) {
      await response.body?.cancel()
      lastError = new RemoteError(`${what}: ${url} failed with HTTP ${response.status}`, response.status)
      continue
    }
    if (!response.ok) {
      const body = (await response.text()).slice(0, 200)
      throw new RemoteError(`${what}: ${url} answered HTTP ${response.status}${body ? `: ${body}` : ''}`, response.status)
    }
    const text = await response.text()
    try {
      return JSON.parse(text) as unknown
    } catch (err) {
      throw new AdvisoryError(`${what}: ${url} did not return JSON (${(err as Error).message})`, undefined, err)
    }
  }
  throw lastError
}

/** `GET {osvApiUrl}/v1/vulns/{id}`. */
export async function fetchOsvAdvisory(id: string, options: RemoteOptions = {}): Promise<Advisory> {
  const url = joinUrl(options.osvApiUrl ?? DEFAULT_OSV_API_URL, `/v1/vulns/${encodeURIComponent(id)}`)
  const body = await getJson(url, { accept: 'application/json', 'user-agent': 'firebreak' }, `advisory ${id}`, options)
  return parseOsvRecord(body, url)
}

/** `GET {apiUrl}/advisories/{ghsa_id}`, converted to the OSV model. */
export async function fetchGithubAdvisory(id: string, options: RemoteOptions = {}): Promise<Advisory> {
  const url = joinUrl(options.apiUrl ?? DEFAULT_GITHUB_API_URL, `/advisories/${encodeURIComponent(id)}`)
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'firebreak',
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  const body = await getJson(url, headers, `advisory ${id}`, options)
  return convertGithubAdvisory(body, url)
}

/**
 * A GHSA id: GitHub's advisory endpoint first when a token is available (it
 * has unreviewed and malware advisories, and a token is not rate-limited),
 * else the OSV API first; the other is tried when the first does not have it
 * or fails. A rejected token is reported at once.
 */
export async function fetchGhsa(id: string, options: RemoteOptions = {}): Promise<Advisory> {
  const order = options.token ? [fetchGithubAdvisory, fetchOsvAdvisory] : [fetchOsvAdvisory, fetchGithubAdvisory]
  const errors: Error[] = []
  for (const load of order) {
    try {
      return await load(id, options)
    } catch (err) {
      if (err instanceof AuthError || !(err instanceof AdvisoryError || err instanceof RemoteError)) throw err
      errors.push(err)
    }
  }
  const message = `advisory ${id} could not be loaded: ${errors.map((e) => e.message.replace(`advisory ${id}: `, '')).join('; ')}`
  if (errors.every((e) => e instanceof AdvisoryError)) throw new AdvisoryError(message, 'Check the advisory id, or pass an OSV file instead.')
  throw new RemoteError(message, (errors.find((e) => e instanceof RemoteError) as RemoteError | undefined)?.status)
}
