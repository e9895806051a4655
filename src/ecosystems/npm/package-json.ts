/**
 * package.json: exact pins become packages, ranges become range requirements.
 * Sections (INVENTORY.md): dependencies, devDependencies, optionalDependencies,
 * peerDependencies, npm `overrides` (nested), yarn `resolutions`,
 * `pnpm.overrides`, `pnpm.packageExtensions`, `catalog` / `catalogs` (top
 * level or under `workspaces`).
 */
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser'
import type { Extraction } from '../types.js'
import { classifySpec, Collector, describe, isRecord, nulLine, parseJson, stripBom } from './common.js'

const DEP_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const
const EXTENSION_SECTIONS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const

type JsonPath = (string | number)[]

/** Line numbers from jsonc-parser's tree; package.json files are small, so a lookup per entry is fine. */
class ManifestLines {
  private readonly tree: Node | undefined
  private readonly starts: number[] = [0]

  constructor(text: string) {
    try {
      this.tree = parseTree(text)
    } catch {
      // parseTree recurses: hostile nesting leaves us without lines, not without packages.
      this.tree = undefined
    }
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1)
  }

  line(path: JsonPath): number | undefined {
    if (!this.tree) return undefined
    const node = findNodeAtLocation(this.tree, path)
    const at = node?.parent?.type === 'property' ? node.parent.offset : node?.offset
    if (at === undefined) return undefined
    let lo = 0
    let hi = this.starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((this.starts[mid] as number) <= at) lo = mid
      else hi = mid - 1
    }
    return lo + 1
  }
}

/**
 * The package an override / resolution key selects: `a>b`, `**\/b`, `a/b`,
 * `b@<1.2` and `@s/a/@s/b` all select the last package named.
 */
export function selectorTarget(key: string): string {
  let k = key.trim()
  // pnpm `parent>child`; a `>` right after `@` or a space belongs to a range (`b@>=4 <6`).
  for (let i = k.length - 1; i > 0; i--) {
    if (k[i] === '>' && k[i - 1] !== '@' && k[i - 1] !== ' ' && k[i + 1] !== '=') {
      k = k.slice(i + 1).trim()
      break
    }
  }
  const segments = k.split('/')
  const last = segments[segments.length - 1] ?? ''
  const before = segments[segments.length - 2]
  k = before !== undefined && before.startsWith('@') ? `${before}/${last}` : last
  const at = k.indexOf('@', 1)
  return at === -1 ? k : k.slice(0, at)
}

export function extractPackageJson(file: string, content: string): Extraction {
  const out = new Collector(file)
  try {
    const nul = nulLine(content)
    if (nul !== undefined) {
      out.error('file contains a NUL byte: not a text package.json', nul)
      return out.result('package.json')
    }
    const data = parseJson(content, out, 'a package.json object')
    if (data === undefined) return out.result('package.json')
    if (!isRecord(data)) {
      out.error(`expected a package.json object, found ${Array.isArray(data) ? 'an array' : data === null ? 'null' : typeof data}`, 1)
      return out.result('package.json')
    }
    readManifest(data, new ManifestLines(stripBom(content)), out)
  } catch (error) {
    out.error(`could not read package.json: ${describe(error)}`)
  }
  return out.result('package.json')
}

function readManifest(data: Record<string, unknown>, lines: ManifestLines, out: Collector): void {
  const add = (name: string, spec: unknown, path: JsonPath, dev = false): void => {
    if (typeof spec !== 'string') return
    const c = classifySpec(name, spec)
    if (c.kind === 'skip' || c.name === '') return
    const line = lines.line(path)
    if (c.kind === 'exact') out.add(c.name, c.version, { line, direct: true, dev })
    else out.addRange(c.name, c.range, { line, dev })
  }
  const addMap = (map: unknown, path: JsonPath, dev = false): void => {
    if (!isRecord(map)) return
    for (const [name, spec] of Object.entries(map)) add(name, spec, [...path, name], dev)
  }

  for (const section of DEP_SECTIONS) addMap(data[section], [section], section === 'devDependencies')

  if (isRecord(data.overrides)) readOverrides(data.overrides, ['overrides'], add)
  if (isRecord(data.resolutions)) {
    for (const [key, spec] of Object.entries(data.resolutions)) add(selectorTarget(key), spec, ['resolutions', key])
  }

  const pnpm = data.pnpm
  if (isRecord(pnpm)) {
    if (isRecord(pnpm.overrides)) {
      for (const [key, spec] of Object.entries(pnpm.overrides)) add(selectorTarget(key), spec, ['pnpm', 'overrides', key])
    }
    if (isRecord(pnpm.packageExtensions)) readExtensions(pnpm.packageExtensions, ['pnpm', 'packageExtensions'], addMap)
  }

  readCatalogs(data, [], addMap)
  if (isRecord(data.workspaces)) readCatalogs(data.workspaces, ['workspaces'], addMap)
}

type Add = (name: string, spec: unknown, path: JsonPath, dev?: boolean) => void
type AddMap = (map: unknown, path: JsonPath, dev?: boolean) => void

/**
 * npm overrides nest: `{"a": {".": "1.0.0", "b": "2.0.0"}}`. Walked with a
 * stack (depth is untrusted) holding parent links, so a deep file costs a
 * path only where a spec is found, not at every level.
 */
function readOverrides(root: Record<string, unknown>, rootPath: JsonPath, add: Add): void {
  interface Frame {
    obj: Record<string, unknown>
    key: string | number
    parent: Frame | undefined
  }
  const pathOf = (frame: Frame, ...rest: string[]): JsonPath => {
    const keys: JsonPath = []
    for (let f: Frame | undefined = frame; f; f = f.parent) keys.push(f.key)
    return [...rootPath.slice(0, -1), ...keys.reverse(), ...rest]
  }
  const stack: Frame[] = [{ obj: root, key: rootPath[rootPath.length - 1] ?? 'overrides', parent: undefined }]
  while (stack.length > 0) {
    const frame = stack.pop() as Frame
    for (const [key, value] of Object.entries(frame.obj)) {
      if (key === '.') continue
      const target = selectorTarget(key)
      if (typeof value === 'string') add(target, value, pathOf(frame, key))
      else if (isRecord(value)) {
        if (typeof value['.'] === 'string') add(target, value['.'], pathOf(frame, key, '.'))
        stack.push({ obj: value, key, parent: frame })
      }
    }
  }
}

/** pnpm.packageExtensions / packageExtensions: `{"sel": {"dependencies": {...}}}`. */
export function readExtensions(extensions: Record<string, unknown>, path: JsonPath, addMap: AddMap): void {
  for (const [selector, ext] of Object.entries(extensions)) {
    if (!isRecord(ext)) continue
    for (const section of EXTENSION_SECTIONS) addMap(ext[section], [...path, selector, section])
  }
}

/** `catalog` and `catalogs.<name>` maps (pnpm, bun). */
export function readCatalogs(holder: Record<string, unknown>, path: JsonPath, addMap: AddMap): void {
  addMap(holder.catalog, [...path, 'catalog'])
  if (isRecord(holder.catalogs)) {
    for (const [name, catalog] of Object.entries(holder.catalogs)) addMap(catalog, [...path, 'catalogs', name])
  }
}
