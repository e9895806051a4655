/**
 * yarn.lock from yarn berry (v2+, `__metadata`). Parsed with yarn's own
 * @yarnpkg/parsers (`parseSyml`); only `resolution: name@npm:<version>`
 * entries are registry packages (INVENTORY.md). Workspaces are the roots of
 * the dependency graph.
 */
import { parseSyml } from '@yarnpkg/parsers'
import type { Extraction } from '../types.js'
import { Collector, describe, isRecord, isSemver, nulLine, ROOT_NAME, type PathGraph } from './common.js'

/** `name@npm:1.2.3::__archiveUrl=…` → {name, protocol part}. */
function splitLocator(locator: string): { name: string; reference: string } {
  const at = locator.indexOf('@', 1)
  return at === -1 ? { name: locator, reference: '' } : { name: locator.slice(0, at), reference: locator.slice(at + 1) }
}

function npmVersion(reference: string): string | undefined {
  if (!reference.startsWith('npm:')) return undefined
  let v = reference.slice(4)
  const tail = v.indexOf('::')
  if (tail !== -1) v = v.slice(0, tail)
  return isSemver(v) ? v : undefined
}

/** The base `name@npm:<ver>` a `patch:` locator applies to (URL-encoded inside the locator). */
function patchBase(reference: string): { name: string; version: string } | undefined {
  if (!reference.startsWith('patch:')) return undefined
  let inner = reference.slice('patch:'.length)
  const hash = inner.indexOf('#')
  if (hash !== -1) inner = inner.slice(0, hash)
  try {
    inner = decodeURIComponent(inner)
  } catch {
    return undefined
  }
  const base = splitLocator(inner)
  const version = npmVersion(base.reference)
  return version === undefined ? undefined : { name: base.name, version }
}

/** Line of each top-level key, in document order (headers are the unindented, non-comment lines). */
function headerLines(content: string): number[] {
  const lines: number[] = []
  let line = 1
  for (let i = 0; i < content.length; ) {
    const c = content.charCodeAt(i)
    if (c !== 32 && c !== 35 && c !== 10 && c !== 13 && c !== 9) lines.push(line)
    const nl = content.indexOf('\n', i)
    if (nl === -1) break
    i = nl + 1
    line++
  }
  return lines
}

export function extractYarnBerry(file: string, content: string): Extraction {
  const out = new Collector(file)
  const kind = 'yarn.lock@berry'
  try {
    const nul = nulLine(content)
    if (nul !== undefined) {
      out.error('file contains a NUL byte: not a text yarn.lock', nul)
      return out.result(kind)
    }
    let data: unknown
    try {
      data = parseSyml(content)
    } catch (error) {
      const m = /line (\d+)/i.exec(describe(error))
      out.error(`invalid yarn.lock (berry): ${describe(error)}; expected yarn's YAML lockfile with __metadata`, m ? Number(m[1]) : undefined)
      return out.result(kind)
    }
    if (!isRecord(data)) {
      out.error('expected a yarn.lock mapping of entries', 1)
      return out.result(kind)
    }
    const keys = Object.keys(data)
    const lines = headerLines(content)
    const lineOf = (i: number): number | undefined => (lines.length === keys.length ? lines[i] : undefined)

    const entries: { key: string; value: Record<string, unknown>; line?: number }[] = []
    keys.forEach((key, i) => {
      const value = data[key]
      if (key === '__metadata' || !isRecord(value)) return
      entries.push({ key, value, line: lineOf(i) })
    })
    const byDescriptor = new Map<string, number>()
    entries.forEach((e, i) => e.key.split(',').forEach((d) => byDescriptor.set(d.trim(), i)))
    const present = new Set<string>()
    for (const e of entries) {
      const r = typeof e.value.resolution === 'string' ? splitLocator(e.value.resolution) : undefined
      const v = r && npmVersion(r.reference)
      if (r && v) present.add(`${r.name}@${v}`)
    }

    const edges = entries.map((e) => {
      const targets: number[] = []
      for (const section of [e.value.dependencies, e.value.peerDependencies, e.value.optionalDependencies]) {
        if (!isRecord(section)) continue
        for (const [name, range] of Object.entries(section)) {
          const t = byDescriptor.get(`${name}@${String(range)}`) ?? byDescriptor.get(`${name}@npm:${String(range)}`)
          if (t !== undefined) targets.push(t)
        }
      }
      return targets
    })
    const isWorkspace = entries.map((e) => typeof e.value.resolution === 'string' && splitLocator(e.value.resolution).reference.startsWith('workspace:'))
    const direct = new Set<number>()
    edges.forEach((targets, i) => {
      if (isWorkspace[i]) targets.forEach((t) => direct.add(t))
    })

    entries.forEach((e, i) => {
      if (typeof e.value.resolution !== 'string') return
      const { name, reference } = splitLocator(e.value.resolution)
      const version = npmVersion(reference)
      if (version !== undefined) {
        out.add(name, version, { line: e.line, direct: direct.has(i), node: i })
        return
      }
      // A patch whose base entry is missing still ships the base package.
      const base = patchBase(reference)
      if (base && !present.has(`${base.name}@${base.version}`)) out.add(base.name, base.version, { line: e.line, direct: direct.has(i), node: i })
    })

    const rootIndex = entries.findIndex((e, i) => isWorkspace[i] && typeof e.value.resolution === 'string' && e.value.resolution.endsWith('@workspace:.'))
    const graph = (): PathGraph => {
      const root = rootIndex === -1 ? -1 : rootIndex
      const workspaces = entries.map((_, i) => i).filter((i) => isWorkspace[i] && i !== root)
      return {
        root,
        edges: (i) => (i === root ? [...(edges[i] ?? []), ...workspaces] : (edges[i] ?? [])),
        label: (i) => {
          const e = entries[i]
          if (!e) return ROOT_NAME
          return typeof e.value.resolution === 'string' ? splitLocator(e.value.resolution).name : e.key
        },
      }
    }
    return out.result(kind, { graph })
  } catch (error) {
    out.error(`could not read yarn.lock: ${describe(error)}`)
    return out.result(kind)
  }
}
