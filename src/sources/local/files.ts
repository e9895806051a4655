import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat, open } from 'node:fs/promises'
import path from 'node:path'
import vm from 'node:vm'

import picomatch from 'picomatch'

import type { FileProblem } from '../../ecosystems/types.js'
import { visitTree } from './walk.js'

/**
 * Every file of a local tree, and a bounded search of them for indicators of
 * compromise: paths (globs), content (regular expressions) and SHA-256 hashes.
 * The walk is the scan's (node_modules, .git and virtualenvs skipped, symbolic
 * links never followed); unlike the scan walker it lists every file, not only
 * manifests. Content search is bounded three ways: only files under a size
 * limit are read, the total bytes read are capped, and every regular
 * expression runs under a time limit, so a catastrophic pattern stops with an
 * error instead of hanging the run.
 */

export interface ListedFile {
  /** Relative to the root, `/`-separated. */
  path: string
  absolute: string
  size: number
}

/** Lists every regular file below `root`, as the scan walks it, sorted by path. */
export async function listFiles(root: string, signal?: AbortSignal): Promise<{ files: ListedFile[]; errors: FileProblem[] }> {
  const files: ListedFile[] = []
  const errors: FileProblem[] = []
  const walked = await visitTree(
    root,
    async (rel, entry) => {
      const absolute = path.join(root, rel)
      // Symbolic links are not followed: a path glob still sees their name below.
      if (entry.isSymbolicLink()) files.push({ path: rel, absolute, size: -1 })
      else if (entry.isFile()) {
        try {
          files.push({ path: rel, absolute, size: (await lstat(absolute)).size })
        } catch (error) {
          errors.push({ file: rel, message: `cannot read file: ${(error as Error).message}` })
        }
      }
    },
    { signal },
  )
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { files, errors: [...walked.errors, ...errors] }
}

export interface HashIndicator {
  sha256: string
  name?: string
}

export interface SearchOptions {
  /** Globs on the repository-relative path (picomatch, dot files included). */
  paths?: string[]
  /** Regular expressions (JavaScript syntax) searched in text files. */
  content?: string[]
  /** Only these files are searched for content (globs); default every file. */
  contentPaths?: string[]
  hashes?: HashIndicator[]
  /** Files larger than this are not searched for content (default 1 MB). */
  maxFileBytes?: number
  /** Stop reading for content after this many bytes in one repository (default 64 MB). */
  maxTotalBytes?: number
  /** Files larger than this are not hashed (default 64 MB). */
  maxHashBytes?: number
  /** Stop after this many matches in one repository (default 1000). */
  maxMatches?: number
  /** Time limit for one regular expression on one file (default 1000 ms). */
  regexTimeoutMs?: number
  signal?: AbortSignal
}

export interface FileMatch {
  kind: 'path' | 'content' | 'hash'
  file: string
  line?: number
  /** The glob, regular expression or hash that matched. */
  rule: string
  name?: string
  /** The matched text (content), shortened to 200 characters. */
  excerpt?: string
  sha256?: string
}

/** What find-files journals per repository (the `value` of its action-end record). */
export interface FileSearchResult {
  repo: string
  filesSeen: number
  bytesSearched: number
  matches: FileMatch[]
  /** Files or patterns that could not be searched: never read as "nothing found". */
  errors: FileProblem[]
  /** Set when a bound stopped the search early (max matches, max bytes). */
  truncated?: string
}

export const DEFAULT_SEARCH_LIMITS = {
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxHashBytes: 64 * 1024 * 1024,
  maxMatches: 1000,
  regexTimeoutMs: 1000,
} as const

/** Compile patterns up front so a bad one is a usage error before anything runs. */
export function checkPatterns(patterns: readonly string[]): string[] {
  const problems: string[] = []
  for (const pattern of patterns) {
    try {
      new RegExp(pattern, 'gmu')
    } catch (error) {
      problems.push(`content pattern ${JSON.stringify(pattern)}: ${(error as Error).message}`)
    }
  }
  return problems
}

const EXCERPT = 200

/** Runs a regular expression over one text in a separate V8 context with a time limit. */
const REGEX_SCRIPT = new vm.Script(`(function () {
  var re = new RegExp(pattern, 'gmu'); var out = []; var m;
  while ((m = re.exec(text)) !== null && out.length < limit) {
    out.push([m.index, m[0].slice(0, ${EXCERPT})]);
    if (m[0] === '') re.lastIndex++;
  }
  return out;
})()`)

