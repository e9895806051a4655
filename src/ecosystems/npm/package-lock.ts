/**
 * package-lock.json and npm-shrinkwrap.json, lockfileVersion 1, 2 and 3.
 *
 * v2/v3 are read from `packages` (keyed by install location) and the legacy
 * `dependencies` tree is ignored, as npm itself does; v1 walks the nested
 * `dependencies` tree. Plain JSON.parse does the parsing, and line numbers
 * come from one forward scan for each key in document order, so the cost
 * stays close to JSON.parse on 50 MB files.
 */
import type { Extraction } from '../types.js'
import {
  Collector,
  registryTarball,
  resolvedKind,
  describe,
  ForwardLines,
  isRecord,
  isSemver,
  lineColAt,
  nulLine,
  parseJson,
  type PathGraph,
  ROOT_NAME,
} from './common.js'

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
    const data = parseJson(content, out, EXPECTED)
    if (data === undefined) return out.result(kind)
    if (!isRecord(data)) {
      out.error(`expected ${EXPECTED}, found ${Array.isArray(data) ? 'an array' : typeof data}`, 1)
      return out.result(kind)
    }
    const version = data.lockfileVersion
    kind = `${baseName}@${typeof version === 'number' || typeof version === 'string' ? version : 1}`
    const rootName = typeof data.name === 'string' && data.name !== '' ? data.name : ROOT_NAME
    let lazy: Lazy
    if (isRecord(data.packages)) lazy = readPackages(content, data.packages, rootName, out)
    else if (isRecord(data.dependencies)) lazy = readTree(content, data.dependencies, rootName, out)
    else out.error(`expected ${EXPECTED}; found neither`, 1)
    return out.result(kind, lazy)
  } catch (error) {
    out.error(`could not read package-lock: ${describe(error)}`)
  }
  return out.result(kind)
}

/** Finds `"key":` at or after `from`, optionally followed by `{`; -1 when absent. */
function findKey(text: string, key: string, from: number, object: boolean): number {
  const needle = `"${key}"`
  for (let i = text.indexOf(needle, from); i !== -1; i = text.indexOf(needle, i + needle.length)) {
    let j = i + needle.length
    while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13) j++
    if (text.charCodeAt(j) !== 58 /* : */) continue
    if (!object) return i
    j++
    while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13) j++
    if (text.charCodeAt(j) === 123 /* { */) return i
  }
  return -1
}

/**
 * Finds keys in document order and returns their lines. Gives up after a
 * number of misses, so a hostile file cannot make every lookup scan to the end.
 */
class KeyLines {
  private pos: number
  private misses = 0
  private readonly lines: ForwardLines

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.pos = Math.max(0, start)
    this.lines = new ForwardLines(text)
  }

  line(key: string, object: boolean): number | undefined {
    if (this.misses > 100) return undefined
    const at = findKey(this.text, key, this.pos, object)
    if (at === -1) {
      this.misses++
      return undefined
    }
    this.pos = at + key.length + 2
    return this.lines.lineAt(at)
  }
}

