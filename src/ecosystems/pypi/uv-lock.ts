/**
 * uv.lock (version 1, with or without `revision`; also PEP 723 script locks).
 * Entries from a registry count; editable and virtual entries are the
 * project's own workspace members and are the roots of the tree; git, path,
 * directory and url sources are skipped. A package is dev when the roots
 * reach it only through their `dev-dependencies` (dependency groups).
 */
import type { Extraction, SourceFile } from '../types.js'
import { Collector, lockEntries, own, ownArray, ownString, ownTable, readLockToml } from './common.js'
import { entryNodes, forEachVersioned, LockGraph, type DependencyRef } from './lock-graph.js'

const NOT_REGISTRY = ['git', 'path', 'directory', 'url', 'editable', 'virtual']

export function extractUvLock(file: SourceFile): Extraction {
  const out = new Collector(file.path)
  const read = readLockToml(file.content, out, 'a uv.lock', 'package')
  if (!read) return out.result('uv.lock')
  const doc = read.doc
  const version = own(doc, 'version')
  const revision = own(doc, 'revision')
  const kind = typeof version === 'number' ? `uv.lock@${version}${typeof revision === 'number' ? `.${revision}` : ''}` : 'uv.lock'
  const listed = lockEntries(doc, 'package', out)
  if (!listed) return out.result(kind)
  if (!listed.present && typeof version !== 'number') out.error("expected a uv.lock: found neither 'version' nor [[package]]")
  const { entries } = listed

  const { nodes, lineOf } = entryNodes(entries, read.headers)
  const graph = new LockGraph(nodes)
  const prodEdges = new Map<string, string[]>()
  const memberNames = new Set((ownArray(ownTable(doc, 'manifest'), 'members') ?? []).filter((m) => typeof m === 'string'))
  const roots: number[] = []
  const direct = new Set<number>()

  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]
    const source = ownTable(entry, 'source')
    const isMember = own(source, 'editable') !== undefined || own(source, 'virtual') !== undefined || memberNames.has(nodes[i]?.name ?? '')
    if (isMember) roots.push(i)
    const into: Linking = { graph, from: i, member: isMember, direct, prodEdges }
    link(into, ownArray(entry, 'dependencies'), true)
    const optional = ownTable(entry, 'optional-dependencies')
    if (optional) for (const refs of Object.values(optional)) link(into, Array.isArray(refs) ? refs : [], true)
    const dev = ownTable(entry, 'dev-dependencies')
    if (dev) for (const refs of Object.values(dev)) link(into, Array.isArray(refs) ? refs : [], false)
  }

  // A script lock has no member entry: its `[manifest] requirements` are the top level.
  if (roots.length === 0) {
    for (const req of ownArray(ownTable(doc, 'manifest'), 'requirements') ?? []) {
      const dep = toRef(req)
      if (dep) graph.resolve(dep).forEach((t) => direct.add(t))
    }
    roots.push(...(direct.size > 0 ? direct : graph.unreferenced()))
  }
  const prod = graph.reachable(roots, prodEdges)
  const all = graph.reachable(roots, graph.edges)

  forEachVersioned(entries, nodes, (i) => out.error('expected a [[package]] entry with a name', lineOf(i)), (entry, node, i) => {
    const source = ownTable(entry, 'source')
    if (NOT_REGISTRY.some((k) => own(source, k) !== undefined)) return
    out.addPackage({
      name: node.name,
      version: node.version,
      line: lineOf(i),
      direct: direct.has(i),
      dev: all.has(i) && !prod.has(i),
      node: i,
    })
  })
  return out.lazyResult(kind, () => graph.paths(roots))
}

interface Linking {
  graph: LockGraph
  from: number
  member: boolean
  direct: Set<number>
  prodEdges: Map<string, string[]>
}

/** Edges from one entry to its dependencies; a member's are direct; `prod` ones also go into the production graph. */
function link(at: Linking, refs: unknown[] | undefined, prod: boolean): void {
  if (!refs) return
  for (const ref of refs) {
    const dep = toRef(ref)
    if (!dep) continue
    const targets = at.graph.addEdge(at.from, dep)
    if (at.member) for (const t of targets) at.direct.add(t)
    if (prod) {
      const key = String(at.from)
      const list = at.prodEdges.get(key) ?? []
      for (const t of targets) if (t !== at.from && !list.includes(String(t))) list.push(String(t))
      at.prodEdges.set(key, list)
    }
  }
}

function toRef(value: unknown): DependencyRef | undefined {
  const name = ownString(value, 'name')
  if (!name) return undefined
  return { name, version: ownString(value, 'version') }
}
