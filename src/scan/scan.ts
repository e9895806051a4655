import path from 'node:path/posix'

import { ecosystems } from '../ecosystems/index.js'
import type { Extraction, FileProblem } from '../ecosystems/types.js'
import { hasLockfileAbove, lockedDirectories } from './lockfiles.js'
import type { Hit, Matcher } from './match.js'
import type { RepoSnapshot } from './snapshot.js'
import { SCAN_SCHEMA, type Finding, type ScanError, type ScanPackage, type ScanRepo, type ScanResult } from './types.js'

export interface ScanOptions {
  /** Advisories to match against; without one, a scan only inventories. */
  matcher?: Matcher
  /** List every resolved package (`--inventory`). */
  inventory?: boolean
  signal?: AbortSignal
  onFile?: (repo: string, file: string) => void
}

export interface RepoScan {
  repo: ScanRepo
  packages: ScanPackage[]
  findings: Finding[]
  errors: ScanError[]
}

/** Most includes nest a level or two; a longer chain is a loop or hostile. */
const MAX_INCLUDES_PER_REPO = 1000

/**
 * Reads and extracts every manifest and lockfile of one repository and
 * matches what they resolve against the advisories. Per-file problems become
 * errors and the scan goes on: a file that was not read is never "clean".
 */
export async function scanSnapshot(snapshot: RepoSnapshot, options: ScanOptions = {}): Promise<RepoScan> {
  const repoName = snapshot.name
  const result: RepoScan = {
    repo: { name: repoName, ref: snapshot.ref, commit: snapshot.commit, files: [] },
    packages: [],
    findings: [],
    errors: snapshot.errors.map((e) => toScanError(repoName, e)),
  }
  const locked = lockedDirectories(snapshot.files)
  const seen = new Set(snapshot.files.map((f) => f.path))
  const queue = [...snapshot.files]
  let includeCount = 0
  while (queue.length > 0) {
    options.signal?.throwIfAborted()
    const file = queue.shift() as (typeof queue)[number]
    options.onFile?.(repoName, file.path)
    const read = await file.read()
    result.repo.files.push(file.path)
    if (!read.ok) {
      result.errors.push({ repo: repoName, file: file.path, line: read.line, message: read.message })
      continue
    }
    const ecosystem = ecosystems[file.ecosystem]
    let extraction: Extraction
    try {
      extraction = ecosystem.extract({ path: file.path, content: read.content })
    } catch (error) {
      // Extractors return problems as values; a throw is a bug, still never a silent clean.
      result.errors.push({ repo: repoName, file: file.path, message: `could not be parsed: ${(error as Error).message}` })
      continue
    }
    for (const problem of extraction.errors) result.errors.push(toScanError(repoName, problem))
    await options.matcher?.prepare([...extraction.packages, ...extraction.ranges])
    collect(result, repoName, extraction, options, hasLockfileAbove(locked, file.ecosystem, file.path))

    const followed = snapshot.readOther ? (extraction.includes ?? []) : []
    for (const include of followed) {
      if (seen.has(include)) continue
      seen.add(include)
      if (++includeCount > MAX_INCLUDES_PER_REPO) {
        result.errors.push({ repo: repoName, file: file.path, message: `more than ${MAX_INCLUDES_PER_REPO} included files; the rest were not read` })
        break
      }
      if (include.startsWith('../') || path.isAbsolute(include)) {
        result.errors.push({ repo: repoName, file: file.path, message: `includes ${include}, which is outside the repository; not read` })
        continue
      }
      queue.push({
        path: include,
        ecosystem: file.ecosystem,
        kind: 'include',
        read: async () => (await snapshot.readOther?.(include)) ?? { ok: false, message: `included by ${file.path} but not found` },
      })
    }
  }
  return result
}

function collect(result: RepoScan, repo: string, extraction: Extraction, options: ScanOptions, locked: boolean): void {
  const matcher = options.matcher
  for (const pkg of extraction.packages) {
    if (options.inventory) {
      result.packages.push({
        repo,
        file: pkg.file,
        line: pkg.line,
        ecosystem: pkg.ecosystem,
        name: pkg.name,
        version: pkg.version,
        direct: pkg.direct,
        dev: pkg.dev,
        ...(pkg.paths ? { paths: pkg.paths } : {}),
      })
    }
    if (!matcher?.interested(pkg.ecosystem, pkg.name)) continue
    record(result, repo, matcher.resolved(pkg.ecosystem, pkg.name, pkg.version), { ...pkg, certainty: 'resolved', paths: pkg.paths ?? [[pkg.name]] })
  }
  // A lockfile beside (or above) the manifest says what is installed; its ranges add nothing.
  if (!matcher || locked) return
  for (const req of extraction.ranges) {
    if (!matcher.interested(req.ecosystem, req.name)) continue
    const site = { ...req, version: req.range, direct: true, certainty: 'range' as const, paths: [[req.name]] }
    record(result, repo, matcher.range(req.ecosystem, req.name, req.range), site)
  }
}

type Site = Omit<Finding, 'advisory' | 'repo'>

/** Each hit becomes a finding; one that could not be decided becomes an error to check by hand. */
function record(result: RepoScan, repo: string, hits: readonly Hit[], site: Site): void {
  for (const hit of hits) {
    if (hit.unsupported) {
      const what = site.certainty === 'range' ? `${site.name} ${site.version}` : `${site.name}@${site.version}`
      result.errors.push({ repo, file: site.file, line: site.line, message: `${what}: ${hit.advisory} cannot be evaluated (${hit.unsupported}); check it by hand` })
      continue
    }
    result.findings.push({
      advisory: hit.advisory,
      repo,
      file: site.file,
      line: site.line,
      ecosystem: site.ecosystem,
      name: site.name,
      version: site.version,
      direct: site.direct,
      dev: site.dev,
      certainty: site.certainty,
      paths: site.paths,
    })
  }
}

function toScanError(repo: string, problem: FileProblem): ScanError {
  return { repo, file: problem.file, ...(problem.line !== undefined ? { line: problem.line } : {}), message: problem.message }
}

export function emptyResult(): ScanResult {
  return { schema: SCAN_SCHEMA, repos: [], findings: [], errors: [] }
}

/** Folds one repository's scan into the run's result, in a stable order. */
export function addRepoScan(result: ScanResult, scan: RepoScan, inventory: boolean): void {
  result.repos.push(scan.repo)
  if (inventory) (result.packages ??= []).push(...scan.packages)
  result.findings.push(...scan.findings)
  result.errors.push(...scan.errors)
}
