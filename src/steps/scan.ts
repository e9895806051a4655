import { writeFile } from 'node:fs/promises'
import path from 'node:path'

import { z } from 'zod'

import type { Advisory } from '../advisory/types.js'
import { UsageError } from '../errors.js'
import { advisorySourcesOf, loadScanAdvisories } from '../scan/advisories.js'
import { orderScanJson } from '../scan/format.js'
import { addRepoScan, emptyResult, scanSnapshot, type RepoScan } from '../scan/scan.js'
import type { RateLimitWait } from '../sources/github/client.js'
import { scanRemote } from '../sources/github/command.js'
import { localSnapshot } from '../sources/local/snapshot.js'
import { defineStep } from './types.js'
import { splitList } from './lists.js'

const refs = z.union([z.string(), z.array(z.string())])

const With = z
  .strictObject({
    advisory: refs.optional().describe('Advisories to match: OSV files, directories of OSV records, OSV or GHSA ids (one, or a list).'),
    package: z.string().optional().describe('Ad hoc advisory: the package name.'),
    ecosystem: z.string().optional().describe('Ad hoc advisory: npm, PyPI or "GitHub Actions".'),
    affected: z.string().optional().describe('Ad hoc advisory: affected versions, in the ecosystem\'s own syntax or as a comma list.'),
    inventory: z.boolean().optional().describe('Also record every resolved package of every file.'),
    'osv-api-url': z.string().optional().describe('OSV API for advisory ids (default https://api.osv.dev).'),
    'api-url': z.string().optional().describe('GitHub REST API, for the organisation and GHSA ids (default https://api.github.com; GitHub Enterprise: https://HOST/api/v3).'),
    'git-base-url': z.string().optional().describe('Where action repositories are read to resolve actions pinned to a commit SHA to their tags (default https://github.com).'),
    concurrency: z.number().int().positive().optional().describe('Requests to GitHub in flight at once (default 8).'),
    graphql: z.boolean().optional().describe('Fetch the files of many repositories in one GraphQL request (default true; false: one REST request per file).'),
    'token-command': z.string().optional().describe('Command that prints a GitHub token (e.g. "gh auth token"); default GITHUB_TOKEN or GH_TOKEN.'),
  })
  .refine((w) => w.advisory !== undefined || w.package !== undefined, { message: 'give `advisory` or an ad hoc `package`, `ecosystem` and `affected`' })
  .refine((w) => w.package === undefined || (w.ecosystem !== undefined && w.affected !== undefined), {
    message: 'an ad hoc advisory needs `package`, `ecosystem` and `affected`',
  })

/** What the journal keeps of one repository's scan; reports are built from it. */
export type RepoScanRecord = RepoScan

/**
 * The `advisory` expression context: what later steps and templates may say
 * about the incident (`${{ advisory.id }}`, `${{ advisory.package }}`).
 */
export function advisoryContext(advisories: readonly Advisory[]): Record<string, unknown> | undefined {
  const first = advisories[0]
  if (!first) return undefined
  const pkg = first.affected[0]
  const affected = advisories.flatMap((a) => a.affected)
  const fixed = affected.flatMap((a) => a.ranges.flatMap((r) => r.events.flatMap((e) => ('fixed' in e ? [e.fixed] : []))))
  const described = (list: string[]) => list.filter((v) => v !== '').join(', ')
  return {
    id: first.id,
    ids: advisories.map((a) => a.id),
    aliases: first.aliases,
    summary: advisories.length > 1 ? described(advisories.map((a) => a.summary ?? a.id)) : (first.summary ?? ''),
    package: advisories.length > 1 ? described([...new Set(affected.map((a) => a.name))]) : (pkg?.name ?? ''),
    packages: [...new Set(affected.map((a) => a.name))],
    ecosystem: described([...new Set(affected.map((a) => a.ecosystemId ?? a.ecosystem))]),
    versions: [...new Set(affected.flatMap((a) => a.versions))],
    fixed: [...new Set(fixed)],
    references: first.references.map((r) => r.url),
    url: first.references.find((r) => r.type === 'ADVISORY')?.url ?? first.references[0]?.url ?? '',
    ...(first.withdrawn ? { withdrawn: first.withdrawn } : {}),
  }
}

function describeWait(wait: RateLimitWait): string {
  return `GitHub ${wait.kind} rate limit on ${wait.method} ${wait.url}: waiting ${Math.ceil(wait.seconds)} s`
}

function nonEmpty(list: string[]): string[] | undefined {
  return list.length > 0 ? list : undefined
}

