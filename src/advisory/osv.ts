import { AdvisoryError } from '../errors.js'
import { osvEcosystemId, versionKits } from './ecosystems.js'
import type { AffectedPackage, Advisory, OsvEvent, OsvRange, Reference } from './types.js'

/**
 * Reading OSV records (https://ossf.github.io/osv-schema/) into the normalised
 * model. Strict where matching depends on it (events, range types, versions),
 * lenient about fields firebreak does not read (severity, credits, *_specific).
 */
type Json = Record<string, unknown>

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fail(source: string, path: string, expected: string, value?: unknown): never {
  const got = value === undefined ? '' : `, got ${describe(value)}`
  throw new AdvisoryError(`${source}: ${path}: expected ${expected}${got}`, 'Check that the file is an OSV record (https://ossf.github.io/osv-schema/).')
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
  return typeof value
}

function optionalString(source: string, record: Json, key: string, path: string): string | undefined {
  const value = record[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') fail(source, `${path}${key}`, 'a string', value)
  return value
}

function stringArray(source: string, value: unknown, path: string): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) fail(source, path, 'an array of strings', value)
  return value.map((item, i) => {
    if (typeof item !== 'string') fail(source, `${path}[${i}]`, 'a string', item)
    return item
  })
}

function parseEvent(source: string, value: unknown, path: string): OsvEvent {
  if (!isObject(value)) fail(source, path, 'an object with one of introduced, fixed, last_affected, limit', value)
  const keys = EVENT_KEYS.filter((k) => value[k] !== undefined)
  if (keys.length !== 1) fail(source, path, `exactly one of ${EVENT_KEYS.join(', ')} (found ${keys.length ? keys.join(', ') : 'none'})`)
  const key = keys[0]!
  const version = value[key]
  if (typeof version !== 'string' || version === '') fail(source, `${path}.${key}`, 'a version string', version)
  return { [key]: version } as OsvEvent
}

function parseRange(source: string, value: unknown, path: string): OsvRange {
  if (!isObject(value)) fail(source, path, 'a range object', value)
  const type = value.type
  if (type !== 'SEMVER' && type !== 'ECOSYSTEM' && type !== 'GIT') fail(source, `${path}.type`, 'SEMVER, ECOSYSTEM or GIT', type)
  if (!Array.isArray(value.events) || value.events.length === 0) fail(source, `${path}.events`, 'a non-empty array of events', value.events)
  const events = value.events.map((e, i) => parseEvent(source, e, `${path}.events[${i}]`))
  if (!events.some((e) => 'introduced' in e)) fail(source, `${path}.events`, 'at least one "introduced" event')
  const range: OsvRange = { type, events }
  const repo = optionalString(source, value, 'repo', `${path}.`)
  if (repo !== undefined) range.repo = repo
  return range
}

function parseAffected(source: string, value: unknown, path: string): AffectedPackage {
  if (!isObject(value)) fail(source, path, 'an object', value)
  let ecosystem = ''
  let name = ''
  if (value.package !== undefined) {
    if (!isObject(value.package)) fail(source, `${path}.package`, 'an object with ecosystem and name', value.package)
    const eco = value.package.ecosystem
    const n = value.package.name
    if (typeof eco !== 'string' || eco === '') fail(source, `${path}.package.ecosystem`, 'an ecosystem name such as "npm" or "PyPI"', eco)
    if (typeof n !== 'string' || n === '') fail(source, `${path}.package.name`, 'a package name', n)
    ecosystem = eco
    name = n
  }
  if (value.ranges !== undefined && !Array.isArray(value.ranges)) fail(source, `${path}.ranges`, 'an array', value.ranges)
  const ranges = ((value.ranges as unknown[] | undefined) ?? []).map((r, i) => parseRange(source, r, `${path}.ranges[${i}]`))
  const versions = stringArray(source, value.versions, `${path}.versions`)
  if (value.package === undefined && !ranges.some((r) => r.type === 'GIT')) fail(source, `${path}.package`, 'a package (only GIT-range entries may omit it)')
  const ecosystemId = osvEcosystemId(ecosystem)
  const entry: AffectedPackage = {
    ecosystem,
    name,
    normalisedName: ecosystemId ? versionKits[ecosystemId].versioning.normaliseName(name) : name,
    versions,
    ranges,
  }
  if (ecosystemId) entry.ecosystemId = ecosystemId
  return entry
}

function parseReferences(source: string, value: unknown): Reference[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) fail(source, 'references', 'an array', value)
  return value.map((ref, i) => {
    if (!isObject(ref) || typeof ref.url !== 'string') fail(source, `references[${i}]`, 'an object with a url', ref)
    return { type: typeof ref.type === 'string' ? ref.type : 'WEB', url: ref.url }
  })
}

/** One OSV record (parsed JSON) into the model; `source` names where it came from, for messages. */
export function parseOsvRecord(value: unknown, source: string): Advisory {
  if (!isObject(value)) fail(source, '(top level)', 'an OSV record (a JSON object)', value)
  const id = value.id
  if (typeof id !== 'string' || id.trim() === '') fail(source, 'id', 'an advisory id such as "MAL-2025-46969"', id)
  if (value.affected !== undefined && !Array.isArray(value.affected)) fail(source, 'affected', 'an array', value.affected)
  const affected = ((value.affected as unknown[] | undefined) ?? []).map((a, i) => parseAffected(source, a, `affected[${i}]`))
  const advisory: Advisory = {
    id,
    aliases: stringArray(source, value.aliases, 'aliases').filter((a) => a !== id),
    references: parseReferences(source, value.references),
    affected,
    source,
  }
  const summary = optionalString(source, value, 'summary', '')
  const details = optionalString(source, value, 'details', '')
  const published = optionalString(source, value, 'published', '')
  const modified = optionalString(source, value, 'modified', '')
  const withdrawn = optionalString(source, value, 'withdrawn', '')
  if (summary !== undefined) advisory.summary = summary
  if (details !== undefined) advisory.details = details
  if (published !== undefined) advisory.published = published
  if (modified !== undefined) advisory.modified = modified
  if (withdrawn !== undefined) advisory.withdrawn = withdrawn
  return advisory
}

/**
 * The records in a parsed JSON document: one record, an array of records, or
 * an OSV API query answer (`{"vulns": [...]}`).
 */
export function parseOsvDocument(value: unknown, source: string): Advisory[] {
  if (Array.isArray(value)) return value.map((v, i) => parseOsvRecord(v, `${source}[${i}]`))
  if (isObject(value) && Array.isArray(value.vulns) && value.id === undefined) {
    return value.vulns.map((v, i) => parseOsvRecord(v, `${source}: vulns[${i}]`))
  }
  return [parseOsvRecord(value, source)]
}

export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new AdvisoryError(`${source}: not valid JSON (${(err as Error).message}); expected an OSV record`, undefined, err)
  }
}
