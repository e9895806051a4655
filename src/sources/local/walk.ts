import type { Dirent } from 'node:fs'
import { lstat, readdir, readlink, realpath } from 'node:fs/promises'
import path from 'node:path'

import { ecosystemFor } from '../../ecosystems/index.js'
import type { EcosystemId, FileProblem } from '../../ecosystems/types.js'

/** Directories never descended into: installed dependencies and VCS data, not what the project declares. */
const SKIPPED_DIRS = new Set(['node_modules', '.git'])

export interface FoundFile {
  /** Path relative to the walked root, `/`-separated. */
  path: string
  absolute: string
  ecosystem: EcosystemId
  kind: string
}

export interface WalkResult {
  files: FoundFile[]
  errors: FileProblem[]
  /** Every directory entry looked at, for progress and benchmarks. */
  seen: number
}

export interface WalkOptions {
  onProgress?: (seen: number, found: number) => void
  signal?: AbortSignal
}

/**
 * Visits every entry below `root` that is not a directory, directory by
 * directory in name order. Iterative (no recursion depth limit on hostile
 * trees); skips node_modules, .git and virtualenvs (a directory holding
 * pyvenv.cfg) and nothing else; never follows a symbolic link (the visitor
 * sees it as one). Unreadable directories are returned as problems.
 */
export async function visitTree(
  root: string,
  visit: (rel: string, entry: Dirent) => Promise<void> | void,
  options: { signal?: AbortSignal; onDirectory?: (seen: number) => void } = {},
): Promise<{ errors: FileProblem[]; seen: number }> {
  const errors: FileProblem[] = []
  const stack: string[] = ['']
  let seen = 0
  while (stack.length > 0) {
    options.signal?.throwIfAborted()
    const rel = stack.pop() as string
    let entries
    try {
      entries = await readdir(path.join(root, rel), { withFileTypes: true })
    } catch (error) {
      errors.push({ file: rel || '.', message: `cannot read directory: ${(error as Error).message}` })
      continue
    }
    if (rel !== '' && entries.some((e) => e.name === 'pyvenv.cfg' && e.isFile())) continue
    // Sorted so that output order does not depend on the file system.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const subdirs: string[] = []
    for (const entry of entries) {
      seen++
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) subdirs.push(childRel)
        continue
      }
      await visit(childRel, entry)
    }
    // Reverse so that popping visits directories in sorted order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as string)
    options.onDirectory?.(seen)
  }
  return { errors, seen }
}

/**
 * Lists every file some ecosystem reads below `root`. A symbolic link is
 * never followed: one that would have been read, or a directory link leading
 * out of the tree, is reported as an error so that nothing is silently left out.
 */
export async function walkTree(root: string, options: WalkOptions = {}): Promise<WalkResult> {
  const files: FoundFile[] = []
  const links: FileProblem[] = []
  const rootReal = await realpath(root)
  const walked = await visitTree(
    root,
    async (rel, entry) => {
      const match = ecosystemFor(rel)
      if (entry.isSymbolicLink()) {
        const problem = await describeLink(root, rootReal, rel, match !== undefined)
        if (problem) links.push(problem)
        return
      }
      if (entry.isFile() && match) files.push({ path: rel, absolute: path.join(root, rel), ecosystem: match.ecosystem.id, kind: match.kind })
    },
    { signal: options.signal, onDirectory: (seen) => options.onProgress?.(seen, files.length) },
  )
  // Full-path order, whatever order directories were visited in.
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { files, errors: [...walked.errors, ...links], seen: walked.seen }
}

async function describeLink(root: string, rootReal: string, rel: string, wouldRead: boolean): Promise<FileProblem | undefined> {
  const absolute = path.join(root, rel)
  let target = '(unreadable)'
  try {
    target = await readlink(absolute)
  } catch {
    // keep the placeholder: the message below still names the link
  }
  let resolved: string | undefined
  try {
    resolved = await realpath(absolute)
  } catch {
    resolved = undefined
  }
  const inside = resolved !== undefined && (resolved === rootReal || resolved.startsWith(rootReal + path.sep))
  if (wouldRead) {
    return { file: rel, message: `symbolic link to ${target} not followed; the file it points to was not read` }
  }
  if (!inside && resolved !== undefined) {
    const stat = await lstat(resolved).catch(() => undefined)
    if (stat?.isDirectory()) {
      return { file: rel, message: `symbolic link to a directory outside the tree (${target}) not followed; its files were not read` }
    }
  }
  return undefined
}
