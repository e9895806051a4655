import type { Versioning } from '../types.js'

/**
 * GitHub Actions refs: what follows `@` in `uses: owner/repo[/path]@ref`.
 *
 * - Version tags (`v4`, `v4.1.2`, `4.1.2`, `v1.0.0-beta.1`): the `v` is not
 *   significant (OSV records write `45.0.7` for the tag `v45.0.7`, `1` for `v1`)
 *   and they compare numerically part by part (`v4.10` > `v4.9`). Tags that are
 *   numerically equal but spelt with a different number of parts are distinct
 *   tags (`v4` is not `v4.0.0`); the shorter one sorts first, so the floating
 *   major `v4` sorts below every `4.x.y` and `[v4, v5)` is all of major 4.
 *   Prereleases sort below their release, as in SemVer.
 * - Full 40-hex commit SHAs, compared case-insensitively.
 * - Anything else is a branch (or another tag), compared as written.
 *
 * Total order: version tags < SHAs < branches.
 *
 * Ranges: `||` alternatives of comparators separated by spaces or commas,
 * each `>=`, `>`, `<=`, `<`, `=`/`==` or a bare ref (equality); `*` is any ref.
 */
const TAG = /^v?(\d+(?:\.\d+){0,3})(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/i
const SHA = /^[0-9a-f]{40}$/i
const COMPARATOR = /^(>=|<=|==|>|<|=)?\s*(\S+)$/

export interface ActionsTag {
  numbers: number[]
  prerelease?: string
}

export type ActionsRef = { kind: 'tag'; tag: ActionsTag } | { kind: 'sha'; sha: string } | { kind: 'branch'; name: string }

export function parseTag(ref: string): ActionsTag | undefined {
  const m = TAG.exec(ref.trim())
  if (!m?.[1]) return undefined
  return { numbers: m[1].split('.').map(Number), prerelease: m[2] }
}

export function isCommitSha(ref: string): boolean {
  return SHA.test(ref.trim())
}

export function parseRef(ref: string): ActionsRef {
  const r = ref.trim()
  if (isCommitSha(r)) return { kind: 'sha', sha: r.toLowerCase() }
  const tag = parseTag(r)
  if (tag) return { kind: 'tag', tag }
  return { kind: 'branch', name: r }
}

/** A floating tag (`v4`, `v4.1`): fewer than three numbers and no prerelease. */
export function isFloatingTag(ref: string): boolean {
  const tag = parseTag(ref)
  return tag !== undefined && tag.numbers.length < 3 && tag.prerelease === undefined
}

/** The refs a floating tag can stand for: `[v4, v5)` for `v4`, `[v4.1, v4.2)` for `v4.1`. */
export function floatingSpan(ref: string): { from: string; below: string } | undefined {
  if (!isFloatingTag(ref)) return undefined
  const numbers = parseTag(ref)!.numbers
  const next = [...numbers]
  next[next.length - 1] = (next[next.length - 1] ?? 0) + 1
  return { from: numbers.join('.'), below: next.join('.') }
}

function compareIdentifiers(a: string, b: string): number {
  const na = /^\d+$/.test(a)
  const nb = /^\d+$/.test(b)
  if (na && nb) return Math.sign(Number(a) - Number(b))
  if (na) return -1
  if (nb) return 1
  return a < b ? -1 : a > b ? 1 : 0
}

function comparePrerelease(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0
  if (a === undefined) return 1
  if (b === undefined) return -1
  const pa = a.split('.')
  const pb = b.split('.')
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (pa[i] === undefined) return -1
    if (pb[i] === undefined) return 1
    const c = compareIdentifiers(pa[i]!, pb[i]!)
    if (c !== 0) return c
  }
  return 0
}

