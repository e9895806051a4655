import { isMap, isPair, isScalar, isSeq } from 'yaml'
import type { Document, LineCounter, Node } from 'yaml'
import type { z } from 'zod'

/** One thing wrong (or doubtful) in a playbook, at a place in its file. */
export interface Problem {
  file: string
  /** 1-based. */
  line: number
  /** 1-based. */
  col: number
  /** Where in the playbook, e.g. `steps[1].with.to`; `(root)` for the whole document. */
  path: string
  message: string
  severity: 'error' | 'warning'
}

/** `file:line:col: path: message` */
export function formatProblem(problem: Problem): string {
  const prefix = problem.severity === 'warning' ? 'warning: ' : ''
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.path}: ${prefix}${problem.message}`
}

export type PathItem = string | number

export function formatPath(path: readonly PathItem[]): string {
  let out = ''
  for (const item of path) {
    if (typeof item === 'number') out += `[${item}]`
    else out += out === '' ? item : `.${item}`
  }
  return out === '' ? '(root)' : out
}

/** The file being checked: its text, YAML document and line counter. */
export interface Source {
  file: string
  text: string
  doc: Document
  lines: LineCounter
}

/** Offset-based position -> 1-based line and column. */
export function position(source: Source, offset: number): { line: number; col: number } {
  const pos = source.lines.linePos(offset)
  return { line: Math.max(pos.line, 1), col: Math.max(pos.col, 1) }
}

/**
 * The YAML node at `path`, or the deepest node on the way there. With `key`,
 * a map entry's key node instead of its value (to point at a misspelt key).
 */
export function nodeAt(source: Source, path: readonly PathItem[], key = false): Node | undefined {
  let node = source.doc.contents as Node | null
  if (!node) return undefined
  for (let i = 0; i < path.length; i++) {
    const item = path[i]!
    const last = i === path.length - 1
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(item))
      if (!pair) return node
      if (last && key && pair.key) return pair.key as Node
      if (!pair.value) return (pair.key as Node) ?? node
      node = pair.value as Node
    } else if (isSeq(node) && typeof item === 'number') {
      const next = node.items[item] as Node | undefined
      if (!next) return node
      node = next
    } else {
      return node
    }
  }
  return node
}

export function offsetOf(node: Node | undefined): number {
  return node?.range?.[0] ?? 0
}

/** Build a problem at a node (or the document start). */
export function problemAt(source: Source, node: Node | undefined, path: readonly PathItem[], message: string, severity: Problem['severity'] = 'error'): Problem {
  return problemAtOffset(source, offsetOf(node), path, message, severity)
}

export function problemAtOffset(source: Source, offset: number, path: readonly PathItem[], message: string, severity: Problem['severity'] = 'error'): Problem {
  const { line, col } = position(source, offset)
  return { file: source.file, line, col, path: formatPath(path), message, severity }
}

/**
 * Offset in the file of a character of a scalar's parsed value. Exact for
 * plain and simply quoted scalars; the scalar's start otherwise.
 */
export function scalarOffset(source: Source, node: Node, valueOffset: number, hint?: string): number {
  const [start, end] = node.range ?? [0, 0]
  const raw = source.text.slice(start, end)
  const value = isScalar(node) ? String(node.value) : ''
  const at = raw.indexOf(value)
  if (value !== '' && at >= 0) return start + at + valueOffset
  if (hint) {
    const h = raw.indexOf(hint)
    if (h >= 0) return start + h
  }
  return start
}

type ZodDef = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; valueType?: z.ZodType; options?: z.ZodType[]; getter?: () => z.ZodType }

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { _zod: { def: ZodDef } })._zod.def
}

/** The keys an object schema accepts at `path` inside `schema` (for "did you mean"). */
export function knownKeysAt(schema: z.ZodType, path: readonly PathItem[]): string[] {
  const keys = new Set<string>()
  const visit = (s: z.ZodType | undefined, rest: readonly PathItem[]): void => {
    if (!s) return
    const def = defOf(s)
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'catch':
      case 'readonly':
        return visit(def.innerType, rest)
      case 'pipe':
        return visit(def.in, rest)
      case 'lazy':
        return visit(def.getter?.(), rest)
      case 'union':
        for (const option of def.options ?? []) visit(option, rest)
        return
      case 'object':
        if (rest.length === 0) Object.keys(def.shape ?? {}).forEach((k) => keys.add(k))
        else visit(def.shape?.[String(rest[0])], rest.slice(1))
        return
      case 'array':
        if (rest.length > 0) visit(def.element, rest.slice(1))
        return
      case 'record':
        if (rest.length > 0) visit(def.valueType, rest.slice(1))
        return
    }
  }
  visit(schema, path)
  return [...keys]
}
