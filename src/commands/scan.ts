import { Args, Flags } from '@oclif/core'

import { BaseCommand } from '../cli/base-command.js'
import { ProgressLine } from '../cli/progress.js'
import { ExitCode, UsageError } from '../errors.js'
import { createActionTagResolver, DEFAULT_GIT_BASE_URL } from '../scan/action-shas.js'
import { loadScanAdvisories } from '../scan/advisories.js'
import { scanPaths } from '../scan/local.js'
import { scanRemote, remoteFlagsGiven, type RemoteScanFlags } from '../sources/github/command.js'
import { formatScan, orderScanJson } from '../scan/format.js'
import type { ScanResult } from '../scan/types.js'

export default class Scan extends BaseCommand<typeof Scan> {
  static override summary = 'Find which manifests and lockfiles resolve an affected package version.'

  static override description = `Walks each PATH (a repository checkout, a folder of them, or a single manifest or lockfile), reads every npm, PyPI and GitHub Actions file it finds (package.json, package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock, requirements*.txt, pyproject.toml, poetry.lock, uv.lock, Pipfile.lock, pdm.lock, pylock.toml, setup.cfg, .github/workflows/*.yml, action.yml, …) and reports every package version an advisory names as affected, with the file, line and dependency path.

Only node_modules, .git and virtualenvs are skipped. A file that cannot be parsed is reported as an error and the scan goes on; it is never counted as clean.

A version range in a manifest with no lockfile beside it is reported with certainty "range" when it admits an affected version.

Exit status: 0 nothing affected, 1 affected versions found, 2 bad input or a file that could not be read, 4 authentication.`

  static override examples = [
    {
      description: 'Check a checkout against a downloaded OSV record:',
      command: '<%= config.bin %> <%= command.id %> ./my-app --advisory MAL-2025-46969.json',
    },
    {
      description: 'Ad hoc, from a line in a chat, as JSON for another tool:',
      command: '<%= config.bin %> <%= command.id %> ~/src --package chalk --ecosystem npm --affected 5.6.1 --json',
    },
    {
      description: 'Inventory every resolved package of one lockfile:',
      command: '<%= config.bin %> <%= command.id %> poetry.lock --inventory --json',
    },
  ]

  static override strict = false

  static override args = {
    path: Args.string({ description: 'Directories or files to scan (default: the current directory).', required: false }),
  }

  static override flags = {
    advisory: Flags.string({
      char: 'a',
      multiple: true,
      description: 'Advisory to match: an OSV JSON file, a directory of OSV records, an OSV id (MAL-…, PYSEC-…) or a GHSA id. Repeatable.',
      helpValue: 'REF',
    }),
    package: Flags.string({ description: 'Ad hoc advisory: the package name.', dependsOn: ['ecosystem', 'affected'], helpValue: 'NAME' }),
    ecosystem: Flags.string({ description: 'Ad hoc advisory: npm, PyPI or "GitHub Actions".', dependsOn: ['package'], helpValue: 'ECO' }),
    affected: Flags.string({
      description: 'Ad hoc advisory: affected versions in the ecosystem\'s own syntax (">=5.6.1 <5.6.2", "==2.0.1", "1.0.1 || 1.0.2") or a comma list of versions.',
      dependsOn: ['package'],
      helpValue: 'RANGE',
    }),
    inventory: Flags.boolean({ description: 'List every resolved package of every file (the `packages` array in --json).' }),
    'osv-api-url': Flags.string({ description: 'OSV API used to fetch advisories by id.', default: 'https://api.osv.dev', helpValue: 'URL' }),
    'git-base-url': Flags.string({
      description: 'Where GitHub Actions repositories are read to resolve an action pinned to a commit SHA to its release tags (one `git ls-remote` per affected action).',
      default: DEFAULT_GIT_BASE_URL,
      helpValue: 'URL',
    }),
    'resolve-action-shas': Flags.boolean({
      description: 'Resolve actions pinned to a commit SHA through their tags (--no-resolve-action-shas: report them as needing a check by hand).',
      default: true,
      allowNo: true,
    }),
    'api-url': Flags.string({ description: 'GitHub REST API, for GHSA ids (GitHub Enterprise: https://HOST/api/v3).', default: 'https://api.github.com', helpValue: 'URL' }),
    'max-file-size': Flags.integer({ description: 'Largest file to read, in MB; larger files are reported as errors.', default: 128, min: 1 }),
    org: Flags.string({ description: 'Scan every repository of this GitHub organisation.', helpGroup: 'REPOSITORIES', helpValue: 'ORG', exclusive: ['user', 'repos-dir'] }),
    user: Flags.string({ description: 'Scan every repository of this GitHub user.', helpGroup: 'REPOSITORIES', helpValue: 'USER', exclusive: ['org', 'repos-dir'] }),
    include: Flags.string({ multiple: true, description: 'Only repositories whose owner/name matches this glob. Repeatable.', helpGroup: 'REPOSITORIES', helpValue: 'GLOB' }),
    exclude: Flags.string({ multiple: true, description: 'Skip repositories whose owner/name matches this glob. Repeatable.', helpGroup: 'REPOSITORIES', helpValue: 'GLOB' }),
    topic: Flags.string({ multiple: true, description: 'Only repositories with this topic (any of those given). Repeatable.', helpGroup: 'REPOSITORIES', helpValue: 'TOPIC' }),
    language: Flags.string({ multiple: true, description: 'Only repositories whose primary language is this (any of those given). Repeatable.', helpGroup: 'REPOSITORIES', helpValue: 'LANG' }),
    visibility: Flags.string({ description: 'Only repositories of this visibility.', options: ['all', 'public', 'private', 'internal'], default: 'all', helpGroup: 'REPOSITORIES' }),
    archived: Flags.boolean({ description: 'Include archived repositories (excluded by default).', helpGroup: 'REPOSITORIES' }),
    forks: Flags.boolean({ description: 'Include forks (excluded by default).', helpGroup: 'REPOSITORIES' }),
    'pushed-since': Flags.string({ description: 'Only repositories pushed to since this date (YYYY-MM-DD or ISO 8601).', helpGroup: 'REPOSITORIES', helpValue: 'DATE' }),
    'repos-from': Flags.string({ description: 'File listing repositories, one a line: owner/name (GitHub) or a clone URL of any git host (read with a blob-less partial clone).', helpGroup: 'REPOSITORIES', helpValue: 'FILE' }),
    'repos-dir': Flags.string({ description: 'Scan every git repository below this directory, from its objects at HEAD or --ref (no working tree needed).', helpGroup: 'REPOSITORIES', helpValue: 'DIR' }),
    ref: Flags.string({ description: 'Branch, tag or commit to read instead of each default branch.', helpGroup: 'REPOSITORIES', helpValue: 'REF' }),
    concurrency: Flags.integer({ description: 'Requests to GitHub (or clones) in flight at once.', default: 8, min: 1, max: 64, helpGroup: 'REPOSITORIES' }),
    'token-command': Flags.string({ description: 'Command that prints a GitHub token (e.g. "gh auth token"); run without a shell. Default: GITHUB_TOKEN or GH_TOKEN.', helpGroup: 'GITHUB', helpValue: 'CMD' }),
    'app-id': Flags.string({ description: 'GitHub App id, for installation authentication.', helpGroup: 'GITHUB', dependsOn: ['app-private-key', 'app-installation-id'] }),
    'app-private-key': Flags.string({ description: 'GitHub App private key (PEM file).', helpGroup: 'GITHUB', helpValue: 'FILE', dependsOn: ['app-id'] }),
    'app-installation-id': Flags.integer({ description: 'GitHub App installation id.', helpGroup: 'GITHUB', dependsOn: ['app-id'] }),
    'cache-dir': Flags.string({ description: 'Cache of blobs and listings (default: $XDG_CACHE_HOME/firebreak or ~/.cache/firebreak).', helpGroup: 'GITHUB', helpValue: 'DIR' }),
    cache: Flags.boolean({ description: 'Use the cache (--no-cache: fetch everything, store nothing).', default: true, allowNo: true, helpGroup: 'GITHUB' }),
    graphql: Flags.boolean({
      description:
        'Fetch the manifests and lockfiles of many repositories in one GraphQL request (--no-graphql: one REST request per file). Without GraphQL at the API address (a 404), the scan says so and goes on over REST.',
      default: true,
      allowNo: true,
      helpGroup: 'GITHUB',
    }),
  }

