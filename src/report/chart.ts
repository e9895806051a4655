/**
 * The remediation progress chart of the HTML report: an inline SVG stacked
 * bar with a legend. It is built from numbers only, so no string from a
 * repository or an advisory can reach its markup.
 */

const SEGMENTS = [
  { key: 'merged', label: 'Merged', colour: '#1a7f37' },
  { key: 'fixed', label: 'Fix committed / PR open', colour: '#0969da' },
  { key: 'planned', label: 'Planned', colour: '#8250df' },
  { key: 'notRemediable', label: 'Not remediable', colour: '#cf222e' },
  { key: 'pending', label: 'Pending', colour: '#8c959f' },
] as const

function count(value: unknown): number {
  const n = Number(value)
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0
}

export function progressChart(summary: unknown): string {
  const progress = (summary as { progress?: Record<string, unknown> } | undefined)?.progress ?? {}
  const values = SEGMENTS.map((s) => ({ ...s, n: count(progress[s.key]) }))
  const total = values.reduce((t, v) => t + v.n, 0)
  const width = 640
  const barY = 8
  const barH = 22
  const parts: string[] = []
  if (total === 0) {
    parts.push(`<rect x="0" y="${barY}" width="${width}" height="${barH}" rx="4" fill="#eaeef2"/>`)
    parts.push(`<text x="${width / 2}" y="${barY + 15}" text-anchor="middle" font-size="12" fill="#57606a">No affected repositories</text>`)
  } else {
    let x = 0
    for (const v of values) {
      if (v.n === 0) continue
      const w = (v.n / total) * width
      parts.push(`<rect x="${x.toFixed(1)}" y="${barY}" width="${w.toFixed(1)}" height="${barH}" fill="${v.colour}"><title>${v.label}: ${v.n}</title></rect>`)
      if (w > 18) parts.push(`<text x="${(x + w / 2).toFixed(1)}" y="${barY + 15}" text-anchor="middle" font-size="12" font-weight="600" fill="#ffffff">${v.n}</text>`)
      x += w
    }
  }
  let lx = 0
  for (const v of values) {
    parts.push(`<rect x="${lx}" y="42" width="10" height="10" rx="2" fill="${v.colour}"/>`)
    const label = `${v.label} (${v.n})`
    parts.push(`<text x="${lx + 14}" y="51" font-size="11" fill="#24292f">${label}</text>`)
    lx += 14 + label.length * 6.2 + 14
  }
  const done = count(progress.merged) + count(progress.fixed)
  const title = `Remediation progress: ${done} of ${total} affected repositories remediated`
  return `<svg class="chart" role="img" aria-label="${title}" viewBox="0 0 ${width} 60" width="100%" xmlns="http://www.w3.org/2000/svg"><title>${title}</title>${parts.join('')}</svg>`
}
