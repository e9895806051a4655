import { floatingSpan, isCommitSha, parseRef } from '../ecosystems/github-actions/versioning.js'
import type { EcosystemId } from '../ecosystems/types.js'
import { type VersionKit, versionKits } from './ecosystems.js'
import type { AffectedDecision, AffectedPackage, Advisory, OsvEvent, OsvRange } from './types.js'

/**
 * "Is this version affected?" with OSV semantics, exactly as the schema's
 * evaluation pseudocode (https://ossf.github.io/osv-schema/#evaluation):
 * a version is affected when it equals one in `versions`, or when one range
 * includes it (events sorted, `introduced: "0"` below everything, `fixed` and
 * `last_affected` closing, `limit` capping). GIT ranges and versions that
 * cannot be ordered give `unsupported`, never a silent "not affected".
 */

type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit'
interface Event {
  kind: EventKind
  version: string
}

/** A contiguous set of affected versions derived from a range. `lo` undefined: from the lowest version. */
export interface Interval {
  lo?: string
  hi?: string
  hiInclusive: boolean
}

const ORDER: Record<EventKind, number> = { introduced: 0, fixed: 1, last_affected: 2, limit: 3 }

function eventOf(e: OsvEvent): Event {
  const kind = Object.keys(e)[0] as EventKind
  return { kind, version: (e as Record<string, string>)[kind]! }
}

function isZero(e: Event): boolean {
  return e.kind === 'introduced' && e.version === '0'
}

function isInfinity(e: Event): boolean {
  return e.kind === 'limit' && e.version.includes('*')
}

/** Every version a range names must be valid for the ecosystem, else the range cannot be evaluated. */
function invalidVersion(kit: VersionKit, range: OsvRange): string | undefined {
  for (const raw of range.events) {
    const e = eventOf(raw)
    if (isZero(e) || isInfinity(e)) continue
    if (!kit.versioning.isValid(e.version)) return e.version
  }
  return undefined
}

function sortedEvents(kit: VersionKit, range: OsvRange): Event[] {
  return range.events.map(eventOf).sort((a, b) => {
    if (isZero(a) || isZero(b)) return isZero(a) === isZero(b) ? 0 : isZero(a) ? -1 : 1
    if (isInfinity(a) || isInfinity(b)) return isInfinity(a) === isInfinity(b) ? 0 : isInfinity(a) ? 1 : -1
    return kit.versioning.compare(a.version, b.version) || ORDER[a.kind] - ORDER[b.kind]
  })
}

function beforeLimits(kit: VersionKit, version: string, events: Event[]): boolean {
  const limits = events.filter((e) => e.kind === 'limit')
  if (limits.length === 0) return true
  return limits.some((e) => isInfinity(e) || kit.versioning.compare(version, e.version) < 0)
}

/** The schema's IncludedInRanges for one SEMVER/ECOSYSTEM range. */
function rangeIncludes(kit: VersionKit, range: OsvRange, version: string): boolean {
  const events = sortedEvents(kit, range)
  if (!beforeLimits(kit, version, events)) return false
  let vulnerable = false
  for (const e of events) {
    if (e.kind === 'introduced' && (isZero(e) || kit.versioning.compare(version, e.version) >= 0)) vulnerable = true
    else if (e.kind === 'fixed' && kit.versioning.compare(version, e.version) >= 0) vulnerable = false
    else if (e.kind === 'last_affected' && kit.versioning.compare(version, e.version) > 0) vulnerable = false
  }
  return vulnerable
}

/** The same range as intervals (for intersections and safe versions). */
export function rangeIntervals(kit: VersionKit, range: OsvRange): Interval[] {
  const events = sortedEvents(kit, range)
  const limits = events.filter((e) => e.kind === 'limit')
  const cap = limits.length === 0 || limits.some(isInfinity) ? undefined : limits.map((e) => e.version).sort((a, b) => kit.versioning.compare(b, a))[0]
  const out: Interval[] = []
  let open: { lo?: string } | undefined
  for (const e of events) {
    if (e.kind === 'introduced') {
      if (!open) open = isZero(e) ? {} : { lo: e.version }
    } else if (e.kind === 'fixed' && open) {
      out.push({ ...open, hi: e.version, hiInclusive: false })
      open = undefined
    } else if (e.kind === 'last_affected' && open) {
      out.push({ ...open, hi: e.version, hiInclusive: true })
      open = undefined
    }
  }
  if (open) out.push({ ...open, hiInclusive: false })
  if (cap === undefined) return out
  return out.flatMap((i) => {
    if (i.lo !== undefined && kit.versioning.compare(i.lo, cap) >= 0) return []
    if (i.hi === undefined || kit.versioning.compare(i.hi, cap) >= 0) return [{ ...i, hi: cap, hiInclusive: false }]
    return [i]
  })
}

function inInterval(kit: VersionKit, i: Interval, version: string): boolean {
  if (!kit.versioning.isValid(version)) return false
  if (i.lo !== undefined && kit.versioning.compare(version, i.lo) < 0) return false
  if (i.hi === undefined) return true
  const d = kit.versioning.compare(version, i.hi)
  return i.hiInclusive ? d <= 0 : d < 0
}

