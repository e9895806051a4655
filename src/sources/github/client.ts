import { createAppAuth } from '@octokit/auth-app'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { Octokit } from '@octokit/rest'

import { AuthError, FirebreakError, NotFoundError, RemoteError } from '../../errors.js'
import type { GitHubAuth } from './auth.js'
import type { Slots } from './pool.js'

export const DEFAULT_API_URL = 'https://api.github.com'

export interface RateLimitWait {
  kind: 'primary' | 'secondary'
  seconds: number
  method: string
  url: string
}

export interface ClientOptions {
  auth: GitHubAuth
  apiUrl?: string
  /** Told before every wait for a rate limit, with how long. */
  onWait?: (wait: RateLimitWait) => void
  /** Told the rate limit left after each response. */
  onRateLimit?: (remaining: number, limit: number) => void
  /** Scale of retry back-off and rate-limit waits in ms per second (tests shrink it). */
  retryBaseMs?: number
  rateLimitBaseMs?: number
  /** Retries of a 5xx or network failure before the request is given up. */
  retries?: number
  /** Give up waiting for a rate limit that resets later than this (seconds). */
  maxWaitSeconds?: number
}

export type GitHubClient = InstanceType<ReturnType<typeof Octokit.plugin>>

const ThrottledOctokit = Octokit.plugin(throttling, retry)

/**
 * Each Response by its body stream, for as long as the stream is reachable.
 * `requestJson` asks Octokit for the body unread, and Octokit keeps only the
 * stream: fetch cancels the body of a Response that is garbage-collected,
 * so a collection between the answer and the read lost the body ("Response
 * body object should not be disturbed or locked") now and then under load.
 */
const responsesByBody = new WeakMap<object, Response>()

/**
 * The fetch firebreak gives Octokit: it keeps each Response alive while its
 * body is (see above), and with `slots` holds one slot per request from the
 * moment it is sent until its body has been read to the end (or dropped).
 * The bound is on the wire, not around Octokit's own bookkeeping (its
 * throttling and retry queues add ~10 ms a request), so that a slot is
 * never idle while that runs.
 */
export function wireFetch(slots?: Slots): typeof fetch {
  return async (input, init) => {
    const release = slots ? await slots.acquire() : undefined
    let response: Response
    try {
      response = await fetch(input, init)
    } catch (error) {
      release?.()
      throw error
    }
    // Statuses without a body (204, 304) cannot be rebuilt with one.
    if (!response.body || !release || [101, 103, 204, 205, 304].includes(response.status)) {
      release?.()
      if (response.body) responsesByBody.set(response.body, response)
      return response
    }
    const reader = response.body.getReader()
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const chunk = await reader.read()
          if (chunk.done) {
            release()
            controller.close()
          } else controller.enqueue(chunk.value)
        } catch (error) {
          release()
          controller.error(error)
        }
      },
      cancel(reason) {
        release()
        return reader.cancel(reason)
      },
    })
    const held = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
    Object.defineProperty(held, 'url', { value: response.url })
    responsesByBody.set(body, held)
    return held
  }
}

/** The one Octokit of a run: throttling (rate limits waited out) and retry (5xx with back-off). */
export function createGitHubClient(options: ClientOptions): GitHubClient {
  const maxWait = options.maxWaitSeconds ?? 3600
  const onLimit = (kind: RateLimitWait['kind']) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    if (retryAfter > maxWait || retryCount >= 10) return false
    options.onWait?.({ kind, seconds: retryAfter, method: request.method, url: request.url })
    return true
  }
  const auth =
    options.auth.kind === 'token'
      ? { auth: options.auth.token }
      : { authStrategy: createAppAuth, auth: { appId: options.auth.appId, privateKey: options.auth.privateKey, installationId: options.auth.installationId } }
  const octokit = new ThrottledOctokit({
    ...auth,
    baseUrl: (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, ''),
    userAgent: 'firebreak',
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: options.rateLimitBaseMs ?? 1000,
      fallbackSecondaryRateRetryAfter: 60,
    },
    retry: { retries: options.retries ?? 4, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
    request: { fetch: wireFetch() },
  })
  if (options.onRateLimit) {
    octokit.hook.after('request', (response) => {
      const remaining = Number(response.headers['x-ratelimit-remaining'])
      const limit = Number(response.headers['x-ratelimit-limit'])
      if (Number.isFinite(remaining)) options.onRateLimit?.(remaining, limit)
    })
  }
  return octokit
}

