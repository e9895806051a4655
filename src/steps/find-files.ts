import path from 'node:path'

import { z } from 'zod'

import { UsageError } from '../errors.js'
import { checkPatterns, searchFiles, type FileSearchResult } from '../sources/local/files.js'
import { defineStep } from './types.js'

const list = z.union([z.string(), z.array(z.string())])
const sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 hash is 64 hexadecimal digits')

const With = z
  .strictObject({
    paths: list.optional().describe('Globs on the repository-relative path (picomatch; dot files match), e.g. ".github/workflows/shai-hulud-workflow.yml" or "**/bundle.js".'),
    content: list.optional().describe('Regular expressions (JavaScript syntax, multiline) searched in text files, e.g. "webhook\\\\.site/[0-9a-f-]+".'),
    'content-paths': list.optional().describe('Search content only in files matching these globs (default every file).'),
    hashes: z
      .array(z.union([sha256, z.strictObject({ sha256, name: z.string().optional().describe('Label shown in the report.') })]))
      .optional()
      .describe('SHA-256 hashes of known malicious files; a label may be given as {sha256, name}.'),
    'max-file-size': z.number().int().positive().optional().describe('Files larger than this many bytes are not searched for content (default 1 MB).'),
    'max-total-bytes': z.number().int().positive().optional().describe('Stop the content search of a repository after this many bytes (default 64 MB).'),
    'max-hash-size': z.number().int().positive().optional().describe('Files larger than this many bytes are not hashed (default 64 MB).'),
    'max-matches': z.number().int().positive().optional().describe('Stop after this many matches in one repository (default 1000).'),
    'regex-timeout-ms': z.number().int().positive().optional().describe('Time limit of one regular expression on one file; a pattern that exceeds it is dropped for the repository and reported (default 1000).'),
  })
  .refine((w) => w.paths !== undefined || w.content !== undefined || w.hashes !== undefined, { message: 'give at least one of `paths`, `content` or `hashes`' })

function toList(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).map((v) => v.trim()).filter((v) => v !== '')
}

/** Repositories as the scan step reads them: `repos.dirs`, a list or a comma-separated string. */
function dirsOf(dirs: string | string[] | undefined): string[] {
  if (dirs === undefined) return []
  return (Array.isArray(dirs) ? dirs : dirs.split(',')).map((d) => d.trim()).filter((d) => d !== '')
}

export const findFilesStep = defineStep({
  name: 'find-files',
  description: 'Search the repositories for indicators of compromise: file paths (globs), contents (regular expressions, bounded) and SHA-256 hashes.',
  with: With,
  outputs: {
    matches: 'Number of matches in all repositories.',
    'repos-with-matches': 'Number of repositories with at least one match.',
    errors: 'Number of files or patterns that could not be searched.',
  },
  writes: false,
  async run(ctx, input) {
    const dirs = dirsOf(ctx.repos?.dirs)
    if (dirs.length === 0) {
      throw new UsageError(
        'the find-files step needs repositories: `repos.dirs` in the playbook',
        ctx.repos?.org || ctx.repos?.user ? 'searching a GitHub organisation is not available in this version; list local checkouts in `repos.dirs`' : undefined,
      )
    }
    const content = toList(input.content)
    const problems = checkPatterns(content)
    if (problems.length > 0) throw new UsageError(`with: ${problems.join('; ')}`)
    const options = {
      paths: toList(input.paths),
      content,
      contentPaths: toList(input['content-paths']),
      hashes: (input.hashes ?? []).map((h) => (typeof h === 'string' ? { sha256: h } : h)),
      maxFileBytes: input['max-file-size'],
      maxTotalBytes: input['max-total-bytes'],
      maxHashBytes: input['max-hash-size'],
      maxMatches: input['max-matches'],
      regexTimeoutMs: input['regex-timeout-ms'],
    }
    let matches = 0
    let errors = 0
    const withMatches = new Set<string>()
    for (const dir of dirs) {
      const absolute = path.resolve(dir)
      const repo = path.basename(absolute)
      const outcome = await ctx.action<FileSearchResult>(repo, 'find-files', (signal) => searchFiles(absolute, repo, { ...options, signal }))
      if (outcome.status === 'done') {
        const found = outcome.value.matches.length
        matches += found
        errors += outcome.value.errors.length + (outcome.value.truncated ? 1 : 0)
        if (found > 0) withMatches.add(repo)
        ctx.log.info(`${repo}: ${found === 0 ? 'no indicator found' : `${found} ${found === 1 ? 'match' : 'matches'}`}${outcome.value.errors.length ? `, ${outcome.value.errors.length} not searched` : ''}`)
      } else if (outcome.status === 'failed') {
        errors++
        ctx.log.warn(`${repo}: not searched: ${outcome.error}`)
      }
    }
    return {
      outputs: { matches, 'repos-with-matches': withMatches.size, errors },
      // An indicator of compromise is at least as bad as an affected version.
      outcome: matches > 0 ? 'affected' : 'clean',
      summary: `${dirs.length} repositories searched, ${matches} ${matches === 1 ? 'match' : 'matches'} in ${withMatches.size}, ${errors} errors`,
    }
  },
})
