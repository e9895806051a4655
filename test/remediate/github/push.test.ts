import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { gitRun, pushBranch } from '../../../src/git/push.js'
import { prepareWorkspace, syncWithDefault, type Workspace } from '../../../src/remediate/workspace.js'
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js'
import { authHeader, commitOnBranch, gitConfigs } from './helpers.js'

const BRANCH = 'firebreak/MAL-1'
const PKG = (v: string, extra = '') => `{\n  "name": "app",\n  "dependencies": {\n    "evil-pkg": "${v}"${extra}\n  }\n}\n`

describe('pushBranch and workspaces against the fake GitHub over smart HTTP', () => {
  let gh: FakeGitHub
  let runDir: string
  const output: string[] = []
  const ws = (name: string) => prepareWorkspace({ kind: 'github', owner: 'acme', name, cloneUrl: gh.gitUrl('acme', name), defaultBranch: 'main' }, { runDir, authHeader: authHeader(gh) })

  beforeAll(async () => {
    gh = await startFakeGitHub({ owners: [{ login: 'acme', repos: ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, files: { 'package.json': PKG('1.0.1'), 'README.md': '# app\n' } })) }] })
    runDir = await mkdtemp(path.join(tmpdir(), 'firebreak-push-'))
  })
  afterAll(async () => {
    await gh?.close()
    if (runDir) await rm(runDir, { recursive: true, force: true })
  })

  it('partially clones into <run>/workspaces/<owner>/<repo>, and a second prepare reuses the clone', async () => {
    const w = await ws('a')
    expect(w.dir).toBe(path.join(runDir, 'workspaces', 'acme', 'a'))
    expect(await gitRun(['config', 'remote.origin.partialclonefilter'], w.dir)).toBe('blob:none\n')
    expect(await readFile(path.join(w.dir, 'package.json'), 'utf8')).toBe(PKG('1.0.1'))
    await gh.pushFiles('acme', 'a', { 'README.md': '# app v2\n' })
    const again = await ws('a')
    expect(await readFile(path.join(again.dir, 'README.md'), 'utf8')).toBe('# app v2\n')
  })

  it('creates the branch, then finds it unchanged, then replaces its own commit with a lease', async () => {
    const w = await ws('b')
    const first = await commitOnBranch(w.dir, BRANCH, 'main', { 'package.json': PKG('1.0.0') })
    expect(await pushBranch({ dir: w.dir, branch: BRANCH, base: 'main', authHeader: authHeader(gh) })).toEqual({ status: 'created', sha: first })
    expect(await pushBranch({ dir: w.dir, branch: BRANCH, base: 'main', authHeader: authHeader(gh) })).toEqual({ status: 'unchanged', sha: first })
    const second = await commitOnBranch(w.dir, BRANCH, 'main', { 'package.json': PKG('1.0.0', ',\n    "x": "1"') })
    expect(await pushBranch({ dir: w.dir, branch: BRANCH, base: 'main', authHeader: authHeader(gh) })).toEqual({ status: 'updated', sha: second, previous: first })
    expect(await gh.branchSha('acme', 'b', BRANCH)).toBe(second)
  })

  it('never touches a branch that firebreak did not make', async () => {
    // Someone else's branch of the same name, with a commit of their own.
    const other = await mkdtemp(path.join(tmpdir(), 'firebreak-other-'))
    try {
      const header = authHeader(gh)
      await gitRun(['clone', '--quiet', gh.gitUrl('acme', 'c'), other], undefined, { authHeader: header })
      await gitRun(['checkout', '--quiet', '-b', BRANCH], other)
      await writeFile(path.join(other, 'README.md'), 'by hand\n')
      await gitRun(['-c', 'user.name=h', '-c', 'user.email=h@h', 'commit', '--quiet', '-am', 'by hand'], other)
      await gitRun(['push', '--quiet', 'origin', BRANCH], other, { authHeader: header })
      const theirs = await gh.branchSha('acme', 'c', BRANCH)
      const w = await ws('c')
      await commitOnBranch(w.dir, BRANCH, 'main', { 'package.json': PKG('1.0.0') })
      const result = await pushBranch({ dir: w.dir, branch: BRANCH, base: 'main', authHeader: header })
      expect(result.status).toBe('skipped')
      expect(result.status === 'skipped' && result.reason).toMatch(/without the Firebreak-Run trailer.*not made by firebreak/)
      expect(await gh.branchSha('acme', 'c', BRANCH)).toBe(theirs)
    } finally {
      await rm(other, { recursive: true, force: true })
    }
  })

  it('rebases onto a default branch that moved on, and re-applies the edit when the rebase conflicts', async () => {
    const header = authHeader(gh)
    // d: the default branch moved on elsewhere in the tree: a clean rebase.
    const d = await ws('d')
    await commitOnBranch(d.dir, BRANCH, 'main', { 'package.json': PKG('1.0.0') })
    await gh.pushFiles('acme', 'd', { 'README.md': '# moved on\n' })
    const rebased = await syncWithDefault(d, { branch: BRANCH, authHeader: header, reapply: async () => { throw new Error('not needed') } })
    expect(rebased.action).toBe('rebased')
    expect(await pushBranch({ dir: d.dir, branch: BRANCH, base: 'main', authHeader: header })).toMatchObject({ status: 'created' })
    expect(await gitRun(['show', `refs/heads/${BRANCH}:README.md`], d.dir)).toBe('# moved on\n')
    // e: the same line changed on the default branch: rebase conflicts, the edit is made again on the new base.
    const e: Workspace = await ws('e')
    await commitOnBranch(e.dir, BRANCH, 'main', { 'package.json': PKG('1.0.0') })
    expect(await pushBranch({ dir: e.dir, branch: BRANCH, base: 'main', authHeader: header })).toMatchObject({ status: 'created' })
    await gh.pushFiles('acme', 'e', { 'package.json': PKG('1.0.1', ',\n    "left-pad": "1.3.0"') })
    let reapplied = 0
    const synced = await syncWithDefault(e, {
      branch: BRANCH,
      authHeader: header,
      reapply: async () => {
        reapplied++
        const text = await gitRun(['show', `refs/heads/${BRANCH}:package.json`], e.dir)
        await commitOnBranch(e.dir, BRANCH, `refs/heads/${BRANCH}`, { 'package.json': text.replace('"1.0.1"', '"1.0.0"') })
      },
    })
    expect(synced).toMatchObject({ action: 'reapplied', conflicts: ['package.json'] })
    expect(reapplied).toBe(1)
    expect(await pushBranch({ dir: e.dir, branch: BRANCH, base: 'main', authHeader: header })).toMatchObject({ status: 'updated' })
    expect(await gitRun(['show', `refs/heads/${BRANCH}:package.json`], e.dir)).toBe(PKG('1.0.0', ',\n    "left-pad": "1.3.0"'))
    expect(await syncWithDefault(e, { branch: BRANCH, authHeader: header, reapply: async () => {} })).toMatchObject({ action: 'up-to-date' })
    output.push(JSON.stringify([rebased, synced]))
  })

  it('never writes the token into any .git/config, remote URL or output', async () => {
    const configs = await gitConfigs(runDir)
    expect(configs.length).toBe(5)
    const b64 = Buffer.from(`x-access-token:${gh.token}`).toString('base64')
    for (const { file, text } of configs) {
      expect(text, file).not.toContain(gh.token)
      expect(text, file).not.toContain(b64)
      expect(text, file).not.toMatch(/extraheader|Authorization/i)
      expect(text, file).toMatch(/url = http:\/\/127\.0\.0\.1:\d+\/git\/acme\/\w\.git\n/)
    }
    for (const line of output) expect(line).not.toContain(gh.token)
    // A failure message carries git's stderr, scrubbed.
    const failed = await gitRun(['push', 'origin', 'refs/heads/nope:refs/heads/nope'], path.join(runDir, 'workspaces', 'acme', 'a'), { authHeader: authHeader(gh) }).catch((e: Error) => e.message)
    expect(failed).toMatch(/git push failed/)
    expect(failed).not.toContain(gh.token)
    expect(failed).not.toContain(b64)
  })
})
