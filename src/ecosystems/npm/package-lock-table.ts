/**
 * The `packages` of a lockfileVersion 2/3 package-lock, as the reader needs
 * them: locations in document order, each entry's fields, dependency names
 * and key lines. Built by the JSON scanner in one pass over the text (the
 * common case), or from JSON.parse's object when the scanner declines the
 * text (tabs, CRs, invalid JSON: see json-scan.ts); both give the same table.
 */
import { isArrayIndex, JsonScanner, NotScannable } from '../json-scan.js'
import { ForwardLines, isRecord, lineColAt } from './common.js'

/** The fields of an entry the reader looks at; other types than these mean "absent". */
export interface LockFields {
  version?: unknown
  resolved?: unknown
  name?: unknown
  link?: unknown
  dev?: unknown
}

export interface PackagesTable {
  /** Keys of `packages`, in JSON.parse's Object.keys order. */
  readonly locations: readonly string[]
  /** By location index; undefined where the value is not an object. */
  readonly entries: readonly (LockFields | undefined)[]
  /** Location index by location. */
  readonly index: ReadonlyMap<string, number>
  /** Keys of the entry's dependencies, optionalDependencies, peerDependencies (and devDependencies). */
  depNames(i: number, withDev: boolean): string[]
  /** Lines of the wanted locations' keys. */
  lines(wanted: readonly number[]): (i: number) => number | undefined
  /** Line of one location's key, for the rare error. */
  keyLine(i: number): number | undefined
}

/** What the top level of a package-lock says, with its `packages` when that is an object. */
export interface ScannedLock {
  name: unknown
  lockfileVersion: unknown
  packages: PackagesTable
}

class ScannedEntry implements LockFields {
  version: string | undefined = undefined
  resolved: string | undefined = undefined
  name: string | undefined = undefined
  link = false
  dev = false
  /** Offsets of the dependency objects, -1 when absent. */
  dependencies = -1
  optionalDependencies = -1
  peerDependencies = -1
  devDependencies = -1
}

/**
 * Reads a package-lock with the scanner. Undefined when the scanner declines
 * the text or it has no `packages` object (lockfileVersion 1): read it with
 * JSON.parse then.
 */
export function scanPackageLock(text: string): ScannedLock | undefined {
  try {
    const s = JsonScanner.document(text)
    let name: unknown
    let lockfileVersion: unknown
    let packages: PackagesTable | undefined
    if (!s.enterObject()) return undefined
    do {
      s.key()
      if (s.keyIs('packages')) packages = s.peek() === 123 ? scanPackages(s) : (s.skip(), undefined)
      else if (s.keyIs('name')) name = s.string()
      else if (s.keyIs('lockfileVersion')) lockfileVersion = s.scalar()
      else if (s.keyIs('dependencies') && packages === undefined && !(typeof lockfileVersion === 'number' && lockfileVersion >= 2)) {
        // A v1 tree, most likely: JSON.parse reads it, no need to walk the rest first.
        return undefined
      } else s.skip()
    } while (s.nextMember())
    s.finish()
    return packages && { name, lockfileVersion, packages }
  } catch (error) {
    if (error instanceof NotScannable) return undefined
    throw error
  }
}

function scanPackages(s: JsonScanner): PackagesTable {
  const text = s.text
  let locations: string[] = []
  let entries: (ScannedEntry | undefined)[] = []
  let keyLines: number[] = []
  if (s.enterObject()) {
    do {
      keyLines.push(s.line)
      s.key()
      const location = s.keyText()
      if (isArrayIndex(location)) throw new NotScannable(s.pos)
      locations.push(location)
      entries.push(s.peek() === 123 ? scanEntry(s) : (s.skip(), undefined))
    } while (s.nextMember())
  }
  const { index, repeats } = indexOf(locations)
  if (repeats.length > 0) {
    // A repeated key: JSON.parse keeps its first place and its last value.
    const drop = new Set<number>()
    for (const [first, again] of repeats) {
      entries[first] = entries[again]
      drop.add(again)
    }
    const keep = (_: unknown, i: number) => !drop.has(i)
    locations = locations.filter(keep)
    entries = entries.filter(keep)
    keyLines = keyLines.filter(keep)
    return scannedTable(text, locations, entries, keyLines, indexOf(locations).index)
  }
  return scannedTable(text, locations, entries, keyLines, index)
}

/** Location index by location, and the keys met again: [first index, later index]. */
function indexOf(locations: readonly string[]): { index: Map<string, number>; repeats: [number, number][] } {
  const index = new Map<string, number>()
  for (let i = 0; i < locations.length; i++) {
    // One hash lookup per key, not a `get` then a `set`: this runs for every location.
    index.set(locations[i] as string, i)
    if (index.size !== i + 1) return indexWithRepeats(locations)
  }
  return { index, repeats: [] }
}

