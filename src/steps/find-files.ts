import { readFile } from 'node:fs/promises'
import path from 'node:path'

import { z } from 'zod'

import { UsageError } from '../errors.js'
import type { ScanResult } from '../scan/types.js'
import { checkPatterns, searchFiles, type FileSearchResult } from '../sources/local/files.js'
import { defineStep, type StepContext } from './types.js'
import { splitList } from './lists.js'
import { checkoutsOf } from './workspaces.js'

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
    'api-url': z.string().optional().describe('GitHub REST API, for repositories of an organisation (default GITHUB_API_URL, else https://api.github.com). The token comes from GITHUB_TOKEN or GH_TOKEN.'),
    'regex-timeout-ms': z.number().int().positive().optional().describe('Time limit of one regular expression on one file; a pattern that exceeds it is dropped for the repository and reported (default 1000).'),
  })
  .refine((w) => w.paths !== undefined || w.content !== undefined || w.hashes !== undefined, { message: 'give at least one of `paths`, `content` or `hashes`' })

/** Every repository the scan step read (an indicator may sit in a repository with no affected version). */
async function scannedRepos(runDir: string): Promise<string[]> {
  try {
    const scan = JSON.parse(await readFile(path.join(runDir, 'scan.json'), 'utf8')) as ScanResult
    return scan.repos.map((r) => r.name)
  } catch {
    throw new UsageError('find-files on an organisation searches the repositories a scan step listed: put a scan step before it')
  }
}

function toList(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).map((v) => v.trim()).filter((v) => v !== '')
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
    const remote = Boolean(ctx.repos?.org || ctx.repos?.user || ctx.repos?.from)
    if (splitList(ctx.repos?.dirs).length === 0 && !remote) {
      throw new UsageError('the find-files step needs repositories: `repos.org`, `repos.user`, `repos.from` or `repos.dirs` in the playbook')
    }
    let errors = 0
    // An organisation's repositories are the ones the scan listed; each is cloned into the run directory.
    const listed = remote ? await scannedRepos(ctx.run.dir) : []
    const checkouts = await checkoutsOf(ctx as StepContext<unknown>, listed, {
      apiUrl: input['api-url'],
      onFailure: (repo, error) => {
        errors++
        ctx.log.warn(`${repo}: not searched: could not be cloned: ${error.message}`)
        ctx.journal.note(`${repo}: not searched: the repository could not be cloned`, { repo, error: error.message })
      },
    })
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
    const withMatches = new Set<string>()
    for (const { repo, dir: absolute } of checkouts) {
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
      summary: `${checkouts.length} repositories searched, ${matches} ${matches === 1 ? 'match' : 'matches'} in ${withMatches.size}, ${errors} errors`,
    }
  },
})
