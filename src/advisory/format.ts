import type { Advisory, AffectedPackage, OsvRange } from './types.js'

/** How one range reads: `>= 1.0.0, < 1.2.0`, `>= 4.1.1, <= 4.1.2`, `all versions`. */
export function describeRange(range: OsvRange): string {
  if (range.type === 'GIT') return `GIT ${range.repo ?? ''} ${range.events.map((e) => `${Object.keys(e)[0]} ${Object.values(e)[0]}`).join(', ')}`.trim()
  const parts: string[] = []
  let open = false
  const flush = (text: string) => parts.push(text)
  let current: string[] = []
  for (const event of range.events) {
    const [kind, version] = Object.entries(event)[0] as [string, string]
    if (kind === 'introduced') {
      if (open) flush(current.join(', '))
      current = [version === '0' ? 'all versions' : `>= ${version}`]
      open = true
    } else if (kind === 'fixed') {
      current.push(`< ${version} (fixed in ${version})`)
      flush(current.join(', '))
      current = []
      open = false
    } else if (kind === 'last_affected') {
      current.push(`<= ${version}`)
      flush(current.join(', '))
      current = []
      open = false
    } else if (kind === 'limit') {
      parts.push(`limit ${version}`)
    }
  }
  if (open) flush(current.join(', '))
  return parts.map((p) => p.replace(/^all versions, /, '')).join('; ')
}

function describePackage(p: AffectedPackage[]): string[] {
  const first = p[0]!
  const lines = [`  ${first.ecosystem} ${first.name}`]
  const versions = [...new Set(p.flatMap((e) => e.versions))]
  if (versions.length) lines.push(`    versions: ${versions.join(', ')}`)
  const ranges = p.flatMap((e) => e.ranges.map(describeRange))
  for (const r of new Set(ranges)) lines.push(`    range: ${r}`)
  for (const s of new Set(p.flatMap((e) => e.specifiers ?? []))) lines.push(`    range: ${s}`)
  const fixed = [...new Set(p.flatMap((e) => e.ranges.flatMap((r) => r.events.flatMap((ev) => ('fixed' in ev ? [ev.fixed] : [])))))]
  lines.push(`    fixed: ${fixed.length ? fixed.join(', ') : 'none recorded'}`)
  return lines
}

/** The advisory as a person reads it: id, aliases, summary, and per package what is affected and what fixes it. */
export function formatAdvisory(advisory: Advisory): string {
  const lines = [advisory.id]
  if (advisory.aliases.length) lines.push(`aliases: ${advisory.aliases.join(', ')}`)
  if (advisory.summary) lines.push(`summary: ${advisory.summary}`)
  if (advisory.published) lines.push(`published: ${advisory.published}`)
  if (advisory.modified) lines.push(`modified: ${advisory.modified}`)
  if (advisory.withdrawn) lines.push(`WITHDRAWN: ${advisory.withdrawn} (nothing is reported as affected by it)`)
  lines.push(`source: ${advisory.source}`)
  const groups = new Map<string, AffectedPackage[]>()
  for (const p of advisory.affected) {
    const k = `${p.ecosystem}\0${p.normalisedName}`
    groups.set(k, [...(groups.get(k) ?? []), p])
  }
  lines.push(groups.size ? 'affected:' : 'affected: (no packages)')
  for (const group of groups.values()) lines.push(...describePackage(group))
  return lines.join('\n')
}
