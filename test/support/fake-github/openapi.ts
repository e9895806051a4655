/**
 * GitHub's official OpenAPI description (@octokit/openapi) as the fake's
 * referee: every request is matched to an operation (method + path
 * template), its path and query parameters are validated, and every response
 * body is validated against that operation's schema for the status sent.
 * A mismatch is a violation; tests fail on any.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

type Schema = Record<string, unknown>

interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  schema?: Schema
  'x-multi-segment'?: boolean
}

interface Operation {
  operationId: string
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> }
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>
}

export interface MatchedOperation {
  method: string
  template: string
  operation: Operation
  pathParams: Record<string, string>
}

interface Route {
  method: string
  template: string
  regex: RegExp
  names: string[]
  operation: Operation
}

let cached: { routes: Route[] } | undefined

/** Loaded once per process: the dereferenced description is ~70 MB of JSON. */
function load(): { routes: Route[] } {
  if (cached) return cached
  const require = createRequire(import.meta.url)
  const file = require.resolve('@octokit/openapi/generated/api.github.com.deref.json')
  const spec = JSON.parse(readFileSync(file, 'utf8')) as { paths: Record<string, Record<string, Operation>> }
  const routes: Route[] = []
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue
      const names: string[] = []
      const multi = new Set((operation.parameters ?? []).filter((p) => p['x-multi-segment']).map((p) => p.name))
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => {
        names.push(name)
        return multi.has(name) ? '(.+)' : '([^/]+)'
      })
      routes.push({ method: method.toUpperCase(), template, regex: new RegExp(`^${pattern}$`), names, operation })
    }
  }
  // Literal segments win over parameters (`/repos/{o}/{r}/git/trees/x` over a wider template).
  routes.sort((a, b) => b.template.replace(/\{[^}]+\}/g, '').length - a.template.replace(/\{[^}]+\}/g, '').length)
  cached = { routes }
  return cached
}

