/**
 * Pipfile.lock (JSON). Every top-level section except `_meta` is a category
 * (default, develop, custom ones); a version counts only as `==X`. git, path,
 * file and editable entries are skipped. jsonc-parser gives offsets, so each
 * entry keeps its line.
 */
import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser'
import type { Extraction, SourceFile } from '../types.js'
import { Collector, isTable, lineAt, LineIndex, own, ownString, rejectBinary } from './common.js'

const NOT_REGISTRY = ['git', 'hg', 'svn', 'bzr', 'path', 'file', 'editable']

export function extractPipfileLock(file: SourceFile): Extraction {
  const out = new Collector(file.path)
  if (rejectBinary(file.content, out, 'a Pipfile.lock')) return out.result('Pipfile.lock')
  const root = parseJson(file.content, out)
  if (!root) return out.result('Pipfile.lock')
  if (root.type !== 'object') {
    out.error(`expected a Pipfile.lock (a JSON object), found a JSON ${root.type}`, 1)
    return out.result('Pipfile.lock')
  }
  const meta = root.children?.find((p) => p.children?.[0]?.value === '_meta')?.children?.[1]
  const spec = meta ? own(getNodeValue(meta), 'pipfile-spec') : undefined
  const kind = typeof spec === 'number' ? `Pipfile.lock@${spec}` : 'Pipfile.lock'
  if (!meta && !root.children?.some((p) => ['default', 'develop'].includes(String(p.children?.[0]?.value)))) {
    out.error("expected a Pipfile.lock: found neither '_meta' nor 'default'/'develop'", 1)
  }
  const lines = new LineIndex(file.content)
  for (const section of root.children ?? []) {
    const [keyNode, valueNode] = section.children ?? []
    const category = String(keyNode?.value)
    if (category === '_meta' || valueNode?.type !== 'object') continue
    for (const entry of valueNode.children ?? []) {
      const [nameNode, bodyNode] = entry.children ?? []
      if (!nameNode || !bodyNode) continue
      const name = String(nameNode.value)
      const line = lines.line(nameNode.offset)
      const body: unknown = getNodeValue(bodyNode)
      if (!isTable(body)) continue
      if (NOT_REGISTRY.some((k) => own(body, k) !== undefined && own(body, k) !== false)) continue
      const pinned = /^==\s*([^=].*)$/.exec(ownString(body, 'version')?.trim() ?? '')?.[1]
      const version = pinned?.trim()
      if (!version) continue
      out.addPackage({ name, version, line, direct: false, dev: category === 'develop' })
    }
  }
  return out.result(kind)
}

function parseJson(content: string, out: Collector): Node | undefined {
  const errors: ParseError[] = []
  let root: Node | undefined
  try {
    root = parseTree(content, errors, { disallowComments: true, allowTrailingComma: false })
  } catch (err) {
    // Deep nesting can exhaust the recursive parser's stack.
    out.error(`expected a Pipfile.lock (JSON): ${err instanceof Error ? err.message : String(err)}`)
    return undefined
  }
  const first = errors[0]
  if (first || !root) {
    const offset = first?.offset ?? 0
    const line = lineAt(content, offset)
    const column = offset - content.lastIndexOf('\n', offset - 1)
    out.error(`expected a Pipfile.lock (valid JSON): ${line}:${column}: ${first ? printParseErrorCode(first.error) : 'empty file'}`, line)
    return undefined
  }
  return root
}
