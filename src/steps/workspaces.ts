import path from 'node:path'

import { prepareWorkspace } from '../remediate/workspace.js'
import { connectGitHub } from './github.js'
import { splitList } from './lists.js'
import type { StepContext } from './types.js'

export interface Checkout {
  repo: string
  dir: string
}

/**
 * A working copy of each repository a step must read or edit: a local
 * checkout from `repos.dirs` as it is; a repository of an organisation
 * (`owner/name`, as the scan named it) cloned without blobs into the run
 * directory, the only place a plan may write, and reused by later steps.
 * A repository that cannot be cloned is passed to `onFailure`, never skipped
 * in silence.
 */
export async function checkoutsOf(
  ctx: StepContext<unknown>,
  repos: Iterable<string>,
  options: { apiUrl?: string; onFailure: (repo: string, error: Error) => void },
): Promise<Checkout[]> {
  const targets = splitList(ctx.repos?.dirs).map((d) => ({ repo: path.basename(path.resolve(d)), dir: path.resolve(d) }))
  const local = new Set(targets.map((t) => t.repo))
  const remote = [...new Set(repos)].filter((r) => !local.has(r) && /^[^/]+\/[^/]+$/.test(r))
  if (remote.length === 0) return targets
  const gh = await connectGitHub(ctx, options.apiUrl)
  for (const full of remote) {
    const [owner, name] = full.split('/') as [string, string]
    try {
      const { data } = await gh.client.request('GET /repos/{owner}/{repo}', { owner, repo: name })
      const ws = await prepareWorkspace({ kind: 'github', owner, name, cloneUrl: data.clone_url, defaultBranch: data.default_branch }, { runDir: ctx.run.dir, authHeader: gh.authHeader, signal: ctx.signal })
      targets.push({ repo: full, dir: ws.dir })
    } catch (error) {
      options.onFailure(full, error as Error)
    }
  }
  return targets
}
