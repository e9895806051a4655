import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'

import { z } from 'zod'

import { InputError } from '../errors.js'
import { loadRunAdvisories } from '../scan/advisories.js'
import type { ScanResult } from '../scan/types.js'
import type { Advisory } from '../advisory/types.js'
import { planLocal, remediateRepo, type RemediationValue } from '../remediate/apply.js'
import { formatPlan, type PlanDeps, type RepoPlan } from '../remediate/plan.js'
import type { EditMode } from '../remediate/prove.js'
import { defaultIndexUrl, gitLsRemoteSha, pypiJsonHashes } from '../remediate/sources.js'
import { defineStep, type StepContext, type StepResult } from './types.js'
import { checkoutsOf } from './workspaces.js'

const With = z.strictObject({
  to: z
    .string()
    .optional()
    .describe('Version to pin to (a tag such as v46.0.1 for an action), or `name=version` pairs for several packages ("chalk=5.6.2, debug=4.4.3"); default: the advisory\'s first fixed version above what was found.'),
  branch: z.string().optional().describe('Branch to commit on, from the default branch (default firebreak/<advisory-id>).'),
  signoff: z.boolean().optional().describe('Add a Signed-off-by trailer to the commit.'),
  registry: z.string().optional().describe('npm registry for lockfile regeneration; default: what the repository\'s own .npmrc / .yarnrc.yml says.'),
  message: z.string().optional().describe('Commit message (firebreak adds its trailers).'),
  relock: z.boolean().optional().describe('Regenerate lockfiles with the repository\'s package manager (default true). Off, the edit is committed and the repository is reported as not remediated until its lockfile is regenerated.'),
  'git-base-url': z.string().optional().describe('Where action repositories are read to resolve a release tag to its commit SHA (default https://github.com).'),
  'api-url': z.string().optional().describe('GitHub REST API, for repositories of an organisation (default GITHUB_API_URL, else https://api.github.com). The token comes from GITHUB_TOKEN or GH_TOKEN.'),
})

export type PinInput = z.output<typeof With>
type Input = PinInput

const OUTPUTS = {
  remediated: 'Number of repositories whose branch removes the exposure (lockfile regenerated).',
  'not-remediated': 'Number of repositories with a branch that does not fully remove it (a lockfile left to regenerate, a finding skipped), or with nothing that could be changed.',
  failed: 'Number of repositories where nothing was written (an edit refused, hashes not fetched, a branch firebreak did not make).',
  branches: 'Names of the branches committed to, one per repository, comma-separated.',
}


/** The advisories the scan step matched, loaded again from what it was given (recorded in the journal). */
async function advisoriesOf(ctx: StepContext<Input>, scan: ScanResult): Promise<Advisory[]> {
  const loaded = await loadRunAdvisories(ctx.journal.records())
  if (!loaded) throw new InputError('the pin and remove steps need a scan step before them')
  await loaded.matcher.prepare(scan.findings)
  const ids = new Set(scan.findings.map((f) => f.advisory))
  return loaded.matcher.advisories.filter((a) => ids.has(a.id))
}

/** What the remediation needs besides the files: hashes from the index, action tags resolved to commits, the registry. */
export function remediationDeps(input: Pick<Input, 'git-base-url' | 'registry'>): PlanDeps {
  const base = (input['git-base-url'] ?? 'https://github.com').replace(/\/+$/, '')
  return {
    fetchHashes: pypiJsonHashes(),
    resolveActionSha: gitLsRemoteSha((action) => `${base}/${action.split('/').slice(0, 2).join('/')}.git`),
    relock: { registry: input.registry },
  }
}

