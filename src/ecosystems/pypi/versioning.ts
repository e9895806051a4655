import * as pep440 from '@renovatebot/pep440'

import type { Versioning } from '../types.js'
import { normalizePypiName } from './names.js'

/**
 * PEP 440 versions via @renovatebot/pep440: `1.0` equals `1.0.0`, epochs
 * (`1!1.0` > `2.0`), pre/post/dev releases (`1.0.dev1 < 1.0a1 < 1.0 < 1.0.post1`),
 * local versions (`1.0+abc` > `1.0`, and `==1.0` admits `1.0+abc`).
 *
 * Ranges are PEP 440 specifiers (`>=2.0,<3`, `~=1.4`, `==1.*`) and, because
 * pyproject Poetry sections reach the matcher too, Poetry constraints:
 * `^1.2.3` (>=1.2.3,<2.0.0), `~1.2` (>=1.2,<1.3), a bare `1.2.3` (==1.2.3),
 * `*`, space- or comma-separated conjunctions and `||` alternatives.
 *
 * `satisfies()` follows pip: a prerelease matches only when a specifier names a
 * prerelease. Advisory ranges use `pypiInRange`, which includes prereleases.
 */
const TOKEN = /(\^|~=|~|===|==|!=|<=|>=|<|>|=)?\s*([^\s,|^~=<>!]+)/g

function explain(version: string): pep440.Pep440Version | null {
  try {
    return pep440.explain(version.trim())
  } catch {
    return null
  }
}

function upper(release: number[], index: number, epoch: number): string {
  const parts = release.slice(0, index + 1)
  parts[index] = (parts[index] ?? 0) + 1
  return (epoch ? `${epoch}!` : '') + parts.join('.')
}

/** One Poetry/PEP 440 conjunction, as PEP 440 specifiers; undefined when invalid. */
function translateConjunction(text: string): string[] | undefined {
  const trimmed = text.trim()
  if (trimmed === '' || trimmed === '*') return []
  const out: string[] = []
  let consumed = ''
  for (const match of trimmed.matchAll(TOKEN)) {
    const op = match[1] ?? ''
    const version = match[2] ?? ''
    consumed += match[0]
    if (version === '*' && op === '') continue
    if (op === '^' || op === '~') {
      const v = explain(version)
      if (!v) return undefined
      const release = v.release
      let index: number
      if (op === '^') {
        index = release.findIndex((n) => n !== 0)
        if (index === -1 || index > release.length - 1) index = release.length - 1
      } else {
        index = release.length >= 2 ? 1 : 0
      }
      out.push(`>=${version}`, `<${upper(release, index, v.epoch)}`)
    } else if (op === '' || op === '=') {
      out.push(`==${version}`)
    } else {
      out.push(`${op}${version}`)
    }
  }
  // Anything the tokenizer skipped (stray operators, `|` inside) makes the range invalid.
  if (consumed.replace(/[\s,]/g, '') !== trimmed.replace(/[\s,]/g, '')) return undefined
  const spec = out.join(',')
  if (!pep440.validRange(spec)) return undefined
  return out
}

/** Translate a PEP 440 or Poetry range into PEP 440 specifier alternatives (OR of ANDs). */
export function pypiRangeAlternatives(range: string): string[] | undefined {
  const alternatives = range.split(/\s*\|\|?\s*/)
  const out: string[] = []
  for (const alt of alternatives) {
    if (alternatives.length > 1 && alt.trim() === '') return undefined
    const spec = translateConjunction(alt)
    if (spec === undefined) return undefined
    out.push(spec.join(','))
  }
  return out
}

function matches(version: string, range: string, prereleases: boolean | undefined): boolean {
  if (explain(version) === null) return false
  const alternatives = pypiRangeAlternatives(range)
  if (!alternatives) return false
  const options = prereleases ? { prereleases: true } : {}
  return alternatives.some((spec) => pep440.satisfies(version.trim(), spec, options))
}

export const pypiVersioning: Versioning = {
  normaliseName(name: string): string {
    return normalizePypiName(name.trim())
  },
  isValid(version: string): boolean {
    return explain(version) !== null
  },
  compare(a: string, b: string): number {
    if (explain(a) === null) throw new TypeError(`not a valid PEP 440 version: ${JSON.stringify(a)}`)
    if (explain(b) === null) throw new TypeError(`not a valid PEP 440 version: ${JSON.stringify(b)}`)
    return Math.sign(pep440.compare(a.trim(), b.trim()))
  },
  equals(a: string, b: string): boolean {
    if (explain(a) === null || explain(b) === null) return a.trim() === b.trim()
    return pep440.compare(a.trim(), b.trim()) === 0
  },
  satisfies(version: string, range: string): boolean {
    return matches(version, range, undefined)
  },
  isValidRange(range: string): boolean {
    return pypiRangeAlternatives(range) !== undefined
  },
}

/** Ordering semantics, prereleases included: used for advisory ranges. */
export function pypiInRange(version: string, range: string): boolean {
  return matches(version, range, true)
}

/**
 * Versions near `version` to probe when intersecting ranges: the version, its
 * base release, and a few successors (a range with an exclusive bound such as
 * `>1.0` has its smallest members just above the bound).
 */
export function pypiNeighbours(version: string): string[] {
  const v = explain(version)
  if (!v) return []
  const epoch = v.epoch ? `${v.epoch}!` : ''
  const base = v.release.join('.')
  const bump = (i: number) => upper(v.release, i, v.epoch)
  const out = [version.trim(), epoch + base, `${epoch}${base}.1`, `${epoch}${base}.0.1`, `${epoch}${base}.post1`, bump(v.release.length - 1)]
  if (v.release.length > 1) out.push(bump(0))
  return out
}

/** The version strings named in a range (its boundaries), for probing. */
export function pypiRangeVersions(range: string): string[] {
  const alternatives = pypiRangeAlternatives(range) ?? []
  const out: string[] = []
  for (const alt of alternatives) {
    for (const part of alt.split(',')) {
      const m = /^(?:===|~=|==|!=|<=|>=|<|>)\s*(.+?)(?:\.\*)?$/.exec(part.trim())
      if (m?.[1] && explain(m[1])) out.push(m[1])
    }
  }
  return out
}
