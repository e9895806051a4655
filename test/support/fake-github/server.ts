/**
 * A fake GitHub for tests and benchmarks: a real HTTP server on 127.0.0.1
 * backed by bare git repositories, checked against GitHub's OpenAPI
 * description on every request and response, with GitHub's pagination,
 * rate-limit headers, conditional requests and injectable faults. It also
 * serves the repositories over git smart HTTP at /git/{owner}/{repo}.git,
 * and blobs over GraphQL at POST /graphql, checked against GitHub's GraphQL
 * schema (graphql.ts).
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { createBareRepo, createFiller, GitStore, mulberry32, repoDir, type FakeOwnerSpec, type FakeRepoSpec } from './git-store.js'
import { serveGitHttp } from './git-http.js'
import { matchOperation, OpenApiValidator, type MatchedOperation } from './openapi.js'
import { buildAdvisory, buildBlob, buildBranch, buildCommit, buildRateLimit, buildRepo, buildTree, treeText } from './bodies.js'
import { Collab, type FakeIssue, type FakePull } from './collab.js'
import { executeGraphql, prepareGraphql, type GraphqlBackend } from './graphql.js'

export interface Faults {
  /** Delay before every answer (API and git), in ms. */
  latencyMs: number
  /** Probability that an API request is answered 502 (seeded RNG). */
  failRate: number
  /** Probability that a POST /graphql is answered 502, on top of `failRate` (seeded RNG). */
  graphqlFailRate: number
  /** Full names (`owner/repo`) whose repository-scoped API calls always answer 502. */
  failRepos: Set<string>
  /** 1-based API request numbers at which the primary rate limit runs out. */
  primaryAt: Set<number>
  /** How long an exhausted primary limit lasts, in seconds. */
  primaryResetSeconds: number
  /** 1-based API request numbers answered with a secondary rate limit (403, or 429 every other time). */
  secondaryAt: Set<number>
  secondaryRetryAfter: number
}

export interface FakeGitHubOptions {
  owners: FakeOwnerSpec[]
  /** Accepted tokens; by default one random token (`server.token`). */
  tokens?: string[]
  /** The x-oauth-scopes header sent back, as GitHub does for classic tokens. */
  scopes?: string
  seed?: number
  faults?: Partial<Omit<Faults, 'failRepos' | 'primaryAt' | 'secondaryAt'>> & { failRepos?: string[]; primaryAt?: number[]; secondaryAt?: number[] }
  /** Shared bulk mounted into repositories that ask for it (`fillerAt`), for realistic clone sizes. */
  filler?: { files: number; bytes: number }
  /** GitHub App installations: JWTs naming `appId` get `token` for `installationId`. */
  apps?: { appId: number; installationId: number; token: string }[]
  advisories?: Record<string, Record<string, unknown>>
  rateLimit?: number
  /**
   * Check every response against GitHub's description (default true). Only a
   * benchmark turns it off: the check is the fake's own cost, not GitHub's.
   */
  validateResponses?: boolean
  /** Where the bare repositories go; a fresh temp dir by default (removed on close). */
  root?: string
  /**
   * Serve POST /graphql (default true). False models a GitHub Enterprise
   * proxy that offers REST only: /graphql answers 404 (still counted).
   */
  graphql?: boolean
}

interface RepoState {
  id: number
  owner: FakeOwnerSpec
  spec: FakeRepoSpec
  pushedAt: string
}

export interface FakeGitHub {
  url: string
  token: string
  root: string
  faults: Faults
  violations: string[]
  gitUrl(owner: string, repo: string): string
  repoDir(owner: string, repo: string): string
  /** API requests by `METHOD /template` (GraphQL as `POST /graphql`), plus `git` for smart HTTP; excludes nothing. */
  counts(): Record<string, number>
  apiRequests(): number
  /** The most API requests (git excluded) the fake was handling at once, since start or `resetCounts()`. */
  maxInFlight(): number
  bytesSent(): number
  resetCounts(): void
  assertNoViolations(): void
  /** Rewrites files on a branch (null deletes) as a new commit, and bumps pushed_at. */
  pushFiles(owner: string, repo: string, files: Record<string, string | null>, branch?: string): Promise<void>
  /** Pull requests and issues as the fake holds them (tests inspect them). */
  pulls(owner: string, repo: string): FakePull[]
  issues(owner: string, repo: string): FakeIssue[]
  /** Merges an open pull request with a merge commit on its base, as the merge button does; returns the merge commit. */
  mergePullRequest(owner: string, repo: string, number: number): Promise<string>
  /** The commit a branch points at, or undefined when it does not exist. */
  branchSha(owner: string, repo: string, branch: string): Promise<string | undefined>
  close(): Promise<void>
}

