import { basicAuthHeader } from '../git/read.js'
import { resolveGitHubAuth } from '../sources/github/auth.js'
import { createGitHubClient, DEFAULT_API_URL, gitTokenOf, type GitHubClient } from '../sources/github/client.js'
import type { StepContext } from './types.js'

/** The GitHub client and git auth header of a step, built once per step run from GITHUB_TOKEN / GH_TOKEN. */
export async function connectGitHub(ctx: StepContext<unknown>, apiUrlFlag?: string): Promise<{ client: GitHubClient; apiUrl: string; authHeader?: string }> {
  const apiUrl = (apiUrlFlag ?? process.env.GITHUB_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '')
  const auth = await resolveGitHubAuth({ env: process.env })
  if (auth.kind === 'token') ctx.redact(auth.token)
  const client = createGitHubClient({ auth, apiUrl })
  const token = await gitTokenOf(client)
  if (token) ctx.redact(token)
  const authHeader = token ? basicAuthHeader(token) : undefined
  if (authHeader) ctx.redact(authHeader.replace(/^Authorization: Basic /, ''))
  return { client, apiUrl, authHeader }
}
