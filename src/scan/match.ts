import type { AdvisoryDirectory } from '../advisory/directory.js'
import { isAffected, rangeAdmitsAffected } from '../advisory/match.js'
import type { Advisory, AffectedDecision } from '../advisory/types.js'
import { ecosystems } from '../ecosystems/index.js'
import type { EcosystemId } from '../ecosystems/types.js'

export interface Hit {
  advisory: string
  /** Set when the advisory could not be evaluated for this version: never read as "not affected". */
  unsupported?: string
}

export interface Matcher {
  advisories: readonly Advisory[]
  /**
   * Loads what the matcher needs for these packages before they are matched:
   * a directory of tens of thousands of records is read only for names that occur.
   */
  prepare(packages: Iterable<{ ecosystem: EcosystemId; name: string }>): Promise<void>
  /** Cheap pre-filter: does any advisory name this package? */
  interested(ecosystem: EcosystemId, name: string): boolean
  resolved(ecosystem: EcosystemId, name: string, version: string): Hit[]
  range(ecosystem: EcosystemId, name: string, range: string): Hit[]
}

/** Indexes advisories by ecosystem and normalised name, so that each package costs one map look-up. */
export function createMatcher(advisories: readonly Advisory[], directories: readonly AdvisoryDirectory[] = []): Matcher {
  const all: Advisory[] = []
  const byName = new Map<string, Advisory[]>()
  const add = (advisory: Advisory) => {
    if (all.some((a) => a.id === advisory.id)) return
    all.push(advisory)
    for (const affected of advisory.affected) {
      if (!affected.ecosystemId) continue
      const key = keyOf(affected.ecosystemId, affected.name)
      const list = byName.get(key) ?? []
      if (!list.includes(advisory)) list.push(advisory)
      byName.set(key, list)
    }
  }
  advisories.forEach(add)
  const looked = new Set<string>()
  const candidates = (ecosystem: EcosystemId, name: string) => byName.get(keyOf(ecosystem, name)) ?? []
  return {
    advisories: all,
    async prepare(packages) {
      if (directories.length === 0) return
      for (const { ecosystem, name } of packages) {
        const key = keyOf(ecosystem, name)
        if (looked.has(key)) continue
        looked.add(key)
        for (const directory of directories) (await directory.forPackage(ecosystem, name)).forEach(add)
      }
    },
    interested: (ecosystem, name) => byName.has(keyOf(ecosystem, name)),
    resolved: (ecosystem, name, version) => hits(candidates(ecosystem, name), (advisory) => isAffected(advisory, ecosystem, name, version)),
    range: (ecosystem, name, range) => hits(candidates(ecosystem, name), (advisory) => rangeAdmitsAffected(advisory, ecosystem, name, range)),
  }
}

/** An undecidable answer is kept as a hit with its reason: never read as "not affected". */
function hits(advisories: readonly Advisory[], decide: (advisory: Advisory) => AffectedDecision): Hit[] {
  const out: Hit[] = []
  for (const advisory of advisories) {
    const decision = decide(advisory)
    if (decision.unsupported) out.push({ advisory: advisory.id, unsupported: decision.unsupported })
    else if (decision.affected) out.push({ advisory: advisory.id })
  }
  return out
}

function keyOf(ecosystem: EcosystemId, name: string): string {
  return `${ecosystem}\u0000${ecosystems[ecosystem].versions.normaliseName(name)}`
}
