/**
 * The fake's GraphQL endpoint (POST /graphql). GitHub's official public
 * schema (@octokit/graphql-schema) is the referee: every query is parsed and
 * validated against it with graphql-js, and executed against it too, so
 * graphql-js itself checks the shape of every answer (types, non-null).
 *
 * Only what firebreak asks for is implemented (`Query.repository`,
 * `Repository.object`, the fields of `Blob`, `oid` of the other git
 * objects). Asking for anything else is not answered with a silent null: it
 * is an error in the answer and a violation, so a client change cannot pass
 * against a lazy fake. A query GitHub would reject is answered as GitHub
 * does (200 with `errors`) and is a violation too: firebreak must never send
 * one.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import {
  buildSchema,
  execute,
  getNamedType,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type ValidationContext,
} from 'graphql'

import type { GitObject } from './git-store.js'

/** What the endpoint needs from the fake: its repositories and their objects. */
export interface GraphqlBackend {
  /** The repository by full name, case-insensitively, as the REST routes find it; its real owner and name. */
  repository(owner: string, name: string): { owner: string; name: string } | undefined
  /** A git object by name (object ID or rev-parse expression), as `GitStore.read`. */
  read(owner: string, repo: string, name: string): Promise<GitObject | undefined>
}

export interface GraphqlAnswer {
  status: number
  body: unknown
  /** Violations to record: queries GitHub would reject, fields the fake does not implement, execution errors. */
  problems: string[]
}

/** A request that parsed and validated, ready to execute; or the answer GitHub gives to one that did not. */
export type PreparedGraphql = { document: DocumentNode; variables?: Record<string, unknown>; operationName?: string; problems: string[] } | { answer: GraphqlAnswer; problems: string[] }

/** GitHub's limit on `Blob.text`: longer blobs are cut here (in bytes) and flagged `isTruncated`. */
export const BLOB_TEXT_LIMIT = 512_000
/** git's binary heuristic: a NUL byte within the first 8,000 bytes. */
const BINARY_PROBE = 8_000

let cachedSchema: GraphQLSchema | undefined

/** GitHub's public schema, built once per process (1.2 MB of SDL; ~0.1 s). */
export function githubSchema(): GraphQLSchema {
  if (cachedSchema) return cachedSchema
  // The package exports only its entry point (for `import`), so find the file beside it.
  const require = createRequire(import.meta.url)
  const dirs = require.resolve.paths('@octokit/graphql-schema') ?? []
  const file = dirs.map((d) => path.join(d, '@octokit', 'graphql-schema', 'schema.graphql')).find((f) => existsSync(f))
  if (!file) throw new Error('@octokit/graphql-schema/schema.graphql not found')
  // GitHub's published SDL defines a few fields twice, which buildSchema's SDL check rejects.
  cachedSchema = buildSchema(readFileSync(file, 'utf8'), { assumeValidSDL: true })
  return cachedSchema
}

/**
 * GitHub's own validation beyond the GraphQL spec: every connection needs a
 * `first` or `last` of at most 100 (literal values only; variables are not
 * checked).
 */
function paginationRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const def = context.getFieldDef()
      if (!def || !getNamedType(def.type).name.endsWith('Connection') || !def.args.some((a) => a.name === 'first')) return
      const field = node.name.value
      const given = new Map((node.arguments ?? []).map((a) => [a.name.value, a.value]))
      if (!given.has('first') && !given.has('last')) {
        context.reportError(new GraphQLError(`You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`, { nodes: node }))
      }
      for (const name of ['first', 'last']) {
        const value = given.get(name)
        if (value?.kind === Kind.INT && Number(value.value) > 100) {
          context.reportError(new GraphQLError(`Requesting ${value.value} records on the \`${field}\` connection exceeds the \`${name}\` limit of 100 records.`, { nodes: node }))
        }
      }
    },
  }
}

const GRAPHQL_DOCS = 'https://docs.github.com/graphql'

/** Parses and validates a request body; every problem is one GitHub would answer with an error. */
export function prepareGraphql(text: string): PreparedGraphql {
  let request: unknown
  try {
    request = JSON.parse(text)
  } catch {
    const answer = { status: 400, body: { message: 'Problems parsing JSON', documentation_url: GRAPHQL_DOCS }, problems: ['request body is not JSON'] }
    return { answer, problems: answer.problems }
  }
  const { query, variables, operationName } = (request && typeof request === 'object' ? request : {}) as Record<string, unknown>
  const refuse = (errors: GraphQLFormattedError[], why: string): PreparedGraphql => ({ answer: { status: 200, body: { errors }, problems: [] }, problems: [why] })
  if (typeof query !== 'string') return refuse([{ message: 'A query attribute must be specified and must be a string.' }], 'request body has no query string')
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return refuse([{ message: 'Variables are invalid JSON.' }], 'variables is not an object')
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return refuse([{ message: 'operationName must be a string.' }], 'operationName is not a string')
  let document: DocumentNode
  try {
    document = parse(query)
  } catch (error) {
    const e = error instanceof GraphQLError ? error : new GraphQLError(String(error))
    return refuse([e.toJSON()], `query does not parse: ${describe(e)}`)
  }
  const errors = validate(githubSchema(), document, [...specifiedRules, paginationRule])
  if (errors.length) return refuse(errors.map((e) => e.toJSON()), `query does not validate against GitHub's schema: ${errors.map(describe).join('; ')}`)
  return { document, variables: (variables ?? undefined) as Record<string, unknown> | undefined, operationName: operationName ?? undefined, problems: [] }
}

