import path from 'node:path'

import { z } from 'zod'

import { UsageError } from '../errors.js'
import { buildReportView, renderTrackingIssue, resolveTemplate } from '../report/index.js'
import { ensureIssue, type EnsuredIssue } from '../sources/github/issues.js'
import { connectGitHub } from './github.js'
import { defineStep, type StepContext } from './types.js'

const With = z.strictObject({
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected owner/name').describe('Repository holding the tracking issue, as owner/name.'),
  title: z.string().min(1).describe('Title of the tracking issue.'),
  labels: z.union([z.string(), z.array(z.string())]).optional().describe('Labels to add.'),
  template: z.string().optional().describe('Handlebars template of the body (default templates/tracking-issue.md.hbs).'),
  key: z.string().optional().describe('What makes the issue the same one across runs (default: the advisory id).'),
  'api-url': z.string().optional().describe('GitHub REST API (default GITHUB_API_URL, else https://api.github.com). The token comes from GITHUB_TOKEN or GH_TOKEN.'),
})

type Input = z.output<typeof With>

function renderBody(ctx: StepContext<Input>, input: Input): string {
  const view = buildReportView(ctx.run.dir)
  const template = input.template ? resolveTemplate(input.template, path.dirname(ctx.run.playbookFile)) : undefined
  return renderTrackingIssue(view, template)
}

export const openIssueStep = defineStep({
  name: 'open-issue',
  description: 'One tracking issue per advisory: a checklist of the affected repositories and their pull requests, updated in place on every run.',
  with: With,
  outputs: {
    number: 'Number of the tracking issue (0 when planned).',
    url: 'URL of the tracking issue ("" when planned).',
    created: 'True when this run opened it.',
  },
  writes: true,
  async run(ctx, input) {
    const [owner, repo] = input.repo.split('/') as [string, string]
    const key = input.key ?? String(ctx.advisory?.id ?? '')
    if (!key) throw new UsageError('open-issue needs an advisory (a scan step before it) or `key`')
    const body = renderBody(ctx, input)
    const labels = input.labels === undefined ? [] : (Array.isArray(input.labels) ? input.labels : input.labels.split(',')).map((l) => l.trim()).filter(Boolean)
    // An earlier run's issue number is a hint; the marker decides.
    const known = ctx.journal
      .records()
      .filter((r) => r.type === 'action-end' && r.step === ctx.step.id && r.status === 'done')
      .map((r) => (r.type === 'action-end' ? (r.value as EnsuredIssue | undefined)?.number : undefined))
      .at(-1)
    const outcome = await ctx.action<EnsuredIssue>(
      input.repo,
      `tracking-issue:${key}`,
      async () => {
        const gh = await connectGitHub(ctx, input['api-url'])
        return ensureIssue(gh.client, { owner, repo, key, title: input.title, body, labels, knownNumber: known })
      },
      { plan: { repo: input.repo, title: input.title, body, labels } },
    )
    if (outcome.status === 'failed') throw new Error(`tracking issue in ${input.repo}: ${outcome.error}`)
    if (outcome.status !== 'done') return { outputs: { number: 0, url: '', created: false }, summary: `tracking issue in ${input.repo} planned` }
    const issue = outcome.value
    ctx.log.info(`${input.repo}: tracking issue ${issue.url} (${issue.created ? 'opened' : issue.updated ? 'updated' : 'unchanged'})`)
    return { outputs: { number: issue.number, url: issue.url, created: issue.created && !outcome.resumed }, summary: `tracking issue ${issue.url} ${issue.created ? 'opened' : 'updated'}` }
  },
})
