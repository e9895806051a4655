/**
 * Formatting over every manifest in the corpus: pin one dependency the file
 * declares and check that the diff is exactly the lines that declare it, each
 * changed only where its version is written.
 */
import semver from 'semver'
import { describe, expect, it } from 'vitest'

import { ecosystems } from '../../src/ecosystems/index.js'
import { isRefusal, type Change, type Ecosystem } from '../../src/ecosystems/types.js'
import { applyReplacements, unifiedDiff } from '../../src/remediate/diff.js'
import { prove } from '../../src/remediate/prove.js'
import { corpus, label, type CorpusFile } from '../ecosystems/pypi/corpus.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'
const FORMATS: Record<string, string[]> = {
  npm: ['package-json'],
  pypi: ['requirements-txt', 'constraints-txt', 'pyproject-toml', 'pipfile', 'hatch-toml'],
  'github-actions': ['workflow'],
}
const ECOSYSTEM: Record<string, Ecosystem> = { npm: ecosystems.npm, pypi: ecosystems.PyPI, 'github-actions': ecosystems['GitHub Actions'] }

/** A change that must rewrite the first pinned dependency (or, for npm, the first caret range). */
function pickChange(eco: Ecosystem, file: CorpusFile): { change: Change; from: string } | undefined {
  const x = eco.extract({ path: file.path, content: file.content })
  if (eco.id === 'GitHub Actions') {
    const p = x.packages.find((q) => /^v?\d+(\.\d+)*$/.test(q.version))
    return p && { change: { name: p.name, to: 'v99.0.0', affected: [], found: [p.version], sha: SHA }, from: p.version }
  }
  if (eco.id === 'npm') {
    const p = x.packages.find((q) => semver.valid(q.version) && q.direct)
    if (p) return { change: { name: p.name, to: semver.inc(p.version, 'patch')!, affected: [p.version] }, from: p.version }
    const r = x.ranges.find((q) => /^\^\d+\.\d+\.\d+$/.test(q.range))
    if (!r) return undefined
    const min = r.range.slice(1)
    return { change: { name: r.name, to: semver.inc(min, 'patch')!, affected: [min] }, from: r.range }
  }
  const p = x.packages.find((q) => q.direct && /^\d+(\.\d+)*$/.test(q.version))
  return p && { change: { name: p.name, to: `${p.version}.post99`, affected: [p.version], hashes: ['a'.repeat(64), 'b'.repeat(64)] }, from: p.version }
}

const cases = Object.entries(FORMATS).flatMap(([ecosystem, formats]) =>
  corpus(ecosystem)
    .filter((f) => formats.includes(f.format))
    .map((f) => ({ name: `${ecosystem}/${label(f)}`, file: f, eco: ECOSYSTEM[ecosystem]! })),
)

describe('every corpus manifest keeps its formatting when a dependency is pinned', () => {
  it('has files of every editable format', () => {
    expect(cases.length).toBeGreaterThan(90)
  })

  it.each(cases)('$name', ({ file, eco }) => {
    const picked = pickChange(eco, file)
    if (!picked) return // nothing pinned in this file (only URLs, paths, options)
    const { change } = picked
    const result = eco.pin!({ path: file.path, content: file.content }, change)
    expect(result, 'an edit').toBeDefined()
    if (isRefusal(result)) throw new Error(result!.refused)
    const edit = result!
    const proof = prove(eco, { path: file.path, content: file.content }, edit, change, 'pin')
    expect(proof).toMatchObject({ ok: true })
    const after = applyReplacements(file.content, edit.replacements)
    const diff = unifiedDiff(file.path, file.content, after, 0)
    // `--hash` lines belong to the requirement above them: replaced by the new version's hashes.
    const hash = (l: string) => /^[-+]\s*--hash[=\s]/.test(l)
    const lines = diff.split('\n')
    const removed = lines.filter((l) => l.startsWith('-') && !l.startsWith('---') && !hash(l))
    const added = lines.filter((l) => l.startsWith('+') && !l.startsWith('+++') && !hash(l))
    expect(lines.filter((l) => l.startsWith('+') && hash(l)).every((l) => /sha256:(a{64}|b{64})/.test(l))).toBe(true)
    expect(removed.length).toBeGreaterThan(0)
    expect(added.length).toBe(removed.length)
    const bare = change.name.split('/').pop()!.toLowerCase().replace(/[-_.]+/g, '[-_.]')
    removed.forEach((line, i) => {
      // Each changed line is one that names the dependency, changed only from where its version is written.
      expect(line.toLowerCase()).toMatch(new RegExp(bare))
      const next = added[i]!
      let common = 0
      while (common < line.length && line[common + 1] === next[common + 1]) common++
      expect(line.slice(1, common + 1).toLowerCase()).toMatch(new RegExp(bare))
    })
    // Line endings and the final newline are untouched.
    expect(after.endsWith('\n')).toBe(file.content.endsWith('\n'))
    expect((after.match(/\r\n/g) ?? []).length).toBe((file.content.match(/\r\n/g) ?? []).length)
  })
})
