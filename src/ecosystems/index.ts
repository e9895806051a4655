import { githubActions } from './github-actions/index.js'
import { npm } from './npm/index.js'
import { pypi } from './pypi/index.js'
import type { Ecosystem, EcosystemId } from './types.js'

/** The explicit registry: every ecosystem firebreak knows, by OSV ecosystem name. */
export const ecosystems: Readonly<Record<EcosystemId, Ecosystem>> = {
  npm,
  PyPI: pypi,
  'GitHub Actions': githubActions,
}

export function ecosystemFor(path: string): { ecosystem: Ecosystem; kind: string } | undefined {
  for (const ecosystem of Object.values(ecosystems)) {
    const kind = ecosystem.matches(path)
    if (kind) return { ecosystem, kind }
  }
  return undefined
}

export { parseEcosystemId } from './ids.js'