  public async run(): Promise<ScanResult> {
    const { flags, argv } = await this.parse(Scan)
    const remote = remoteFlagsGiven(flags as RemoteScanFlags)
    if (remote && (argv as string[]).length > 0) throw new UsageError('give PATHs or --org/--user/--repos-from/--repos-dir, not both')
    const paths = (argv as string[]).length > 0 ? (argv as string[]) : ['.']
    if (!flags.advisory && !flags.package && !flags.inventory) {
      throw new UsageError('nothing to look for', 'give --advisory REF, an ad hoc --package/--ecosystem/--affected, or --inventory')
    }
    const loaded = await loadScanAdvisories({
      refs: flags.advisory ?? [],
      adhoc: flags.package ? { package: flags.package, ecosystem: flags.ecosystem ?? '', affected: flags.affected ?? '' } : undefined,
      osvApiUrl: flags['osv-api-url'],
      apiUrl: flags['api-url'],
      token: process.env.GITHUB_TOKEN || process.env.GH_TOKEN || undefined,
      actionTags: flags['resolve-action-shas'] ? createActionTagResolver({ gitBaseUrl: flags['git-base-url'] }) : undefined,
    })
    const progress = new ProgressLine(process.stderr, flags.quiet ? false : undefined)
    const matcher = loaded.advisories.length > 0 || loaded.directories.length > 0 ? loaded.matcher : undefined
    const result = remote
      ? await scanRemote(flags as RemoteScanFlags, {
          matcher,
          inventory: flags.inventory,
          onProgress: (p) => progress.update(`scanning repositories: ${p.done}/${p.total} done${p.listed === undefined ? '' : ` (${p.listed} listed)`}, ${p.findings} affected${p.rateLimitRemaining === undefined ? '' : `, rate limit ${p.rateLimitRemaining} left`}`),
          onGraphQLUnavailable: (reason) => {
            progress.clear()
            if (!flags.quiet) process.stderr.write(`firebreak: ${reason}; reading files over REST, one request each\n`)
          },
          // Waits are worth a line even off a terminal: a silent pause looks like a hang.
          onWait: (w) => {
            progress.clear()
            if (!flags.quiet) process.stderr.write(`firebreak: GitHub ${w.kind} rate limit reached; waiting ${w.seconds}s (until ${new Date(Date.now() + w.seconds * 1000).toLocaleTimeString()})\n`)
          },
        })
      : await scanPaths(paths, {
          matcher,
          inventory: flags.inventory,
          maxFileBytes: flags['max-file-size'] * 1024 * 1024,
          onProgress: (p) => progress.update(`scanning ${p.repo}: ${p.filesRead} files read, ${p.findings} affected`),
        })
    progress.clear()
    this.setExit(result.errors.length > 0 ? ExitCode.Usage : result.findings.length > 0 ? ExitCode.Affected : ExitCode.Clean)
    if (!this.jsonEnabled()) this.log(formatScan(result, { inventory: flags.inventory }))
    return orderScanJson(result)
  }
}
