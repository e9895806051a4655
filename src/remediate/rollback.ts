/**
 * `firebreak rollback RUN`: closes the pull requests a run opened and
 * deletes their branches; a merged pull request (and its branch) is left
 * alone, and a branch someone pushed to since the run is not deleted.
 * Idempotent: a second rollback finds everything closed and gone.
 */
import type { GitHubClient } from '../sources/github/client.js'
import { mapPool } from '../sources/github/pool.js'
import { closePullRequest, deleteBranch, type DeleteBranchResult, type PullRequestState } from '../sources/github/pulls.js'
import { loadRun, runPullRequests } from './status.js'

export interface RollbackEntry {
  repo: string
  repository: string
  number: number
  url: string
  branch: string
  /** The pull request's state before rollback. */
  was: PullRequestState
  pullRequest: 'closed' | 'already-closed' | 'left-merged'
  branchResult: DeleteBranchResult | 'kept'
  error?: string
}

export interface RollbackResult {
  schema: 'firebreak.rollback/1'
  run: string
  entries: RollbackEntry[]
  totals: { closed: number; branchesDeleted: number; leftMerged: number; failed: number }
}

export interface RollbackOptions {
  client: GitHubClient
  concurrency?: number
}

export async function rollbackRun(dir: string, options: RollbackOptions): Promise<RollbackResult> {
  const { id, records } = loadRun(dir)
  const prs = runPullRequests(records)
  const entries = await mapPool(prs, options.concurrency ?? 8, async (pr): Promise<RollbackEntry> => {
    const base = { repo: pr.repo, repository: pr.repository, number: pr.number, url: pr.url, branch: pr.branch }
    try {
      // Every pull request in the journal carries firebreak's marker (others are skipped, never recorded).
      const closed = await closePullRequest(options.client, pr.owner, pr.name, pr.number)
      if (closed.state === 'merged') return { ...base, was: 'merged', pullRequest: 'left-merged', branchResult: 'kept' }
      const branchResult = await deleteBranch(options.client, pr.owner, pr.name, pr.branch, pr.commit)
      return { ...base, was: closed.closed ? 'open' : 'closed', pullRequest: closed.closed ? 'closed' : 'already-closed', branchResult }
    } catch (error) {
      return { ...base, was: 'open', pullRequest: 'already-closed', branchResult: 'kept', error: (error as Error).message.split('\n')[0] }
    }
  })
  return {
    schema: 'firebreak.rollback/1',
    run: id,
    entries,
    totals: {
      closed: entries.filter((e) => e.pullRequest === 'closed').length,
      branchesDeleted: entries.filter((e) => e.branchResult === 'deleted').length,
      leftMerged: entries.filter((e) => e.pullRequest === 'left-merged').length,
      failed: entries.filter((e) => e.error).length,
    },
  }
}
