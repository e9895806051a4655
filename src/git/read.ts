/**
 * Reading a repository's files straight from git objects, with no working
 * tree: `git ls-tree` to list, `git cat-file --batch` to read. Commands run
 * with argument arrays, never a shell. Credentials travel as an
 * `http.extraHeader` given with `-c` on the command line: never in a URL,
 * never in `.git/config`.
 */
import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface GitOptions {
  /** `Authorization: …` header for HTTP remotes; passed with `-c`, never stored. */
  authHeader?: string
  signal?: AbortSignal
  timeoutMs?: number
}

/** Basic auth as git hosts take a token (GitHub: any user name, the token as password). */
export function basicAuthHeader(token: string, user = 'x-access-token'): string {
  return `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`
}

function configArgs(options: GitOptions): string[] {
  return options.authHeader ? ['-c', `http.extraHeader=${options.authHeader}`] : []
}

/** Runs git; on failure the message carries git's stderr, with any auth header stripped. */
export async function git(args: string[], cwd: string | undefined, options: GitOptions = {}, input?: string): Promise<string> {
  const full = [...configArgs(options), ...args]
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', SSH_ASKPASS: '' }
  try {
    if (input !== undefined) return await runWithInput(full, cwd, env, input, options)
    const { stdout } = await run('git', full, { cwd, env, maxBuffer: 512 * 1024 * 1024, signal: options.signal, timeout: options.timeoutMs })
    return stdout
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message)
    throw new Error(redact(`git ${args[0]} failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`, options))
  }
}

function redact(text: string, options: GitOptions): string {
  if (!options.authHeader) return text
  return text.split(options.authHeader).join('Authorization: [REDACTED]').replace(/Basic [A-Za-z0-9+/=]{8,}/g, 'Basic [REDACTED]')
}

function runWithInput(args: string[], cwd: string | undefined, env: NodeJS.ProcessEnv, input: string, options: GitOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env, signal: options.signal, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(Object.assign(new Error(`exit ${code}`), { stderr }))))
    child.stdin.on('error', () => undefined)
    child.stdin.end(input)
  })
}

export interface GitTreeEntry {
  path: string
  mode: string
  sha: string
  size?: number
}

/** Every blob (and symlink) of `ref`, recursively. */
export async function lsTree(dir: string, ref: string, options: GitOptions = {}): Promise<GitTreeEntry[]> {
  const out = await git(['ls-tree', '-r', '-l', '-z', '--end-of-options', ref], dir, options)
  const entries: GitTreeEntry[] = []
  for (const record of out.split('\0')) {
    if (!record) continue
    const tab = record.indexOf('\t')
    const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/)
    if (type !== 'blob') continue
    entries.push({ path: record.slice(tab + 1), mode: mode as string, sha: sha as string, ...(size && size !== '-' ? { size: Number(size) } : {}) })
  }
  return entries
}

export async function revParse(dir: string, rev: string): Promise<string | undefined> {
  try {
    return (await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], dir)).trim() || undefined
  } catch {
    return undefined
  }
}

/** Reads many blobs with one `git cat-file --batch`; a missing one is absent from the map. */
export function catFileBatch(dir: string, shas: readonly string[], options: GitOptions = {}): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const found = new Map<string, Buffer>()
    if (shas.length === 0) return resolve(found)
    const child = spawn('git', [...configArgs(options), 'cat-file', '--batch'], { cwd: dir, signal: options.signal, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } })
    let buffer: Buffer = Buffer.alloc(0)
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, d]) : d
      for (;;) {
        const nl = buffer.indexOf(10)
        if (nl === -1) return
        const header = buffer.subarray(0, nl).toString()
        if (/ (missing|ambiguous)$/.test(header)) {
          buffer = buffer.subarray(nl + 1)
          continue
        }
        const [sha, , sizeText] = header.split(' ')
        const size = Number(sizeText)
        if (buffer.length < nl + 2 + size) return
        found.set(sha as string, Buffer.from(buffer.subarray(nl + 1, nl + 1 + size)))
        buffer = buffer.subarray(nl + 2 + size)
      }
    })
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(found) : reject(new Error(redact(`git cat-file failed: ${stderr.trim()}`, options)))))
    child.stdin.on('error', () => undefined)
    child.stdin.end(shas.join('\n') + '\n')
  })
}

/**
 * A shallow, blob-less bare clone: commits and trees of one ref, no file
 * contents until asked for. The remote URL is stored as given (no
 * credentials); the auth header lives only on the command line.
 */
export async function partialClone(url: string, dir: string, options: GitOptions & { ref?: string } = {}): Promise<void> {
  await git(['clone', '--quiet', '--bare', '--filter=blob:none', '--depth', '1', '--no-tags', ...(options.ref ? ['--branch', options.ref] : []), '--', url, dir], undefined, options)
}

/** Fetches missing blobs of a partial clone in one request, rather than one lazy fetch per blob. */
export async function prefetchBlobs(dir: string, shas: readonly string[], options: GitOptions = {}): Promise<void> {
  if (shas.length === 0) return
  await git(['-c', 'fetch.negotiationAlgorithm=noop', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--recurse-submodules=no', '--filter=blob:none', '--stdin', 'origin'], dir, options, shas.join('\n') + '\n')
}
