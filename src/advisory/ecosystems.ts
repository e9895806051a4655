import { actionsNeighbours, actionsRangeVersions, actionsVersioning } from '../ecosystems/github-actions/versioning.js'
import { npmInRange, npmRangesIntersect, npmVersioning } from '../ecosystems/npm/versioning.js'
import { pypiInRange, pypiNeighbours, pypiRangeVersions, pypiVersioning } from '../ecosystems/pypi/versioning.js'
import type { EcosystemId, Versioning } from '../ecosystems/types.js'

/**
 * What the matcher needs from an ecosystem beyond `Versioning`. The versioning
 * modules are imported directly (not through src/ecosystems/index.ts) so that
 * advisories do not depend on the extractors.
 */
export interface VersionKit {
  id: EcosystemId
  versioning: Versioning
  /** Is `version` inside an advisory range in the ecosystem's syntax, by ordering (prereleases included)? */
  inRange(version: string, range: string): boolean
  /** Versions named by a range, to probe intersections. */
  rangeVersions(range: string): string[]
  /** Versions at and just above `version`, to probe ranges with exclusive bounds. */
  neighbours(version: string): string[]
  /** Low versions to probe ranges with no lower bound. */
  lowest: string[]
  /** Exact intersection of two ranges when the ecosystem's library has one (npm). */
  intersects?(manifestRange: string, affectedRange: string): boolean
}

export const versionKits: Readonly<Record<EcosystemId, VersionKit>> = {
  npm: {
    id: 'npm',
    versioning: npmVersioning,
    inRange: npmInRange,
    rangeVersions: () => [],
    neighbours: (v) => [v],
    lowest: ['0.0.0-0', '0.0.0'],
    intersects: npmRangesIntersect,
  },
  PyPI: {
    id: 'PyPI',
    versioning: pypiVersioning,
    inRange: pypiInRange,
    rangeVersions: pypiRangeVersions,
    neighbours: pypiNeighbours,
    lowest: ['0.dev0', '0', '0.0.1'],
  },
  'GitHub Actions': {
    id: 'GitHub Actions',
    versioning: actionsVersioning,
    inRange: (version, range) => actionsVersioning.satisfies(version, range),
    rangeVersions: actionsRangeVersions,
    neighbours: actionsNeighbours,
    lowest: ['0', '0.0.0', '0.0.1'],
  },
}

/** The ecosystem of an OSV `affected[].package.ecosystem` value, when firebreak reads it. */
export function osvEcosystemId(ecosystem: string): EcosystemId | undefined {
  const base = ecosystem.split(':', 1)[0]!.trim().toLowerCase()
  if (base === 'npm') return 'npm'
  if (base === 'pypi') return 'PyPI'
  if (base === 'github actions') return 'GitHub Actions'
  return undefined
}

/** The ecosystem a user named (flags, playbook inputs). */
export { parseEcosystemId as userEcosystemId } from '../ecosystems/ids.js'