function entriesFor(advisory: Advisory, ecosystemId: EcosystemId, name: string): AffectedPackage[] {
  const normalised = versionKits[ecosystemId].versioning.normaliseName(name)
  return advisory.affected.filter((a) => a.ecosystemId === ecosystemId && a.normalisedName === normalised)
}

function withdrawnDecision(advisory: Advisory): AffectedDecision {
  return { affected: false, withdrawn: advisory.withdrawn, reason: `advisory ${advisory.id} was withdrawn on ${advisory.withdrawn}` }
}

function decide(affected: boolean, unsupported: string[], reason?: string): AffectedDecision {
  if (affected) return reason ? { affected, reason } : { affected }
  if (unsupported.length > 0) return { affected: false, unsupported: [...new Set(unsupported)].join('; ') }
  return { affected: false }
}

function gitUnsupported(range: OsvRange): string {
  return `GIT range${range.repo ? ` on ${range.repo}` : ''} cannot be evaluated without the repository's history`
}

/** Is `name@version` affected by the advisory? Names are compared normalised (PEP 503, GitHub owner/repo case). */
export function isAffected(advisory: Advisory, ecosystemId: EcosystemId, name: string, version: string): AffectedDecision {
  if (advisory.withdrawn) return withdrawnDecision(advisory)
  const kit = versionKits[ecosystemId]
  const entries = entriesFor(advisory, ecosystemId, name)
  if (entries.length === 0) return { affected: false }
  if (ecosystemId === 'GitHub Actions') {
    const special = actionsRefDecision(kit, entries, version)
    if (special) return special
  }
  const unsupported: string[] = []
  const valid = kit.versioning.isValid(version)
  for (const entry of entries) {
    if (entry.versions.some((v) => kit.versioning.equals(v, version))) return { affected: true }
    for (const range of entry.ranges) {
      if (range.type === 'GIT') {
        unsupported.push(gitUnsupported(range))
        continue
      }
      if (!valid) {
        unsupported.push(`"${version}" is not a valid ${ecosystemId} version, so ${range.type} ranges cannot be evaluated`)
        continue
      }
      const bad = invalidVersion(kit, range)
      if (bad !== undefined) {
        unsupported.push(`the range version "${bad}" is not a valid ${ecosystemId} version`)
        continue
      }
      if (rangeIncludes(kit, range, version)) return { affected: true }
    }
    for (const spec of entry.specifiers ?? []) {
      if (kit.inRange(version, spec)) return { affected: true }
    }
  }
  return decide(false, unsupported)
}

/**
 * GitHub Actions refs that are not plain version tags. A commit SHA is
 * affected when listed; otherwise only resolving it to the tags that pointed to
 * it (through the source) can tell, so it is `unsupported`. A branch cannot be
 * placed in version ranges. A floating tag (`v45`) is affected when any version
 * it can stand for is (`[45, 46)` meets `last_affected: 45.0.7`): a moving tag
 * may have pointed at an affected release during the incident.
 */
function actionsRefDecision(kit: VersionKit, entries: AffectedPackage[], version: string): AffectedDecision | undefined {
  const ref = parseRef(version)
  const hasOrdered = entries.some((e) => e.ranges.length > 0 || (e.specifiers?.length ?? 0) > 0)
  if (ref.kind === 'sha') {
    if (entries.some((e) => e.versions.some((v) => isCommitSha(v) && kit.versioning.equals(v, version)))) return { affected: true }
    if (entries.some((e) => e.ranges.some((r) => r.type === 'GIT' && r.events.some((ev) => kit.versioning.equals(eventOf(ev).version, version))))) {
      return { affected: true }
    }
    return {
      affected: false,
      unsupported: `commit ${version} is not listed; resolve it to the tags that pointed to it to decide`,
    }
  }
  if (ref.kind === 'branch') {
    if (entries.some((e) => e.versions.some((v) => kit.versioning.equals(v, version)))) return { affected: true }
    if (hasOrdered) return { affected: false, unsupported: `branch "${version}" cannot be placed in version ranges; resolve it to a commit to decide` }
    return { affected: false }
  }
  const span = floatingSpan(version)
  if (!span) return undefined
  if (entries.some((e) => e.versions.some((v) => kit.versioning.equals(v, version)))) return { affected: true }
  const spanRange = `>=${span.from} <${span.below}`
  const decision = admits(kit, entries, (v) => kit.versioning.satisfies(v, spanRange), [span.from, ...kit.neighbours(span.from)], 'GitHub Actions')
  if (decision.affected) return { affected: true, reason: `floating tag ${version} can point to an affected release` }
  return decision
}

type Predicate = (version: string) => boolean

