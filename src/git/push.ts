/**
 * Pushing firebreak's branches. The token travels as an `http.extraHeader`
 * scoped to the remote's origin, given to git through the environment
 * (GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n): never in a URL,
 * never in `.git/config`, and not on the command line where `ps` would show
 * it. A branch that already exists on the remote is overwritten only when
 * every commit it has beyond the default branch carries firebreak's trailer,
 * and then only with `--force-with-lease` on the commit just seen.
 */
import { execFile, spawn } from 'node:child_process'

/** The trailer firebreak puts in every commit it makes (`Firebreak-Run: <run id>`): how it recognises its own branches. */
export const FIREBREAK_TRAILER = 'Firebreak-Run'

export interface GitRunOptions {
  /** `Authorization: …` header for the remote; sent only to `authScope`. */
  authHeader?: string
  /** The URL (or its origin) the header is for; by default every HTTP remote. */
  authScope?: string
  signal?: AbortSignal
  env?: Record<string, string>
  input?: string
}

/** `scheme://host[:port]/` of a URL, the scope an auth header is given for. */
export function originOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined
  const u = new URL(url)
  return `${u.protocol}//${u.host}/`
}

/** Environment that gives git the auth header without writing it anywhere. */
export function authEnv(authHeader: string | undefined, scope: string | undefined, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (!authHeader) return {}
  const count = Number(base.GIT_CONFIG_COUNT ?? 0) || 0
  const key = scope ? `http.${scope}.extraHeader` : 'http.extraHeader'
  return { GIT_CONFIG_COUNT: String(count + 1), [`GIT_CONFIG_KEY_${count}`]: key, [`GIT_CONFIG_VALUE_${count}`]: authHeader }
}

export class GitError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    readonly exitCode: number | undefined,
  ) {
    super(message)
  }
}

function scrub(text: string, authHeader?: string): string {
  let out = authHeader ? text.split(authHeader).join('Authorization: [REDACTED]') : text
  out = out.replace(/(Authorization:\s*(?:Basic|Bearer|token))\s+[A-Za-z0-9+/=._-]{8,}/gi, '$1 [REDACTED]')
  // user:password@ in a URL, should git ever print one.
  return out.replace(/(\w+:\/\/)[^/\s:@]+:[^/\s@]+@/g, '$1[REDACTED]@')
}

/** Runs git without a shell; a failure carries git's last lines of stderr, scrubbed of credentials. */
export function gitRun(args: string[], cwd: string | undefined, options: GitRunOptions = {}): Promise<string> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', SSH_ASKPASS: '', ...(options.env ?? {}), ...authEnv(options.authHeader, options.authScope) }
  return new Promise((resolve, reject) => {
    const fail = (stderr: string, code: number | undefined) => {
      const tail = stderr.trim().split('\n').slice(-4).join(' ')
      reject(new GitError(scrub(`git ${args[0]} failed${code !== undefined ? ` (exit ${code})` : ''}: ${tail}`, options.authHeader), scrub(stderr, options.authHeader), code))
    }
    if (options.input !== undefined) {
      const child = spawn('git', args, { cwd, env, signal: options.signal, stdio: ['pipe', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('error', (e) => fail(e.message, undefined))
      child.on('close', (code) => (code === 0 ? resolve(stdout) : fail(stderr, code ?? undefined)))
      child.stdin.on('error', () => undefined)
      child.stdin.end(options.input)
      return
    }
    execFile('git', args, { cwd, env, signal: options.signal, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) fail(String(stderr || error.message), typeof error.code === 'number' ? error.code : undefined)
      else resolve(stdout)
    })
  })
}

export interface PushOptions {
  dir: string
  branch: string
  /** The remote's default branch: commits on it are not the branch's own. */
  base: string
  remote?: string
  authHeader?: string
  signal?: AbortSignal
  /** Trailer that marks firebreak's commits (default Firebreak-Run). */
  trailer?: string
}

export type PushResult =
  | { status: 'created' | 'updated' | 'unchanged'; sha: string; previous?: string }
  | { status: 'skipped'; reason: string; remoteSha?: string }

/** The remote's URL, for scoping the auth header. */
export async function remoteUrl(dir: string, remote = 'origin'): Promise<string | undefined> {
  try {
    return (await gitRun(['remote', 'get-url', remote], dir)).trim() || undefined
  } catch {
    return undefined
  }
}

/** Branch heads on the remote, by name (one `ls-remote`). */
export async function remoteHeads(dir: string, branches: string[], options: { remote?: string; authHeader?: string; authScope?: string; signal?: AbortSignal } = {}): Promise<Map<string, string>> {
  const out = await gitRun(['ls-remote', '--heads', '--', options.remote ?? 'origin', ...branches.map((b) => `refs/heads/${b}`)], dir, options)
  const heads = new Map<string, string>()
  for (const line of out.split('\n')) {
    const [sha, ref] = line.split('\t')
    if (sha && ref?.startsWith('refs/heads/')) heads.set(ref.slice('refs/heads/'.length), sha)
  }
  return heads
}

/**
 * Commits reachable from `tip` and not from `base`, and whether each carries
 * the trailer. Every one must, for the branch to be firebreak's.
 */
export async function ownCommits(dir: string, tip: string, base: string, trailer = FIREBREAK_TRAILER): Promise<{ sha: string; marked: boolean }[]> {
  const out = await gitRun(['log', `--format=%H%x00%(trailers:key=${trailer},valueonly,separator=%x2C)%x01`, tip, '--not', base, '--'], dir)
  return out
    .split('\x01')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [sha, value] = r.split('\0')
      return { sha: sha as string, marked: (value ?? '').trim() !== '' }
    })
}

