/**
 * Every edit is proven before it is written (CONVENTIONS 4): the edited text
 * is re-parsed with the ecosystem's own extractor, exactly the intended
 * dependency changed, and nothing else did: other entries, parse errors,
 * line endings and the final newline are as they were. A failed proof
 * refuses the edit; nothing is written.
 */
import { versionKits } from '../advisory/ecosystems.js'
import type { Change, Ecosystem, Edit, Extraction } from '../ecosystems/types.js'
import { applyReplacements } from './diff.js'

export type Proof = { ok: true; content: string } | { ok: false; reason: string }

export type EditMode = 'pin' | 'remove'

interface Entry {
  key: string
  name: string
  version?: string
  range?: string
}

function entriesOf(extraction: Extraction): Entry[] {
  return [
    ...extraction.packages.map((p) => ({ key: `p\u0000${p.name}\u0000${p.version}\u0000${p.direct}\u0000${p.dev}`, name: p.name, version: p.version })),
    ...extraction.ranges.map((r) => ({ key: `r\u0000${r.name}\u0000${r.range}\u0000${r.dev}`, name: r.name, range: r.range })),
  ]
}

function multiset(keys: string[]): Map<string, number> {
  const m = new Map<string, number>()
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1)
  return m
}

function sameMultiset(a: string[], b: string[]): boolean {
  const x = multiset(a)
  const y = multiset(b)
  if (x.size !== y.size) return false
  for (const [k, n] of x) if (y.get(k) !== n) return false
  return true
}

function lineEndingProblem(before: string, edit: Edit): string | undefined {
  const crlf = (before.match(/\r\n/g) ?? []).length
  const lf = (before.match(/\n/g) ?? []).length
  for (const r of edit.replacements) {
    const newCrlf = (r.text.match(/\r\n/g) ?? []).length
    const newLf = (r.text.match(/\n/g) ?? []).length
    if (lf > 0 && crlf === lf && newLf !== newCrlf) return 'the edit adds LF line endings to a CRLF file'
    if (crlf === 0 && newCrlf > 0) return 'the edit adds CRLF line endings to an LF file'
  }
  return undefined
}

/** Does the range (as the extractor reports it) still admit an affected version? */
function admitsAffected(ecosystem: Ecosystem, range: string, change: Change): boolean {
  const kit = versionKits[ecosystem.id]
  if (!kit.versioning.isValidRange(range)) return false // not a registry range (a `$name` reference, a tag): nothing to prove here
  if (change.affected.some((v) => kit.versioning.isValid(v) && kit.inRange(v, range))) return true
  for (const affected of change.affectedRanges ?? []) {
    if (kit.intersects) {
      if (kit.intersects(range, affected)) return true
    } else if (kit.rangeVersions(affected).flatMap((v) => kit.neighbours(v)).some((v) => kit.inRange(v, affected) && kit.inRange(v, range))) return true
  }
  return false
}

export function prove(ecosystem: Ecosystem, file: { path: string; content: string }, edit: Edit, change: Change, mode: EditMode): Proof {
  if (edit.replacements.length === 0) return { ok: false, reason: 'the edit changes nothing' }
  let content: string
  try {
    content = applyReplacements(file.content, edit.replacements)
  } catch (error) {
    return { ok: false, reason: (error as Error).message }
  }
  if (content === file.content) return { ok: false, reason: 'the edit changes nothing' }
  const ending = lineEndingProblem(file.content, edit)
  if (ending) return { ok: false, reason: ending }
  if (file.content.endsWith('\n') !== content.endsWith('\n')) return { ok: false, reason: 'the edit changes whether the file ends with a newline' }
  if (file.content.startsWith('\uFEFF') !== content.startsWith('\uFEFF')) return { ok: false, reason: 'the edit changes the byte order mark' }

  const before = ecosystem.extract({ path: file.path, content: file.content })
  const after = ecosystem.extract({ path: file.path, content })
  const errorKeys = (x: Extraction) => x.errors.map((e) => e.message)
  const newErrors = errorKeys(after).filter((m) => !errorKeys(before).includes(m))
  if (newErrors.length > 0) return { ok: false, reason: `the edited file no longer parses cleanly: ${newErrors[0]}` }

  const norm = (name: string) => ecosystem.versions.normaliseName(name).toLowerCase()
  const target = norm(change.name)
  const others = (x: Extraction) => entriesOf(x).filter((e) => norm(e.name) !== target).map((e) => e.key)
  if (!sameMultiset(others(before), others(after))) return { ok: false, reason: `the edit changes entries other than ${change.name}` }

  const mine = (x: Extraction) => entriesOf(x).filter((e) => norm(e.name) === target)
  const was = mine(before)
  const now = mine(after)
  if (sameMultiset(was.map((e) => e.key), now.map((e) => e.key)) && ecosystem.id !== 'GitHub Actions') {
    return { ok: false, reason: `re-reading the file shows no change to ${change.name}` }
  }
  if (mode === 'remove') {
    if (now.length > 0) return { ok: false, reason: `${change.name} is still declared after the edit (${now.map((e) => e.version ?? e.range).join(', ')})` }
    return { ok: true, content }
  }
  const kit = versionKits[ecosystem.id]
  for (const e of now) {
    if (e.version !== undefined) {
      const still = ecosystem.id === 'GitHub Actions' ? (change.found ?? []).some((f) => kit.versioning.equals(f, e.version!)) : false
      const affected = change.affected.some((a) => kit.versioning.isValid(a) && kit.versioning.isValid(e.version!) && kit.versioning.equals(a, e.version!))
      const inRange = (change.affectedRanges ?? []).some((r) => kit.inRange(e.version!, r))
      if (still || affected || inRange) return { ok: false, reason: `${change.name} is still at ${e.version} after the edit` }
    } else if (e.range !== undefined && admitsAffected(ecosystem, e.range, change)) {
      // An entry the edit did not touch may keep a range it did not need to change; only new ranges must be safe.
      if (!was.some((w) => w.key === e.key)) return { ok: false, reason: `the new range ${e.range} for ${change.name} still admits an affected version` }
      if (ecosystem.id !== 'npm') return { ok: false, reason: `${change.name} ${e.range} still admits an affected version after the edit` }
    }
  }
  return { ok: true, content }
}