/** Does any affected version of these entries satisfy `accepts`? Probes boundaries and their neighbours. */
function admits(kit: VersionKit, entries: AffectedPackage[], accepts: Predicate, extraProbes: string[], ecosystemId: EcosystemId, manifestRange?: string): AffectedDecision {
  const unsupported: string[] = []
  for (const entry of entries) {
    if (entry.versions.some((v) => accepts(v))) return { affected: true }
    for (const range of entry.ranges) {
      if (range.type === 'GIT') {
        unsupported.push(gitUnsupported(range))
        continue
      }
      const bad = invalidVersion(kit, range)
      if (bad !== undefined) {
        unsupported.push(`the range version "${bad}" is not a valid ${ecosystemId} version`)
        continue
      }
      for (const interval of rangeIntervals(kit, range)) {
        if (manifestRange !== undefined && kit.intersects) {
          if (kit.intersects(manifestRange, intervalRange(interval))) return { affected: true }
          continue
        }
        const probes = [interval.lo, interval.hiInclusive ? interval.hi : undefined, ...extraProbes, ...kit.lowest]
          .filter((p): p is string => p !== undefined)
          .flatMap((p) => kit.neighbours(p))
        if (probes.some((p) => inInterval(kit, interval, p) && accepts(p))) return { affected: true }
      }
    }
    for (const spec of entry.specifiers ?? []) {
      if (manifestRange !== undefined && kit.intersects) {
        if (kit.intersects(manifestRange, spec)) return { affected: true }
        continue
      }
      const probes = [...kit.rangeVersions(spec), ...extraProbes, ...kit.lowest].flatMap((p) => kit.neighbours(p))
      if (probes.some((p) => kit.inRange(p, spec) && accepts(p))) return { affected: true }
    }
  }
  return decide(false, unsupported)
}

/** An interval as an npm range (used with semver.intersects). */
function intervalRange(i: Interval): string {
  const parts: string[] = []
  if (i.lo !== undefined) parts.push(`>=${i.lo}`)
  if (i.hi !== undefined) parts.push(`${i.hiInclusive ? '<=' : '<'}${i.hi}`)
  return parts.length ? parts.join(' ') : '*'
}

/**
 * Does a manifest range (`^5.6.0`, `>=2.0,<3`, Poetry `^1.2`, `*`) admit any
 * affected version? Listed versions are tested one by one with the
 * ecosystem's own `satisfies` (what the package manager would accept); OSV
 * ranges are intersected (semver.intersects for npm; for PEP 440 and tags, by
 * probing the boundary versions of both ranges and the versions just above).
 */
export function rangeAdmitsAffected(advisory: Advisory, ecosystemId: EcosystemId, name: string, range: string): AffectedDecision {
  if (advisory.withdrawn) return withdrawnDecision(advisory)
  const kit = versionKits[ecosystemId]
  if (!kit.versioning.isValidRange(range)) return { affected: false, unsupported: `"${range}" is not a valid ${ecosystemId} range` }
  const entries = entriesFor(advisory, ecosystemId, name)
  if (entries.length === 0) return { affected: false }
  return admits(kit, entries, (v) => kit.versioning.isValid(v) && kit.versioning.satisfies(v, range), kit.rangeVersions(range), ecosystemId, range)
}

/**
 * The version to pin to: the lowest `fixed` above the found version that is not
 * itself affected; else the newest of `knownVersions` (from a registry, when the
 * caller has one) that is not affected, skipping prereleases unless the found
 * version is one; else undefined (the playbook must name it).
 */
export function safeVersion(advisory: Advisory, ecosystemId: EcosystemId, name: string, foundVersion: string, knownVersions?: readonly string[]): string | undefined {
  if (advisory.withdrawn) return undefined
  const kit = versionKits[ecosystemId]
  const v = kit.versioning
  const entries = entriesFor(advisory, ecosystemId, name)
  const clean = (version: string) => {
    const decision = isAffected(advisory, ecosystemId, name, version)
    return !decision.affected && !decision.unsupported
  }
  const known = (knownVersions ?? []).filter((k) => v.isValid(k))
  if (v.isValid(foundVersion)) {
    const fixed = entries
      .flatMap((e) => e.ranges.filter((r) => r.type !== 'GIT' && invalidVersion(kit, r) === undefined))
      .flatMap((r) => r.events.map(eventOf))
      .filter((e) => e.kind === 'fixed' && v.compare(e.version, foundVersion) > 0)
      .map((e) => e.version)
      .sort((a, b) => v.compare(a, b))
    for (const candidate of fixed) {
      if (clean(candidate)) return known.find((k) => v.equals(k, candidate)) ?? candidate
    }
  }
  const allowPrerelease = isPrerelease(ecosystemId, foundVersion)
  const newest = known
    .filter((k) => allowPrerelease || !isPrerelease(ecosystemId, k))
    .filter(clean)
    .sort((a, b) => v.compare(b, a))[0]
  return newest
}

function isPrerelease(ecosystemId: EcosystemId, version: string): boolean {
  if (ecosystemId === 'npm') return /^[=v\s]*\d+\.\d+\.\d+-/.test(version.trim())
  if (ecosystemId === 'PyPI') return /(a|b|c|rc|alpha|beta|pre|preview|dev)\d*/i.test(version.replace(/\+.*$/, ''))
  const ref = parseRef(version)
  return ref.kind !== 'tag' || ref.tag.prerelease !== undefined
}
