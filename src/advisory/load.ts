import { readFile, stat } from 'node:fs/promises'
import { resolve } from 'node:path'

import type { EcosystemId } from '../ecosystems/types.js'
import { AdvisoryError } from '../errors.js'
import { type AdHocAdvisory, adHocAdvisory } from './adhoc.js'
import { AdvisoryDirectory } from './directory.js'
import { mergeByAlias } from './merge.js'
import { parseJson, parseOsvDocument } from './osv.js'
import { type RemoteOptions, fetchGhsa, fetchOsvAdvisory, isGhsaId, isOsvId } from './remote.js'
import type { Advisory } from './types.js'

/** A file, a directory, an OSV or GHSA id, or an inline advisory. */
export type AdvisoryRef = string | AdHocAdvisory

export interface LoadAdvisoryOptions extends RemoteOptions {
  /** Resolve relative paths against this directory (default: the process's). */
  cwd?: string
  /** For a directory: only the advisories that name this package. */
  package?: { ecosystem: EcosystemId; name: string }
  /** For a directory: every record (reads every file). */
  all?: boolean
}

/**
 * Load the advisories a reference names, merged by alias:
 * - a path to an OSV JSON file (a record, an array of records, or `{"vulns": [...]}`);
 * - a directory of OSV records: those naming `options.package`, or every one with `options.all`;
 * - a GHSA id (GitHub's advisory endpoint and the OSV API, see fetchGhsa);
 * - another OSV id (`MAL-…`, `PYSEC-…`, `OSV-…`), from the OSV API;
 * - an inline `{package, ecosystem, affected}`.
 * An existing path wins over an id of the same spelling.
 */
export async function loadAdvisory(ref: AdvisoryRef, options: LoadAdvisoryOptions = {}): Promise<Advisory[]> {
  if (typeof ref !== 'string') return [adHocAdvisory(ref)]
  const text = ref.trim()
  if (!text) throw new AdvisoryError('advisory reference is empty; expected an OSV file, a directory of OSV records, or an advisory id')
  const path = resolve(options.cwd ?? process.cwd(), text)
  const info = await stat(path).catch(() => undefined)
  if (info?.isDirectory()) {
    const dir = new AdvisoryDirectory(path)
    if (options.package) return dir.forPackage(options.package.ecosystem, options.package.name)
    if (options.all) return dir.all()
    throw new AdvisoryError(`${text}: a directory of advisories holds many records; expected a package to look up or a request for all of them`, 'Pass --package and --ecosystem to look one package up.')
  }
  if (info?.isFile()) return loadAdvisoryFile(path, text)
  if (isGhsaId(text)) return [await fetchGhsa('GHSA' + text.slice(4).toLowerCase(), options)]
  if (isOsvId(text)) return [await fetchOsvAdvisory(text, options)]
  throw new AdvisoryError(
    `${text}: no such file or directory, and not an advisory id; expected an OSV file, a directory of OSV records, an OSV id (MAL-…, PYSEC-…) or a GHSA id`,
  )
}

/** One OSV JSON file; `label` is how messages name it (default its path). */
export async function loadAdvisoryFile(path: string, label = path): Promise<Advisory[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new AdvisoryError(`${label}: cannot read the advisory file (${(err as Error).message})`, undefined, err)
  }
  return mergeByAlias(parseOsvDocument(parseJson(text, label), label))
}
