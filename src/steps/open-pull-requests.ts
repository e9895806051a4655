import { readFile } from 'node:fs/promises'
import path from 'node:path'

import { z } from 'zod'

import type { ScanResult } from '../scan/types.js'
import { pushBranch, type PushResult } from '../git/push.js'
import { remediateRepo } from '../remediate/apply.js'
import { defaultIndexUrl } from '../remediate/sources.js'
import { localWorkspace, syncWithDefault, workspaceDir, type SyncResult, type Workspace } from '../remediate/workspace.js'
import { loadRunAdvisories } from '../scan/advisories.js'
import { buildReportView, renderPullRequestBody, resolveTemplate } from '../report/index.js'
import type { JournalRecord } from '../runner/journal.js'
import { DEFAULT_API_URL } from '../sources/github/client.js'
import { gitHostOf } from '../sources/github/command.js'
import { mapPool } from '../sources/github/pool.js'
import { ensurePullRequest, type PullRequestState } from '../sources/github/pulls.js'
import { connectGitHub } from './github.js'
import { remediationDeps, type PinInput } from './pin.js'
import { defineStep, skip, type StepContext } from './types.js'
import { splitList } from './lists.js'

const list = z.union([z.string(), z.array(z.string())])

const With = z.strictObject({
  title: z.string().min(1).describe('Title of every pull request (expressions allowed, e.g. "Pin ${{ advisory.package }} (${{ advisory.id }})").'),
  'body-template': z.string().optional().describe('Handlebars template of the body (default templates/pull-request.md.hbs); sees the report view plus `repo`.'),
  labels: list.optional().describe('Labels to add (created by GitHub when missing).'),
  reviewers: list.optional().describe('GitHub logins to ask for a review.'),
  'team-reviewers': list.optional().describe('Team slugs of the organisation to ask for a review.'),
  'codeowners-reviewers': z.boolean().optional().describe('Also ask the CODEOWNERS of the changed files (on the base branch) for a review.'),
  draft: z.boolean().optional().describe('Open the pull requests as drafts.'),
  base: z.string().optional().describe('Branch to merge into (default: each repository\'s default branch).'),
  from: list.optional().describe('Ids of the steps whose branches are proposed (default: every pin and remove step).'),
  concurrency: z.number().int().positive().optional().describe('Repositories worked on at once (default 8).'),
  'api-url': z.string().optional().describe('GitHub REST API (default GITHUB_API_URL, else https://api.github.com). The token comes from GITHUB_TOKEN or GH_TOKEN.'),
})

type Input = z.output<typeof With>

/** The per-repository value this step journals (the report reads `branch`, `base`, `commit`, `pullRequest`). */
export interface PullRequestValue {
  branch: string
  /** `owner/name` on GitHub. */
  repository?: string
  base?: string
  commit?: string
  pullRequest?: { number: number; url: string; state: PullRequestState; title: string; created: boolean; updated: boolean }
  /** A repository with no GitHub remote: what would be opened. */
  plannedPullRequest?: { state: 'planned-local'; title: string; body: string; base: string }
  push?: PushResult['status']
  sync?: SyncResult['action']
  warnings?: string[]
}

/** What a pin or remove step left for one repository: its latest action-end. */
export interface Remediated {
  repo: string
  step: string
  status: 'done' | 'planned'
  branch: string
  commit?: string
  files: string[]
  notRemediated?: string
}

/** The branches the pin and remove steps made (or planned), from the journal; the latest record per repository wins. */
export function remediatedRepos(records: readonly JournalRecord[], from?: string[]): Remediated[] {
  const uses = new Map<string, string>()
  for (const r of records) if (r.type === 'step-start') uses.set(r.step, r.uses)
  const wanted = (step: string) => (from?.length ? from.includes(step) : ['pin', 'remove'].includes(uses.get(step) ?? ''))
  const byRepo = new Map<string, Remediated>()
  for (const r of records) {
    if (r.type !== 'action-end' || !wanted(r.step)) continue
    if (r.status === 'done') {
      const v = (r.value ?? {}) as { branch?: string; commit?: string; files?: string[]; notRemediated?: string }
      if (v.branch) byRepo.set(r.repo, { repo: r.repo, step: r.step, status: 'done', branch: v.branch, commit: v.commit, files: v.files ?? [], notRemediated: v.notRemediated })
    } else if (r.status === 'planned') {
      const p = (r.plan ?? {}) as { branch?: string; status?: string; edits?: string[] }
      if (p.branch && p.status !== 'failed' && (p.edits?.length ?? 0) > 0) byRepo.set(r.repo, { repo: r.repo, step: r.step, status: 'planned', branch: p.branch, files: p.edits ?? [] })
    } else byRepo.delete(r.repo)
  }
  return [...byRepo.values()]
}