/** `indexOf` once a key is known to repeat (rare): a `get` before each `set`, still one pass. */
function indexWithRepeats(locations: readonly string[]): { index: Map<string, number>; repeats: [number, number][] } {
  const index = new Map<string, number>()
  const repeats: [number, number][] = []
  for (let i = 0; i < locations.length; i++) {
    const location = locations[i] as string
    const first = index.get(location)
    if (first === undefined) index.set(location, i)
    else repeats.push([first, i])
  }
  return { index, repeats }
}

function scannedTable(text: string, locations: string[], entries: (ScannedEntry | undefined)[], keyLines: number[], index: Map<string, number>): PackagesTable {
  const keysAt = (offset: number): string[] => {
    const scanner = JsonScanner.at(text, offset)
    scanner.skip()
    return Object.keys(JSON.parse(text.slice(offset, scanner.pos)) as object)
  }
  return {
    locations,
    entries,
    index,
    depNames(i, withDev) {
      const e = entries[i]
      const names: string[] = []
      if (e === undefined) return names
      for (const at of [e.dependencies, e.optionalDependencies, e.peerDependencies, withDev ? e.devDependencies : -1]) {
        if (at !== -1) for (const n of keysAt(at)) names.push(n)
      }
      return names
    },
    lines: () => (i) => keyLines[i],
    keyLine: (i) => keyLines[i],
  }
}

function scanEntry(s: JsonScanner): ScannedEntry {
  const e = new ScannedEntry()
  if (!s.enterObject()) return e
  do {
    s.key()
    if (s.keyIs('version')) e.version = s.string()
    else if (s.keyIs('resolved')) e.resolved = s.string()
    // The commonest key of all, skipped after three comparisons rather than ten.
    else if (s.keyIs('integrity')) s.skip()
    else if (s.keyIs('dev')) e.dev = s.isTrue()
    else if (s.keyIs('dependencies')) e.dependencies = s.objectAt()
    else if (s.keyIs('name')) e.name = s.string()
    else if (s.keyIs('link')) e.link = s.isTrue()
    else if (s.keyIs('optionalDependencies')) e.optionalDependencies = s.objectAt()
    else if (s.keyIs('peerDependencies')) e.peerDependencies = s.objectAt()
    else if (s.keyIs('devDependencies')) e.devDependencies = s.objectAt()
    else s.skip()
  } while (s.nextMember())
  return e
}

/** The same table from JSON.parse's `packages` object. */
export function parsedPackages(text: string, packages: Record<string, unknown>): PackagesTable {
  const locations = Object.keys(packages)
  const entries = locations.map((location) => {
    const value = packages[location]
    return isRecord(value) ? value : undefined
  })
  return {
    locations,
    entries,
    index: indexOf(locations).index,
    depNames(i, withDev) {
      const entry = entries[i]
      const names: string[] = []
      if (entry === undefined) return names
      for (const section of [entry.dependencies, entry.optionalDependencies, entry.peerDependencies, withDev ? entry.devDependencies : undefined]) {
        if (isRecord(section)) for (const n of Object.keys(section)) names.push(n)
      }
      return names
    },
    lines(wanted) {
      // Keys appear in the text in Object.keys order: one forward scan finds all the wanted ones.
      const keyLines = new KeyLines(text, findKey(text, 'packages', 0, true))
      // Indexed by location (0: not found), rather than a Map over every package.
      const found = new Int32Array(locations.length)
      for (const i of wanted) found[i] = keyLines.line(locations[i] as string, true) ?? 0
      return (i) => found[i] || undefined
    },
    keyLine(i) {
      const at = findKey(text, locations[i] as string, 0, false)
      return at === -1 ? undefined : lineColAt(text, at).line
    },
  }
}

/** Finds `"key":` at or after `from`, optionally followed by `{`; -1 when absent. */
export function findKey(text: string, key: string, from: number, object: boolean): number {
  const needle = `"${key}"`
  for (let i = text.indexOf(needle, from); i !== -1; i = text.indexOf(needle, i + needle.length)) {
    let j = i + needle.length
    while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13) j++
    if (text.charCodeAt(j) !== 58 /* : */) continue
    if (!object) return i
    j++
    while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13) j++
    if (text.charCodeAt(j) === 123 /* { */) return i
  }
  return -1
}

/**
 * Finds keys in document order and returns their lines. Gives up after a
 * number of misses, so a hostile file cannot make every lookup scan to the end.
 */
export class KeyLines {
  private pos: number
  private misses = 0
  private readonly lines: ForwardLines

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.pos = Math.max(0, start)
    this.lines = new ForwardLines(text)
  }

  line(key: string, object: boolean): number | undefined {
    if (this.misses > 100) return undefined
    const at = findKey(this.text, key, this.pos, object)
    if (at === -1) {
      this.misses++
      return undefined
    }
    this.pos = at + key.length + 2
    return this.lines.lineAt(at)
  }
}