export function matchOperation(method: string, pathname: string): MatchedOperation | undefined {
  for (const route of load().routes) {
    if (route.method !== method) continue
    const m = route.regex.exec(pathname)
    if (!m) continue
    const pathParams: Record<string, string> = {}
    route.names.forEach((name, i) => (pathParams[name] = decodeURIComponent(m[i + 1] as string)))
    return { method, template: route.template, operation: route.operation, pathParams }
  }
  return undefined
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

export class OpenApiValidator {
  private readonly ajv: Ajv
  private readonly compiled = new Map<string, ValidateFunction>()

  constructor() {
    this.ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true })
    addFormats(this.ajv)
    // GitHub's own formats carry no checkable syntax beyond their type.
    for (const name of ['repo.nwo', 'timestamp', 'int32', 'int64', 'double', 'binary']) this.ajv.addFormat(name, true)
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    let fn = this.compiled.get(key)
    if (!fn) {
      fn = this.ajv.compile(normalise(schema) as Schema)
      this.compiled.set(key, fn)
    }
    return fn
  }

  /** Problems with the request's path and query parameters (empty when valid). */
  validateRequest(op: MatchedOperation, query: URLSearchParams): string[] {
    const problems: string[] = []
    const params = op.operation.parameters ?? []
    for (const p of params) {
      if (p.in === 'path') {
        const value = op.pathParams[p.name]
        if (value === undefined) problems.push(`path parameter ${p.name} missing`)
        else problems.push(...this.checkValue(op, p, value))
      } else if (p.in === 'query') {
        const value = query.get(p.name)
        if (value === null) {
          if (p.required) problems.push(`query parameter ${p.name} is required`)
          continue
        }
        problems.push(...this.checkValue(op, p, value))
      }
    }
    const known = new Set(params.filter((p) => p.in === 'query').map((p) => p.name))
    for (const name of query.keys()) if (!known.has(name)) problems.push(`unknown query parameter ${name}`)
    return problems
  }

  /** Problems with a request's JSON body (empty when valid, or when the operation takes none). */
  validateRequestBody(op: MatchedOperation, body: unknown): string[] {
    const schema = op.operation.requestBody?.content?.['application/json']?.schema
    if (!schema) return body === undefined ? [] : [`${op.method} ${op.template} takes no request body`]
    if (body === undefined) return op.operation.requestBody?.required ? ['request body is required'] : []
    const fn = this.validator(`${op.method} ${op.template} request`, schema)
    return fn(body) ? [] : [`request body of ${op.method} ${op.template}: ${this.ajv.errorsText(fn.errors, { dataVar: 'body' })}`]
  }

  private checkValue(op: MatchedOperation, p: Parameter, raw: string): string[] {
    if (!p.schema) return []
    const value = coerce(raw, p.schema)
    const fn = this.validator(`${op.method} ${op.template} param ${p.name}`, p.schema)
    return fn(value) ? [] : [`${p.in} parameter ${p.name}=${JSON.stringify(raw)}: ${this.ajv.errorsText(fn.errors)}`]
  }

  /** Problems with a response: an undocumented status, or a body that does not fit the documented schema. */
  validateResponse(op: MatchedOperation, status: number, body: unknown): string[] {
    const response = op.operation.responses[String(status)]
    if (!response) {
      // GitHub answers any operation with these; their body is GitHub's basic error.
      if ([304, 401, 403, 404, 429, 500, 502, 503].includes(status)) return status === 304 ? [] : checkBasicError(body)
      return [`status ${status} is not documented for ${op.method} ${op.template}`]
    }
    const schema = response.content?.['application/json']?.schema
    if (!schema) {
      if (body === undefined || body === '') return []
      // Some documented errors (422 on DELETE .../git/refs) omit the body GitHub really sends: its basic error.
      return status >= 400 ? checkBasicError(body) : [`status ${status} of ${op.method} ${op.template} has no body in the description`]
    }
    const fn = this.validator(`${op.method} ${op.template} ${status}`, schema)
    return fn(body) ? [] : [`response ${status} of ${op.method} ${op.template}: ${this.ajv.errorsText(fn.errors, { dataVar: 'body' })}`]
  }

  /** The response schema, for building minimal valid objects. */
  responseSchema(op: MatchedOperation, status = 200): Schema | undefined {
    return op.operation.responses[String(status)]?.content?.['application/json']?.schema
  }
}

/** OpenAPI 3.0's `nullable` without a `type` is not JSON Schema: spell it as `anyOf [..., null]`. */
function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise)
  if (!node || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) out[k] = k === 'example' || k === 'examples' ? v : normalise(v)
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable
    return { anyOf: [out, { type: 'null' }] }
  }
  return out
}

function checkBasicError(body: unknown): string[] {
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') return []
  return ['error body lacks a message']
}

function coerce(raw: string, schema: Schema): unknown {
  const type = schema.type
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw)
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true'
  return raw
}

/**
 * The smallest value a schema accepts: required properties only, nulls where
 * allowed. The fake overlays its real values on it, and the validator still
 * checks the result, so the overlay cannot drift from GitHub's description.
 */
export function skeleton(schema: Schema | undefined): unknown {
  if (!schema) return null
  if (Array.isArray(schema.allOf)) {
    const parts = (schema.allOf as Schema[]).map((s) => skeleton(s))
    return Object.assign({}, ...parts.filter((p) => p && typeof p === 'object'))
  }
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (alternatives?.length) return skeleton(alternatives[0])
  if (schema.nullable) return null
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      const props = (schema.properties ?? {}) as Record<string, Schema>
      for (const name of (schema.required ?? []) as string[]) out[name] = skeleton(props[name])
      return out
    }
    case 'array':
      return []
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0
    case 'boolean':
      return false
    case 'string':
      switch (schema.format) {
        case 'date-time':
          return '2020-01-01T00:00:00Z'
        case 'date':
          return '2020-01-01'
        case 'uri':
          return 'https://example.invalid/'
        case 'email':
          return 'noreply@example.invalid'
        case 'uri-template':
          return 'https://example.invalid/{x}'
        default:
          return ''
      }
    default:
      return null
  }
}
