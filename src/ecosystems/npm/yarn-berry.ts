/**
 * yarn.lock from yarn berry (v2+, `__metadata`). Read by a line reader for
 * the YAML subset yarn writes (./berry-reader.ts), falling back to yarn's own
 * @yarnpkg/parsers (`parseSyml`) for anything outside it; only `resolution: name@npm:<version>`
 * entries are registry packages (INVENTORY.md). Workspaces are the roots of
 * the dependency graph.
 */
import { parseSyml } from '@yarnpkg/parsers'
import type { Extraction } from '../types.js'
import { berryDeps, readBerryLock, type BerryEntry } from './berry-reader.js'
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

const DEP_SECTIONS = ['dependencies', 'peerDependencies', 'optionalDependencies'] as const

/** parseSyml's output in the reader's shape (the fallback for files outside the fast reader's subset). */
function fromSyml(data: Record<string, unknown>, content: string): BerryEntry[] {
  const keys = Object.keys(data)
  const lines = headerLines(content)
  return keys.map((key, i) => {
    const value = data[key]
    const entry: BerryEntry = { key, line: lines.length === keys.length ? (lines[i] as number) : 0, isMap: isRecord(value), deps: [], bodyStart: 0, bodyEnd: 0 }
    if (!isRecord(value)) return entry
    if (typeof value.resolution === 'string') entry.resolution = value.resolution
    for (const section of DEP_SECTIONS) {
      const deps = value[section]
      if (isRecord(deps)) for (const [name, range] of Object.entries(deps)) entry.deps?.push(name, String(range))
    }
    return entry
  })
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
    let all = readBerryLock(content)
    if (all === undefined) {
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
      all = fromSyml(data, content)
    }

    const entries: BerryEntry[] = []
    for (const e of all) if (e.isMap && e.key !== '__metadata') entries.push(e)
    const n = entries.length
    // Per entry: the package name and protocol part of its resolution.
    const names: (string | undefined)[] = new Array<string | undefined>(n)
    const references: (string | undefined)[] = new Array<string | undefined>(n)
    const versions: (string | undefined)[] = new Array<string | undefined>(n)
    const workspaces: number[] = []
    let patches = false
    let rootIndex = -1
    for (let i = 0; i < n; i++) {
      const resolution = (entries[i] as BerryEntry).resolution
      if (resolution === undefined) continue
      const at = resolution.indexOf('@', 1)
      const name = at === -1 ? resolution : resolution.slice(0, at)
      const reference = at === -1 ? '' : resolution.slice(at + 1)
      names[i] = name
      references[i] = reference
      const v = npmVersion(reference)
      if (v !== undefined) versions[i] = v
      else if (reference.startsWith('patch:')) patches = true
      else if (reference.startsWith('workspace:')) {
        workspaces.push(i)
        if (rootIndex === -1 && resolution.endsWith('@workspace:.')) rootIndex = i
      }
    }

    // Descriptor → entry. Built in full only for the dependency graph; `direct` needs just the workspaces' own dependencies.
    const byDescriptor = (wanted: Set<string> | undefined): Map<string, number> => {
      const map = new Map<string, number>()
      for (let i = 0; i < n; i++) {
        const key = (entries[i] as BerryEntry).key
        if (key.indexOf(',') === -1) {
          if (!wanted || wanted.has(key)) map.set(key, i)
          continue
        }
        for (const d of key.split(',')) {
          const descriptor = d.trim()
          if (!wanted || wanted.has(descriptor)) map.set(descriptor, i)
        }
      }
      return map
    }
    const targetsOf = (i: number, map: Map<string, number>): number[] => {
      const targets: number[] = []
      const deps = berryDeps(content, entries[i] as BerryEntry)
      for (let d = 0; d < deps.length; d += 2) {
        const name = deps[d] as string
        const range = deps[d + 1] as string
        const t = map.get(`${name}@${range}`) ?? map.get(`${name}@npm:${range}`)
        if (t !== undefined) targets.push(t)
      }
      return targets
    }
    const direct = new Set<number>()
    if (workspaces.length > 0) {
      const wanted = new Set<string>()
      for (const w of workspaces) {
        const deps = berryDeps(content, entries[w] as BerryEntry)
        for (let d = 0; d < deps.length; d += 2) wanted.add(`${deps[d]}@${deps[d + 1]}`).add(`${deps[d]}@npm:${deps[d + 1]}`)
      }
      const map = byDescriptor(wanted)
      for (const w of workspaces) for (const t of targetsOf(w, map)) direct.add(t)
    }

    // Which name@version have their own entry: only asked about for patches.
    const present = new Set<string>()
    if (patches) for (let i = 0; i < n; i++) if (versions[i] !== undefined) present.add(`${names[i]}@${versions[i]}`)

    for (let i = 0; i < n; i++) {
      const name = names[i]
      if (name === undefined) continue
      const line = (entries[i] as BerryEntry).line || undefined
      const version = versions[i]
      if (version !== undefined) {
        out.addAt(name, version, line, direct.has(i), false, i)
        continue
      }
      // A patch whose base entry is missing still ships the base package.
      const base = patchBase(references[i] as string)
      if (base && !present.has(`${base.name}@${base.version}`)) out.addAt(base.name, base.version, line, direct.has(i), false, i)
    }

    const graph = (): PathGraph => {
      const map = byDescriptor(undefined)
      const edges: number[][] = new Array<number[]>(n)
      const others = workspaces.filter((i) => i !== rootIndex)
      return {
        root: rootIndex,
        edges: (i) => {
          if (i < 0 || i >= n) return i === rootIndex ? others : []
          let e = edges[i]
          if (e === undefined) {
            e = targetsOf(i, map)
            if (i === rootIndex) e.push(...others)
            edges[i] = e
          }
          return e
        },
        label: (i) => {
          const e = entries[i]
          if (!e) return ROOT_NAME
          return names[i] ?? e.key
        },
      }
    }
    return out.result(kind, { graph })
  } catch (error) {
    out.error(`could not read yarn.lock: ${describe(error)}`)
    return out.result(kind)
  }
}
