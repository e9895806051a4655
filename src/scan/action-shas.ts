import { remoteTagsByCommit } from '../git/tags.js'
import type { GitOptions } from '../git/read.js'

export interface ActionTagResolver {
  /** Tags that point to `sha` in the action's repository now; undefined when the repository could not be read. */
  tagsAt(action: string, sha: string): Promise<string[] | undefined>
  /** Why the last look-up of this action failed, for the error message. */
  failure(action: string): string | undefined
}

export interface ActionTagOptions extends GitOptions {
  /** Where action repositories live, e.g. https://github.com (GitHub Enterprise: https://HOST). */
  gitBaseUrl?: string
}

export const DEFAULT_GIT_BASE_URL = 'https://github.com'

/**
 * Resolves the commit an action is pinned to back to the release tags that
 * point to it, so that `uses: owner/action@<sha>` can be matched against an
 * advisory that lists tags. One `git ls-remote` per action repository, only
 * for actions an advisory names.
 */
export function createActionTagResolver(options: ActionTagOptions = {}): ActionTagResolver {
  const base = (options.gitBaseUrl ?? DEFAULT_GIT_BASE_URL).replace(/\/+$/, '')
  const cache = new Map<string, Promise<Map<string, string[]> | undefined>>()
  const failures = new Map<string, string>()
  const load = (repo: string) => {
    let pending = cache.get(repo)
    if (!pending) {
      pending = remoteTagsByCommit(`${base}/${repo}.git`, options).catch((error: Error) => {
        failures.set(repo, error.message)
        return undefined
      })
      cache.set(repo, pending)
    }
    return pending
  }
  return {
    async tagsAt(action, sha) {
      // owner/repo/path@ref: the tags are the repository's.
      const repo = action.split('/').slice(0, 2).join('/').toLowerCase()
      const tags = await load(repo)
      return tags ? (tags.get(sha.toLowerCase()) ?? []) : undefined
    },
    failure: (action) => failures.get(action.split('/').slice(0, 2).join('/').toLowerCase()),
  }
}
