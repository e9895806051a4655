/**
 * package-lock.json and npm-shrinkwrap.json, lockfileVersion 1, 2 and 3.
 *
 * v2/v3 are read from `packages` (keyed by install location) and the legacy
 * `dependencies` tree is ignored, as npm itself does; v1 walks the nested
 * `dependencies` tree. v2/v3 go through the JSON scanner (json-scan.ts): one
 * pass that builds only the fields read and knows every key's line, faster
 * than JSON.parse alone on 50 MB files. What it declines, and v1, is read
 * with JSON.parse, and lines then come from one forward scan for the keys in
 * document order.
 */
import type { Extraction } from '../types.js'
import {
  Collector,
  registryTarball,
  resolvedKind,
  describe,
  isRecord,
  isSemver,
  nulLine,
  parseJson,
  type PathGraph,
  ROOT_NAME,
} from './common.js'
import { KeyLines, findKey, parsedPackages, scanPackageLock, type PackagesTable } from './package-lock-table.js'

const EXPECTED = 'a package-lock.json object with lockfileVersion and packages or dependencies'

export function extractPackageLock(file: string, content: string, baseName = 'package-lock.json'): Extraction {
  const out = new Collector(file)
  let kind = baseName
  try {
    const nul = nulLine(content)
    if (nul !== undefined) {
      out.error('file contains a NUL byte: not a text package-lock.json', nul)
      return out.result(kind)
    }
    const scanned = scanPackageLock(content)
    if (scanned) {
      kind = kindOf(baseName, scanned.lockfileVersion)
      return out.result(kind, readPackages(scanned.packages, rootNameOf(scanned.name), out))
    }
    const data = parseJson(content, out, EXPECTED)
    if (data === undefined) return out.result(kind)
    if (!isRecord(data)) {
      out.error(`expected ${EXPECTED}, found ${Array.isArray(data) ? 'an array' : typeof data}`, 1)
      return out.result(kind)
    }
    kind = kindOf(baseName, data.lockfileVersion)
    const rootName = rootNameOf(data.name)
    let lazy: Lazy
    if (isRecord(data.packages)) lazy = readPackages(parsedPackages(content, data.packages), rootName, out)
    else if (isRecord(data.dependencies)) lazy = readTree(content, data.dependencies, rootName, out)
    else out.error(`expected ${EXPECTED}; found neither`, 1)
    return out.result(kind, lazy)
  } catch (error) {
    out.error(`could not read package-lock: ${describe(error)}`)
  }
  return out.result(kind)
}

function kindOf(baseName: string, version: unknown): string {
  return `${baseName}@${typeof version === 'number' || typeof version === 'string' ? version : 1}`
}

function rootNameOf(name: unknown): string {
  return typeof name === 'string' && name !== '' ? name : ROOT_NAME
}

/** The package name at an install location: what follows the last `node_modules/`. */
function nameAt(location: string): string {
  // The last `node_modules/` ends at a `/`: try each `/` from the end (no substring search per entry).
  for (let slash = location.lastIndexOf('/'); slash >= 12; slash = location.lastIndexOf('/', slash - 1)) {
    if (location.startsWith('node_modules', slash - 12)) return location.slice(slash + 1)
  }
  const slash = location.lastIndexOf('/')
  return slash === -1 ? location : location.slice(slash + 1)
}

function parentDir(dir: string): string | undefined {
  if (dir === '') return undefined
  const i = dir.lastIndexOf('/')
  return i === -1 ? '' : dir.slice(0, i)
}

type Lazy = Parameters<Collector['result']>[1]