export function compareTags(a: ActionsTag, b: ActionsTag): number {
  const len = Math.max(a.numbers.length, b.numbers.length, 3)
  for (let i = 0; i < len; i++) {
    const d = (a.numbers[i] ?? 0) - (b.numbers[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  if (a.numbers.length !== b.numbers.length) return Math.sign(a.numbers.length - b.numbers.length)
  return comparePrerelease(a.prerelease, b.prerelease)
}

const RANK = { tag: 0, sha: 1, branch: 2 } as const

function compareRefs(a: string, b: string): number {
  const x = parseRef(a)
  const y = parseRef(b)
  if (x.kind !== y.kind) return Math.sign(RANK[x.kind] - RANK[y.kind])
  if (x.kind === 'tag' && y.kind === 'tag') return compareTags(x.tag, y.tag)
  if (x.kind === 'sha' && y.kind === 'sha') return x.sha < y.sha ? -1 : x.sha > y.sha ? 1 : 0
  const p = (x as { name: string }).name
  const q = (y as { name: string }).name
  return p < q ? -1 : p > q ? 1 : 0
}

function isValidRef(ref: string): boolean {
  const r = ref.trim()
  if (r === '') return false
  // git check-ref-format, roughly: no spaces, control characters, `..`, `~^:?*[\`, `@{`.
  if (/[\s~^:?*[\\]|\.\.|@\{/.test(r)) return false
  if ([...r].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return false
  if (r.startsWith('/') || r.endsWith('/') || r.endsWith('.') || r.endsWith('.lock')) return false
  return true
}

type Comparator = { op: '>=' | '<=' | '>' | '<' | '='; ref: string }

function parseRange(range: string): Comparator[][] | undefined {
  const alternatives = range.split('||')
  const out: Comparator[][] = []
  for (const alt of alternatives) {
    const trimmed = alt.trim()
    if (trimmed === '' && alternatives.length > 1) return undefined
    const set: Comparator[] = []
    // `>= 1.0, < 2` and `>=1.0 <2`: glue operators to their refs, then split.
    const tokens = trimmed.replace(/(>=|<=|==|>|<|=)\s+/g, '$1').split(/[\s,]+/).filter(Boolean)
    for (const token of tokens) {
      if (token === '*') continue
      const m = COMPARATOR.exec(token)
      if (!m?.[2] || !isValidRef(m[2])) return undefined
      const op = m[1] === undefined || m[1] === '==' ? '=' : (m[1] as Comparator['op'])
      // Order comparisons make sense only between version tags.
      if (op !== '=' && !parseTag(m[2])) return undefined
      set.push({ op, ref: m[2] })
    }
    out.push(set)
  }
  return out
}

function test(version: string, c: Comparator): boolean {
  if (c.op === '=') return actionsVersioning.equals(version, c.ref)
  if (!parseTag(version)) return false
  const d = compareRefs(version, c.ref)
  switch (c.op) {
    case '>=':
      return d >= 0
    case '>':
      return d > 0
    case '<=':
      return d <= 0
    case '<':
      return d < 0
  }
}

export const actionsVersioning: Versioning = {
  /** GitHub owners and repositories are case-insensitive; a path inside the repository is not. */
  normaliseName(name: string): string {
    const parts = name.trim().split('/')
    const [owner, repo, ...rest] = parts
    if (repo === undefined) return name.trim().toLowerCase()
    return [owner!.toLowerCase(), repo.toLowerCase(), ...rest].join('/')
  },
  isValid(version: string): boolean {
    return isValidRef(version)
  },
  compare(a: string, b: string): number {
    return compareRefs(a, b)
  },
  equals(a: string, b: string): boolean {
    return compareRefs(a, b) === 0
  },
  satisfies(version: string, range: string): boolean {
    const parsed = parseRange(range)
    if (!parsed || !isValidRef(version)) return false
    return parsed.some((set) => set.every((c) => test(version, c)))
  },
  isValidRange(range: string): boolean {
    return parseRange(range) !== undefined
  },
}

/** The refs named in a range (its boundaries), for probing. */
export function actionsRangeVersions(range: string): string[] {
  return (parseRange(range) ?? []).flat().map((c) => c.ref)
}

/** Tags just around `ref`, for probing ranges with exclusive bounds. */
export function actionsNeighbours(ref: string): string[] {
  const tag = parseTag(ref)
  if (!tag) return [ref]
  const n = [...tag.numbers]
  while (n.length < 3) n.push(0)
  const out = [ref, n.join('.')]
  for (let i = n.length - 1; i >= 0; i--) {
    const next = n.slice(0, i + 1)
    next[i] = (next[i] ?? 0) + 1
    while (next.length < 3) next.push(0)
    out.push(next.join('.'))
  }
  return out
}
