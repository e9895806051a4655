/**
 * CODEOWNERS: who reviews the files a pull request changes. GitHub's rules:
 * gitignore-style patterns, the last matching line wins, a line with a
 * pattern and no owners leaves those files unowned, no `!` negation and no
 * `[...]` ranges. The file is looked for where GitHub looks, in order:
 * `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`.
 */
import { statusOf, type GitHubClient } from './client.js'

export interface CodeownersRule {
  pattern: string
  owners: string[]
  line: number
  regex: RegExp
}

export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const

/** Parses CODEOWNERS text; lines that are not rules (comments, blanks) are skipped. */
export function parseCodeowners(text: string): CodeownersRule[] {
  const rules: CodeownersRule[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = stripComment(raw).trim()
    if (!line) return
    const [pattern, ...owners] = line.split(/\s+/) as [string, ...string[]]
    if (pattern.startsWith('!') || /(^|[^\\])\[/.test(pattern)) return
    rules.push({ pattern, owners, line: i + 1, regex: patternToRegex(pattern) })
  })
  return rules
}

/** `#` starts a comment unless escaped (`\#`). */
function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++
    else if (line[i] === '#') return line.slice(0, i)
  }
  return line
}

/**
 * A gitignore-style pattern as a regular expression over repository paths
 * (no leading slash). A pattern with a slash other than a trailing one is
 * anchored at the root; otherwise it matches at any depth. A match on a
 * directory covers everything below it.
 */
export function patternToRegex(pattern: string): RegExp {
  let p = pattern.replace(/\\(.)/g, (_m, c: string) => `\u0000${c}`)
  const dirOnly = p.endsWith('/')
  if (dirOnly) p = p.slice(0, -1)
  const anchored = p.startsWith('/') || p.includes('/')
  p = p.replace(/^\//, '')
  let out = ''
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string
    if (c === '\u0000') {
      out += escapeRegex(p[++i] as string)
    } else if (c === '*') {
      if (p[i + 1] === '*') {
        const before = i === 0 || p[i - 1] === '/'
        const after = i + 2 === p.length || p[i + 2] === '/'
        if (before && after) {
          // `**/` any leading directories; `/**` everything below; `a/**/b` zero or more directories.
          if (i + 2 === p.length) out += '.*'
          else {
            out += '(?:.*/)?'
            i++
          }
          i++
          continue
        }
        out += '[^/]*'
        i++
        continue
      }
      out += '[^/]*'
    } else if (c === '?') out += '[^/]'
    else out += escapeRegex(c)
  }
  const prefix = anchored ? '^' : '^(?:.*/)?'
  // A directory pattern matches only what is below it; otherwise the path itself or anything below.
  const suffix = dirOnly ? '/.*$' : '(?:/.*)?$'
  return new RegExp(prefix + out + suffix)
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** The owners of one path: the last matching rule's (possibly none). */
export function ownersOf(rules: readonly CodeownersRule[], file: string): string[] {
  const path = file.replace(/^\/+/, '')
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i] as CodeownersRule
    if (rule.regex.test(path)) return rule.owners
  }
  return []
}

export interface Reviewers {
  /** User logins (without `@`). */
  users: string[]
  /** Team slugs of the repository's organisation (without `@org/`). */
  teams: string[]
}

/** Reviewers for a set of changed files: users and teams of every file's owners; e-mail owners are dropped (the API takes logins). */
export function reviewersFor(rules: readonly CodeownersRule[], files: readonly string[], org?: string): Reviewers {
  const users = new Set<string>()
  const teams = new Set<string>()
  for (const file of files) {
    for (const owner of ownersOf(rules, file)) {
      const team = /^@([^/\s]+)\/(\S+)$/.exec(owner)
      if (team) {
        // A team of another organisation cannot be asked for a review here.
        if (!org || (team[1] as string).toLowerCase() === org.toLowerCase()) teams.add(team[2] as string)
      } else if (owner.startsWith('@')) users.add(owner.slice(1))
    }
  }
  return { users: [...users].sort(), teams: [...teams].sort() }
}

/** The repository's CODEOWNERS rules on `ref`, from the first of GitHub's locations that exists; [] when none does. */
export async function loadCodeowners(client: GitHubClient, owner: string, repo: string, ref?: string): Promise<CodeownersRule[]> {
  for (const path of CODEOWNERS_PATHS) {
    try {
      const response = await client.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path, ...(ref ? { ref } : {}) })
      const data = response.data as { type?: string; content?: string; encoding?: string }
      if (data.type !== 'file' || typeof data.content !== 'string') continue
      const text = data.encoding === 'base64' ? Buffer.from(data.content, 'base64').toString('utf8') : data.content
      return parseCodeowners(text)
    } catch (error) {
      if (statusOf(error) === 404) continue
      throw error
    }
  }
  return []
}
