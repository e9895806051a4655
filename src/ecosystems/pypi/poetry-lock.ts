/**
 * poetry.lock (lock-version 1.x and 2.x). Every `[[package]]` resolved from a
 * registry counts, including private sources (legacy, supplemental, explicit,
 * primary); git, directory, file and url sources do not. poetry.lock does not
 * record the root project's own requirements, so entries that no other entry
 * depends on are taken as the direct ones and paths start from them.
 */
import type { Extraction, SourceFile } from '../types.js'
import { Collector, isTable, own, ownArray, ownString, ownTable, readLockToml } from './common.js'
import { entryNodes, forEachVersioned, LockGraph } from './lock-graph.js'

const NOT_REGISTRY = new Set(['git', 'directory', 'file', 'url'])

export function extractPoetryLock(file: SourceFile): Extraction {
  const out = new Collector(file.path)
  const read = readLockToml(file.content, out, 'a poetry.lock', 'package')
  if (!read) return out.result('poetry.lock')
  const doc = read.doc
  const lockVersion = ownString(ownTable(doc, 'metadata'), 'lock-version')
  const kind = lockVersion ? `poetry.lock@${lockVersion}` : 'poetry.lock'
  const entries = ownArray(doc, 'package')
  if (entries === undefined) {
    if (own(doc, 'package') !== undefined) out.error('expected [[package]] entries (an array of tables)')
    else if (!isTable(own(doc, 'metadata'))) out.error('expected a poetry.lock: found neither [[package]] nor [metadata]')
    return out.result(kind)
  }

  const { nodes, lineOf } = entryNodes(entries, read.headers)
  const graph = new LockGraph(nodes)
  entries.forEach((entry, i) => {
    // Dependencies name no version (a list of constraints is split by markers): link every entry of that name.
    for (const dep of Object.keys(ownTable(entry, 'dependencies') ?? {})) graph.addEdge(i, { name: dep })
  })
  const roots = graph.unreferenced()
  const rootSet = new Set(roots)

  forEachVersioned(entries, nodes, (i) => out.error('expected a [[package]] entry with a name', lineOf(i)), (entry, node, i) => {
    const sourceType = ownString(ownTable(entry, 'source'), 'type')
    if (sourceType !== undefined && NOT_REGISTRY.has(sourceType)) return
    out.addPackage({
      name: node.name,
      version: node.version,
      line: lineOf(i),
      direct: rootSet.has(i),
      dev: isDev(entry),
      node: i,
    })
  })
  return out.lazyResult(kind, () => graph.paths(roots))
}

/** 1.x writes `category = "dev"`; 2.1 writes `groups`, dev when `main` is not among them. */
function isDev(entry: unknown): boolean {
  const groups = ownArray(entry, 'groups')
  if (groups) return !groups.includes('main')
  return ownString(entry, 'category') === 'dev'
}
