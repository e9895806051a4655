import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'

import { AuthError, UsageError } from '../../errors.js'

const run = promisify(execFile)

export type GitHubAuth =
  | { kind: 'token'; token: string; source: string }
  | { kind: 'app'; appId: string; privateKey: string; installationId: number }

export interface AuthOptions {
  token?: string
  /** A command printing a token, e.g. `gh auth token`; run without a shell. */
  tokenCommand?: string
  appId?: string
  appPrivateKeyFile?: string
  appInstallationId?: number
  env?: NodeJS.ProcessEnv
}

/**
 * Where the credentials come from, in order: a GitHub App installation, a
 * token command, an explicit token, then GITHUB_TOKEN / GH_TOKEN. The token
 * itself is never put in a message.
 */
export async function resolveGitHubAuth(options: AuthOptions): Promise<GitHubAuth> {
  const env = options.env ?? process.env
  const appParts = [options.appId, options.appPrivateKeyFile, options.appInstallationId]
  if (appParts.some((p) => p !== undefined)) {
    if (appParts.some((p) => p === undefined)) {
      throw new UsageError('GitHub App authentication needs --app-id, --app-private-key and --app-installation-id together')
    }
    let privateKey: string
    try {
      privateKey = await readFile(options.appPrivateKeyFile as string, 'utf8')
    } catch (error) {
      throw new AuthError(`cannot read the GitHub App private key ${options.appPrivateKeyFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`)
    }
    return { kind: 'app', appId: String(options.appId), privateKey, installationId: Number(options.appInstallationId) }
  }
  if (options.tokenCommand) {
    const argv = splitArgv(options.tokenCommand)
    const [file, ...args] = argv
    if (!file) throw new UsageError('--token-command is empty')
    let stdout: string
    try {
      ;({ stdout } = await run(file, args, { timeout: 30_000, maxBuffer: 64 * 1024 }))
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { code?: unknown }
      throw new AuthError(`--token-command ${file} failed${typeof e.code === 'number' ? ` (exit ${e.code})` : e.code ? ` (${e.code})` : ''}`, 'check that the command prints a token, e.g. `gh auth token`')
    }
    const token = stdout.trim()
    if (!token) throw new AuthError(`--token-command ${file} printed nothing`, 'check that the command prints a token, e.g. `gh auth token`')
    return { kind: 'token', token, source: '--token-command' }
  }
  if (options.token) return { kind: 'token', token: options.token, source: '--token' }
  const fromEnv = env.GITHUB_TOKEN || env.GH_TOKEN
  if (fromEnv) return { kind: 'token', token: fromEnv, source: env.GITHUB_TOKEN ? 'GITHUB_TOKEN' : 'GH_TOKEN' }
  throw new AuthError('no GitHub credentials', 'set GITHUB_TOKEN (or GH_TOKEN), pass --token-command "gh auth token", or a GitHub App with --app-id/--app-private-key/--app-installation-id')
}

/** Splits a command line into argv with POSIX-like quoting; nothing is expanded and no shell runs it. */
export function splitArgv(line: string): string[] {
  const out: string[] = []
  let current = ''
  let quote: '"' | "'" | undefined
  let any = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string
    if (quote) {
      if (c === quote) quote = undefined
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i]
      else current += c
    } else if (c === '"' || c === "'") {
      quote = c
      any = true
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i]
      any = true
    } else if (/\s/.test(c)) {
      if (any || current) out.push(current)
      current = ''
      any = false
    } else current += c
  }
  if (quote) throw new UsageError(`unbalanced quote in command: ${line}`)
  if (any || current) out.push(current)
  return out
}
