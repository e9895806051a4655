import { cp, mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { simpleGit } from 'simple-git'

/** The package root, from src/demo or dist/demo alike. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const DEMO_FIXTURES = path.join(PACKAGE_ROOT, 'examples', 'demo-org')
export const DEMO_ADVISORIES = path.join(PACKAGE_ROOT, 'examples', 'advisories')

export interface DemoOrg {
  dir: string
  repos: string[]
}

/**
 * Builds a small organisation of real git repositories from the bundled
 * fixtures: each folder of examples/demo-org becomes a repository on `main`
 * with one commit, as a checkout of a real organisation would look.
 */
export async function buildDemoOrg(dir: string): Promise<DemoOrg> {
  await mkdir(dir, { recursive: true })
  const names = (await readdir(DEMO_FIXTURES, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort()
  const repos: string[] = []
  for (const name of names) {
    const repo = path.join(dir, name)
    await cp(path.join(DEMO_FIXTURES, name), repo, { recursive: true })
    const git = simpleGit(repo)
    await git.init(['--initial-branch=main', '--quiet'])
    await git.addConfig('user.name', 'Demo Developer', false, 'local')
    await git.addConfig('user.email', 'dev@demo.invalid', false, 'local')
    await git.add('.')
    await git.commit('Initial commit', undefined, { '--quiet': null })
    repos.push(repo)
  }
  return { dir, repos }
}
