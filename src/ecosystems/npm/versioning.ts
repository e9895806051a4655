import semver from 'semver'

import type { Versioning } from '../types.js'

/**
 * npm versions are SemVer 2.0 as npm reads them: a leading `v` or `=` is
 * accepted (`v1.2.3` is `1.2.3`), build metadata is ignored in comparison and
 * equality (`1.2.3+a` equals `1.2.3+b`), prereleases order below their release
 * (`1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0`).
 *
 * `satisfies()` has npm's own semantics (what `npm install` would accept for a
 * manifest range): a prerelease satisfies a range only when a comparator in the
 * same set names a prerelease of the same major.minor.patch, so `^5.6.0` does
 * not admit `5.7.0-beta.1`. Advisory ranges are evaluated by ordering instead
 * (an affected `5.7.0-beta.1` in a lockfile is affected whatever npm would pick):
 * see `npmInRange`.
 */
function clean(version: string): string | null {
  const v = version.trim().replace(/^[=v\s]+/i, '')
  return semver.valid(v)
}

function parseOrThrow(version: string): string {
  const v = clean(version)
  if (v === null) throw new TypeError(`not a valid npm version: ${JSON.stringify(version)}`)
  return v
}

function normaliseRange(range: string): string {
  return range.trim()
}

export const npmVersioning: Versioning = {
  normaliseName(name: string): string {
    return name.trim()
  },
  isValid(version: string): boolean {
    return clean(version) !== null
  },
  compare(a: string, b: string): number {
    return semver.compare(parseOrThrow(a), parseOrThrow(b))
  },
  equals(a: string, b: string): boolean {
    const x = clean(a)
    const y = clean(b)
    if (x === null || y === null) return a.trim() === b.trim()
    return semver.eq(x, y)
  },
  satisfies(version: string, range: string): boolean {
    const v = clean(version)
    if (v === null || !npmVersioning.isValidRange(range)) return false
    return semver.satisfies(v, normaliseRange(range))
  },
  isValidRange(range: string): boolean {
    return semver.validRange(normaliseRange(range)) !== null
  },
}

/** Ordering semantics: is `version` inside `range`, prereleases included? Used for advisory ranges. */
export function npmInRange(version: string, range: string): boolean {
  const v = clean(version)
  if (v === null || !npmVersioning.isValidRange(range)) return false
  return semver.satisfies(v, normaliseRange(range), { includePrerelease: true })
}

/** Does a manifest range admit any version of another range (an advisory's)? */
export function npmRangesIntersect(manifestRange: string, affectedRange: string): boolean {
  return semver.intersects(normaliseRange(manifestRange), normaliseRange(affectedRange), { includePrerelease: true })
}
