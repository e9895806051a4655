import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { simpleGit } from 'simple-git'

/** The package root, from src/demo or dist/demo alike. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const DEMO_FIXTURES = path.join(PACKAGE_ROOT, 'examples', 'demo-org')
export const DEMO_ACTIONS = path.join(PACKAGE_ROOT, 'examples', 'demo-actions')
export const DEMO_ADVISORIES = path.join(PACKAGE_ROOT, 'examples', 'advisories')

export interface DemoOrg {
  dir: string
  repos: string[]
}

const AUTHOR = ['-c', 'user.name=Demo Developer', '-c', 'user.email=dev@demo.invalid']

async function subdirs(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
}

/**
 * Builds a small organisation of real git repositories from the bundled
 * fixtures: each folder of examples/demo-org becomes a repository on `main`
 * with one commit, as a checkout of a real organisation would look.
 */
export async function buildDemoOrg(dir: string): Promise<DemoOrg> {
  await mkdir(dir, { recursive: true })
  const repos: string[] = []
  for (const name of await subdirs(DEMO_FIXTURES)) {
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

/**
 * A local git host for the actions the demo pins (examples/demo-actions):
 * one bare repository per action, one commit per release tag, so that tags
 * resolve to commit SHAs with `git ls-remote` and no network. Returns the
 * base URL to use in place of https://github.com.
 */
export async function buildActionHost(dir: string): Promise<string> {
  for (const owner of await subdirs(DEMO_ACTIONS)) {
    for (const name of await subdirs(path.join(DEMO_ACTIONS, owner))) {
      const source = path.join(DEMO_ACTIONS, owner, name)
      const work = path.join(dir, 'src', owner, name)
      await mkdir(work, { recursive: true })
      const git = simpleGit(work)
      await git.init(['--initial-branch=main', '--quiet'])
      const action = await readFile(path.join(source, 'action.yml'), 'utf8')
      for (const tag of (await readFile(path.join(source, 'tags'), 'utf8')).split(/\s+/).filter(Boolean)) {
        await writeFile(path.join(work, 'action.yml'), `${action}# release ${tag}\n`)
        await git.raw([...AUTHOR, 'add', 'action.yml'])
        await git.raw([...AUTHOR, 'commit', '--quiet', '-m', `Release ${tag}`])
        await git.raw([...AUTHOR, 'tag', '-a', tag, '-m', tag])
      }
      await mkdir(path.join(dir, owner), { recursive: true })
      await simpleGit(dir).raw(['clone', '--quiet', '--bare', work, path.join(owner, `${name}.git`)])
    }
  }
  return `file://${dir}`
}
