/**
 * pylock.toml and pylock.<name>.toml (PEP 751). Every `[[packages]]` entry
 * with a version counts unless it comes from a VCS, a local directory or an
 * archive URL. The format records no root, so entries no other entry lists
 * in `dependencies` are taken as direct.
 */
import type { Extraction, SourceFile } from '../types.js'
import { Collector, lockEntries, own, ownArray, ownString, readLockToml } from './common.js'
import { entryNodes, forEachVersioned, LockGraph } from './lock-graph.js'

const NOT_REGISTRY = ['vcs', 'directory', 'archive']

export function extractPylock(file: SourceFile): Extraction {
  const out = new Collector(file.path)
  const read = readLockToml(file.content, out, 'a pylock.toml', 'packages')
  if (!read) return out.result('pylock.toml')
  const doc = read.doc
  const lockVersion = ownString(doc, 'lock-version')
  const kind = lockVersion ? `pylock.toml@${lockVersion}` : 'pylock.toml'
  const listed = lockEntries(doc, 'packages', out)
  if (!listed) return out.result(kind)
  if (lockVersion === undefined && !listed.present) out.error("expected a pylock.toml: found neither 'lock-version' nor [[packages]]")
  const { entries } = listed

  const { nodes, lineOf } = entryNodes(entries, read.headers)
  const graph = new LockGraph(nodes)
  let hasTree = false
  entries.forEach((entry, i) => {
    for (const dep of ownArray(entry, 'dependencies') ?? []) {
      const name = ownString(dep, 'name')
      if (!name) continue
      hasTree = true
      graph.addEdge(i, { name, version: ownString(dep, 'version') })
    }
  })
  const roots = hasTree ? graph.unreferenced() : []
  const rootSet = new Set(roots)

  forEachVersioned(entries, nodes, (i) => out.error('expected a [[packages]] entry with a name', lineOf(i)), (entry, node, i) => {
    if (NOT_REGISTRY.some((k) => own(entry, k) !== undefined)) return
    out.addPackage({ name: node.name, version: node.version, line: lineOf(i), direct: rootSet.has(i), dev: false, node: i })
  })
  return out.lazyResult(kind, () => graph.paths(roots))
}
