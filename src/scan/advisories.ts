import { stat } from 'node:fs/promises'
import path from 'node:path'

import type { AdHocAdvisory } from '../advisory/adhoc.js'
import { AdvisoryDirectory } from '../advisory/directory.js'
import { loadAdvisory } from '../advisory/load.js'
import { mergeByAlias } from '../advisory/merge.js'
import type { RemoteOptions } from '../advisory/remote.js'
import type { Advisory } from '../advisory/types.js'
import type { ActionTagResolver } from './action-shas.js'
import { createMatcher, type Matcher } from './match.js'

export interface AdvisorySources extends RemoteOptions {
  /** Files, directories of OSV records, OSV or GHSA ids. */
  refs: readonly string[]
  adhoc?: AdHocAdvisory
  cwd?: string
  /** Resolve actions pinned to commit SHAs through their repositories' tags (git ls-remote). */
  actionTags?: ActionTagResolver
}

export interface LoadedAdvisories {
  advisories: Advisory[]
  directories: AdvisoryDirectory[]
  matcher: Matcher
}

/**
 * Every advisory a scan was asked about, merged by alias (a MAL record and the
 * GHSA of one incident are one advisory). Directories are kept as lazy
 * indexes: only the packages that occur are looked up in them.
 */
export async function loadScanAdvisories(sources: AdvisorySources): Promise<LoadedAdvisories> {
  const advisories: Advisory[] = []
  const directories: AdvisoryDirectory[] = []
  for (const ref of sources.refs) {
    const absolute = path.resolve(sources.cwd ?? process.cwd(), ref)
    const info = await stat(absolute).catch(() => undefined)
    if (info?.isDirectory()) {
      directories.push(new AdvisoryDirectory(absolute))
      continue
    }
    advisories.push(...(await loadAdvisory(ref, sources)))
  }
  if (sources.adhoc) advisories.push(...(await loadAdvisory(sources.adhoc, sources)))
  const merged = mergeByAlias(advisories)
  return { advisories: merged, directories, matcher: createMatcher(merged, directories, { actionTags: sources.actionTags }) }
}
