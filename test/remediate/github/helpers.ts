/**
 * Helpers for the GitHub half of remediation: a client for the fake GitHub,
 * and a stand-in for the pin step's commit (a branch from the default branch
 * with files changed and the Firebreak-Run trailer) made with plain git.
 */
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises'
import path from 'node:path'

import { basicAuthHeader } from '../../../src/git/read.js'
import { FIREBREAK_TRAILER, gitRun } from '../../../src/git/push.js'
import { createGitHubClient, type GitHubClient } from '../../../src/sources/github/client.js'
import type { FakeGitHub } from '../../support/fake-github/index.js'

export function fakeClient(gh: FakeGitHub): GitHubClient {
  return createGitHubClient({ auth: { kind: 'token', token: gh.token, source: 'test' }, apiUrl: gh.url, retries: 0 })
}

export function authHeader(gh: FakeGitHub): string {
  return basicAuthHeader(gh.token)
}

/** Creates (or resets) `branch` from the current default branch, writes the files and commits them with the trailer. */
export async function commitOnBranch(dir: string, branch: string, base: string, files: Record<string, string>, run = 'test-run'): Promise<string> {
  const from = (await gitRun(['rev-parse', base], dir)).trim()
  await gitRun(['checkout', '--quiet', '--force', '-B', branch, from], dir)
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true })
    await writeFile(path.join(dir, file), content)
  }
  await gitRun(['add', '--', ...Object.keys(files)], dir)
  await gitRun(['-c', 'user.name=firebreak', '-c', 'user.email=firebreak@example.invalid', 'commit', '--quiet', '-m', `Pin evil-pkg\n\n${FIREBREAK_TRAILER}: ${run}`], dir)
  const sha = (await gitRun(['rev-parse', 'HEAD'], dir)).trim()
  // As the pin step leaves it: the branch is not checked out.
  await gitRun(['checkout', '--quiet', '--detach'], dir)
  return sha
}

/** Every `.git/config` below a directory, with its text. */
export async function gitConfigs(root: string): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = []
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === 'config' && path.basename(entry.parentPath) === '.git') {
      const file = path.join(entry.parentPath, entry.name)
      out.push({ file, text: await readFile(file, 'utf8') })
    }
  }
  return out
}
