/**
 * The fake's collaboration endpoints: git references, pull requests, issues,
 * labels, requested reviewers and file contents. Refs live in the bare
 * repositories (read and written with git plumbing); pull requests and
 * issues live in memory, numbered per repository as GitHub numbers them
 * (issues and pull requests share one sequence). Bodies are built from the
 * schema's skeleton with the real values laid over it, and the validator
 * still checks every one.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

import type { FakeOwnerSpec, FakeRepoSpec } from './git-store.js'
import { buildRepo } from './bodies.js'
import { skeleton, type MatchedOperation } from './openapi.js'

const run = promisify(execFile)

type Schema = Record<string, unknown> | undefined

export interface CollabRepo {
  id: number
  owner: FakeOwnerSpec
  spec: FakeRepoSpec
  pushedAt: string
  dir: string
}

export interface FakePull {
  number: number
  title: string
  body: string | null
  head: string
  base: string
  state: 'open' | 'closed'
  draft: boolean
  merged: boolean
  mergedAt: string | null
  mergeSha: string | null
  closedAt: string | null
  createdAt: string
  updatedAt: string
  labels: string[]
  reviewers: string[]
  teamReviewers: string[]
  user: string
}

export interface FakeIssue {
  number: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  labels: string[]
  createdAt: string
  updatedAt: string
  closedAt: string | null
  user: string
  comments: string[]
}

export interface Answer {
  status: number
  body: unknown
  headers?: Record<string, string>
}

const DOCS = 'https://docs.github.com/rest'
/** The login every token acts as. */
export const FAKE_USER = 'firebreak-bot'

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z')
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The schema's first non-null alternative, for filling nested objects. */
function concrete(schema: Schema): Schema {
  if (!schema) return schema
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (alternatives?.length) return concrete(alternatives.find((a) => a?.type !== 'null') ?? alternatives[0])
  if (Array.isArray(schema.allOf)) {
    const parts = (schema.allOf as Schema[]).map(concrete)
    return { type: 'object', properties: Object.assign({}, ...parts.map((p) => p?.properties ?? {})), required: parts.flatMap((p) => (p?.required as string[]) ?? []) }
  }
  return schema
}

/** The schema's skeleton with `overlay` laid over it, nested objects and arrays of objects filled the same way. */
export function fill(schema: Schema, overlay: unknown): unknown {
  const s = concrete(schema)
  if (Array.isArray(overlay)) return overlay.map((item) => fill(s?.items as Schema, item))
  if (!isObject(overlay)) return overlay
  const base = skeleton({ ...(s ?? {}), nullable: false })
  const props = (s?.properties ?? {}) as Record<string, Schema>
  const out: Record<string, unknown> = isObject(base) ? { ...base } : {}
  for (const [k, v] of Object.entries(overlay)) out[k] = props[k] ? fill(props[k], v) : v
  return out
}

function user(base: string, login: string): Record<string, unknown> {
  return {
    login,
    id: 1,
    node_id: `U_${login}`,
    avatar_url: `${base}/avatars/${login}`,
    gravatar_id: '',
    url: `${base}/users/${login}`,
    html_url: `${base}/${login}`,
    type: 'User',
    site_admin: false,
  }
}

function label(base: string, full: string, name: string): Record<string, unknown> {
  return { id: 1, node_id: `L_${name}`, url: `${base}/repos/${full}/labels/${encodeURIComponent(name)}`, name, description: '', color: 'ededed', default: false }
}

function error(status: number, message: string, errors?: { resource: string; code: string; field?: string; message?: string }[]): Answer {
  return { status, body: { message, documentation_url: DOCS, status: String(status), ...(errors ? { errors } : {}) } }
}

export class Collab {
  private readonly pulls = new Map<string, FakePull[]>()
  private readonly issues = new Map<string, FakeIssue[]>()
  private readonly counters = new Map<string, number>()

  constructor(
    private readonly base: () => string,
    private readonly lookup: (owner: string, repo: string) => CollabRepo | undefined,
  ) {}

  /** Pull requests of a repository (tests inspect them). */
  pullsOf(owner: string, repo: string): FakePull[] {
    return this.pulls.get(`${owner}/${repo}`.toLowerCase()) ?? []
  }