export const scanStep = defineStep({
  name: 'scan',
  description: 'Find every repository that resolves an affected version, in any manifest, lockfile or workflow.',
  with: With,
  outputs: {
    'affected-repos': 'Number of repositories with at least one affected version.',
    findings: 'Number of affected entries (file, package, version) found.',
    repos: 'Number of repositories scanned.',
    errors: 'Number of files or repositories that could not be read; these are never counted as clean.',
    result: 'Path of scan.json in the run directory (the `firebreak scan --json` shape).',
  },
  writes: false,
  async run(ctx, input) {
    const selection = ctx.repos
    const dirs = splitList(selection?.dirs)
    const remote = Boolean(selection?.org || selection?.user || selection?.from)
    if (dirs.length === 0 && !remote) {
      throw new UsageError('the scan step needs repositories: `repos.org`, `repos.user`, `repos.from` or `repos.dirs` in the playbook')
    }
    const loaded = await loadScanAdvisories(advisorySourcesOf(input))
    const result = emptyResult()
    if (remote && selection) {
      // One listing and one concurrent pass over the organisation; each repository is then journaled on its own.
      const scanned = await scanRemote(
        {
          org: selection.org,
          user: selection.user,
          include: nonEmpty(splitList(selection.include)),
          exclude: nonEmpty(splitList(selection.exclude)),
          topic: nonEmpty(splitList(selection.topics)),
          language: selection.language ? [selection.language] : undefined,
          visibility: selection.visibility,
          archived: selection.archived,
          forks: selection.forks,
          'pushed-since': selection['pushed-since'],
          'repos-from': selection.from,
          ref: selection.ref,
          'api-url': input['api-url'] ?? process.env.GITHUB_API_URL,
          concurrency: input.concurrency,
          graphql: input.graphql,
          'token-command': input['token-command'],
        },
        {
          matcher: loaded.matcher,
          inventory: input.inventory,
          signal: ctx.signal,
          onWait: (w) => ctx.log.warn(describeWait(w)),
          onGraphQLUnavailable: (reason) => ctx.log.warn(`${reason}; reading files over REST, one request each`),
        },
      )
      for (const repo of scanned.repos) {
        const slice: RepoScan = {
          repo,
          packages: (scanned.packages ?? []).filter((p) => p.repo === repo.name),
          findings: scanned.findings.filter((f) => f.repo === repo.name),
          errors: scanned.errors.filter((e) => e.repo === repo.name),
        }
        const outcome = await ctx.action<RepoScan>(repo.name, 'scan', async () => slice)
        if (outcome.status === 'done') addRepoScan(result, outcome.value, input.inventory ?? false)
      }
      // Errors that belong to no listed repository (the listing itself) still count.
      const listed = new Set(scanned.repos.map((r) => r.name))
      result.errors.push(...scanned.errors.filter((e) => !listed.has(e.repo)))
    }
    for (const dir of dirs) {
      const absolute = path.resolve(dir)
      const repoName = path.basename(absolute)
      const outcome = await ctx.action<RepoScan>(repoName, 'scan', async (signal) => {
        const snapshot = await localSnapshot(absolute, { signal })
        return scanSnapshot(snapshot, { matcher: loaded.matcher, inventory: input.inventory, signal })
      })
      if (outcome.status === 'done') {
        addRepoScan(result, outcome.value, input.inventory ?? false)
        const found = outcome.value.findings.length
        ctx.log.info(`${repoName}: ${found === 0 ? 'no affected version' : `${found} affected ${found === 1 ? 'entry' : 'entries'}`}${outcome.value.errors.length ? `, ${outcome.value.errors.length} errors` : ''}`)
      } else if (outcome.status === 'failed') {
        // A repository that could not be scanned is an error, never clean.
        result.repos.push({ name: repoName, files: [] })
        result.errors.push({ repo: repoName, file: '.', message: outcome.error })
        ctx.log.warn(`${repoName}: not scanned: ${outcome.error}`)
      }
    }
    const file = path.join(ctx.run.dir, 'scan.json')
    await writeFile(file, JSON.stringify(orderScanJson(result), null, 2) + '\n')
    const affectedRepos = new Set(result.findings.map((f) => f.repo)).size
    return {
      outputs: { 'affected-repos': affectedRepos, findings: result.findings.length, repos: result.repos.length, errors: result.errors.length, result: file },
      outcome: affectedRepos > 0 ? 'affected' : 'clean',
      summary: `${result.repos.length} repositories scanned, ${affectedRepos} affected (${result.findings.length} entries), ${result.errors.length} errors`,
      advisory: advisoryContext(loaded.advisories),
    }
  },
})
