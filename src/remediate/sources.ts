/**
 * What planning needs from outside, behind small interfaces so that the plan
 * stays pure in tests: the hashes of a PyPI release (its index's JSON API)
 * and the commit an action's release tag points to (`git ls-remote`).
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** sha256 digests of every file of `name==version` on the index. */
export type FetchHashes = (name: string, version: string, indexUrl: string) => Promise<string[]>

/** The 40-hex commit that the tag `tag` of the action `owner/repo[/path]` points to. */
export type ResolveActionSha = (action: string, tag: string) => Promise<string>

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple'

/** `https://pypi.org/simple/` -> `https://pypi.org`: the JSON API lives beside the simple index. */
export function jsonApiBase(indexUrl: string): string {
  return indexUrl.replace(/\/+$/, '').replace(/\/simple$/, '')
}

/** The index a requirements file names with `--index-url` / `-i`, if any. */
export function indexUrlOf(requirements: string): string | undefined {
  const m = /^\s*(?:--index-url(?:\s*=\s*|\s+)|-i\s*)(\S+)/m.exec(requirements)
  return m?.[1]
}

/** The index pip would use: PIP_INDEX_URL, then pip.conf's `index-url` (PIP_CONFIG_FILE, user, global), then PyPI. */
export function defaultIndexUrl(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.PIP_INDEX_URL) return env.PIP_INDEX_URL
  const files = [env.PIP_CONFIG_FILE, path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'pip', 'pip.conf'), path.join(home, '.pip', 'pip.conf'), '/etc/pip.conf']
  for (const file of files) {
    if (!file) continue
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    let section = ''
    for (const line of text.split(/\r?\n/)) {
      const header = /^\s*\[([^\]]+)\]/.exec(line)
      if (header) section = header[1]!.trim()
      const value = /^\s*index[-_]url\s*[=:]\s*(\S+)/.exec(line)
      if (value && (section === 'global' || section === 'install')) return value[1]!
    }
  }
  return DEFAULT_INDEX_URL
}

/** Hashes from `{index}/pypi/{name}/{version}/json` (PyPI's and devpi's JSON API). Throws with the reason. */
export function pypiJsonHashes(fetchImpl: typeof fetch = fetch): FetchHashes {
  return async (name, version, indexUrl) => {
    const url = `${jsonApiBase(indexUrl)}/pypi/${encodeURIComponent(name)}/${encodeURIComponent(version)}/json`
    const response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(30_000) })
    if (!response.ok) throw new Error(`${url} answered ${response.status}`)
    const body = (await response.json()) as { urls?: { digests?: { sha256?: string } }[] }
    const hashes = (body.urls ?? []).map((u) => u.digests?.sha256).filter((h): h is string => typeof h === 'string' && /^[0-9a-f]{64}$/i.test(h))
    if (hashes.length === 0) throw new Error(`${url} lists no sha256 digests for ${name} ${version}`)
    return [...new Set(hashes.map((h) => h.toLowerCase()))]
  }
}

/**
 * Resolves a tag with `git ls-remote` against `urlOf(action)` (default
 * https://github.com/owner/repo). Peeled tags (`^{}`) give the commit of an
 * annotated tag. This says where the tag points NOW: the plan refuses a
 * commit the advisory lists (a moved tag, as in tj-actions/changed-files),
 * and the pull request names the tag so that a reviewer can check it.
 */
export function gitLsRemoteSha(urlOf: (action: string) => string = (a) => `https://github.com/${a.split('/').slice(0, 2).join('/')}`, options: { authHeader?: string } = {}): ResolveActionSha {
  return async (action, tag) => {
    const args = [...(options.authHeader ? ['-c', `http.extraHeader=${options.authHeader}`] : []), 'ls-remote', '--tags', urlOf(action), `refs/tags/${tag}`, `refs/tags/${tag}^{}`]
    const { stdout } = await run('git', args, { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, timeout: 60_000 })
    const lines = stdout.split('\n').map((l) => l.split('\t')).filter((p) => p.length === 2)
    const peeled = lines.find(([, ref]) => ref === `refs/tags/${tag}^{}`)
    const direct = lines.find(([, ref]) => ref === `refs/tags/${tag}`)
    const sha = (peeled ?? direct)?.[0]
    if (!sha || !/^[0-9a-f]{40}$/.test(sha)) throw new Error(`tag ${tag} not found in ${action}`)
    return sha
  }
}
