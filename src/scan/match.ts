import type { AdvisoryDirectory } from '../advisory/directory.js'
import { isAffected, rangeAdmitsAffected } from '../advisory/match.js'
import type { Advisory, AffectedDecision } from '../advisory/types.js'
import { ecosystems } from '../ecosystems/index.js'
import type { EcosystemId } from '../ecosystems/types.js'
import type { ActionTagResolver } from './action-shas.js'

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
  prepare(packages: Iterable<{ ecosystem: EcosystemId; name: string; version?: string }>): Promise<void>
  /** Cheap pre-filter: does any advisory name this package? */
  interested(ecosystem: EcosystemId, name: string): boolean
  resolved(ecosystem: EcosystemId, name: string, version: string): Hit[]
  range(ecosystem: EcosystemId, name: string, range: string): Hit[]
}

export interface MatcherOptions {
  /** Resolves an action pinned to a commit SHA to the release tags that point to it. */
  actionTags?: ActionTagResolver
}

const SHA = /^[0-9a-f]{40}$/i

/** Indexes advisories by ecosystem and normalised name, so that each package costs one map look-up. */
export function createMatcher(advisories: readonly Advisory[], directories: readonly AdvisoryDirectory[] = [], options: MatcherOptions = {}): Matcher {
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
  const shaTags = new Map<string, string[] | undefined>()
  const candidates = (ecosystem: EcosystemId, name: string) => byName.get(keyOf(ecosystem, name)) ?? []
  const { actionTags } = options

  /** An action pinned to a SHA is affected when a tag the advisory lists points to that commit. */
  function decideSha(advisory: Advisory, name: string, sha: string): AffectedDecision {
    const direct = isAffected(advisory, 'GitHub Actions', name, sha)
    const key = `${name}@${sha}`.toLowerCase()
    if (!direct.unsupported || !actionTags || !shaTags.has(key)) return direct
    const tags = shaTags.get(key)
    if (tags === undefined) return { affected: false, unsupported: `${direct.unsupported}; the tags of ${name} could not be read: ${actionTags.failure(name) ?? 'unknown error'}` }
    if (tags.length === 0) return { affected: false, unsupported: `${sha} is not the commit of any current release tag of ${name}; check it by hand` }
    const decisions = tags.map((tag) => ({ tag, decision: isAffected(advisory, 'GitHub Actions', name, tag) }))
    const hit = decisions.find((d) => d.decision.affected)
    if (hit) return { affected: true, reason: `${sha} is the commit of tag ${hit.tag}` }
    const open = decisions.find((d) => d.decision.unsupported)
    return open ? { affected: false, unsupported: open.decision.unsupported } : { affected: false }
  }

  return {
    advisories: all,
    async prepare(packages) {
      for (const { ecosystem, name, version } of packages) {
        const key = keyOf(ecosystem, name)
        if (directories.length > 0 && !looked.has(key)) {
          looked.add(key)
          for (const directory of directories) (await directory.forPackage(ecosystem, name)).forEach(add)
        }
        if (actionTags && ecosystem === 'GitHub Actions' && version && SHA.test(version) && byName.has(key)) {
          const shaKey = `${name}@${version}`.toLowerCase()
          if (!shaTags.has(shaKey)) shaTags.set(shaKey, await actionTags.tagsAt(name, version))
        }
      }
    },
    interested: (ecosystem, name) => byName.has(keyOf(ecosystem, name)),
    resolved: (ecosystem, name, version) =>
      hits(candidates(ecosystem, name), (advisory) =>
        ecosystem === 'GitHub Actions' && SHA.test(version) ? decideSha(advisory, name, version) : isAffected(advisory, ecosystem, name, version),
      ),
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
