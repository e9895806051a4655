import type { EcosystemId } from '../ecosystems/types.js'
import { AdvisoryError } from '../errors.js'
import { versionKits } from './ecosystems.js'
import type { AffectedPackage, Advisory, OsvEvent, OsvRange } from './types.js'

/**
 * GitHub's global security advisories (`GET /advisories/{ghsa_id}`) into the
 * OSV model, the way GitHub's own OSV export writes them:
 * `vulnerable_version_range` `>= 1.0, < 1.2` becomes introduced 1.0 / fixed 1.2,
 * `<= 45.0.7` introduced 0 / last_affected 45.0.7 (fixed first_patched_version
 * when there is one), `= 0.7.29` the version 0.7.29 (plus introduced 0.7.29 /
 * fixed first_patched_version when there is one). A `>` bound has no OSV
 * equivalent and is kept as a range in the ecosystem's own syntax.
 */
const ECOSYSTEMS: Record<string, { osv: string; id?: EcosystemId }> = {
  npm: { osv: 'npm', id: 'npm' },
  pip: { osv: 'PyPI', id: 'PyPI' },
  actions: { osv: 'GitHub Actions', id: 'GitHub Actions' },
  rubygems: { osv: 'RubyGems' },
  maven: { osv: 'Maven' },
  nuget: { osv: 'NuGet' },
  composer: { osv: 'Packagist' },
  go: { osv: 'Go' },
  rust: { osv: 'crates.io' },
  erlang: { osv: 'Hex' },
  pub: { osv: 'Pub' },
  swift: { osv: 'SwiftURL' },
}

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function patchedVersion(value: unknown): string | undefined {
  if (typeof value === 'string') return str(value)
  // Older API answers: { "identifier": "1.2.3" }.
  if (isObject(value)) return str(value.identifier)
  return undefined
}

interface Bound {
  op: string
  version: string
}

function parseBounds(range: string, source: string): Bound[] {
  return range
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(>=|<=|>|<|=)\s*(\S+)$/.exec(part)
      if (!m) throw new AdvisoryError(`${source}: vulnerable_version_range "${range}": expected comparisons such as ">= 1.0, < 1.2" or "= 1.0.1"`)
      return { op: m[1]!, version: m[2]! }
    })
}

function convertRange(range: string, patched: string | undefined, source: string): Pick<AffectedPackage, 'versions' | 'ranges' | 'specifiers'> {
  const bounds = parseBounds(range, source)
  const eq = bounds.find((b) => b.op === '=')
  if (eq) {
    const ranges: OsvRange[] = patched ? [{ type: 'ECOSYSTEM', events: [{ introduced: eq.version }, { fixed: patched }] }] : []
    return { versions: [eq.version], ranges }
  }
  if (bounds.some((b) => b.op === '>')) return { versions: [], ranges: [], specifiers: [bounds.map((b) => `${b.op}${b.version}`).join(' ')] }
  const lower = bounds.find((b) => b.op === '>=')
  const upper = bounds.find((b) => b.op === '<' || b.op === '<=')
  const events: OsvEvent[] = [{ introduced: lower?.version ?? '0' }]
  if (patched) events.push({ fixed: patched })
  else if (upper?.op === '<') events.push({ fixed: upper.version })
  else if (upper?.op === '<=') events.push({ last_affected: upper.version })
  return { versions: [], ranges: [{ type: 'ECOSYSTEM', events }] }
}

/** A parsed GitHub global advisory into the model. */
export function convertGithubAdvisory(value: unknown, source: string): Advisory {
  if (!isObject(value)) throw new AdvisoryError(`${source}: expected a GitHub advisory object`)
  const id = str(value.ghsa_id)
  if (!id) throw new AdvisoryError(`${source}: expected a GitHub advisory with a "ghsa_id"`)
  const aliases = new Set<string>()
  if (str(value.cve_id)) aliases.add(value.cve_id as string)
  if (Array.isArray(value.identifiers)) {
    for (const ident of value.identifiers) if (isObject(ident) && str(ident.value) && ident.value !== id) aliases.add(ident.value as string)
  }
  const vulnerabilities = Array.isArray(value.vulnerabilities) ? value.vulnerabilities : []
  const affected: AffectedPackage[] = vulnerabilities.map((vuln, i) => {
    const where = `${source}: vulnerabilities[${i}]`
    if (!isObject(vuln) || !isObject(vuln.package)) throw new AdvisoryError(`${where}: expected an object with a package`)
    const githubEcosystem = str(vuln.package.ecosystem)
    const name = str(vuln.package.name)
    if (!githubEcosystem || !name) throw new AdvisoryError(`${where}.package: expected an ecosystem and a name`)
    const eco = ECOSYSTEMS[githubEcosystem.toLowerCase()] ?? { osv: githubEcosystem }
    const range = str(vuln.vulnerable_version_range)
    const patched = patchedVersion(vuln.first_patched_version)
    const converted = range ? convertRange(range, patched, where) : { versions: [], ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }] }] }
    const entry: AffectedPackage = {
      ecosystem: eco.osv,
      name,
      normalisedName: eco.id ? versionKits[eco.id].versioning.normaliseName(name) : name,
      ...converted,
    }
    if (eco.id) entry.ecosystemId = eco.id
    return entry
  })
  const references = [
    ...(str(value.html_url) ? [{ type: 'ADVISORY', url: value.html_url as string }] : []),
    ...(Array.isArray(value.references) ? value.references.filter((r): r is string => typeof r === 'string').map((url) => ({ type: 'WEB', url })) : []),
  ]
  const advisory: Advisory = { id, aliases: [...aliases], references, affected, source }
  if (str(value.summary)) advisory.summary = value.summary as string
  if (str(value.description)) advisory.details = value.description as string
  if (str(value.published_at)) advisory.published = value.published_at as string
  if (str(value.updated_at)) advisory.modified = value.updated_at as string
  if (str(value.withdrawn_at)) advisory.withdrawn = value.withdrawn_at as string
  return advisory
}
