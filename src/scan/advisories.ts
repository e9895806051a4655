import { stat } from 'node:fs/promises'
import path from 'node:path'

import type { AdHocAdvisory } from '../advisory/adhoc.js'
import { AdvisoryDirectory } from '../advisory/directory.js'
import { loadAdvisory } from '../advisory/load.js'
import { mergeByAlias } from '../advisory/merge.js'
import type { RemoteOptions } from '../advisory/remote.js'
import type { Advisory } from '../advisory/types.js'
import type { JournalRecord } from '../runner/journal.js'
import { createActionTagResolver, type ActionTagResolver } from './action-shas.js'
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

/** The advisory keys of a scan step's `with`, as the playbook gave them and the journal recorded them. */
export interface ScanStepWith {
  advisory?: string | string[]
  package?: string
  ecosystem?: string
  affected?: string
  'osv-api-url'?: string
  'api-url'?: string
  'git-base-url'?: string
}

/** Where a scan step's advisories come from; later steps load them again the same way. */
export function advisorySourcesOf(w: ScanStepWith): AdvisorySources {
  const refs = w.advisory === undefined ? [] : Array.isArray(w.advisory) ? w.advisory : [w.advisory]
  return {
    refs: refs.filter((r) => typeof r === 'string' && r.trim() !== ''),
    adhoc: typeof w.package === 'string' ? { package: w.package, ecosystem: w.ecosystem ?? '', affected: w.affected ?? '' } : undefined,
    osvApiUrl: w['osv-api-url'],
    apiUrl: w['api-url'],
    actionTags: createActionTagResolver({ gitBaseUrl: w['git-base-url'] }),
  }
}

/** The advisories of a run's last scan step, loaded again from the `with` its journal recorded; undefined with no scan step. */
export async function loadRunAdvisories(records: readonly JournalRecord[]): Promise<LoadedAdvisories | undefined> {
  const start = [...records].reverse().find((r) => r.type === 'step-start' && r.uses === 'scan')
  if (start?.type !== 'step-start') return undefined
  return loadScanAdvisories(advisorySourcesOf((start.with ?? {}) as ScanStepWith))
}
