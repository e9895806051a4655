import type { Advisory, Reference } from './types.js'

/**
 * Records of one incident (a MAL record and a GHSA record naming each other,
 * or sharing an alias) become one advisory. The merged advisory keeps the id
 * of the first record given, so the caller decides which id names branches
 * and reports; every other id becomes an alias. Affected entries of withdrawn
 * records are dropped when another record of the incident stands; the
 * incident is withdrawn only when every record is.
 */
export function mergeByAlias(advisories: readonly Advisory[]): Advisory[] {
  const parent = advisories.map((_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!
    return i
  }
  const owner = new Map<string, number>()
  advisories.forEach((a, i) => {
    for (const id of [a.id, ...a.aliases]) {
      const key = id.toUpperCase()
      const j = owner.get(key)
      if (j === undefined) owner.set(key, i)
      else parent[find(i)] = find(j)
    }
  })
  const groups = new Map<number, Advisory[]>()
  advisories.forEach((a, i) => {
    const root = find(i)
    groups.set(root, [...(groups.get(root) ?? []), a])
  })
  return [...groups.keys()].sort((a, b) => a - b).map((root) => combine(groups.get(root)!))
}

function combine(records: Advisory[]): Advisory {
  const first = records[0]!
  if (records.length === 1) return first
  const standing = records.filter((r) => !r.withdrawn)
  const ids = new Set<string>()
  for (const r of records) for (const id of [r.id, ...r.aliases]) if (id.toUpperCase() !== first.id.toUpperCase()) ids.add(id)
  const seen = new Set<string>()
  const references: Reference[] = []
  for (const ref of records.flatMap((r) => r.references)) {
    if (seen.has(ref.url)) continue
    seen.add(ref.url)
    references.push(ref)
  }
  const dates = (key: 'published' | 'modified' | 'withdrawn') => records.map((r) => r[key]).filter((d): d is string => d !== undefined).sort()
  const merged: Advisory = {
    id: first.id,
    aliases: [...ids].filter((id, i, all) => all.findIndex((x) => x.toUpperCase() === id.toUpperCase()) === i),
    references,
    affected: (standing.length > 0 ? standing : records).flatMap((r) => r.affected),
    source: [...new Set(records.map((r) => r.source))].join(', '),
  }
  const summary = records.find((r) => r.summary)?.summary
  const details = records.find((r) => r.details)?.details
  if (summary !== undefined) merged.summary = summary
  if (details !== undefined) merged.details = details
  const published = dates('published')[0]
  const modified = dates('modified').at(-1)
  if (published !== undefined) merged.published = published
  if (modified !== undefined) merged.modified = modified
  if (standing.length === 0) merged.withdrawn = dates('withdrawn').at(-1)
  return merged
}
