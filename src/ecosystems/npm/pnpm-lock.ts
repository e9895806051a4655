/**
 * pnpm-lock.yaml (v5.x, 6.x, 9.x, several YAML documents) and the older
 * shrinkwrap.yaml. Only `packages` lists packages (INVENTORY.md); importers
 * say which are direct, and `packages` (v5/v6) or `snapshots` (v9) give the
 * dependency graph. The YAML subset pnpm writes is read by a line reader
 * (./pnpm-reader.ts); anything else is parsed by `yaml` with an alias
 * budget, so an alias bomb is an error rather than an out-of-memory.
 */
import { LineCounter, parseAllDocuments } from 'yaml'
import type { Extraction } from '../types.js'
import { readPnpmLock, type PnpmDoc } from './pnpm-reader.js'
import { classifyResolved, Collector, describe, ForwardLines, isRecord, isSemver, nulLine, ROOT_NAME, type PathGraph } from './common.js'

/** Alias expansions allowed per document: real lockfiles use none. */
export const MAX_ALIASES = 100

/** Parses a `packages` key into name and version, by lockfile generation. */
export function parsePnpmKey(key: string, slashFormat: boolean): { name: string; version: string } | undefined {
  let k = key.startsWith('/') ? key.slice(1) : key
  if (!slashFormat) {
    const paren = k.indexOf('(')
    if (paren !== -1) k = k.slice(0, paren)
    const at = k.lastIndexOf('@')
    if (at <= 0) return undefined
    return { name: k.slice(0, at), version: k.slice(at + 1) }
  }
  // v5 and shrinkwrap: [host/]name/version[_peers][/peer@ver…]
  const parts = k.split('/')
  if (parts.length >= 3 && !(parts[0] as string).startsWith('@') && (parts[0] as string).includes('.')) parts.shift()
  let name: string
  let version: string | undefined
  if ((parts[0] as string).startsWith('@')) {
    name = `${parts[0]}/${parts[1]}`
    version = parts[2]
  } else {
    name = parts[0] as string
    version = parts[1]
  }
  if (version === undefined) return undefined
  const underscore = version.indexOf('_')
  if (underscore !== -1) version = version.slice(0, underscore)
  return { name, version }
}

function versionNumber(value: unknown): number {
  const n = parseFloat(String(value))
  return Number.isFinite(n) ? n : 0
}

const IMPORTER_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const

