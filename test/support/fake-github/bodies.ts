/**
 * Response bodies: the schema's minimal valid object (skeleton) with the
 * fake's real values laid over it. The validator checks the result.
 */
import type { FakeOwnerSpec, FakeRepoSpec, TreeEntry } from './git-store.js'
import { skeleton } from './openapi.js'

type Schema = Record<string, unknown> | undefined

interface Repo {
  id: number
  owner: FakeOwnerSpec
  spec: FakeRepoSpec
  pushedAt: string
}

function itemSchema(schema: Schema): Schema {
  return schema?.type === 'array' ? (schema.items as Schema) : schema
}

function owner(base: string, o: FakeOwnerSpec): Record<string, unknown> {
  return {
    login: o.login,
    id: 1,
    node_id: `O_${o.login}`,
    avatar_url: `${base}/avatars/${o.login}`,
    gravatar_id: '',
    url: `${base}/users/${o.login}`,
    html_url: `${base}/${o.login}`,
    type: o.type ?? 'Organization',
    site_admin: false,
  }
}

export function buildRepo(schema: Schema, base: string, r: Repo): Record<string, unknown> {
  const s = itemSchema(schema)
  const full = `${r.owner.login}/${r.spec.name}`
  const api = `${base}/repos/${full}`
  const visibility = r.spec.visibility ?? 'public'
  const out = skeleton(s) as Record<string, unknown>
  for (const key of Object.keys(out)) if (key.endsWith('_url') && typeof out[key] === 'string') out[key] = `${api}/${key.replace(/_url$/, '')}`
  const ownerSkeleton = (out.owner ?? {}) as Record<string, unknown>
  return {
    ...out,
    id: r.id,
    node_id: `R_${r.id}`,
    name: r.spec.name,
    full_name: full,
    owner: { ...ownerSkeleton, ...owner(base, r.owner) },
    private: visibility !== 'public',
    visibility,
    html_url: `${base}/${full}`,
    description: r.spec.description ?? null,
    fork: r.spec.fork ?? false,
    url: api,
    archived: r.spec.archived ?? false,
    disabled: false,
    topics: r.spec.topics ?? [],
    language: r.spec.language ?? null,
    default_branch: r.spec.defaultBranch ?? 'main',
    pushed_at: r.pushedAt,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: r.pushedAt,
    clone_url: `${base}/git/${full}.git`,
    git_url: `${base}/git/${full}.git`,
    ssh_url: `git@127.0.0.1:${full}.git`,
    size: 1,
  }
}

export function buildTree(schema: Schema, base: string, r: Repo, sha: string, entries: TreeEntry[], truncated: boolean): unknown {
  const api = `${base}/repos/${r.owner.login}/${r.spec.name}/git`
  return {
    ...(skeleton(schema) as object),
    sha,
    url: `${api}/trees/${sha}`,
    truncated,
    tree: entries.map((e) => ({
      path: e.path,
      mode: e.mode,
      type: e.type,
      sha: e.sha,
      ...(e.size !== undefined ? { size: e.size } : {}),
      url: `${api}/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`,
    })),
  }
}

/** Each tree entry's JSON up to its `url`, and after the API base: memoised, as entries of shared sub-trees are the same objects. */
const entryPieces = new WeakMap<TreeEntry, [string, string]>()
const TREE_PLACEHOLDER = '__fake_github_tree_entries__'

/**
 * `JSON.stringify(buildTree(...))`, built from memoised pieces: a recursive
 * listing of thousands of files is otherwise the fake's largest cost per
 * request, which a benchmark would charge to the client sharing its CPU.
 * The server checks the two agree whenever it validates responses.
 */
export function treeText(schema: Schema, base: string, r: Repo, sha: string, entries: readonly TreeEntry[], truncated: boolean): string {
  const api = `${base}/repos/${r.owner.login}/${r.spec.name}/git`
  const apiJson = JSON.stringify(api).slice(1, -1)
  const head = JSON.stringify({ ...(skeleton(schema) as object), sha, url: `${api}/trees/${sha}`, truncated, tree: TREE_PLACEHOLDER })
  const parts: string[] = []
  for (const e of entries) {
    let pieces = entryPieces.get(e)
    if (!pieces) {
      const fixed = JSON.stringify({ path: e.path, mode: e.mode, type: e.type, sha: e.sha, ...(e.size !== undefined ? { size: e.size } : {}), url: '' })
      pieces = [fixed.slice(0, -3) + '"', `/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}"}`]
      entryPieces.set(e, pieces)
    }
    parts.push(pieces[0] + apiJson + pieces[1])
  }
  return head.replace(`"${TREE_PLACEHOLDER}"`, () => `[${parts.join(',')}]`)
}

export function buildBlob(schema: Schema, base: string, r: Repo, sha: string, data: Buffer): unknown {
  // GitHub wraps base64 at 60 columns.
  const content = (data.toString('base64').match(/.{1,60}/g) ?? []).join('\n') + (data.length ? '\n' : '')
  return {
    ...(skeleton(schema) as object),
    content,
    encoding: 'base64',
    url: `${base}/repos/${r.owner.login}/${r.spec.name}/git/blobs/${sha}`,
    sha,
    size: data.length,
    node_id: `B_${sha}`,
  }
}

interface Commit {
  sha: string
  tree: string
  date: string
  message: string
}

export function buildCommit(schema: Schema, base: string, r: Repo, c: Commit): Record<string, unknown> {
  const s = (schema ?? {}) as Record<string, unknown>
  const api = `${base}/repos/${r.owner.login}/${r.spec.name}`
  const out = skeleton(s) as Record<string, unknown>
  const person = { name: 'Fake GitHub', email: 'fake@example.invalid', date: c.date }
  return {
    ...out,
    url: `${api}/commits/${c.sha}`,
    sha: c.sha,
    node_id: `C_${c.sha}`,
    html_url: `${base}/${r.owner.login}/${r.spec.name}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      ...(out.commit as object),
      url: `${api}/git/commits/${c.sha}`,
      author: person,
      committer: person,
      message: c.message.trimEnd(),
      comment_count: 0,
      tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
    },
    author: null,
    committer: null,
    parents: [],
  }
}

export function buildBranch(schema: Schema, base: string, r: Repo, name: string, c: Commit): unknown {
  const props = ((schema ?? {}) as { properties?: Record<string, Schema> }).properties ?? {}
  const api = `${base}/repos/${r.owner.login}/${r.spec.name}`
  return {
    ...(skeleton(schema) as object),
    name,
    commit: buildCommit(props.commit, base, r, c),
    _links: { html: `${base}/${r.owner.login}/${r.spec.name}/tree/${name}`, self: `${api}/branches/${name}` },
    protected: false,
    protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
    protection_url: `${api}/branches/${name}/protection`,
  }
}

export function buildRateLimit(schema: Schema, limit: number, remaining: number, used: number, reset: number): unknown {
  const rate = { limit, remaining, reset, used, resource: 'core' }
  const search = { limit: 30, remaining: 30, reset, used: 0, resource: 'search' }
  return { ...(skeleton(schema) as object), resources: { core: rate, search }, rate }
}

export function buildAdvisory(schema: Schema, advisory: Record<string, unknown>): unknown {
  return { ...(skeleton(schema) as object), ...advisory }
}