/** Marks the one execution error that is GitHub's ordinary answer, not a fault of the client or the fake. */
class NotFound extends Error {}

interface RepositorySource {
  __kind: 'Repository'
  owner: string
  name: string
}

interface ObjectSource {
  __kind: 'GitObject'
  repository: RepositorySource
  object: GitObject
}

type Resolver = (source: never, args: Record<string, unknown>, backend: GraphqlBackend) => unknown

const blob = (resolve: (data: Buffer, o: GitObject) => unknown): Resolver => (source: ObjectSource) => resolve(source.object.data, source.object)
const isBinary = (data: Buffer) => data.subarray(0, BINARY_PROBE).includes(0)
const oid: Resolver = (source: ObjectSource) => source.object.sha

/** The implemented fields, by type and field name; everything else is a violation. */
const RESOLVERS: Record<string, Record<string, Resolver>> = {
  Query: {
    repository: (_source: unknown, args, backend) => {
      const owner = String(args.owner)
      const name = String(args.name)
      const found = backend.repository(owner, name)
      if (!found) throw new NotFound(`Could not resolve to a Repository with the name '${owner}/${name}'.`)
      return { __kind: 'Repository', ...found } satisfies RepositorySource
    },
  },
  Repository: {
    object: async (source: RepositorySource, args, backend) => {
      const { oid, expression } = args as { oid?: string | null; expression?: string | null }
      let name: string
      if (oid !== undefined && oid !== null) {
        if (!/^[0-9a-fA-F]{40}$/.test(oid)) throw new Error(`object(oid: ${JSON.stringify(oid)}): the fake takes a full 40-hex object ID only`)
        name = oid.toLowerCase()
      } else if (expression !== undefined && expression !== null) {
        // `git cat-file` reads a rev-parse expression (`main:path`) as GitHub does; a line break would end the request line.
        if (/[\n\r\0]/.test(expression)) throw new Error(`object(expression: ${JSON.stringify(expression)}): the fake does not take line breaks in an expression`)
        name = expression
      } else {
        throw new Error('object() needs an oid or an expression')
      }
      const object = await backend.read(source.owner, source.name, name)
      return object ? ({ __kind: 'GitObject', repository: source, object } satisfies ObjectSource) : null
    },
  },
  Blob: {
    id: (source: ObjectSource) => `B_${source.object.sha}`,
    oid,
    abbreviatedOid: (source: ObjectSource) => source.object.sha.slice(0, 7),
    byteSize: blob((data) => data.length),
    isBinary: blob(isBinary),
    isTruncated: blob((data) => data.length > BLOB_TEXT_LIMIT),
    // GitHub cuts the bytes, then decodes them: invalid UTF-8 (and a character cut in two) comes back as U+FFFD.
    text: blob((data) => (isBinary(data) ? null : data.subarray(0, BLOB_TEXT_LIMIT).toString('utf8'))),
  },
  Tree: { oid },
  Commit: { oid },
  Tag: { oid },
}

const GIT_TYPES: Record<string, string> = { blob: 'Blob', tree: 'Tree', commit: 'Commit', tag: 'Tag' }

const fieldResolver: GraphQLFieldResolver<unknown, GraphqlBackend> = (source, args, backend, info) => {
  const resolve = RESOLVERS[info.parentType.name]?.[info.fieldName]
  if (!resolve) throw new Error(`fake does not implement ${info.parentType.name}.${info.fieldName}`)
  return resolve(source as never, args as Record<string, unknown>, backend)
}

const typeResolver: GraphQLTypeResolver<unknown, GraphqlBackend> = (value, _backend, info, abstractType) => {
  const source = value as Partial<ObjectSource>
  const type = source.__kind === 'GitObject' ? GIT_TYPES[source.object?.type ?? ''] : undefined
  if (!type) throw new Error(`fake does not resolve ${abstractType.name} for ${JSON.stringify(info.path.key)}`)
  return type
}

/** Executes a prepared query against GitHub's schema and the fake's repositories. */
export async function executeGraphql(request: PreparedGraphql, backend: GraphqlBackend): Promise<GraphqlAnswer> {
  if ('answer' in request) return request.answer
  const result = await execute({
    schema: githubSchema(),
    document: request.document,
    rootValue: {},
    contextValue: backend,
    variableValues: request.variables,
    operationName: request.operationName,
    fieldResolver,
    typeResolver,
  })
  const problems: string[] = []
  const errors = (result.errors ?? []).map((e): GraphQLFormattedError | Record<string, unknown> => {
    // GitHub's shape for a missing resource: a top-level `type`, no `extensions`.
    if (e.originalError instanceof NotFound) return { type: 'NOT_FOUND', path: e.path, locations: e.locations, message: e.message }
    problems.push(describe(e))
    return e.toJSON()
  })
  return { status: 200, body: { data: result.data ?? null, ...(errors.length ? { errors } : {}) }, problems: [...new Set(problems)] }
}

function describe(e: GraphQLError): string {
  const at = e.path?.length ? ` (at ${e.path.join('.')})` : e.locations?.[0] ? ` (at ${e.locations[0].line}:${e.locations[0].column})` : ''
  return `${e.message}${at}`
}