function regexMatches(context: vm.Context, pattern: string, content: string, limit: number, timeout: number): Array<[number, string]> {
  context.pattern = pattern
  context.text = content
  context.limit = limit
  const found = REGEX_SCRIPT.runInContext(context, { timeout }) as Array<[number, string]>
  return Array.from(found, (pair) => [pair[0], String(pair[1])] as [number, string])
}

function lineOf(content: string, index: number): number {
  let line = 1
  for (let i = content.indexOf('\n'); i !== -1 && i < index; i = content.indexOf('\n', i + 1)) line++
  return line
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

async function readText(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r')
  try {
    const buffer = await handle.readFile()
    // Binary files are not searched for content (hashes cover them).
    if (buffer.includes(0)) return undefined
    return buffer.toString('utf8')
  } finally {
    await handle.close()
  }
}

/** Searches one tree; every bound that is hit is recorded, never silent. */
export async function searchFiles(root: string, repo: string, options: SearchOptions): Promise<FileSearchResult> {
  const limits = { ...DEFAULT_SEARCH_LIMITS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULT_SEARCH_LIMITS & SearchOptions
  const { files, errors } = await listFiles(root, options.signal)
  const result: FileSearchResult = { repo, filesSeen: files.length, bytesSearched: 0, matches: [], errors: [...errors] }
  const pathRules = (options.paths ?? []).map((glob) => ({ glob, test: picomatch(glob, { dot: true }) }))
  const contentFilter = options.contentPaths?.length ? picomatch(options.contentPaths, { dot: true }) : () => true
  const patterns = [...(options.content ?? [])]
  const hashes = new Map((options.hashes ?? []).map((h) => [h.sha256.toLowerCase(), h]))
  const deadPatterns = new Set<string>()
  // One context per search: creating one per file would cost more than most searches.
  const context = vm.createContext({})
  const full = (): boolean => result.matches.length >= limits.maxMatches

  for (const file of files) {
    options.signal?.throwIfAborted()
    if (full()) break
    for (const rule of pathRules) if (rule.test(file.path)) result.matches.push({ kind: 'path', file: file.path, rule: rule.glob })
    if (file.size < 0) continue
    if (hashes.size > 0) {
      if (file.size > limits.maxHashBytes) {
        result.errors.push({ file: file.path, message: `not hashed: ${file.size} bytes, over the ${limits.maxHashBytes} byte limit` })
      } else {
        try {
          const digest = await sha256File(file.absolute)
          const hit = hashes.get(digest)
          if (hit) result.matches.push({ kind: 'hash', file: file.path, rule: digest, sha256: digest, ...(hit.name ? { name: hit.name } : {}) })
        } catch (error) {
          result.errors.push({ file: file.path, message: `cannot hash: ${(error as Error).message}` })
        }
      }
    }
    if (patterns.length === 0 || !contentFilter(file.path) || file.size > limits.maxFileBytes) continue
    if (result.bytesSearched + file.size > limits.maxTotalBytes) {
      result.truncated = `content search stopped after ${result.bytesSearched} bytes (max-total-bytes); later files were not searched for content`
      patterns.length = 0
      continue
    }
    let content: string | undefined
    try {
      content = await readText(file.absolute)
    } catch (error) {
      result.errors.push({ file: file.path, message: `cannot read: ${(error as Error).message}` })
      continue
    }
    if (content === undefined) continue
    result.bytesSearched += file.size
    for (const pattern of patterns) {
      if (deadPatterns.has(pattern) || full()) continue
      try {
        for (const [index, excerpt] of regexMatches(context, pattern, content, limits.maxMatches - result.matches.length, limits.regexTimeoutMs)) {
          result.matches.push({ kind: 'content', file: file.path, line: lineOf(content, index), rule: pattern, excerpt })
        }
      } catch (error) {
        if ((error as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error
        // One slow file makes the pattern suspect everywhere: stop using it and say so.
        deadPatterns.add(pattern)
        result.errors.push({ file: file.path, message: `content pattern ${JSON.stringify(pattern)} took longer than ${limits.regexTimeoutMs} ms; it was not searched further in this repository` })
      }
    }
  }
  if (full()) result.truncated = `stopped at ${limits.maxMatches} matches (max-matches); there may be more`
  return result
}
