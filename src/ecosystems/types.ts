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
  /** Text edits that move `change.name` to `change.to` (or exclude the affected versions), keeping formatting. */
  pin?(file: SourceFile, change: Change): EditResult
  /** Text edits that delete `change.name` from every section of the file. */
  remove?(file: SourceFile, change: Change): EditResult
}

/** A package manager as a lockfile shows it; decides the override section and the relock command. */
export type PackageManager = 'npm' | 'yarn' | 'yarn-berry' | 'pnpm' | 'bun' | 'pip' | 'poetry' | 'uv' | 'pdm' | 'pipenv'

/**
 * What to change about one dependency in one file. Serialisable: a plan
 * carries it. Affected versions are given as values (not a predicate) so the
 * edit functions stay pure and the plan can be printed.
 */
export interface Change {
  /** The dependency, as the advisory names it (compared normalised). */
  name: string
  /** The version to move to. */
  to: string
  /** Affected versions known exactly (from the advisory's `versions` and from what was found). */
  affected: string[]
  /** Affected ranges in the ecosystem's own syntax (npm `>=20.9.0 <=20.12.0`, PEP 440 `>=8.3.41,<=8.3.42`). */
  affectedRanges?: string[]
  /** Versions (or refs) actually found: npm override selectors, the refs an action pin replaces. */
  found?: string[]
  /** npm: add an override at the workspace root (a transitive finding), in this package manager's section. */
  override?: PackageManager
  /** npm: the package is also a direct dependency of the root; npm wants `$name` (EOVERRIDE). */
  overrideReference?: boolean
  /** PyPI: sha256 digests of `to`, for requirements that carry `--hash`. Undefined: not fetched. */
  hashes?: string[]
  /** GitHub Actions: the 40-hex commit the tag `to` pointed to, verified by the caller. */
  sha?: string
}

/** One replacement on the original text: `[start, end)` becomes `text`. */
export interface Replacement {
  start: number
  end: number
  text: string
}

/** A text edit of one file that keeps its formatting: replacements on the original content. */
export interface Edit {
  file: string
  /** Sorted by `start`, not overlapping. */
  replacements: Replacement[]
  /** One line for commit messages and plans: `chalk ^5.6.0 -> ^5.6.2 in dependencies`. */
  description: string
  /** Per dependency entry changed: what it was and what it becomes (`to` undefined when removed). */
  changes: { name: string; from: string; to?: string }[]
}

/** An edit that cannot be made safely; the file must be left untouched (e.g. hashes could not be fetched). */
export interface EditRefusal {
  refused: string
}

/** `undefined`: the file does not declare the dependency in a way that needs changing. */
export type EditResult = Edit | EditRefusal | undefined

export function isRefusal(result: EditResult): result is EditRefusal {
  return result !== undefined && 'refused' in result
}

/** A command for the repository's own package manager: an argument array, never a shell line. */
export interface Command {
  tool: PackageManager
  /** argv[0]: a path (the project's node_modules/.bin) or a name looked up on PATH. */
  command: string
  args: string[]
  /** Directory relative to the repository root. */
  cwd: string
  env?: Record<string, string>
}
