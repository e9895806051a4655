/**
 * pnpm-workspace.yaml: exact pins in `catalog`, `catalogs.*`, `overrides`,
 * `packageExtensions` and `configDependencies` (`ver+sha512-…` pins `ver`).
 * Ranges become range requirements.
 */
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml'
import type { Extraction } from '../types.js'
import { classifySpec, Collector, describe, isRecord, nulLine } from './common.js'
import { readCatalogs, readExtensions, selectorTarget } from './package-json.js'
import { MAX_ALIASES } from './pnpm-lock.js'

type YamlPath = (string | number)[]

function keyLine(doc: Document, counter: LineCounter, path: YamlPath): number | undefined {
  const parent = doc.getIn(path.slice(0, -1), true)
  if (!isMap(parent)) return undefined
  const last = path[path.length - 1]
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last)
  const at = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined
  return at === undefined ? undefined : counter.linePos(at).line
}

export function extractPnpmWorkspace(file: string, content: string): Extraction {
  const out = new Collector(file)
  const kind = 'pnpm-workspace.yaml'
  try {
    const nul = nulLine(content)
    if (nul !== undefined) {
      out.error('file contains a NUL byte: not a text pnpm-workspace.yaml', nul)
      return out.result(kind)
    }
    const counter = new LineCounter()
    const doc = parseDocument(content, { lineCounter: counter, uniqueKeys: false })
    const problem = doc.errors[0]
    if (problem) {
      const pos = counter.linePos(problem.pos[0])
      out.error(`invalid YAML at ${pos.line}:${pos.col}: ${problem.message.split('\n')[0]}; expected a pnpm-workspace.yaml mapping`, pos.line)
      return out.result(kind)
    }
    const data: unknown = doc.toJS({ maxAliasCount: MAX_ALIASES })
    if (data === null || data === undefined) return out.result(kind)
    if (!isRecord(data)) {
      out.error(`expected a pnpm-workspace.yaml mapping, found ${Array.isArray(data) ? 'a list' : typeof data}`, 1)
      return out.result(kind)
    }
    const add = (name: string, spec: unknown, path: YamlPath): void => {
      if (typeof spec !== 'string' && typeof spec !== 'number') return
      const c = classifySpec(name, String(spec))
      if (c.kind === 'skip' || c.name === '') return
      const line = keyLine(doc, counter, path)
      if (c.kind === 'exact') out.add(c.name, c.version, { line, direct: true })
      else out.addRange(c.name, c.range, { line })
    }
    const addMap = (map: unknown, path: YamlPath): void => {
      if (!isRecord(map)) return
      for (const [name, spec] of Object.entries(map)) add(name, spec, [...path, name])
    }
    readCatalogs(data, [], addMap)
    if (isRecord(data.overrides)) for (const [key, spec] of Object.entries(data.overrides)) add(selectorTarget(key), spec, ['overrides', key])
    if (isRecord(data.packageExtensions)) readExtensions(data.packageExtensions, ['packageExtensions'], addMap)
    if (isRecord(data.configDependencies)) {
      for (const [name, spec] of Object.entries(data.configDependencies)) {
        // `1.2.3+sha512-…`: the integrity suffix is not part of the version.
        if (typeof spec === 'string') add(name, spec.replace(/\+sha\d+-.*$/, ''), ['configDependencies', name])
      }
    }
  } catch (error) {
    out.error(`could not read pnpm-workspace.yaml: ${describe(error)}`)
  }
  return out.result(kind)
}
