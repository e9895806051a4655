import { git, type GitOptions } from './read.js'

/**
 * The tags of a remote repository and the commits they point to now, from
 * one `git ls-remote` (no clone, no API quota). Annotated tags are peeled to
 * their commit. Returns commit SHA (lower case) -> tag names.
 */
export async function remoteTagsByCommit(url: string, options: GitOptions = {}): Promise<Map<string, string[]>> {
  const out = await git(['ls-remote', '--tags', '--', url], undefined, { timeoutMs: 60_000, ...options })
  const direct = new Map<string, string>()
  const peeled = new Map<string, string>()
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{40})\trefs\/tags\/(.+?)(\^\{\})?$/.exec(line.trim())
    if (!m) continue
    const [, sha, tag, peel] = m as unknown as [string, string, string, string | undefined]
    ;(peel ? peeled : direct).set(tag, sha)
  }
  const byCommit = new Map<string, string[]>()
  for (const [tag, sha] of direct) {
    const commit = peeled.get(tag) ?? sha
    byCommit.set(commit, [...(byCommit.get(commit) ?? []), tag])
  }
  return byCommit
}