/**
 * Pushes `branch` to the remote: creates it, or replaces it with
 * `--force-with-lease` when it is firebreak's own, or skips it (with why)
 * when it is not. Never pushes anything else.
 */
export async function pushBranch(options: PushOptions): Promise<PushResult> {
  const { dir, branch, base, signal } = options
  const remote = options.remote ?? 'origin'
  const trailer = options.trailer ?? FIREBREAK_TRAILER
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(remote) ? remote : await remoteUrl(dir, remote)
  const auth = { authHeader: options.authHeader, authScope: url ? originOf(url) : undefined, signal }
  const local = (await gitRun(['rev-parse', '--verify', `refs/heads/${branch}^{commit}`], dir)).trim()
  const heads = await remoteHeads(dir, [branch, base], { remote, ...auth })
  const remoteSha = heads.get(branch)
  if (remoteSha === local) return { status: 'unchanged', sha: local }
  if (remoteSha === undefined) {
    await gitRun(['push', '--quiet', '--no-verify', remote, `refs/heads/${branch}:refs/heads/${branch}`], dir, auth)
    return { status: 'created', sha: local }
  }
  // The remote branch exists: fetch it (commits and trees only, in a partial clone) and look at whose commits it holds.
  const seen = `refs/firebreak/remote/${branch}`
  const seenBase = `refs/firebreak/base/${base}`
  await gitRun(['fetch', '--quiet', '--no-tags', remote, `+refs/heads/${branch}:${seen}`, `+refs/heads/${base}:${seenBase}`], dir, auth)
  const commits = await ownCommits(dir, remoteSha, seenBase, trailer)
  if (commits.length === 0) return { status: 'skipped', reason: `branch ${branch} exists on the remote with no commits of its own: not made by firebreak, left alone`, remoteSha }
  const foreign = commits.filter((c) => !c.marked)
  if (foreign.length > 0) {
    return { status: 'skipped', reason: `branch ${branch} exists on the remote with ${foreign.length} commit(s) without the ${trailer} trailer (e.g. ${foreign[0]?.sha.slice(0, 12)}): not made by firebreak, left alone`, remoteSha }
  }
  await gitRun(['push', '--quiet', '--no-verify', `--force-with-lease=refs/heads/${branch}:${remoteSha}`, remote, `refs/heads/${branch}:refs/heads/${branch}`], dir, auth)
  return { status: 'updated', sha: local, previous: remoteSha }
}