const DOCS = 'https://docs.github.com/rest'

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const ownRoot = !options.root
  const root = options.root ?? (await mkdtemp(path.join(tmpdir(), 'fake-github-')))
  const filler = options.filler ? await createFiller(root, options.filler.files, options.filler.bytes, options.seed ?? 1) : undefined
  const repos = new Map<string, RepoState>()
  let nextId = 1000
  const specs = options.owners.flatMap((owner) => owner.repos.map((spec) => ({ owner, spec })))
  await inPool(specs, 4, ({ owner, spec }) => createBareRepo(root, owner.login, spec, filler))
  for (const { owner, spec } of specs) {
    repos.set(`${owner.login}/${spec.name}`.toLowerCase(), { id: nextId++, owner, spec, pushedAt: spec.pushedAt ?? '2025-01-01T00:00:00Z' })
  }
  const store = new GitStore(root)
  await store.shareObjects(specs.map(({ owner, spec }) => repoDir(root, owner.login, spec.name)))
  const collab = new Collab(
    () => base,
    (owner, repo) => {
      const r = repos.get(`${owner}/${repo}`.toLowerCase())
      return r ? Object.assign(r, { dir: repoDir(root, r.owner.login, r.spec.name) }) : undefined
    },
  )
  const validator = new OpenApiValidator()
  const tokens = new Set(options.tokens ?? [`ghp_fake${randomBytes(12).toString('hex')}`])
  const token = [...tokens][0] as string
  const rng = mulberry32(options.seed ?? 1)
  const f = options.faults ?? {}
  const faults: Faults = {
    latencyMs: f.latencyMs ?? 0,
    failRate: f.failRate ?? 0,
    graphqlFailRate: f.graphqlFailRate ?? 0,
    failRepos: new Set(f.failRepos ?? []),
    primaryAt: new Set(f.primaryAt ?? []),
    primaryResetSeconds: f.primaryResetSeconds ?? 1,
    secondaryAt: new Set(f.secondaryAt ?? []),
    secondaryRetryAfter: f.secondaryRetryAfter ?? 1,
  }
  const limit = options.rateLimit ?? 5000
  const rate = { remaining: limit, used: 0, resetAt: Math.floor(Date.now() / 1000) + 3600, exhaustedUntil: 0 }
  const violations: string[] = []
  let counts = new Map<string, number>()
  let apiCount = 0
  let inFlight = 0
  let peakInFlight = 0
  let bytes = 0

  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1)
  let base = ''

  /** Sends a JSON body; `text` is the body already stringified, when the caller has it. */
  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, text = body === undefined ? '' : JSON.stringify(body)): void {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v)
    if (text) res.setHeader('content-type', 'application/json; charset=utf-8')
    res.setHeader('content-length', Buffer.byteLength(text))
    res.statusCode = status
    bytes += Buffer.byteLength(text)
    res.end(text)
  }

  function rateHeaders(resource: 'core' | 'graphql' = 'core'): Record<string, string> {
    const now = Math.floor(Date.now() / 1000)
    if (rate.exhaustedUntil && now >= rate.exhaustedUntil) {
      rate.exhaustedUntil = 0
      rate.remaining = limit
      rate.used = 0
      rate.resetAt = now + 3600
    }
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(rate.exhaustedUntil ? 0 : rate.remaining),
      'x-ratelimit-used': String(rate.used),
      'x-ratelimit-reset': String(rate.exhaustedUntil || rate.resetAt),
      'x-ratelimit-resource': resource,
    }
  }

  function authorised(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization ?? ''
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header)
    if (m && tokens.has(m[1] as string)) return m[1]
    return undefined
  }

  /** `text`, when given, is the body already serialised (the same JSON). */
  type Answer = { status: number; body: unknown; headers?: Record<string, string>; text?: string }

  /** Counts an API request under its key (`METHOD /template`); its 1-based number, which the faults refer to. */
  function admit(key: string): number {
    count(key)
    return ++apiCount
  }

  const delay = () => (faults.latencyMs ? sleep(faults.latencyMs) : undefined)

  const commonHeaders = (n: number, resource: 'core' | 'graphql' = 'core') => ({ ...rateHeaders(resource), 'x-oauth-scopes': options.scopes ?? 'repo, read:org', 'x-github-request-id': `FAKE:${n}` })

  /**
   * Authentication, the primary and secondary rate limits and injected 502s,
   * shared by REST and GraphQL: the answer that refuses request `n`, or
   * undefined to serve it. `limited` is false for what GitHub does not count
   * (`/rate_limit`); `fullName` is the repository a REST call is scoped to.
   */
  function refusal(req: IncomingMessage, n: number, api: { graphql: boolean; limited: boolean; fullName?: string }): Answer | undefined {
    if (!authorised(req)) {
      if (!api.graphql) return { status: 401, body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' } }
      if (!req.headers.authorization) return { status: 401, body: { message: 'This endpoint requires you to be authenticated.', documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql' } }
      return { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql' } }
    }
    if (!api.limited) return undefined
    if (faults.primaryAt.has(n) && !rate.exhaustedUntil) {
      rate.exhaustedUntil = Math.floor(Date.now() / 1000) + faults.primaryResetSeconds
    }
    if (rate.exhaustedUntil && Math.floor(Date.now() / 1000) < rate.exhaustedUntil) {
      // GraphQL answers an exhausted primary limit with 200 and a RATE_LIMITED error, not 403.
      if (api.graphql) return { status: 200, body: { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }] }, headers: rateHeaders('graphql') }
      return { status: 403, body: { message: 'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID FAKE.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '403' }, headers: rateHeaders() }
    }
    if (faults.secondaryAt.has(n)) {
      return { status: n % 2 ? 403 : 429, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits', status: String(n % 2 ? 403 : 429) }, headers: { 'retry-after': String(faults.secondaryRetryAfter) } }
    }
    if (rng() < faults.failRate || (api.fullName && faults.failRepos.has(api.fullName)) || (api.graphql && faults.graphqlFailRate > 0 && rng() < faults.graphqlFailRate)) {
      return { status: 502, body: { message: 'Server Error', documentation_url: DOCS, status: '502' } }
    }
    return undefined
  }

  /** Spends one request (one point, for GraphQL) of the primary limit. */
  function spend(): void {
    rate.remaining = Math.max(0, rate.remaining - 1)
    rate.used++
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET'
    const op = matchOperation(method, url.pathname)
    if (!op) {
      violations.push(`${method} ${url.pathname}: no such operation in GitHub's description`)
      send(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' })
      return
    }
    const n = admit(`${method} ${op.template}`)
    for (const p of validator.validateRequest(op, url.searchParams)) violations.push(`${method} ${url.pathname}${url.search}: ${p}`)
    let body: Record<string, unknown> = {}
    if (method !== 'GET' && method !== 'HEAD') {
      const text = await readBody(req)
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
      } catch {
        violations.push(`${method} ${url.pathname}: request body is not JSON`)
      }
      for (const p of validator.validateRequestBody(op, text ? body : undefined)) violations.push(`${method} ${url.pathname}: ${p}`)
    }
    await delay()
    const respond = (status: number, body: unknown, headers: Record<string, string> = {}, text?: string) => {
      if (options.validateResponses !== false) for (const p of validator.validateResponse(op, status, body)) violations.push(p)
      send(res, status, body, { ...commonHeaders(n), ...headers }, text)
    }

    // The app flow authenticates with a JWT, not a token.
    if (method === 'POST' && op.template === '/app/installations/{installation_id}/access_tokens') {
      const app = (options.apps ?? []).find((a) => String(a.installationId) === op.pathParams.installation_id && jwtIssuer(req) === String(a.appId))
      if (!app) return respond(401, { message: 'A JSON web token could not be decoded', documentation_url: DOCS, status: '401' })
      tokens.add(app.token)
      return respond(201, { token: app.token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { contents: 'read', metadata: 'read' }, repository_selection: 'all' })
    }
    const limited = op.template !== '/rate_limit'
    const fullName = op.pathParams.owner && op.pathParams.repo ? `${op.pathParams.owner}/${op.pathParams.repo}` : undefined
    const refused = refusal(req, n, { graphql: false, limited, fullName })
    if (refused) return respond(refused.status, refused.body, refused.headers)
    const headers = commonHeaders(n)
    const answer: Answer = (await collab.route(op, url, body, validator.responseSchema(op, 201) ?? validator.responseSchema(op, 200))) ?? (await route(op, url))
    // Stringified once, for the ETag and for sending: recursive trees run to hundreds of KB.
    let text: string | undefined
    if (answer.status === 200 && method === 'GET') {
      text = answer.text ?? JSON.stringify(answer.body)
      const etag = `W/"${createHash('sha256').update(text).digest('hex').slice(0, 40)}"`
      if (req.headers['if-none-match'] === etag) {
        // GitHub does not count a 304 against the rate limit.
        return send(res, 304, undefined, { ...headers, etag })
      }
      answer.headers = { ...answer.headers, etag }
    }
    if (limited) spend()
    respond(answer.status, answer.body, { ...headers, ...rateHeaders(), ...(answer.headers ?? {}) }, text)
  }

  const graphqlBackend: GraphqlBackend = {
    repository(owner, name) {
      const r = repos.get(`${owner}/${name}`.toLowerCase())
      return r ? { owner: r.owner.login, name: r.spec.name } : undefined
    },
    read: (owner, repo, name) => store.read(owner, repo, name),
  }

  /**
   * POST /graphql: counted, delayed, authenticated, rate-limited and failed
   * like a REST call (`failRepos` aside: a batch spans repositories), with
   * the query checked against GitHub's GraphQL schema first.
   */
  async function handleGraphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = admit('POST /graphql')
    const text = await readBody(req)
    if (options.graphql === false) {
      await delay()
      // What a GitHub Enterprise proxy offering REST only answers.
      return send(res, 404, { message: 'Not Found', documentation_url: DOCS })
    }
    const request = prepareGraphql(text)
    for (const p of request.problems) violations.push(`POST /graphql: ${p}`)
    await delay()
    const respond = (a: Answer) => send(res, a.status, a.body, { ...commonHeaders(n, 'graphql'), ...(a.headers ?? {}) })
    const refused = refusal(req, n, { graphql: true, limited: true })
    if (refused) return respond(refused)
    const answer = await executeGraphql(request, graphqlBackend)
    for (const p of answer.problems) violations.push(`POST /graphql: ${p}`)
    spend()
    respond({ status: answer.status, body: answer.body, headers: rateHeaders('graphql') })
  }

  const notFound = (): Answer => ({ status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } })

  async function route(op: MatchedOperation, url: URL): Promise<Answer> {
    const p = op.pathParams
    const schema = validator.responseSchema(op)
    switch (op.template) {
      case '/orgs/{org}/repos':
      case '/users/{username}/repos': {
        const login = (p.org ?? p.username) as string
        const owner = options.owners.find((o) => o.login.toLowerCase() === login.toLowerCase())
        if (!owner || (p.org && owner.type === 'User')) return notFound()
        let list = [...repos.values()].filter((r) => r.owner === owner)
        const type = url.searchParams.get('type') ?? 'all'
        if (type === 'forks') list = list.filter((r) => r.spec.fork)
        if (type === 'sources') list = list.filter((r) => !r.spec.fork)
        if (type === 'public') list = list.filter((r) => (r.spec.visibility ?? 'public') === 'public')
        if (type === 'private') list = list.filter((r) => (r.spec.visibility ?? 'public') !== 'public')
        const sort = url.searchParams.get('sort') ?? (p.org ? 'created' : 'full_name')
        if (sort === 'full_name') list.sort((a, b) => a.spec.name.localeCompare(b.spec.name))
        if (sort === 'pushed' || sort === 'updated') list.sort((a, b) => b.pushedAt.localeCompare(a.pushedAt))
        if (url.searchParams.get('direction') === 'desc' && sort !== 'pushed' && sort !== 'updated') list.reverse()
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30))
        const page = Math.max(1, Number(url.searchParams.get('page') ?? 1))
        const slice = list.slice((page - 1) * perPage, page * perPage)
        const body = slice.map((r) => buildRepo(schema, base, r))
        return { status: 200, body, headers: linkHeader(url, page, Math.max(1, Math.ceil(list.length / perPage))) }
      }
      case '/repos/{owner}/{repo}': {
        const r = repos.get(`${p.owner}/${p.repo}`.toLowerCase())
        return r ? { status: 200, body: buildRepo(schema, base, r) } : notFound()
      }
      case '/repos/{owner}/{repo}/git/trees/{tree_sha}': {
        const r = repos.get(`${p.owner}/${p.repo}`.toLowerCase())
        if (!r) return notFound()
        const tree = await store.treeSha(r.owner.login, r.spec.name, p.tree_sha as string)
        if (!tree) return notFound()
        const recursive = url.searchParams.has('recursive')
        const entries = await store.listTree(r.owner.login, r.spec.name, tree, recursive)
        const cap = recursive ? r.spec.truncateTreeAt : undefined
        const truncated = cap !== undefined && entries.length > cap
        const listed = truncated ? entries.slice(0, cap) : entries
        const text = treeText(schema, base, r, tree, listed, truncated)
        if (options.validateResponses === false) return { status: 200, body: undefined, text }
        // Validated as an object; sent as the memoised text, which must be the same JSON.
        const body = buildTree(schema, base, r, tree, listed, truncated)
        if (JSON.stringify(body) !== text) violations.push(`${url.pathname}: the fake's tree text differs from its tree body`)
        return { status: 200, body, text }
      }
      case '/repos/{owner}/{repo}/git/blobs/{file_sha}': {
        const r = repos.get(`${p.owner}/${p.repo}`.toLowerCase())
        if (!r || !/^[0-9a-f]{40}$/.test(p.file_sha as string)) return notFound()
        const obj = await store.read(r.owner.login, r.spec.name, p.file_sha as string)
        if (!obj || obj.type !== 'blob') return notFound()
        return { status: 200, body: buildBlob(schema, base, r, obj.sha, obj.data) }
      }
      case '/repos/{owner}/{repo}/commits/{ref}':
      case '/repos/{owner}/{repo}/branches/{branch}': {
        const r = repos.get(`${p.owner}/${p.repo}`.toLowerCase())
        if (!r) return notFound()
        const ref = (p.ref ?? `refs/heads/${p.branch}`) as string
        const commit = await store.commit(r.owner.login, r.spec.name, ref)
        if (!commit) return notFound()
        if (p.branch) return { status: 200, body: buildBranch(schema, base, r, p.branch, commit) }
        return { status: 200, body: buildCommit(schema, base, r, commit) }
      }
      case '/rate_limit':
        rateHeaders()
        return { status: 200, body: buildRateLimit(schema, limit, rate.exhaustedUntil ? 0 : rate.remaining, rate.used, rate.exhaustedUntil || rate.resetAt) }
      case '/advisories/{ghsa_id}': {
        const adv = options.advisories?.[p.ghsa_id as string]
        return adv ? { status: 200, body: buildAdvisory(schema, adv) } : notFound()
      }
      default:
        violations.push(`${op.method} ${op.template}: documented by GitHub but not implemented by the fake`)
        return notFound()
    }
  }

  async function handleGit(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    count('git')
    await delay()
    const header = req.headers.authorization ?? ''
    const basic = /^basic\s+(\S+)$/i.exec(header)
    const [user, password] = basic ? Buffer.from(basic[1] as string, 'base64').toString().split(/:(.*)/s) : []
    if (!basic || !(tokens.has(password ?? '') || tokens.has(user ?? ''))) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="fake GitHub"', 'content-type': 'text/plain' })
      res.end('Authentication required\n')
      return
    }
    const pathInfo = url.pathname.slice('/git'.length)
    await serveGitHttp({ req, res, pathInfo, query: url.search.slice(1), root, user: user || 'x-access-token', onBytes: (n) => (bytes += n) })
    const m = /^\/([^/]+)\/([^/]+)\.git\/git-receive-pack$/.exec(pathInfo)
    const pushed = m ? repos.get(`${m[1]}/${m[2]}`.toLowerCase()) : undefined
    if (pushed) pushed.pushedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const git = url.pathname.startsWith('/git/')
    const handler = git ? handleGit : req.method === 'POST' && url.pathname === '/graphql' ? handleGraphql : handleApi
    if (!git) peakInFlight = Math.max(peakInFlight, ++inFlight)
    handler(req, res, url)
      .catch((error: Error) => {
        violations.push(`fake server error on ${req.method} ${url.pathname}: ${error.stack ?? error.message}`)
        if (!res.headersSent) send(res, 500, { message: error.message })
        else res.end()
      })
      .finally(() => {
        if (!git) inFlight--
      })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  function linkHeader(url: URL, page: number, last: number): Record<string, string> {
    const at = (n: number) => {
      const u = new URL(url.pathname + url.search, base)
      u.searchParams.set('page', String(n))
      return `<${u.toString()}>`
    }
    const links: string[] = []
    if (page > 1) links.push(`${at(page - 1)}; rel="prev"`)
    if (page < last) links.push(`${at(page + 1)}; rel="next"`)
    if (page < last) links.push(`${at(last)}; rel="last"`)
    if (page > 1) links.push(`${at(1)}; rel="first"`)
    return links.length ? { link: links.join(', ') } : {}
  }

  return {
    url: base,
    token,
    root,
    faults,
    violations,
    gitUrl: (owner, repo) => `${base}/git/${owner}/${repo}.git`,
    repoDir: (owner, repo) => repoDir(root, owner, repo),
    counts: () => Object.fromEntries(counts),
    apiRequests: () => [...counts.entries()].filter(([k]) => k !== 'git').reduce((sum, [, v]) => sum + v, 0),
    bytesSent: () => bytes,
    maxInFlight: () => peakInFlight,
    resetCounts() {
      counts = new Map()
      bytes = 0
      peakInFlight = inFlight
    },
    assertNoViolations() {
      if (violations.length) throw new Error(`the fake GitHub saw ${violations.length} violation(s) of GitHub's API description:\n${violations.slice(0, 20).join('\n')}`)
    },
    async pushFiles(owner, repo, files, branch) {
      const r = repos.get(`${owner}/${repo}`.toLowerCase())
      if (!r) throw new Error(`no repository ${owner}/${repo}`)
      const { pushFiles } = await import('./push.js')
      await pushFiles(repoDir(root, r.owner.login, r.spec.name), branch ?? r.spec.defaultBranch ?? 'main', files)
      r.pushedAt = new Date(Math.max(Date.now(), Date.parse(r.pushedAt) + 1000)).toISOString().replace(/\.\d+Z$/, 'Z')
    },
    pulls: (owner, repo) => collab.pullsOf(owner, repo),
    issues: (owner, repo) => collab.issuesOf(owner, repo),
    mergePullRequest: (owner, repo, number) => collab.merge(owner, repo, number),
    async branchSha(owner, repo, branch) {
      const { execFile } = await import('node:child_process')
      return new Promise((resolve) => {
        execFile('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], { cwd: repoDir(root, owner, repo) }, (err, stdout) => resolve(err ? undefined : stdout.trim() || undefined))
      })
    },
    async close() {
      store.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      if (ownRoot) await rm(root, { recursive: true, force: true })
    },
  }
}

function jwtIssuer(req: IncomingMessage): string | undefined {
  const m = /^bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(req.headers.authorization ?? '')
  if (!m) return undefined
  try {
    const payload = JSON.parse(Buffer.from(m[2] as string, 'base64url').toString()) as { iss?: unknown }
    return payload.iss === undefined ? undefined : String(payload.iss)
  } catch {
    return undefined
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function inPool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker))
}
