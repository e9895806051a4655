import type { EcosystemId } from '../ecosystems/types.js'

/** One event of an OSV range, exactly one key set (OSV schema). */
export type OsvEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string }

export interface OsvRange {
  type: 'SEMVER' | 'ECOSYSTEM' | 'GIT'
  repo?: string
  events: OsvEvent[]
}

export interface AffectedPackage {
  /** OSV ecosystem name as written in the record (may be one firebreak does not read). */
  ecosystem: string
  /** Set when the ecosystem is one firebreak reads. */
  ecosystemId?: EcosystemId
  /** Name as written in the record. */
  name: string
  /** Name normalised by the ecosystem (PEP 503 for PyPI). */
  normalisedName: string
  versions: string[]
  ranges: OsvRange[]
  /**
   * Not OSV: ranges in the ecosystem's own syntax (`>=5.6.1 <5.6.2`, `^1.2`),
   * from an ad-hoc advisory or a GHSA range with no OSV equivalent (`> 1.0`).
   * A version is affected when it lies in one (prereleases included).
   */
  specifiers?: string[]
}

export interface Reference {
  type: string
  url: string
}

/** The normalised advisory: one OSV record, or several records of one incident merged by alias. */
export interface Advisory {
  id: string
  aliases: string[]
  summary?: string
  details?: string
  published?: string
  modified?: string
  withdrawn?: string
  references: Reference[]
  affected: AffectedPackage[]
  /** Where it was loaded from: a file path, a URL, or "inline". */
  source: string
}

/** The answer to "is this version affected?". */
export interface AffectedDecision {
  affected: boolean
  /** Set when the record could not be fully evaluated (e.g. GIT ranges): never read as "not affected". */
  unsupported?: string
  /** Set when the advisory is withdrawn (its date): not affected, and the caller should say why. */
  withdrawn?: string
  /** Why, in a few words, when it is not obvious (a floating tag, a withdrawn record). */
  reason?: string
}
