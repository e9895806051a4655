import type { EcosystemId } from './types.js'

/**
 * The ecosystem a user named (flags, playbook inputs): OSV names in any case
 * and common spellings. Kept apart from the registry so that code that only
 * needs names (advisories) does not load every extractor.
 */
export function parseEcosystemId(value: string): EcosystemId | undefined {
  const v = value.trim().toLowerCase().replace(/[\s_-]+/g, ' ')
  if (v === 'npm') return 'npm'
  if (v === 'pypi' || v === 'pip' || v === 'python') return 'PyPI'
  if (v === 'github actions' || v === 'actions' || v === 'gha') return 'GitHub Actions'
  return undefined
}
