/**
 * The dependency graph of a TOML lockfile with `[[package]]` entries, for
 * `direct` and `paths`. Nodes are entries by index (one name may be locked at
 * several versions, split by markers); edges name dependencies by name and
 * optionally version, resolved to every entry that fits.
 */
import { normalizePypiName } from './names.js'
import { isTable, ownString, shortestPaths, type Table } from './common.js'

export interface LockNode {
  name: string
  version?: string
}

export interface DependencyRef {
  name: string
  version?: string
}

export class LockGraph {
  readonly edges = new Map<string, string[]>()
  private readonly byName = new Map<string, number[]>()
  private readonly indegree: number[]

  constructor(readonly nodes: readonly LockNode[]) {
    nodes.forEach((node, i) => {
      const key = normalizePypiName(node.name)
      const list = this.byName.get(key)
      if (list) list.push(i)
      else this.byName.set(key, [i])
    })
    this.indegree = nodes.map(() => 0)
  }

  /** Entries a reference can mean: all entries of that name, narrowed by version when given. */
  resolve(ref: DependencyRef): number[] {
    const all = this.byName.get(normalizePypiName(ref.name)) ?? []
    if (ref.version === undefined || all.length < 2) return all
    const exact = all.filter((i) => this.nodes[i]?.version === ref.version)
    return exact.length > 0 ? exact : all
  }

  addEdge(from: number, ref: DependencyRef): number[] {
    const targets = this.resolve(ref)
    const list = this.edges.get(String(from)) ?? []
    for (const t of targets) {
      if (t === from || list.includes(String(t))) continue
      list.push(String(t))
      this.indegree[t] = (this.indegree[t] ?? 0) + 1
    }
    this.edges.set(String(from), list)
    return targets
  }

  /** Entries nothing else depends on: the lockfile's top level when it records no root. */
  unreferenced(): number[] {
    return this.indegree.flatMap((d, i) => (d === 0 ? [i] : []))
  }

  /** Up to five shortest paths per entry, from the given roots, as normalised names. */
  paths(roots: readonly number[], edges: ReadonlyMap<string, readonly string[]> = this.edges): Map<number, string[][]> {
    const byKey = shortestPaths(
      roots.map(String),
      edges,
      (key) => normalizePypiName(this.nodes[Number(key)]?.name ?? key),
    )
    const out = new Map<number, string[][]>()
    for (const [key, ps] of byKey) out.set(Number(key), ps)
    return out
  }

  /** Entries reachable from the roots over the given edges (roots included). */
  reachable(roots: readonly number[], edges: ReadonlyMap<string, readonly string[]>): Set<number> {
    const seen = new Set<number>(roots)
    const queue = [...roots]
    for (let head = 0; head < queue.length; head++) {
      for (const next of edges.get(String(queue[head])) ?? []) {
        const n = Number(next)
        if (!seen.has(n)) {
          seen.add(n)
          queue.push(n)
        }
      }
    }
    return seen
  }
}

/**
 * Calls `fn` for each lockfile entry that has a name and a version. An entry
 * with no name is reported with its line; one with no version resolves
 * nothing (INVENTORY.md).
 */
export function forEachVersioned(
  entries: readonly unknown[],
  nodes: readonly LockNode[],
  onNameless: (i: number) => void,
  fn: (entry: Table, node: LockNode & { version: string }, i: number) => void,
): void {
  entries.forEach((entry, i) => {
    const node = nodes[i] as LockNode
    if (!isTable(entry) || !node.name) {
      onNameless(i)
      return
    }
    if (node.version === undefined) return
    fn(entry, node as LockNode & { version: string }, i)
  })
}

/**
 * The graph nodes of a lockfile's package entries, and each entry's line:
 * its table header's, when the headers found line up one to one with the entries.
 */
export function entryNodes(entries: readonly unknown[], headers: readonly number[]): { nodes: LockNode[]; lineOf: (i: number) => number | undefined } {
  const nodes: LockNode[] = entries.map((e) => ({ name: ownString(e, 'name') ?? '', version: ownString(e, 'version') }))
  const aligned = headers.length === entries.length
  return { nodes, lineOf: (i) => (aligned ? headers[i] : undefined) }
}