  issuesOf(owner: string, repo: string): FakeIssue[] {
    return this.issues.get(`${owner}/${repo}`.toLowerCase()) ?? []
  }

  private next(key: string): number {
    const n = (this.counters.get(key) ?? 0) + 1
    this.counters.set(key, n)
    return n
  }

  /** Merges a pull request as GitHub's merge button does: a merge commit on the base branch. */
  async merge(owner: string, repo: string, number: number): Promise<string> {
    const r = this.lookup(owner, repo)
    const pr = this.pullsOf(owner, repo).find((p) => p.number === number)
    if (!r || !pr) throw new Error(`no pull request ${owner}/${repo}#${number}`)
    if (pr.state !== 'open') throw new Error(`pull request ${owner}/${repo}#${number} is ${pr.state}`)
    const head = await revParse(r.dir, `refs/heads/${pr.head}`)
    const base = await revParse(r.dir, `refs/heads/${pr.base}`)
    if (!head || !base) throw new Error('head or base branch is gone')
    let tree: string
    try {
      tree = (await git(r.dir, ['merge-tree', '--write-tree', base, head])).split('\n')[0] as string
    } catch {
      throw new Error(`pull request ${owner}/${repo}#${number} has conflicts`)
    }
    const env = { GIT_AUTHOR_NAME: 'Fake GitHub', GIT_AUTHOR_EMAIL: 'fake@example.invalid', GIT_COMMITTER_NAME: 'Fake GitHub', GIT_COMMITTER_EMAIL: 'fake@example.invalid' }
    const sha = (await git(r.dir, ['commit-tree', tree, '-p', base, '-p', head, '-m', `Merge pull request #${number} from ${pr.head}`], env)).trim()
    await git(r.dir, ['update-ref', `refs/heads/${pr.base}`, sha, base])
    Object.assign(pr, { state: 'closed', merged: true, mergedAt: now(), closedAt: now(), updatedAt: now(), mergeSha: sha })
    r.pushedAt = now()
    return sha
  }

