import path from 'node:path/posix'

import type { EcosystemId } from '../ecosystems/types.js'

const LOCKFILES: Record<EcosystemId, RegExp | undefined> = {
  npm: /^(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|shrinkwrap\.yaml|bun\.lock)$/,
  PyPI: /^(poetry\.lock|uv\.lock|Pipfile\.lock|pdm\.lock|pylock(\.[^/]+)?\.toml)$/,
  'GitHub Actions': undefined,
}

export function isLockfile(ecosystem: EcosystemId, file: string): boolean {
  return LOCKFILES[ecosystem]?.test(path.basename(file)) ?? false
}

/**
 * A manifest's ranges are superseded by a lockfile of the same ecosystem in its
 * own directory or an ancestor one (workspace roots hold the lockfile of every
 * member): the lockfile says what is really installed.
 */
export function lockedDirectories(files: readonly { path: string; ecosystem: EcosystemId }[]): Map<EcosystemId, Set<string>> {
  const out = new Map<EcosystemId, Set<string>>()
  for (const file of files) {
    if (!isLockfile(file.ecosystem, file.path)) continue
    let set = out.get(file.ecosystem)
    if (!set) out.set(file.ecosystem, (set = new Set()))
    set.add(path.dirname(file.path))
  }
  return out
}

export function hasLockfileAbove(locked: Map<EcosystemId, Set<string>>, ecosystem: EcosystemId, file: string): boolean {
  const dirs = locked.get(ecosystem)
  if (!dirs) return false
  let dir = path.dirname(file)
  for (;;) {
    if (dirs.has(dir)) return true
    if (dir === '.' || dir === '/' || dir === '') return false
    dir = path.dirname(dir)
  }
}