export function extractPnpmLock(file: string, content: string, baseName: string): Extraction {
  const out = new Collector(file)
  let kind = baseName
  try {
    const nul = nulLine(content)
    if (nul !== undefined) {
      out.error(`file contains a NUL byte: not a text ${baseName}`, nul)
      return out.result(kind)
    }
    // The first reading does not build `snapshots`: only the dependency graph reads it, from a second reading.
    const docs = readDocs(content, baseName, out, ['snapshots'])
    if (docs === undefined) return out.result(kind)
    const lines = new ForwardLines(content)
    const ids = new Map<string, number>()
    const labels: string[] = []
    /** Allocated when the graph is built: most nodes' lists stay unread otherwise. */
    const edges: (number[] | undefined)[] = []
    const roots: number[] = []
    const direct = new Set<number>()
    /**
     * Per document, the node of each `packages` entry in order (-1: not reported). The
     * dependency graph is only for `paths`: when someone asks for one, the text is read
     * again and these say which entries' edges to add, so the parsed documents are not
     * kept alive meanwhile.
     */
    const entryNodes: (Int32Array | undefined)[] = []
    /** Every document is v9: the graph needs none of their `packages`. */
    let allV9 = true
    const nodeOf = (name: string, version: string): number => {
      const id = `${name}@${version}`
      let n = ids.get(id)
      if (n === undefined) {
        n = labels.length
        ids.set(id, n)
        labels.push(name)
      }
      return n
    }
    const formatOf = (data: Record<string, unknown>): { slashFormat: boolean; v9: boolean } => {
      const lockVersion = data.lockfileVersion ?? data.shrinkwrapVersion
      return { slashFormat: data.shrinkwrapVersion !== undefined || versionNumber(lockVersion) < 6, v9: versionNumber(lockVersion) >= 9 }
    }
    const keyOf = (slashFormat: boolean, name: string, ref: string): { name: string; version: string } | undefined => {
      if (ref.startsWith('link:') || ref.startsWith('file:')) return undefined
      if (ref.startsWith('/')) return parsePnpmKey(ref, slashFormat)
      // v9 aliases write the real `name@version` as the reference.
      if (!slashFormat && /^@?[^@]+@/.test(ref) && !/^\d/.test(ref)) return parsePnpmKey(ref, false)
      const version = ref.replace(/\(.*$/, '').replace(/_.*$/, '')
      return { name, version }
    }

    for (let d = 0; d < docs.length; d++) {
      const data = (docs[d] as PnpmDoc).data
      const docStart = (docs[d] as PnpmDoc).start
      if (!isRecord(data)) continue
      const lockVersion = data.lockfileVersion ?? data.shrinkwrapVersion
      if (lockVersion !== undefined) kind = `${baseName}@${String(lockVersion)}`
      const { slashFormat, v9 } = formatOf(data)
      allV9 &&= v9

      // Importers (or the single project at the top level of v5 files).
      const importers = isRecord(data.importers) ? Object.values(data.importers) : [data]
      for (const importer of importers) {
        if (!isRecord(importer)) continue
        for (const section of IMPORTER_SECTIONS) {
          const deps = importer[section]
          if (!isRecord(deps)) continue
          for (const [name, value] of Object.entries(deps)) {
            const ref = isRecord(value) ? value.version : value
            const key = typeof ref === 'string' ? keyOf(slashFormat, name, ref) : undefined
            if (!key) continue
            const n = nodeOf(key.name, key.version)
            direct.add(n)
            roots.push(n)
          }
        }
      }

      const packages = data.packages
      if (!isRecord(packages)) continue
      const keys = Object.keys(packages)
      const nodesHere = v9 ? undefined : new Int32Array(keys.length).fill(-1)
      entryNodes[d] = nodesHere
      // Key lines: one forward scan from this document's `packages:` line.
      const start = content.indexOf('\npackages:', docStart)
      let pos = start === -1 ? docStart : start
      for (let j = 0; j < keys.length; j++) {
        const key = keys[j] as string
        const raw = packages[key]
        const value = isRecord(raw) ? raw : {}
        const at = content.indexOf(key, pos)
        let line: number | undefined
        if (at !== -1) {
          pos = at + key.length
          line = lines.lineAt(at)
        }
        // v5 files may list a key with no fields at all (null): the key alone names the package.
        if (raw !== null && !isRecord(raw)) continue
        if (key.includes('file:')) continue
        const resolution = isRecord(value.resolution) ? value.resolution : {}
        if (resolution.directory !== undefined || resolution.type === 'git' || resolution.type === 'directory' || resolution.type === 'variations') continue
        const parsed = parsePnpmKey(key, slashFormat)
        let name = typeof value.name === 'string' ? value.name : parsed?.name
        let version = typeof value.version === 'string' ? value.version : parsed?.version
        if (typeof resolution.tarball === 'string') {
          const source = classifyResolved(resolution.tarball)
          if (source.kind === 'tarball') {
            name ??= source.name
            version = version !== undefined && isSemver(version) ? version : source.version
          } else if (source.kind !== 'registry') continue
        }
        if (name === undefined || version === undefined || !isSemver(version)) continue
        const n = nodeOf(name, version)
        out.add(name, version, { line, direct: direct.has(n), dev: value.dev === true || value.dev === 'true', node: n })
        if (nodesHere) nodesHere[j] = n
      }
    }
    docs.length = 0

    const graph = (): PathGraph => {
      // What the graph reads: `snapshots` (v9) or `packages` (older), not `importers`.
      const again = readDocs(content, baseName, undefined, allV9 ? ['importers', 'packages'] : ['importers']) ?? []
      for (let d = 0; d < again.length; d++) {
        const data = (again[d] as PnpmDoc).data
        if (!isRecord(data)) continue
        const { slashFormat, v9 } = formatOf(data)
        const addEdges = (n: number, value: Record<string, unknown>): void => {
          for (const section of ['dependencies', 'optionalDependencies']) {
            const deps = value[section]
            if (!isRecord(deps)) continue
            for (const [name, ref] of Object.entries(deps)) {
              const key = typeof ref === 'string' ? keyOf(slashFormat, name, ref) : undefined
              if (key) {
                const target = nodeOf(key.name, key.version)
                ;(edges[n] ??= []).push(target)
              }
            }
          }
        }
        const nodesHere = entryNodes[d]
        const packages = data.packages
        if (nodesHere && isRecord(packages)) {
          let j = 0
          for (const key of Object.keys(packages)) {
            const n = nodesHere[j++] as number
            const value = packages[key]
            if (n !== -1 && isRecord(value)) addEdges(n, value)
          }
        }
        const snapshots = data.snapshots
        if (v9 && isRecord(snapshots)) {
          for (const [key, value] of Object.entries(snapshots)) {
            const parsed = parsePnpmKey(key, false)
            if (parsed && isRecord(value)) addEdges(nodeOf(parsed.name, parsed.version), value)
          }
        }
      }
      return {
        root: -1,
        edges: (i) => (i === -1 ? roots : (edges[i] ?? [])),
        label: (i) => (i === -1 ? ROOT_NAME : (labels[i] ?? '')),
      }
    }
    return out.result(kind, { graph })
  } catch (error) {
    out.error(`could not read ${baseName}: ${describe(error)}`)
    return out.result(kind)
  }
}

/**
 * The documents: the subset pnpm writes is read line by line, anything else by
 * `yaml`. Undefined when nothing can be read; problems go to `out` when given.
 */
function readDocs(content: string, baseName: string, out: Collector | undefined, skip: readonly string[]): PnpmDoc[] | undefined {
  let docs: PnpmDoc[] | undefined = readPnpmLock(content, { skip })
  if (docs === undefined) {
    const lineCounter = new LineCounter()
    const parsed = parseAllDocuments(content, { lineCounter, uniqueKeys: false })
    if (!Array.isArray(parsed)) {
      out?.error(`expected a YAML ${baseName}, found nothing to read`)
      return undefined
    }
    docs = []
    for (const doc of parsed) {
      const problem = doc.errors[0]
      if (problem) {
        const pos = lineCounter.linePos(problem.pos[0])
        out?.error(`invalid YAML at ${pos.line}:${pos.col}: ${problem.message.split('\n')[0]}; expected a pnpm lockfile`, pos.line)
        continue
      }
      const data: unknown = doc.toJS({ maxAliasCount: MAX_ALIASES })
      if (data !== null && data !== undefined && !isRecord(data)) {
        out?.error(`expected a ${baseName} mapping, found ${Array.isArray(data) ? 'a list' : typeof data}`, lineCounter.linePos(doc.range[0]).line)
        continue
      }
      docs.push({ data, start: doc.range[0] })
    }
  }
  return docs
}
