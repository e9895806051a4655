import { parseTag } from '../ecosystems/github-actions/versioning.js'
import { AdvisoryError } from '../errors.js'
import { userEcosystemId, versionKits } from './ecosystems.js'
import type { Advisory, AffectedPackage } from './types.js'

/** An advisory given inline: flags (`--package --ecosystem --affected`) or playbook inputs. */
export interface AdHocAdvisory {
  package: string
  ecosystem: string
  /** The ecosystem's own range syntax (`>=5.6.1 <5.6.2`, `==2.0.1`, `1.0.1 || 1.0.2`) or a comma list of exact versions. */
  affected: string
}

const OPERATOR = /^\s*(\^|~|[<>=!]=?|===|~=|\*)/

/**
 * The advisory for one package. A list of exact versions (`5.6.1, 5.6.2` or
 * `1.0.1 || 1.0.2`) becomes an OSV `versions` list; anything else must be a
 * valid range in the ecosystem's syntax and is kept as written (`specifiers`).
 * Its id is `ADHOC-<ecosystem>-<name>`, e.g. `ADHOC-npm-chalk`.
 */
export function adHocAdvisory(spec: AdHocAdvisory): Advisory {
  const where = 'ad-hoc advisory'
  const ecosystemId = userEcosystemId(spec.ecosystem ?? '')
  if (!ecosystemId) {
    throw new AdvisoryError(`${where}: unknown ecosystem "${spec.ecosystem}"; expected npm, PyPI or "GitHub Actions"`, 'Pass --ecosystem npm, --ecosystem pypi or --ecosystem actions.')
  }
  const name = (spec.package ?? '').trim()
  if (!name) throw new AdvisoryError(`${where}: expected a package name (--package)`)
  const affected = (spec.affected ?? '').trim()
  if (!affected) throw new AdvisoryError(`${where}: expected the affected versions (--affected), e.g. "5.6.1" or ">=5.6.1 <5.6.2"`)
  const kit = versionKits[ecosystemId]
  const items = affected.split(/\s*(?:,|\|\|)\s*/).filter((s) => s !== '')
  const exact = items.every((item) => !OPERATOR.test(item) && !/\s/.test(item) && isExact(ecosystemId, item))
  const entry: AffectedPackage = {
    ecosystem: ecosystemId,
    ecosystemId,
    name,
    normalisedName: kit.versioning.normaliseName(name),
    versions: [],
    ranges: [],
  }
  if (exact) {
    entry.versions = items
  } else if (kit.versioning.isValidRange(affected)) {
    entry.specifiers = [affected]
  } else {
    throw new AdvisoryError(
      `${where}: --affected "${affected}" is neither a valid ${ecosystemId} range nor a comma list of exact versions`,
      ecosystemId === 'npm' ? 'e.g. "5.6.1, 5.6.2" or ">=5.6.1 <5.6.2"' : ecosystemId === 'PyPI' ? 'e.g. "2.0.1, 2.0.2" or ">=2.0,<2.1"' : 'e.g. "v1, v1.2.3" or "<=45.0.7"',
    )
  }
  return {
    id: `ADHOC-${ecosystemId.replace(/\s+/g, '-')}-${name}`,
    aliases: [],
    summary: `${name} (${ecosystemId}) ${affected}`,
    references: [],
    affected: [entry],
    source: 'inline',
  }
}

function isExact(ecosystemId: AffectedPackage['ecosystemId'] & string, item: string): boolean {
  const kit = versionKits[ecosystemId]
  if (ecosystemId === 'GitHub Actions') return kit.versioning.isValid(item) && (parseTag(item) !== undefined || !/[<>=*]/.test(item))
  return kit.versioning.isValid(item) && !item.includes('*')
}