interface LockEntry {
  version?: unknown
  resolved?: unknown
  name?: unknown
  link?: unknown
  dev?: unknown
  dependencies?: unknown
  optionalDependencies?: unknown
  peerDependencies?: unknown
  devDependencies?: unknown
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

function depNames(entry: LockEntry, withDev: boolean): string[] {
  const names: string[] = []
  for (const section of [entry.dependencies, entry.optionalDependencies, entry.peerDependencies, withDev ? entry.devDependencies : undefined]) {
    if (isRecord(section)) for (const n of Object.keys(section)) names.push(n)
  }
  return names
}

type Lazy = Parameters<Collector['result']>[1]

/** lockfileVersion 2 and 3: `packages` keyed by install location. */
function readPackages(text: string, packages: Record<string, unknown>, rootName: string, out: Collector): Lazy {
  const locations = Object.keys(packages)
  // Probing a Set with built strings is much cheaper than probing the parsed object (no
  // internalisation), but the Set costs a pass over every location: only the graph builds it.
  let known: Set<string> | undefined

  // Node resolution: look in <dir>/node_modules/<name>, then up the directories.
  const resolve = (from: string, dep: string): string | undefined => {
    for (let dir: string | undefined = from; dir !== undefined; dir = parentDir(dir)) {
      const last = dir.slice(dir.lastIndexOf('/') + 1)
      // `…/node_modules` and `…/node_modules/@scope` are not package folders.
      if (last === 'node_modules' || last.startsWith('@')) continue
      const candidate = dir === '' ? `node_modules/${dep}` : `${dir}/node_modules/${dep}`
      if (known ? !known.has(candidate) : !Object.hasOwn(packages, candidate)) continue
      const entry = packages[candidate]
      if (isRecord(entry)) {
        // A workspace link: the dependency is the linked folder itself.
        if (entry.link === true && typeof entry.resolved === 'string' && isRecord(packages[entry.resolved])) return entry.resolved
        return candidate
      }
    }
    return undefined
  }
  const dependencies = (location: string): string[] => {
    const entry = packages[location]
    if (!isRecord(entry) || entry.link === true) return []
    const targets: string[] = []
    for (const dep of depNames(entry as LockEntry, location === '' || isWorkspace(location))) {
      const t = resolve(location, dep)
      if (t !== undefined && t !== location) targets.push(t)
    }
    return targets
  }

  // What the project itself declares: the root's and every workspace's dependencies.
  const hasRoot = isRecord(packages[''])
  const workspaces = locations.filter(isWorkspace)
  const direct = new Set<string>()
  for (const location of hasRoot ? ['', ...workspaces] : workspaces) for (const t of dependencies(location)) direct.add(t)
  if (!hasRoot) {
    // No root entry: what npm installed at the top level is what the root needed.
    for (const location of locations) if (/^node_modules\/(?:@[^/]+\/)?[^/]+$/.test(location)) direct.add(location)
  }

  for (let i = 0; i < locations.length; i++) {
    const location = locations[i] as string
    // The root and workspace folders are the project itself.
    if (!location.startsWith('node_modules/') && !location.includes('node_modules/')) continue
    const value = packages[location]
    if (!isRecord(value)) {
      out.error(`expected an object for packages["${location}"]`, lineOfKey(text, location))
      continue
    }
    const entry = value as LockEntry
    if (entry.link === true) continue
    let version = typeof entry.version === 'string' ? entry.version : undefined
    const resolved = typeof entry.resolved === 'string' ? entry.resolved : undefined
    const valid = version !== undefined && isSemver(version)
    let name: string | undefined
    if (valid) {
      name = typeof entry.name === 'string' && entry.name !== '' ? entry.name : nameAt(location)
      // name@version seen before with this same `resolved`: it was classified then.
      if (out.mergeSameSource(name, version as string, resolved, direct.has(location), entry.dev === true, i)) continue
    }
    const kind = resolvedKind(resolved)
    if (kind === 'git' || kind === 'file' || kind === 'remote') continue
    // A registry-layout tarball: the entry's own fields win, the URL fills gaps.
    if (!valid) {
      if (kind !== 'tarball') continue
      version = (registryTarball((resolved as string).trim()) as { version: string }).version
    }
    name ??= typeof entry.name === 'string' && entry.name !== '' ? entry.name : nameAt(location)
    out.addAt(name, version as string, undefined, direct.has(location), entry.dev === true, i, resolved)
  }

  const lines = (wanted: readonly number[]): ((node: number) => number | undefined) => {
    // Keys appear in the text in Object.keys order: one forward scan finds all the wanted ones.
    const keyLines = new KeyLines(text, findKey(text, 'packages', 0, true))
    // Indexed by node (0: not found), rather than a Map over every package.
    const found = new Int32Array(locations.length)
    for (const node of wanted) found[node] = keyLines.line(locations[node] as string, true) ?? 0
    return (node) => found[node] || undefined
  }
  const graph = (): PathGraph => {
    known = new Set(locations)
    const index = new Map<string, number>()
    for (let i = 0; i < locations.length; i++) index.set(locations[i] as string, i)
    const root = hasRoot ? (index.get('') as number) : -1
    const cache = new Map<number, number[]>()
    const edges = (i: number): number[] => {
      let e = cache.get(i)
      if (e === undefined) {
        const targets = i === -1 ? [...direct] : dependencies(locations[i] as string)
        // The root reaches workspaces too, so their dependencies get paths through them.
        if (i === root) targets.push(...workspaces)
        e = targets.map((t) => index.get(t) as number).filter((t) => t !== undefined && t !== i)
        cache.set(i, e)
      }
      return e
    }
    const label = (i: number): string => {
      if (i === root) return rootName
      const location = locations[i] as string
      const entry = packages[location]
      return isRecord(entry) && typeof entry.name === 'string' ? entry.name : nameAt(location)
    }
    return { root, edges, label }
  }
  return { graph, lines }
}

function isWorkspace(location: string): boolean {
  return location !== '' && !location.startsWith('node_modules/') && !location.includes('/node_modules/')
}

/** Line of one key, for the rare error path. */
function lineOfKey(text: string, key: string): number | undefined {
  const at = findKey(text, key, 0, false)
  return at === -1 ? undefined : lineColAt(text, at).line
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