/** The body: the report engineer's pull-request template over the run's report view; a plain body if that cannot be rendered. */
function renderBody(ctx: StepContext<Input>, input: Input, r: Remediated): string {
  try {
    const view = buildReportView(ctx.run.dir)
    const template = input['body-template'] ? resolveTemplate(input['body-template'], path.dirname(ctx.run.playbookFile)) : undefined
    return renderPullRequestBody(view, r.repo, template)
  } catch (error) {
    ctx.log.debug(`${r.repo}: pull request template not rendered (${(error as Error).message}); using a plain body`)
    const advisory = ctx.advisory ?? {}
    return [
      `firebreak (run \`${ctx.run.id}\`) changed this repository because it resolves an affected version of \`${String(advisory.package ?? 'a compromised package')}\` (${String(advisory.id ?? 'advisory')}).`,
      '',
      `Files changed: ${r.files.map((f) => `\`${f}\``).join(', ') || 'see the commits'}.`,
      ...(r.notRemediated ? ['', `**Not fully remediated:** ${r.notRemediated}`] : []),
    ].join('\n')
  }
}

/** Re-does the pin/remove edit on the branch (reset to the new default branch), as the pin step made it. */
async function reapplyFor(ctx: StepContext<Input>, r: Remediated, ws: Workspace): Promise<void> {
  const records = ctx.journal.records()
  const stepStart = records.find((x) => x.type === 'step-start' && x.step === r.step)
  const scan = JSON.parse(await readFile(path.join(ctx.run.dir, 'scan.json'), 'utf8')) as ScanResult
  const loaded = await loadRunAdvisories(records)
  if (!loaded) throw new Error('the edit could not be made again: the run has no scan step')
  const findings = scan.findings.filter((f) => f.repo === r.repo)
  await loaded.matcher.prepare(findings)
  const ids = new Set(findings.map((f) => f.advisory))
  // The pin or remove step's own `with`, as the journal recorded it: the edit is made again exactly as it was.
  const pin = ((stepStart?.type === 'step-start' ? stepStart.with : undefined) ?? {}) as PinInput
  const stepUses = stepStart?.type === 'step-start' ? stepStart.uses : 'pin'
  const result = await remediateRepo({
    dir: ws.dir,
    repo: r.repo,
    branch: r.branch,
    runId: ctx.run.id,
    mode: stepUses === 'remove' ? 'remove' : 'pin',
    findings,
    files: scan.repos.find((x) => x.name === r.repo)?.files ?? [],
    advisories: loaded.matcher.advisories.filter((a) => ids.has(a.id)),
    to: pin.to,
    message: pin.message,
    signoff: pin.signoff,
    pypiIndex: defaultIndexUrl(),
    deps: remediationDeps(pin),
    relock: pin.relock,
    signal: ctx.signal,
  })
  if ('skip' in result) throw new Error(`the edit could not be made again on the new default branch: ${result.reason}`)
}

export const openPullRequestsStep = defineStep({
  name: 'open-pull-requests',
  description: 'Push each remediated repository\'s branch and open (or update) its pull request; never a second one, never on a branch firebreak did not make.',
  with: With,
  outputs: {
    opened: 'Pull requests opened by this run.',
    updated: 'Existing pull requests whose title, body or branch this run updated.',
    unchanged: 'Existing pull requests left as they were.',
    planned: 'Pull requests only planned (no --apply, or a repository with no GitHub remote).',
    skipped: 'Repositories skipped (a branch or pull request firebreak did not make, nothing committed).',
    failed: 'Repositories where pushing or opening failed.',
    urls: 'URLs of the pull requests, comma-separated.',
  },
  writes: true,
  async run(ctx, input) {
    const candidates = remediatedRepos(ctx.journal.records(), splitList(input.from))
    const dirs = new Map(splitList(ctx.repos?.dirs).map((d) => [path.basename(path.resolve(d)), path.resolve(d)]))
    // Repositories of an organisation were edited in clones the pin step made in the run directory.
    for (const c of candidates) {
      const [owner, name] = c.repo.split('/')
      if (!dirs.has(c.repo) && owner && name) dirs.set(c.repo, workspaceDir(ctx.run.dir, owner, name))
    }
    const counts = { opened: 0, updated: 0, unchanged: 0, planned: 0, skipped: 0, failed: 0 }
    const urls: string[] = []
    const apiUrl = (input['api-url'] ?? process.env.GITHUB_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '')
    const gitHost = gitHostOf(apiUrl)
    // Local checkouts with no GitHub remote get planned pull requests: no credentials needed for them.
    const workspaces = new Map<string, Awaited<ReturnType<typeof localWorkspace>>>()
    for (const c of candidates) {
      const dir = dirs.get(c.repo)
      if (dir) workspaces.set(c.repo, await localWorkspace(dir, gitHost, c.repo))
    }
    const needsGitHub = ctx.apply && candidates.some((c) => c.status === 'done' && c.commit && workspaces.get(c.repo)?.kind === 'github')
    const gh = needsGitHub ? await connectGitHub(ctx, apiUrl) : undefined
    const labels = splitList(input.labels)

    await mapPool(
      candidates,
      input.concurrency ?? 8,
      async (r) => {
        const ws = workspaces.get(r.repo)
        const base = input.base ?? ws?.defaultBranch ?? 'main'
        const body = renderBody(ctx, input, r)
        const plan = { branch: r.branch, base, title: input.title, body, repo: ws?.kind === 'github' ? ws.repo : r.repo, github: ws?.kind === 'github' }
        const outcome = await ctx.action<PullRequestValue>(
          r.repo,
          'pull-request',
          async (signal) => {
            if (r.status !== 'done' || !r.commit) return skip('nothing was committed for this repository')
            if (!ws) return skip(`no directory for ${r.repo} in repos.dirs`)
            if (ws.kind === 'local' || !gh) return { branch: r.branch, base, commit: r.commit, plannedPullRequest: { state: 'planned-local', title: input.title, body, base } }
            const owner = ws.owner as string
            const name = ws.name as string
            const sync = await syncWithDefault({ ...ws, defaultBranch: base }, { branch: r.branch, authHeader: gh.authHeader, signal, reapply: () => reapplyFor(ctx, r, ws) })
            const pushed = await pushBranch({ dir: ws.dir, branch: r.branch, base, remote: ws.remoteUrl, authHeader: gh.authHeader, signal })
            if (pushed.status === 'skipped') return skip(pushed.reason)
            const pr = await ensurePullRequest(gh.client, {
              owner,
              repo: name,
              head: r.branch,
              base,
              title: input.title,
              body: sync.action === 'reapplied' ? renderBody(ctx, input, r) : body,
              draft: input.draft,
              labels,
              reviewers: splitList(input.reviewers),
              teamReviewers: splitList(input['team-reviewers']),
              codeownersFiles: input['codeowners-reviewers'] ? r.files : undefined,
            })
            if (pr.foreign) return skip(pr.warnings[0] ?? `an open pull request for ${r.branch} was not opened by firebreak`)
            return {
              branch: r.branch,
              repository: ws.repo,
              base,
              commit: pushed.sha,
              pullRequest: { number: pr.number, url: pr.url, state: pr.state, title: pr.title, created: pr.created, updated: pr.updated || pushed.status === 'updated' },
              push: pushed.status,
              sync: sync.action,
              ...(pr.warnings.length ? { warnings: pr.warnings } : {}),
            }
          },
          { plan },
        )
        const describePlanned = () => `${r.repo}: would open a pull request ${JSON.stringify(input.title)} from ${r.branch} into ${base}${plan.github ? ` on ${plan.repo}` : ' (no GitHub remote: planned only)'}`
        if (outcome.status === 'planned') {
          counts.planned++
          ctx.log.info(describePlanned())
        } else if (outcome.status === 'skipped') {
          counts.skipped++
          ctx.log.info(`${r.repo}: skipped: ${outcome.reason}`)
        } else if (outcome.status === 'failed') {
          counts.failed++
          ctx.log.warn(`${r.repo}: ${outcome.error}`)
        } else {
          const pr = outcome.value.pullRequest
          if (!pr) {
            counts.planned++
            ctx.log.info(describePlanned())
          } else {
            urls.push(pr.url)
            if (outcome.resumed || !(pr.created || pr.updated)) counts.unchanged++
            else if (pr.created) counts.opened++
            else counts.updated++
            ctx.log.info(`${r.repo}: ${pr.url} (${pr.created && !outcome.resumed ? 'opened' : pr.updated ? 'updated' : 'unchanged'}${outcome.value.sync && outcome.value.sync !== 'up-to-date' ? `, ${outcome.value.sync}` : ''})`)
          }
        }
      },
      ctx.signal,
    )
    return {
      outputs: { ...counts, urls: urls.join(',') },
      outcome: counts.failed > 0 ? 'unfixed' : undefined,
      summary: `${counts.opened} opened, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.planned} planned, ${counts.skipped} skipped, ${counts.failed} failed`,
    }
  },
})