/** lockfileVersion 2 and 3: `packages` keyed by install location. */
function readPackages(table: PackagesTable, rootName: string, out: Collector): Lazy {
  const { locations, entries, index } = table

  // Node resolution: look in <dir>/node_modules/<name>, then up the directories.
  const resolve = (from: string, dep: string): number | undefined => {
    for (let dir: string | undefined = from; dir !== undefined; dir = parentDir(dir)) {
      const last = dir.slice(dir.lastIndexOf('/') + 1)
      // `…/node_modules` and `…/node_modules/@scope` are not package folders.
      if (last === 'node_modules' || last.startsWith('@')) continue
      const candidate = index.get(dir === '' ? `node_modules/${dep}` : `${dir}/node_modules/${dep}`)
      if (candidate === undefined) continue
      const entry = entries[candidate]
      if (entry) {
        // A workspace link: the dependency is the linked folder itself.
        if (entry.link === true && typeof entry.resolved === 'string') {
          const linked = index.get(entry.resolved)
          if (linked !== undefined && entries[linked]) return linked
        }
        return candidate
      }
    }
    return undefined
  }
  const dependencies = (i: number): number[] => {
    const entry = entries[i]
    if (!entry || entry.link === true) return []
    const location = locations[i] as string
    const targets: number[] = []
    for (const dep of table.depNames(i, location === '' || isWorkspace(location))) {
      const t = resolve(location, dep)
      if (t !== undefined && t !== i) targets.push(t)
    }
    return targets
  }

  // What the project itself declares: the root's and every workspace's dependencies.
  const root = index.get('')
  const hasRoot = root !== undefined && entries[root] !== undefined
  const workspaces: number[] = []
  for (let i = 0; i < locations.length; i++) if (isWorkspace(locations[i] as string)) workspaces.push(i)
  const direct = new Set<number>()
  for (const i of hasRoot ? [root, ...workspaces] : workspaces) for (const t of dependencies(i)) direct.add(t)
  if (!hasRoot) {
    // No root entry: what npm installed at the top level is what the root needed.
    for (let i = 0; i < locations.length; i++) if (/^node_modules\/(?:@[^/]+\/)?[^/]+$/.test(locations[i] as string)) direct.add(i)
  }

  for (let i = 0; i < locations.length; i++) {
    const location = locations[i] as string
    // The root and workspace folders are the project itself.
    if (!location.startsWith('node_modules/') && !location.includes('node_modules/')) continue
    const entry = entries[i]
    if (!entry) {
      out.error(`expected an object for packages["${location}"]`, table.keyLine(i))
      continue
    }
    if (entry.link === true) continue
    let version = typeof entry.version === 'string' ? entry.version : undefined
    const resolved = typeof entry.resolved === 'string' ? entry.resolved : undefined
    const valid = version !== undefined && isSemver(version)
    let name: string | undefined
    if (valid) {
      name = typeof entry.name === 'string' && entry.name !== '' ? entry.name : nameAt(location)
      // name@version seen before with this same `resolved`: it was classified then.
      if (out.mergeSameSource(name, version as string, resolved, direct.has(i), entry.dev === true, i)) continue
    }
    const kind = resolvedKind(resolved)
    if (kind === 'git' || kind === 'file' || kind === 'remote') continue
    // A registry-layout tarball: the entry's own fields win, the URL fills gaps.
    if (!valid) {
      if (kind !== 'tarball') continue
      version = (registryTarball((resolved as string).trim()) as { version: string }).version
    }
    name ??= typeof entry.name === 'string' && entry.name !== '' ? entry.name : nameAt(location)
    out.addAt(name, version as string, undefined, direct.has(i), entry.dev === true, i, resolved)
  }

  const graph = (): PathGraph => {
    const top = hasRoot ? root : -1
    const cache = new Map<number, number[]>()
    const edges = (i: number): number[] => {
      let e = cache.get(i)
      if (e === undefined) {
        e = i === -1 ? [...direct] : dependencies(i)
        // The root reaches workspaces too, so their dependencies get paths through them.
        if (i === top) e.push(...workspaces)
        e = e.filter((t) => t !== i)
        cache.set(i, e)
      }
      return e
    }
    const label = (i: number): string => {
      if (i === top) return rootName
      const name = entries[i]?.name
      return typeof name === 'string' ? name : nameAt(locations[i] as string)
    }
    return { root: top, edges, label }
  }
  return { graph, lines: (wanted) => table.lines(wanted) }
}

function isWorkspace(location: string): boolean {
  return location !== '' && !location.startsWith('node_modules/') && !location.includes('/node_modules/')
}

interface TreeNode {
  name: string
  entry: Record<string, unknown>
  parent: TreeNode | undefined
  /** Only for nodes with nested `dependencies` (most have none). */
  kids: Map<string, TreeNode> | undefined
  /** Index in document order; -1 for the root. */
  id: number
  line: number | undefined
}

