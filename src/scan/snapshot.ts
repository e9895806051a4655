import type { EcosystemId, FileProblem } from '../ecosystems/types.js'
import type { ReadOutcome } from '../sources/local/read.js'

/** One file of a repository that an ecosystem reads, readable on demand (from disk, git or the API). */
export interface RepoFile {
  path: string
  ecosystem: EcosystemId
  kind: string
  read(): Promise<ReadOutcome>
}

/**
 * What a source (local directory, GitHub, a clone) hands the scanner: the
 * repository's identity and its manifest and lockfile paths. Sources differ
 * in how they list and read; the scan is the same for all.
 */
export interface RepoSnapshot {
  name: string
  ref?: string
  commit?: string
  files: RepoFile[]
  /** Problems met while listing (unreadable directories, links not followed). */
  errors: FileProblem[]
  /** Reads a file that no ecosystem matched by name but another file includes (`-r base.txt`). */
  readOther?(path: string): Promise<ReadOutcome | undefined>
}
