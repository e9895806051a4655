/** Real git repositories in temporary directories, for tests that branch and commit. */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface TestRepo {
  dir: string
  git(...args: string[]): string
  write(file: string, content: string): void
  commitAll(message: string): string
  cleanup(): void
}

const ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
}

/** A repository on branch `main` with `files` committed. `name` becomes the directory's base name (the repo name in scans). */
export function makeRepo(files: Record<string, string>, name = 'app', branch = 'main'): TestRepo {
  const root = mkdtempSync(path.join(tmpdir(), 'firebreak-repo-'))
  const dir = path.join(root, name)
  mkdirSync(dir)
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, env: { ...process.env, ...ENV }, encoding: 'utf8' })
  git('init', '--quiet', '--initial-branch', branch)
  git('config', 'user.name', 'Test')
  git('config', 'user.email', 'test@example.com')
  git('config', 'core.autocrlf', 'false')
  const write = (file: string, content: string): void => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), content)
  }
  const commitAll = (message: string): string => {
    git('add', '-A')
    git('commit', '--quiet', '-m', message)
    return git('rev-parse', 'HEAD').trim()
  }
  for (const [file, content] of Object.entries(files)) write(file, content)
  commitAll('initial')
  return { dir, git, write, commitAll, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}