/** lockfileVersion 1: nested `dependencies`, walked iteratively (depth is attacker-controlled). */
function readTree(text: string, dependencies: Record<string, unknown>, rootName: string, out: Collector): Lazy {
  const keyLines = new KeyLines(text, findKey(text, 'dependencies', 0, true))
  const rootNode: TreeNode = { name: rootName, entry: {}, parent: undefined, kids: new Map(), line: undefined, id: -1 }
  const nodes: TreeNode[] = []
  // Depth-first in document order so that key lines are found by a forward scan.
  const stack: { node: TreeNode; deps: Record<string, unknown>; keys: string[]; index: number }[] = [
    { node: rootNode, deps: dependencies, keys: Object.keys(dependencies), index: 0 },
  ]
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as (typeof stack)[number]
    if (frame.index >= frame.keys.length) {
      stack.pop()
      continue
    }
    const name = frame.keys[frame.index++] as string
    const value = frame.deps[name]
    const line = keyLines.line(name, true)
    if (!isRecord(value)) {
      out.error(`expected an object for dependency "${name}"`, line)
      continue
    }
    const nested = isRecord(value.dependencies) ? value.dependencies : undefined
    const node: TreeNode = { name, entry: value, parent: frame.node, kids: nested ? new Map() : undefined, line, id: nodes.length }
    ;(frame.node.kids as Map<string, TreeNode>).set(name, node)
    nodes.push(node)
    if (nested) stack.push({ node, deps: nested, keys: Object.keys(nested), index: 0 })
  }

  // `requires` names resolve to the nearest enclosing `dependencies` holding them.
  const edges: number[][] = []
  const required = new Set<number>()
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as TreeNode
    const targets: number[] = []
    if (isRecord(n.entry.requires)) {
      for (const dep of Object.keys(n.entry.requires)) {
        let t: TreeNode | undefined
        for (let p: TreeNode | undefined = n; p && !t; p = p.parent) t = p.kids?.get(dep)
        const ti = t?.id
        if (ti !== undefined && ti !== i) {
          targets.push(ti)
          required.add(ti)
        }
      }
    }
    edges.push(targets)
  }
  // v1 does not record what the root declares: its roots are the top-level
  // entries nothing requires, plus any top-level entry only reachable from a cycle.
  const top = [...(rootNode.kids as Map<string, TreeNode>).values()].map((n) => n.id)
  const rootEdges = top.filter((i) => !required.has(i))
  const reached = new Set<number>(rootEdges)
  const queue = [...rootEdges]
  for (let q = 0; q < queue.length; q++) {
    for (const t of edges[queue[q] as number] ?? []) {
      if (!reached.has(t)) {
        reached.add(t)
        queue.push(t)
      }
    }
  }
  for (const i of top) if (!reached.has(i)) rootEdges.push(i)
  const direct = new Set(rootEdges)

  const reported: string[] = []
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as TreeNode
    let version = typeof n.entry.version === 'string' ? n.entry.version : undefined
    const resolved = typeof n.entry.resolved === 'string' ? n.entry.resolved : undefined
    let name = n.name
    if (version?.startsWith('npm:')) {
      const at = version.lastIndexOf('@')
      if (at <= 4) continue
      name = version.slice(4, at)
      version = version.slice(at + 1)
    }
    if (version === undefined) continue
    // v1 writes a non-registry source into `version` itself (git URL, file:, tarball URL).
    const valid = isSemver(version)
    const kind = resolvedKind(valid ? resolved : version)
    if (kind === 'git' || kind === 'file' || kind === 'remote') continue
    if (!valid) {
      if (kind !== 'tarball') continue
      const tarball = registryTarball(version.trim()) as { name: string; version: string }
      name = tarball.name
      version = tarball.version
    }
    reported[i] = name
    out.add(name, version, { line: n.line, direct: direct.has(i), dev: n.entry.dev === true, node: i })
  }

  const realName = (n: TreeNode): string => {
    const v = n.entry.version
    if (typeof v === 'string' && v.startsWith('npm:')) {
      const at = v.lastIndexOf('@')
      if (at > 4) return v.slice(4, at)
    }
    return n.name
  }
  return {
    graph: () => ({
      root: -1,
      edges: (i) => (i === -1 ? rootEdges : (edges[i] ?? [])),
      label: (i) => (i === -1 ? rootName : (reported[i] ?? realName(nodes[i] as TreeNode))),
    }),
  }
}
