/**
 * Pins `uses: owner/action@ref` to a commit: `@<40-hex sha> # <tag>`. Only
 * the ref inside the scalar is replaced and a comment is added at the end of
 * its line (an existing version comment is replaced, any other comment kept
 * after the tag), so quoting, indentation and line endings stay as written.
 *
 * The SHA is an input: which commit a tag pointed to before the incident is
 * the caller's question (src/remediate/action-sha.ts), never answered here
 * from a tag that may have moved.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node, type Scalar } from 'yaml'

import type { Change, Edit, EditResult, Replacement, SourceFile } from '../types.js'
import { actionsVersioning, isCommitSha } from './versioning.js'
import { parseUses } from './workflow.js'

/** A comment that only names a version (`# v4.1.2`, `# tag=v4`, `# ratchet:actions/checkout@v4`, `# pin @v4`). */
const VERSION_COMMENT = /^#\s*(?:tag\s*[=:]\s*|ratchet:\S+@|pin\s*@?\s*)?v?\d[\w.+-]*\s*$|^#\s*ratchet:\S+\s*$/i

function usesNodes(content: string): Scalar[] | undefined {
  const doc = parseDocument(content, { keepSourceTokens: false })
  if (doc.errors.length > 0) return undefined
  const out: Scalar[] = []
  const get = (node: unknown, key: string): Node | undefined => {
    if (!isMap(node)) return undefined
    for (const pair of node.items) if (isScalar(pair.key) && pair.key.value === key) return pair.value as Node | undefined
    return undefined
  }
  const add = (node: Node | undefined): void => {
    if (isScalar(node) && typeof node.value === 'string') out.push(node)
  }
  const steps = (node: Node | undefined): void => {
    if (isSeq(node)) for (const item of node.items) add(get(item, 'uses'))
  }
  const jobs = get(doc.contents, 'jobs')
  if (isMap(jobs)) {
    for (const pair of jobs.items) {
      add(get(pair.value, 'uses'))
      steps(get(pair.value, 'steps'))
    }
  }
  steps(get(get(doc.contents, 'runs'), 'steps'))
  return out
}

function sameRef(a: string, b: string): boolean {
  return a === b || actionsVersioning.equals(a, b)
}

export function pinAction(file: SourceFile, change: Change): EditResult {
  const nodes = usesNodes(file.content)
  if (!nodes) return { refused: `${file.path} is not valid YAML` }
  const sha = change.sha?.toLowerCase()
  const wanted = [...(change.found ?? []), ...change.affected]
  const replacements: Replacement[] = []
  const changes: Edit['changes'] = []
  for (const node of nodes) {
    const ref = parseUses(String(node.value))
    if (!ref || ref.name.toLowerCase() !== change.name.toLowerCase()) continue
    if (!wanted.some((w) => sameRef(w, ref.version))) continue
    if (!sha || !isCommitSha(sha)) return { refused: `no verified commit for ${change.name}@${change.to}: give the 40-hex SHA the tag pointed to before the incident` }
    if (node.type !== 'PLAIN' && node.type !== 'QUOTE_DOUBLE' && node.type !== 'QUOTE_SINGLE') {
      return { refused: `uses: ${ref.name}@${ref.version} in ${file.path} is a block scalar; pin it by hand` }
    }
    const [start, valueEnd] = node.range ?? []
    if (start === undefined || valueEnd === undefined) continue
    const source = file.content.slice(start, valueEnd)
    const quoted = node.type !== 'PLAIN'
    const at = source.lastIndexOf('@', quoted ? source.length - 2 : source.length - 1)
    const refEnd = quoted ? source.length - 1 : source.length
    if (at < 0 || source.slice(at + 1, refEnd) !== ref.version) return { refused: `uses: ${ref.name}@${ref.version} in ${file.path} is written in a way firebreak does not edit; pin it by hand` }
    replacements.push({ start: start + at + 1, end: start + refEnd, text: sha })
    replacements.push(comment(file.content, valueEnd, change.to))
    changes.push({ name: ref.name, from: ref.version, to: `${sha} # ${change.to}` })
  }
  if (replacements.length === 0) return undefined
  return {
    file: file.path,
    replacements,
    description: `${change.name} ${[...new Set(changes.map((c) => c.from))].join(', ')} -> ${sha} (${change.to})`,
    changes,
  }
}

/** The `# <tag>` comment at the end of the line of the value that ends at `offset`. */
function comment(content: string, offset: number, tag: string): Replacement {
  let eol = content.indexOf('\n', offset)
  if (eol < 0) eol = content.length
  if (content[eol - 1] === '\r') eol--
  const rest = content.slice(offset, eol)
  const hash = findComment(rest)
  if (hash < 0) {
    const trimmed = rest.replace(/[ \t]+$/, '')
    return { start: offset + trimmed.length, end: offset + trimmed.length, text: ` # ${tag}` }
  }
  const existing = rest.slice(hash).replace(/[ \t]+$/, '')
  const text = VERSION_COMMENT.test(existing) ? `# ${tag}` : `# ${tag} ${existing}`
  return { start: offset + hash, end: offset + hash + existing.length, text }
}

/** Index of a YAML comment (`#` after whitespace, outside quotes) in the rest of a line, or -1. */
function findComment(rest: string): number {
  let quote: string | undefined
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") quote = c
    else if (c === '#' && (i === 0 || rest[i - 1] === ' ' || rest[i - 1] === '\t')) return i
  }
  return -1
}