  /** Answers one of the collaboration operations, or undefined when the operation is not one of them. */
  async route(op: MatchedOperation, url: URL, body: Record<string, unknown>, schema: Schema): Promise<Answer | undefined> {
    const p = op.pathParams
    if (!op.template.startsWith('/repos/{owner}/{repo}/')) return undefined
    const r = this.lookup(p.owner as string, p.repo as string)
    const handled = new Set([
      '/repos/{owner}/{repo}/git/ref/{ref}',
      '/repos/{owner}/{repo}/git/matching-refs/{ref}',
      '/repos/{owner}/{repo}/git/refs',
      '/repos/{owner}/{repo}/git/refs/{ref}',
      '/repos/{owner}/{repo}/pulls',
      '/repos/{owner}/{repo}/pulls/{pull_number}',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      '/repos/{owner}/{repo}/issues',
      '/repos/{owner}/{repo}/issues/{issue_number}',
      '/repos/{owner}/{repo}/issues/{issue_number}/labels',
      '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      '/repos/{owner}/{repo}/contents/{path}',
    ])
    if (!handled.has(op.template)) return undefined
    if (!r) return error(404, 'Not Found')
    const full = `${r.owner.login}/${r.spec.name}`
    const key = full.toLowerCase()
    const method = op.method
    switch (`${method} ${op.template}`) {
      case 'GET /repos/{owner}/{repo}/git/ref/{ref}': {
        const sha = await revParse(r.dir, `refs/${p.ref}`)
        return sha ? { status: 200, body: this.ref(schema, full, `refs/${p.ref}`, sha) } : error(404, 'Not Found')
      }
      case 'GET /repos/{owner}/{repo}/git/matching-refs/{ref}': {
        const out = await git(r.dir, ['for-each-ref', '--format=%(refname) %(objectname)', `refs/${p.ref}`]).catch(() => '')
        const refs = out
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(' ') as [string, string])
          .filter(([name]) => name.startsWith(`refs/${p.ref}`))
        return { status: 200, body: refs.map(([name, sha]) => this.ref((schema as { items?: Schema })?.items, full, name, sha)) }
      }
      case 'POST /repos/{owner}/{repo}/git/refs': {
        const ref = String(body.ref ?? '')
        const sha = String(body.sha ?? '')
        if (!/^refs\/.+/.test(ref) || ref.split('/').length < 3) return error(422, 'Reference name must start with \'refs/\' and have at least two slashes.')
        if (await revParse(r.dir, ref)) return error(422, 'Reference already exists')
        if (!(await objectExists(r.dir, sha))) return error(422, 'Object does not exist')
        await git(r.dir, ['update-ref', ref, sha, ''])
        r.pushedAt = now()
        return { status: 201, body: this.ref(schema, full, ref, sha), headers: { location: `${this.base()}/repos/${full}/git/${ref}` } }
      }
      case 'PATCH /repos/{owner}/{repo}/git/refs/{ref}': {
        const ref = `refs/${p.ref}`
        const old = await revParse(r.dir, ref)
        const sha = String(body.sha ?? '')
        if (!old) return error(422, 'Reference does not exist')
        if (!(await objectExists(r.dir, sha))) return error(422, 'Object does not exist')
        if (body.force !== true && !(await isAncestor(r.dir, old, sha))) return error(422, 'Update is not a fast forward')
        await git(r.dir, ['update-ref', ref, sha, old])
        r.pushedAt = now()
        return { status: 200, body: this.ref(schema, full, ref, sha) }
      }
      case 'DELETE /repos/{owner}/{repo}/git/refs/{ref}': {
        const ref = `refs/${p.ref}`
        if (!(await revParse(r.dir, ref))) return error(422, 'Reference does not exist')
        await git(r.dir, ['update-ref', '-d', ref])
        // GitHub closes the open pull requests whose head branch is deleted.
        if (ref.startsWith('refs/heads/')) {
          for (const pr of this.pullsOf(r.owner.login, r.spec.name)) {
            if (pr.state === 'open' && pr.head === ref.slice('refs/heads/'.length)) Object.assign(pr, { state: 'closed', closedAt: now(), updatedAt: now() })
          }
        }
        return { status: 204, body: undefined }
      }
      case 'GET /repos/{owner}/{repo}/pulls': {
        const state = url.searchParams.get('state') ?? 'open'
        const head = url.searchParams.get('head')
        const baseFilter = url.searchParams.get('base')
        let list = this.pullsOf(r.owner.login, r.spec.name).filter((pr) => state === 'all' || pr.state === state)
        if (head) {
          const [owner, branch] = head.includes(':') ? head.split(/:(.*)/s) : [r.owner.login, head]
          list = list.filter((pr) => owner?.toLowerCase() === r.owner.login.toLowerCase() && pr.head === branch)
        }
        if (baseFilter) list = list.filter((pr) => pr.base === baseFilter)
        list = [...list].sort((a, b) => b.number - a.number)
        if (url.searchParams.get('direction') === 'asc') list.reverse()
        const { slice, headers } = this.page(url, list)
        const item = (schema as { items?: Schema })?.items
        return { status: 200, body: await Promise.all(slice.map((pr) => this.pull(item, r, pr, false))), headers }
      }
      case 'POST /repos/{owner}/{repo}/pulls': {
        const head = String(body.head ?? '').replace(new RegExp(`^${r.owner.login}:`, 'i'), '')
        const baseBranch = String(body.base ?? '')
        if (!(await revParse(r.dir, `refs/heads/${head}`))) return error(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }])
        if (!(await revParse(r.dir, `refs/heads/${baseBranch}`))) return error(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }])
        const existing = this.pullsOf(r.owner.login, r.spec.name).find((pr) => pr.state === 'open' && pr.head === head && pr.base === baseBranch)
        if (existing) return error(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${r.owner.login}:${head}.` }])
        if (typeof body.title !== 'string' || !body.title) return error(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'title', code: 'missing_field' }])
        const at = now()
        const pr: FakePull = {
          number: this.next(key),
          title: body.title,
          body: typeof body.body === 'string' ? body.body : null,
          head,
          base: baseBranch,
          state: 'open',
          draft: body.draft === true,
          merged: false,
          mergedAt: null,
          mergeSha: null,
          closedAt: null,
          createdAt: at,
          updatedAt: at,
          labels: [],
          reviewers: [],
          teamReviewers: [],
          user: FAKE_USER,
        }
        this.pulls.set(key, [...this.pullsOf(r.owner.login, r.spec.name), pr])
        return { status: 201, body: await this.pull(schema, r, pr, true), headers: { location: `${this.base()}/repos/${full}/pulls/${pr.number}` } }
      }
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}': {
        const pr = this.pullsOf(r.owner.login, r.spec.name).find((x) => x.number === Number(p.pull_number))
        return pr ? { status: 200, body: await this.pull(schema, r, pr, true) } : error(404, 'Not Found')
      }
      case 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': {
        const pr = this.pullsOf(r.owner.login, r.spec.name).find((x) => x.number === Number(p.pull_number))
        if (!pr) return error(404, 'Not Found')
        if (typeof body.title === 'string') pr.title = body.title
        if (typeof body.body === 'string') pr.body = body.body
        if (typeof body.base === 'string') {
          if (!(await revParse(r.dir, `refs/heads/${body.base}`))) return error(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }])
          pr.base = body.base
        }
        if (body.state === 'closed' && pr.state === 'open') Object.assign(pr, { state: 'closed', closedAt: now() })
        if (body.state === 'open' && pr.state === 'closed') {
          if (pr.merged) return error(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: 'state cannot be changed. The pull request has been merged.' }])
          Object.assign(pr, { state: 'open', closedAt: null })
        }
        pr.updatedAt = now()
        return { status: 200, body: await this.pull(schema, r, pr, true) }
      }
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}/merge': {
        const pr = this.pullsOf(r.owner.login, r.spec.name).find((x) => x.number === Number(p.pull_number))
        return pr?.merged ? { status: 204, body: undefined } : error(404, 'Not Found')
      }
      case 'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge': {
        const pr = this.pullsOf(r.owner.login, r.spec.name).find((x) => x.number === Number(p.pull_number))
        if (!pr) return error(404, 'Not Found')
        if (pr.state !== 'open') return error(405, 'Pull Request is not mergeable')
        try {
          const sha = await this.merge(r.owner.login, r.spec.name, pr.number)
          return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } }
        } catch (e) {
          return error(405, (e as Error).message)
        }
      }
      case 'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers': {
        const pr = this.pullsOf(r.owner.login, r.spec.name).find((x) => x.number === Number(p.pull_number))
        if (!pr) return error(404, 'Not Found')
        const reviewers = ((body.reviewers as string[]) ?? []).filter((x) => typeof x === 'string')
        if (reviewers.some((x) => x.toLowerCase() === pr.user.toLowerCase())) return error(422, 'Review cannot be requested from pull request author.')
        for (const x of reviewers) if (!pr.reviewers.includes(x)) pr.reviewers.push(x)
        for (const t of (body.team_reviewers as string[]) ?? []) if (!pr.teamReviewers.includes(t)) pr.teamReviewers.push(t)
        pr.updatedAt = now()
        return { status: 201, body: await this.pull(schema, r, pr, false) }
      }
      case 'GET /repos/{owner}/{repo}/issues': {
        const state = url.searchParams.get('state') ?? 'open'
        const labels = url.searchParams.get('labels')?.split(',').filter(Boolean) ?? []
        const creator = url.searchParams.get('creator')
        // GitHub's issue list holds pull requests too, marked with `pull_request`.
        type Entry = { kind: 'issue'; issue: FakeIssue } | { kind: 'pull'; pull: FakePull }
        let list: Entry[] = [
          ...this.issuesOf(r.owner.login, r.spec.name).map((issue) => ({ kind: 'issue' as const, issue })),
          ...this.pullsOf(r.owner.login, r.spec.name).map((pull) => ({ kind: 'pull' as const, pull })),
        ]
        const get = (e: Entry) => (e.kind === 'issue' ? e.issue : e.pull)
        list = list.filter((e) => (state === 'all' || get(e).state === state) && labels.every((l) => get(e).labels.includes(l)) && (!creator || get(e).user === creator))
        list.sort((a, b) => get(b).number - get(a).number)
        if (url.searchParams.get('direction') === 'asc') list.reverse()
        const { slice, headers } = this.page(url, list)
        const item = (schema as { items?: Schema })?.items
        return { status: 200, body: slice.map((e) => (e.kind === 'issue' ? this.issue(item, full, e.issue) : this.issue(item, full, this.pullAsIssue(e.pull), e.pull.number))), headers }
      }
      case 'POST /repos/{owner}/{repo}/issues': {
        if (typeof body.title !== 'string' || !body.title) return error(422, 'Validation Failed', [{ resource: 'Issue', field: 'title', code: 'missing_field' }])
        const at = now()
        const labels = ((body.labels as unknown[]) ?? []).map((l) => (typeof l === 'string' ? l : String((l as { name?: string }).name)))
        const issue: FakeIssue = { number: this.next(key), title: body.title, body: typeof body.body === 'string' ? body.body : null, state: 'open', labels, createdAt: at, updatedAt: at, closedAt: null, user: FAKE_USER, comments: [] }
        this.issues.set(key, [...this.issuesOf(r.owner.login, r.spec.name), issue])
        return { status: 201, body: this.issue(schema, full, issue), headers: { location: `${this.base()}/repos/${full}/issues/${issue.number}` } }
      }
      case 'GET /repos/{owner}/{repo}/issues/{issue_number}': {
        const n = Number(p.issue_number)
        const issue = this.issuesOf(r.owner.login, r.spec.name).find((x) => x.number === n)
        const pull = this.pullsOf(r.owner.login, r.spec.name).find((x) => x.number === n)
        if (issue) return { status: 200, body: this.issue(schema, full, issue) }
        if (pull) return { status: 200, body: this.issue(schema, full, this.pullAsIssue(pull), pull.number) }
        return error(404, 'Not Found')
      }
      case 'PATCH /repos/{owner}/{repo}/issues/{issue_number}': {
        const issue = this.issuesOf(r.owner.login, r.spec.name).find((x) => x.number === Number(p.issue_number))
        if (!issue) return error(404, 'Not Found')
        if (typeof body.title === 'string') issue.title = body.title
        if (typeof body.body === 'string') issue.body = body.body
        if (Array.isArray(body.labels)) issue.labels = body.labels.map((l) => (typeof l === 'string' ? l : String((l as { name?: string }).name)))
        if (body.state === 'closed' || body.state === 'open') Object.assign(issue, { state: body.state, closedAt: body.state === 'closed' ? now() : null })
        issue.updatedAt = now()
        return { status: 200, body: this.issue(schema, full, issue) }
      }
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': {
        const n = Number(p.issue_number)
        const target = this.issuesOf(r.owner.login, r.spec.name).find((x) => x.number === n) ?? this.pullsOf(r.owner.login, r.spec.name).find((x) => x.number === n)
        if (!target) return error(404, 'Not Found')
        const names = ((body.labels as unknown[]) ?? []).map((l) => (typeof l === 'string' ? l : String((l as { name?: string }).name)))
        for (const name of names) if (!target.labels.includes(name)) target.labels.push(name)
        return { status: 200, body: fill(schema, target.labels.map((l) => label(this.base(), full, l))) }
      }
      case 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments':
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const n = Number(p.issue_number)
        const issue = this.issuesOf(r.owner.login, r.spec.name).find((x) => x.number === n)
        if (!issue) return error(404, 'Not Found')
        const comment = (text: string, i: number) => ({
          id: n * 1000 + i,
          node_id: `IC_${n}_${i}`,
          url: `${this.base()}/repos/${full}/issues/comments/${n * 1000 + i}`,
          html_url: `${this.base()}/${full}/issues/${n}#issuecomment-${n * 1000 + i}`,
          issue_url: `${this.base()}/repos/${full}/issues/${n}`,
          body: text,
          user: user(this.base(), FAKE_USER),
          created_at: issue.updatedAt,
          updated_at: issue.updatedAt,
          author_association: 'MEMBER',
        })
        if (method === 'GET') return { status: 200, body: fill(schema, issue.comments.map(comment)) }
        issue.comments.push(String(body.body ?? ''))
        return { status: 201, body: fill(schema, comment(issue.comments.at(-1) as string, issue.comments.length - 1)) }
      }
      case 'GET /repos/{owner}/{repo}/contents/{path}': {
        const ref = url.searchParams.get('ref') ?? `refs/heads/${r.spec.defaultBranch ?? 'main'}`
        const filePath = p.path as string
        const entry = await git(r.dir, ['ls-tree', '-l', ref, '--', filePath]).catch(() => '')
        const m = /^(\d+) (\w+) ([0-9a-f]{40})\s+(\d+|-)\t(.*)$/m.exec(entry)
        if (!m || m[2] !== 'blob' || m[5] !== filePath) return error(404, 'Not Found')
        const data = await runBuffer(r.dir, ['cat-file', 'blob', m[3] as string])
        const api = `${this.base()}/repos/${full}`
        const file = {
          type: 'file',
          encoding: 'base64',
          size: data.length,
          name: filePath.split('/').pop(),
          path: filePath,
          content: (data.toString('base64').match(/.{1,60}/g) ?? []).join('\n') + (data.length ? '\n' : ''),
          sha: m[3],
          url: `${api}/contents/${filePath}`,
          git_url: `${api}/git/blobs/${m[3]}`,
          html_url: `${this.base()}/${full}/blob/${ref}/${filePath}`,
          download_url: `${this.base()}/raw/${full}/${ref}/${filePath}`,
          _links: { git: `${api}/git/blobs/${m[3]}`, self: `${api}/contents/${filePath}`, html: `${this.base()}/${full}/blob/${ref}/${filePath}` },
        }
        // Content File is the second alternative of the response's oneOf.
        const alternatives = ((schema as { oneOf?: Schema[] })?.oneOf ?? []) as Schema[]
        return { status: 200, body: fill(alternatives.find((a) => a?.title === 'Content File') ?? schema, file) }
      }
      default:
        return undefined
    }
  }

  private page<T>(url: URL, list: T[]): { slice: T[]; headers: Record<string, string> } {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30))
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1))
    const last = Math.max(1, Math.ceil(list.length / perPage))
    const links: string[] = []
    const at = (n: number) => {
      const u = new URL(url.pathname + url.search, this.base())
      u.searchParams.set('page', String(n))
      return `<${u.toString()}>`
    }
    if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`)
    if (page > 1) links.push(`${at(page - 1)}; rel="prev"`, `${at(1)}; rel="first"`)
    return { slice: list.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(', ') } : {} }
  }

  private ref(schema: Schema, full: string, ref: string, sha: string): unknown {
    const api = `${this.base()}/repos/${full}`
    return fill(schema, { ref, node_id: `REF_${ref}`, url: `${api}/git/${ref}`, object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` } })
  }

  private pullAsIssue(pr: FakePull): FakeIssue {
    return { number: pr.number, title: pr.title, body: pr.body, state: pr.state, labels: pr.labels, createdAt: pr.createdAt, updatedAt: pr.updatedAt, closedAt: pr.closedAt, user: pr.user, comments: [] }
  }

  private issue(schema: Schema, full: string, issue: FakeIssue, pullNumber?: number): unknown {
    const base = this.base()
    const api = `${base}/repos/${full}`
    return fill(schema, {
      id: issue.number,
      node_id: `I_${issue.number}`,
      url: `${api}/issues/${issue.number}`,
      repository_url: api,
      labels_url: `${api}/issues/${issue.number}/labels{/name}`,
      comments_url: `${api}/issues/${issue.number}/comments`,
      events_url: `${api}/issues/${issue.number}/events`,
      html_url: `${base}/${full}/${pullNumber ? 'pull' : 'issues'}/${issue.number}`,
      number: issue.number,
      state: issue.state,
      title: issue.title,
      body: issue.body,
      user: user(base, issue.user),
      labels: issue.labels.map((l) => label(base, full, l)),
      assignee: null,
      milestone: null,
      locked: false,
      comments: issue.comments.length,
      closed_at: issue.closedAt,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      author_association: 'MEMBER',
      ...(pullNumber ? { pull_request: { url: `${api}/pulls/${pullNumber}`, html_url: `${base}/${full}/pull/${pullNumber}`, diff_url: `${base}/${full}/pull/${pullNumber}.diff`, patch_url: `${base}/${full}/pull/${pullNumber}.patch`, merged_at: null } } : {}),
    })
  }

  private async pull(schema: Schema, r: CollabRepo, pr: FakePull, full: boolean): Promise<unknown> {
    const base = this.base()
    const name = `${r.owner.login}/${r.spec.name}`
    const api = `${base}/repos/${name}`
    const props = (concrete(schema)?.properties ?? {}) as Record<string, Schema>
    const headProps = (concrete(props.head)?.properties ?? {}) as Record<string, Schema>
    const repoBody = buildRepo(concrete(headProps.repo), base, r)
    const headSha = (await revParse(r.dir, `refs/heads/${pr.head}`)) ?? pr.mergeSha ?? '0'.repeat(40)
    const baseSha = (await revParse(r.dir, `refs/heads/${pr.base}`)) ?? '0'.repeat(40)
    const side = (ref: string, sha: string) => ({ label: `${r.owner.login}:${ref}`, ref, sha, user: user(base, r.owner.login), repo: repoBody })
    const link = (href: string) => ({ href })
    return fill(schema, {
      url: `${api}/pulls/${pr.number}`,
      id: pr.number,
      node_id: `PR_${pr.number}`,
      html_url: `${base}/${name}/pull/${pr.number}`,
      diff_url: `${base}/${name}/pull/${pr.number}.diff`,
      patch_url: `${base}/${name}/pull/${pr.number}.patch`,
      issue_url: `${api}/issues/${pr.number}`,
      commits_url: `${api}/pulls/${pr.number}/commits`,
      review_comments_url: `${api}/pulls/${pr.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${pr.number}/comments`,
      statuses_url: `${api}/statuses/${headSha}`,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      user: user(base, pr.user),
      body: pr.body,
      labels: pr.labels.map((l) => label(base, name, l)),
      milestone: null,
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      closed_at: pr.closedAt,
      merged_at: pr.mergedAt,
      merge_commit_sha: pr.mergeSha,
      assignee: null,
      requested_reviewers: pr.reviewers.map((login) => user(base, login)),
      requested_teams: pr.teamReviewers.map((slug) => ({ id: 1, node_id: `T_${slug}`, url: `${base}/teams/${slug}`, html_url: `${base}/orgs/${r.owner.login}/teams/${slug}`, name: slug, slug, description: null, privacy: 'closed', permission: 'pull', members_url: `${base}/teams/${slug}/members{/member}`, repositories_url: `${base}/teams/${slug}/repos`, parent: null })),
      head: side(pr.head, headSha),
      base: side(pr.base, baseSha),
      _links: {
        self: link(`${api}/pulls/${pr.number}`),
        html: link(`${base}/${name}/pull/${pr.number}`),
        issue: link(`${api}/issues/${pr.number}`),
        comments: link(`${api}/issues/${pr.number}/comments`),
        review_comments: link(`${api}/pulls/${pr.number}/comments`),
        review_comment: link(`${api}/pulls/comments{/number}`),
        commits: link(`${api}/pulls/${pr.number}/commits`),
        statuses: link(`${api}/statuses/${headSha}`),
      },
      author_association: 'MEMBER',
      auto_merge: null,
      draft: pr.draft,
      ...(full
        ? { merged: pr.merged, mergeable: pr.state === 'open' ? true : null, mergeable_state: pr.state === 'open' ? 'clean' : 'unknown', merged_by: pr.merged ? user(base, FAKE_USER) : null, comments: 0, review_comments: 0, maintainer_can_modify: false, commits: 1, additions: 1, deletions: 1, changed_files: 1 }
        : {}),
    })
  }
}

function git(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return run('git', args, { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }).then((r) => r.stdout)
}

async function runBuffer(dir: string, args: string[]): Promise<Buffer> {
  const { stdout } = await run('git', args, { cwd: dir, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 })
  return stdout
}

async function revParse(dir: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || undefined
  } catch {
    return undefined
  }
}

async function objectExists(dir: string, sha: string): Promise<boolean> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return false
  return (await revParse(dir, sha)) !== undefined
}

async function isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await git(dir, ['merge-base', '--is-ancestor', ancestor, descendant])
    return true
  } catch {
    return false
  }
}
