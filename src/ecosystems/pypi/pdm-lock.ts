/**
 * pdm.lock (lock_version 3.x and 4.x). Registry entries count; git, hg, svn,
 * bzr, path, url and editable entries do not. Entries that differ only in
 * `extras` are the same package and are listed once. pdm.lock does not record
 * the root's requirements, so entries nothing depends on are the direct ones.
 */
import type { Extraction, SourceFile } from '../types.js'
import { Collector, lockEntries, isTable, own, ownArray, ownString, ownTable, readLockToml } from './common.js'
import { entryNodes, forEachVersioned, LockGraph } from './lock-graph.js'

const NOT_REGISTRY = ['git', 'hg', 'svn', 'bzr', 'path', 'url']

export function extractPdmLock(file: SourceFile): Extraction {
  const out = new Collector(file.path)
  const read = readLockToml(file.content, out, 'a pdm.lock', 'package')
  if (!read) return out.result('pdm.lock')
  const doc = read.doc
  const lockVersion = ownString(ownTable(doc, 'metadata'), 'lock_version')
  const kind = lockVersion ? `pdm.lock@${lockVersion}` : 'pdm.lock'
  const listed = lockEntries(doc, 'package', out)
  if (!listed) return out.result(kind)
  if (!listed.present && !isTable(own(doc, 'metadata'))) out.error('expected a pdm.lock: found neither [metadata] nor [[package]]')
  const { entries } = listed

  const { nodes, lineOf } = entryNodes(entries, read.headers)
  const graph = new LockGraph(nodes)
  entries.forEach((entry, i) => {
    for (const dep of ownArray(entry, 'dependencies') ?? []) {
      // Dependencies are PEP 508 strings; only the name links entries.
      const name = typeof dep === 'string' ? /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(dep)?.[1] : undefined
      if (name) graph.addEdge(i, { name })
    }
  })
  const roots = graph.unreferenced()
  const rootSet = new Set(roots)

  forEachVersioned(entries, nodes, (i) => out.error('expected a [[package]] entry with a name', lineOf(i)), (entry, node, i) => {
    if (NOT_REGISTRY.some((k) => own(entry, k) !== undefined) || own(entry, 'editable') === true) return
    out.addPackage({ name: node.name, version: node.version, line: lineOf(i), direct: rootSet.has(i), dev: isDev(entry), node: i })
  })
  return out.lazyResult(kind, () => graph.paths(roots))
}

/** 4.x lists `groups`, 3.x `sections`: dev when `default` is not among them. */
function isDev(entry: unknown): boolean {
  const groups = ownArray(entry, 'groups') ?? ownArray(entry, 'sections')
  return groups !== undefined && groups.length > 0 && !groups.includes('default')
}