/** `pin` and `remove`: one action per affected repository; plan mode carries the diff. */
export async function runRemediation(ctx: StepContext<Input>, input: Input, mode: EditMode): Promise<StepResult> {
  const scanFile = path.join(ctx.run.dir, 'scan.json')
  let scan: ScanResult
  try {
    scan = JSON.parse(await readFile(scanFile, 'utf8')) as ScanResult
  } catch {
    throw new InputError(`no scan result in ${scanFile}: run a scan step first`)
  }
  const advisories = await advisoriesOf(ctx, scan)
  const advisoryId = String(ctx.advisory?.id ?? advisories[0]?.id ?? 'advisory')
  const branch = input.branch ?? `firebreak/${advisoryId}`
  const pypiIndex = defaultIndexUrl()
  const deps = remediationDeps(input)
  const counts = { remediated: 0, 'not-remediated': 0, failed: 0 }
  const branches: string[] = []
  const plans: RepoPlan[] = []

  const targets = await checkoutsOf(ctx as StepContext<unknown>, scan.findings.map((f) => f.repo), {
    apiUrl: input['api-url'],
    onFailure: (repo, error) => {
      counts.failed++
      ctx.log.warn(`${repo}: could not be cloned for editing: ${error.message}`)
      ctx.journal.note(`${repo}: not remediated: the repository could not be cloned`, { repo, error: error.message })
    },
  })
  for (const { repo, dir: absolute } of targets) {
    const findings = scan.findings.filter((f) => f.repo === repo)
    if (findings.length === 0) continue
    const files = scan.repos.find((r) => r.name === repo)?.files ?? []
    const options = { dir: absolute, repo, branch, runId: ctx.run.id, mode, findings, files, advisories, to: input.to, message: input.message, signoff: input.signoff, pypiIndex, deps, relock: input.relock, signal: ctx.signal }
    let plan: RepoPlan | undefined
    if (!ctx.apply) {
      plan = await planLocal(options).catch((error: Error) => {
        ctx.log.warn(`${repo}: could not plan: ${error.message}`)
        return undefined
      })
      if (plan) {
        plans.push(plan)
        ctx.log.info(formatPlan(plan))
      }
    }
    const outcome = await ctx.action<RemediationValue>(repo, mode, async () => remediateRepo(options), { plan: plan ? { branch, status: plan.status, diff: plan.diff, edits: plan.edits.map((e) => e.file), relock: plan.relock, skipped: plan.skipped, failures: plan.failures } : undefined })
    if (outcome.status === 'done') {
      branches.push(outcome.value.branch)
      if (outcome.value.notRemediated) counts['not-remediated']++
      else counts.remediated++
    } else if (outcome.status === 'failed') {
      counts.failed++
      ctx.log.warn(`${repo}: ${outcome.error}`)
    } else if (outcome.status === 'skipped') counts['not-remediated']++
    else if (plan?.status === 'failed') counts.failed++
  }
  if (!ctx.apply) {
    // The only place a plan may write: the run directory.
    await writeFile(path.join(ctx.run.dir, `${ctx.step.id}.plan.json`), JSON.stringify(plans, null, 2) + '\n')
    await writeFile(path.join(ctx.run.dir, `${ctx.step.id}.diff`), plans.map((p) => p.diff).join(''))
  }
  const verb = mode === 'pin' ? 'pinned' : 'removed'
  return {
    outputs: { ...counts, branches: [...new Set(branches)].join(',') },
    outcome: counts['not-remediated'] + counts.failed > 0 ? 'unfixed' : undefined,
    summary: ctx.apply ? `${counts.remediated} ${verb}, ${counts['not-remediated']} not remediated, ${counts.failed} failed` : `${plans.filter((p) => p.status === 'planned').length} repositories would change (see ${ctx.step.id}.diff)`,
  }
}

export const pinStep = defineStep({
  name: 'pin',
  description: 'Pin the affected package to a safe version on a branch in each affected repository: manifest edits that keep formatting, lockfile regenerated by its own tool.',
  with: With,
  outputs: OUTPUTS,
  writes: true,
  run: (ctx, input) => runRemediation(ctx, input, 'pin'),
})
