/**
 * Many blobs, of many repositories, in one GraphQL request: the REST API
 * costs one request per blob. Every blob is checked against its SHA, and
 * whatever GraphQL cannot give exactly (text cut at 512,000 bytes, binary or
 * non-UTF-8 content, a repository it cannot resolve) is left to REST.
 */
import { gitBlobSha } from './cache.js'
import { requestJson, statusOf, type GitHubClient } from './client.js'

/** GitHub cuts `Blob.text` at this many bytes (and says so in `isTruncated`). */
export const GRAPHQL_TEXT_LIMIT = 512_000

export interface BlobWant {
  owner: string
  repo: string
  sha: string
}

interface BlobNode {
  oid?: string
  isTruncated?: boolean
  text?: string | null
}

interface GraphQLAnswer {
  data?: Record<string, Record<string, BlobNode | null> | null> | null
  errors?: { type?: string; message?: string }[]
}

/** GraphQL is not offered at this address (a proxy or an Enterprise setup that serves REST only). */
export class GraphQLUnavailable extends Error {}

/** Where GraphQL lives beside a REST base: `https://api.github.com/graphql`, or `https://HOST/api/graphql` for `https://HOST/api/v3`. */
export function graphqlBase(apiUrl: string): string {
  return apiUrl.replace(/\/api\/v3$/, '/api')
}

/** The query: one aliased `repository` per repository, one aliased `object(oid:)` per blob. */
export function blobQuery(wants: readonly BlobWant[]): { query: string; aliases: Map<string, [string, string]> } {
  const byRepo = new Map<string, BlobWant[]>()
  const seen = new Set<string>()
  for (const want of wants) {
    // One object per SHA is enough: a blob is the same in every repository.
    if (seen.has(want.sha)) continue
    seen.add(want.sha)
    const key = `${want.owner}/${want.repo}`
    const list = byRepo.get(key)
    if (list) list.push(want)
    else byRepo.set(key, [want])
  }
  const aliases = new Map<string, [string, string]>()
  const parts: string[] = []
  let r = 0
  let b = 0
  for (const list of byRepo.values()) {
    const first = list[0] as BlobWant
    const repoAlias = `r${r++}`
    const objects = list.map((want) => {
      const blobAlias = `b${b++}`
      aliases.set(want.sha, [repoAlias, blobAlias])
      return `${blobAlias}: object(oid: ${JSON.stringify(want.sha)}) { ... on Blob { oid isTruncated text } }`
    })
    parts.push(`${repoAlias}: repository(owner: ${JSON.stringify(first.owner)}, name: ${JSON.stringify(first.repo)}) { ${objects.join(' ')} }`)
  }
  return { query: `query FirebreakBlobs { ${parts.join(' ')} }`, aliases }
}

/**
 * Fetches the wanted blobs in one request; answers those it got exactly
 * (SHA verified), keyed by SHA. A missing key means: read it over REST.
 * Throws GraphQLUnavailable when the endpoint is not there, and passes on
 * errors that concern the whole run (401) for the caller to judge.
 */
export async function fetchBlobsByGraphQL(client: GitHubClient, apiUrl: string, wants: readonly BlobWant[], fetch?: typeof globalThis.fetch): Promise<Map<string, Buffer>> {
  const got = new Map<string, Buffer>()
  if (wants.length === 0) return got
  const { query, aliases } = blobQuery(wants)
  let answer: GraphQLAnswer
  try {
    ;({ data: answer } = await requestJson<GraphQLAnswer>(client, 'POST /graphql', {
      baseUrl: graphqlBase(apiUrl),
      query,
      // The caller decides what a failure costs (plugin-retry, given any `retries`, would retry even a 404).
      request: { retries: 0, ...(fetch ? { fetch } : {}) },
    }))
  } catch (error) {
    const status = statusOf(error)
    if (status === 404 || status === 410 || status === 400 || status === 501) throw new GraphQLUnavailable(`GraphQL is not available (HTTP ${status})`)
    throw error
  }
  for (const want of wants) {
    const [repoAlias, blobAlias] = aliases.get(want.sha) as [string, string]
    const node = answer.data?.[repoAlias]?.[blobAlias]
    if (!node || node.isTruncated !== false || typeof node.text !== 'string') continue
    const data = Buffer.from(node.text, 'utf8')
    // Text GitHub decoded lossily (not UTF-8) no longer hashes to the blob: REST gives the bytes.
    if (gitBlobSha(data) === want.sha) got.set(want.sha, data)
  }
  return got
}
