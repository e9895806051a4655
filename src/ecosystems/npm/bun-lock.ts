/**
 * bun.lock (text, JSONC with trailing commas). Trailing commas and comments
 * are removed by one string-aware regex pass, then JSON.parse does the work:
 * much faster than a JS tokenizer. jsonc-parser is only used to locate errors.
 * Each `packages` value is `[ "name@spec", … ]`; only semver specs count.
 */
import { parse as parseJsonc, type ParseError } from 'jsonc-parser'
import type { Extraction } from '../types.js'
import { Collector, describe, ForwardLines, isRecord, isSemver, lineColAt, nulLine, ROOT_NAME, stripBom, type PathGraph } from './common.js'

const JSONC_NOISE = /("(?:[^"\\\n]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\/|,(\s*[}\]])/g

export function toStrictJson(text: string): string {
  return text.replace(JSONC_NOISE, (_m, str: string | undefined, close: string | undefined) => str ?? close ?? '')
}

export function extractBunLock(file: string, content: string): Extraction {
  const out = new Collector(file)
  let kind = 'bun.lock'
  try {
    const nul = nulLine(content)
    if (nul !== undefined) {
      out.error('file contains a NUL byte: not a text bun.lock', nul)
      return out.result(kind)
    }
    let data: unknown
    try {
      data = JSON.parse(toStrictJson(stripBom(content)))
    } catch {
      const errors: ParseError[] = []
      try {
        parseJsonc(content, errors, { allowTrailingComma: true })
      } catch {
        // recursion on hostile nesting: no position
      }
      const where = errors[0] ? lineColAt(content, errors[0].offset) : undefined
      out.error(`invalid JSONC${where ? ` at ${where.line}:${where.col}` : ''}; expected a bun.lock object`, where?.line)
      return out.result(kind)
    }
    if (!isRecord(data)) {
      out.error(`expected a bun.lock object, found ${Array.isArray(data) ? 'an array' : typeof data}`, 1)
      return out.result(kind)
    }
    if (data.lockfileVersion !== undefined) kind = `bun.lock@${String(data.lockfileVersion)}`
    const packages = isRecord(data.packages) ? data.packages : {}
    const keys = Object.keys(packages)
    const lines = new ForwardLines(content)
    let pos = Math.max(0, content.indexOf('"packages"'))

    // Keys are install paths: `a`, `a/b` (b nested under a), `@s/x/c`.
    const index = new Map<string, number>()
    keys.forEach((k, i) => index.set(k, i))
    const directNames = new Set<string>()
    const workspaces = isRecord(data.workspaces) ? Object.values(data.workspaces) : []
    for (const ws of workspaces) {
      if (!isRecord(ws)) continue
      for (const section of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
        if (isRecord(ws[section])) for (const n of Object.keys(ws[section])) directNames.add(n)
      }
    }
    const names: string[] = []
    keys.forEach((key, i) => {
      const needle = JSON.stringify(key)
      const at = content.indexOf(needle, pos)
      let line: number | undefined
      if (at !== -1) {
        pos = at + needle.length
        line = lines.lineAt(at)
      }
      const value = packages[key]
      const first = Array.isArray(value) ? value[0] : undefined
      names[i] = key
      if (typeof first !== 'string') return
      const at2 = first.indexOf('@', 1)
      if (at2 === -1) return
      const name = first.slice(0, at2)
      const spec = first.slice(at2 + 1)
      names[i] = name
      if (spec.startsWith('npm:')) {
        const v = spec.slice(4)
        if (isSemver(v)) out.add(name, v, { line, direct: directNames.has(key), node: i })
        return
      }
      if (!isSemver(spec)) return // file:, link:, workspace:, git, github:, tarball URLs
      out.add(name, spec, { line, direct: directNames.has(key), node: i })
    })

    const graph = (): PathGraph => {
      const resolve = (from: string, dep: string): number | undefined => {
        // Nested keys shadow top-level ones, like node_modules.
        for (let dir: string | undefined = from; ; ) {
          const hit = index.get(dir ? `${dir}/${dep}` : dep)
          if (hit !== undefined) return hit
          if (!dir) return undefined
          const slash = dir.lastIndexOf('/')
          dir = slash === -1 ? '' : dir.slice(0, slash)
          if (dir.startsWith('@') && !dir.includes('/')) dir = ''
        }
      }
      const depsOf = (key: string, info: unknown): number[] => {
        const targets: number[] = []
        if (!isRecord(info)) return targets
        for (const section of ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies']) {
          if (!isRecord(info[section])) continue
          for (const dep of Object.keys(info[section])) {
            const t = resolve(key, dep)
            if (t !== undefined) targets.push(t)
          }
        }
        return targets
      }
      const roots: number[] = []
      for (const ws of workspaces) roots.push(...depsOf('', ws))
      const edges = keys.map((k) => {
        const value = packages[k]
        return Array.isArray(value) ? depsOf(k, value.find((x, j) => j > 0 && isRecord(x))) : []
      })
      const rootName = isRecord(data) && isRecord(data.workspaces) && isRecord(data.workspaces['']) && typeof data.workspaces[''].name === 'string' ? data.workspaces[''].name : ROOT_NAME
      return { root: -1, edges: (i) => (i === -1 ? roots : (edges[i] ?? [])), label: (i) => (i === -1 ? rootName : (names[i] ?? '')) }
    }
    return out.result(kind, { graph })
  } catch (error) {
    out.error(`could not read bun.lock: ${describe(error)}`)
    return out.result(kind)
  }
}