interface RequestErrorLike {
  status?: number
  message?: string
  response?: { headers?: Record<string, string | number | undefined> }
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as RequestErrorLike)?.status
  return typeof status === 'number' ? status : undefined
}

/** A short, token-free description of a failed request. */
export function describeError(error: unknown): string {
  const status = statusOf(error)
  const message = String((error as RequestErrorLike)?.message ?? error).split('\n')[0] as string
  return status ? `HTTP ${status}: ${message}` : message
}

/** Errors that stop the whole run rather than one repository. */
export function fatalError(error: unknown, apiUrl: string): FirebreakError | undefined {
  if (error instanceof FirebreakError) return error
  if (statusOf(error) === 401) {
    return new AuthError(`GitHub rejected the credentials (401 from ${apiUrl})`, 'the token is missing, expired or revoked: refresh GITHUB_TOKEN / GH_TOKEN or --token-command; for GitHub Enterprise check --api-url')
  }
  return undefined
}

/** A 404 on the organisation or user: say whether the token may be missing a scope. */
export function ownerNotFound(error: unknown, kind: 'org' | 'user', login: string): FirebreakError {
  const scopesHeader = (error as RequestErrorLike)?.response?.headers?.['x-oauth-scopes']
  const scopes = typeof scopesHeader === 'string' ? scopesHeader.split(',').map((s) => s.trim()).filter(Boolean) : undefined
  let hint: string
  if (scopes === undefined) hint = `check the ${kind} name; a fine-grained token or app must be granted access to it`
  else {
    const missing = (kind === 'org' ? ['read:org', 'repo'] : ['repo']).filter((s) => !scopes.includes(s) && !(s === 'read:org' && scopes.includes('admin:org')))
    hint = missing.length
      ? `check the ${kind} name; the token's scopes (${scopes.join(', ') || 'none'}) lack ${missing.join(' and ')}, which private ${kind === 'org' ? 'organisations' : 'repositories'} need`
      : `check the ${kind} name; the token has the ${kind === 'org' ? 'read:org and repo' : 'repo'} scopes, so the ${kind} probably does not exist`
  }
  return new NotFoundError(`GitHub ${kind === 'org' ? 'organisation' : 'user'} ${login} not found (404)`, hint)
}

export function remoteError(what: string, error: unknown): RemoteError {
  return new RemoteError(`${what}: ${describeError(error)}`, statusOf(error))
}

/**
 * The token git needs to push: the client's own token, or for a GitHub App
 * an installation token. Callers register it with the run's redactor.
 */
export async function gitTokenOf(client: GitHubClient): Promise<string | undefined> {
  const auth = (await (client.auth as (options?: unknown) => Promise<unknown>)({ type: 'installation' }).catch(() => client.auth())) as { token?: string }
  return typeof auth?.token === 'string' && auth.token ? auth.token : undefined
}

/**
 * A request whose JSON body is parsed with the platform's JSON.parse.
 * Octokit's own parser (json-with-bigint, for ids beyond 2^53) is several
 * times slower on the large bodies of recursive trees and blobs, and those
 * hold no such ids.
 */
export async function requestJson<T>(client: GitHubClient, route: string, parameters: Record<string, unknown>): Promise<{ data: T; headers: Record<string, string | number | undefined> }> {
  const response = await client.request(route, { ...parameters, request: { ...(parameters.request as object | undefined), parseSuccessResponseBody: false } })
  const text = await new Response(response.data as ReadableStream<Uint8Array>).text()
  return { data: JSON.parse(text) as T, headers: response.headers as Record<string, string | number | undefined> }
}
