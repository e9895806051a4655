/**
 * The one ecosystem contract. Adding an ecosystem means adding a folder under
 * src/ecosystems/ that exports an `Ecosystem`, and a line in ./index.ts.
 */
export type EcosystemId = 'npm' | 'PyPI' | 'GitHub Actions'

export const ECOSYSTEM_IDS: readonly EcosystemId[] = ['npm', 'PyPI', 'GitHub Actions']

/** A file as read from a repository: path relative to the repository root, with `/` separators. */
export interface SourceFile {
  path: string
  content: string
}

/** A package at a resolved version, as a file records it. */
export interface Package {
  ecosystem: EcosystemId
  /** npm names as written; PyPI names normalised per PEP 503. */
  name: string
  /** Exact version as written, `=1.2.3` / `v1.2.3` spelt `1.2.3` in manifests. */
  version: string
  /** Path of the file relative to the scanned root. */
  file: string
  /** 1-based line where the entry is declared, when known. */
  line?: number
  /** Declared by the project itself (manifest, or a root dependency in the lockfile). */
  direct: boolean
  /** Only needed for development (devDependencies, dev groups, `dev: true` in a lockfile). */
  dev: boolean
  /** Dependency paths from the project root to this package, when the lockfile records the tree. Each path ends with the package name. */
  paths?: string[][]
}

/**
 * A requirement in a manifest that names a range rather than a version
 * (`^5.6.0`, `>=2.0,<3`, `@v4` branch refs are versions, not ranges).
 * Not a resolved version: it becomes a finding with certainty "range"
 * only when it admits an affected version.
 */
export interface RangeRequirement {
  ecosystem: EcosystemId
  name: string
  /** The range in the ecosystem's own syntax, as written. */
  range: string
  file: string
  line?: number
  dev: boolean
}

/** A per-file problem: the file was not (fully) read. Never a silent "clean". */
export interface FileProblem {
  file: string
  line?: number
  message: string
}

export interface Extraction {
  /** Which format was read, e.g. "package-lock.json@3", "yarn.lock@berry". */
  kind: string
  packages: Package[]
  ranges: RangeRequirement[]
  errors: FileProblem[]
  /** Files this one includes (requirements `-r`/`-c`), relative to the scanned root. */
  includes?: string[]
}

export interface Versioning {
  /** Normalise a package name for comparison (PEP 503 for PyPI; identity for npm). */
  normaliseName(name: string): string
  /** Is this a valid version in the ecosystem's syntax? */
  isValid(version: string): boolean
  /** Total order over valid versions; negative if a < b. */
  compare(a: string, b: string): number
  /** Are two spellings the same version (`1.0` and `1.0.0` in PEP 440)? */
  equals(a: string, b: string): boolean
  /** Does `version` satisfy `range` in the ecosystem's own range syntax? */
  satisfies(version: string, range: string): boolean
  /** Is `range` valid in the ecosystem's own syntax? */
  isValidRange(range: string): boolean
}

export interface Ecosystem {
  id: EcosystemId
  /** Does this ecosystem read this file (by its repository-relative path)? Returns the file kind. */
  matches(path: string): string | undefined
  /** Pure: parse the text, return packages and per-file problems as values. */
  extract(file: SourceFile): Extraction
  versions: Versioning
}
