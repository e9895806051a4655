import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { adHocAdvisory } from '../../../src/advisory/index.js'
import { basicAuthHeader, partialClone } from '../../../src/git/read.js'
import { createMatcher } from '../../../src/scan/match.js'
import { findGitRepositories, nameFromUrl, scanGitDirs, scanGitUrls } from '../../../src/sources/git/scan.js'
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js'

const run = promisify(execFile)
const matcher = createMatcher([adHocAdvisory({ package: 'evil-pkg', ecosystem: 'npm', affected: '1.0.1' })])
const pkg = (version: string) => JSON.stringify({ name: 'x', dependencies: { 'evil-pkg': version } }) + '\n'

async function makeRepo(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true })
  await run('git', ['init', '-q', '-b', 'main', dir])
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true })
    await writeFile(path.join(dir, file), content)
  }
  await run('git', ['-C', dir, 'add', '-A'])
  await run('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init'])
}

describe('--repos-dir: git repositories below a directory, read from their objects', () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'firebreak-reposdir-'))
    await makeRepo(path.join(root, 'team-a', 'api'), { 'package.json': pkg('1.0.1'), 'node_modules/evil-pkg/package.json': pkg('1.0.1') })
    await makeRepo(path.join(root, 'web'), { 'packages/ui/package.json': pkg('1.0.0') })
    await run('git', ['clone', '-q', '--bare', path.join(root, 'team-a', 'api'), path.join(root, 'mirrors', 'api-mirror.git')])
    // The working tree does not count: HEAD does.
    await writeFile(path.join(root, 'web', 'packages', 'ui', 'package.json'), pkg('1.0.1'))
    await run('git', ['-C', path.join(root, 'web'), 'checkout', '-q', '-b', 'fix'])
    await run('git', ['-C', path.join(root, 'web'), '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'bad'])
    await run('git', ['-C', path.join(root, 'web'), 'checkout', '-q', 'main'])
  })
  afterAll(async () => rm(root, { recursive: true, force: true }))

  it('finds checkouts and bare repositories', async () => {
    const found = (await findGitRepositories(root)).map((d) => path.relative(root, d)).sort()
    expect(found).toEqual(['mirrors/api-mirror.git', 'team-a/api', 'web'])
  })

  it('reads HEAD, skipping node_modules', async () => {
    const result = await scanGitDirs(root, {}, { matcher })
    expect(result.errors).toEqual([])
    expect(result.repos.map((r) => [r.name, r.ref, r.files])).toEqual([
      [`${path.basename(root)}/mirrors/api-mirror`, 'main', ['package.json']],
      [`${path.basename(root)}/team-a/api`, 'main', ['package.json']],
      [`${path.basename(root)}/web`, 'main', ['packages/ui/package.json']],
    ])
    expect(result.repos.every((r) => /^[0-9a-f]{40}$/.test(r.commit ?? ''))).toBe(true)
    expect(result.findings.map((f) => f.repo).sort()).toEqual([`${path.basename(root)}/mirrors/api-mirror`, `${path.basename(root)}/team-a/api`])
  })

  it('reads --ref where it exists and reports where it does not', async () => {
    const result = await scanGitDirs(root, { ref: 'fix' }, { matcher })
    expect(result.findings.map((f) => f.repo)).toEqual([`${path.basename(root)}/web`])
    expect(result.errors.map((e) => e.repo).sort()).toEqual([`${path.basename(root)}/mirrors/api-mirror`, `${path.basename(root)}/team-a/api`])
  })
})

describe('--repos-from with clone URLs: blob-less partial clones', () => {
  let gh: FakeGitHub
  let work: string
  beforeAll(async () => {
    gh = await startFakeGitHub({
      owners: [{ login: 'acme', repos: [
        { name: 'api', files: { 'package.json': pkg('1.0.1'), 'docs/big.bin': 'x'.repeat(200_000) } },
        { name: 'web', files: { 'package.json': pkg('1.0.0') }, defaultBranch: 'trunk' },
      ] }],
    })
    work = await mkdtemp(path.join(tmpdir(), 'firebreak-urls-'))
  })
  afterAll(async () => {
    await gh?.close()
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('scans repositories over smart HTTP with the token in a header only', async () => {
    const urls = [gh.gitUrl('acme', 'api'), gh.gitUrl('acme', 'web'), gh.gitUrl('acme', 'gone')]
    const result = await scanGitUrls(urls, { authHeaderFor: () => basicAuthHeader(gh.token) }, { matcher })
    expect(result.repos.map((r) => [r.name, r.ref])).toEqual([['git/acme/api', 'main'], ['git/acme/web', 'trunk'], ['git/acme/gone', undefined]])
    expect(result.findings.map((f) => f.repo)).toEqual(['git/acme/api'])
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toMatchObject({ repo: 'git/acme/gone', message: expect.stringMatching(/could not be cloned/) })
    expect(JSON.stringify(result)).not.toContain(gh.token)
  })

  it('leaves no token in .git/config and does not download other blobs', async () => {
    const dir = path.join(work, 'api.git')
    await partialClone(gh.gitUrl('acme', 'api'), dir, { authHeader: basicAuthHeader(gh.token) })
    const config = await readFile(path.join(dir, 'config'), 'utf8')
    expect(config).not.toContain(gh.token)
    expect(config).not.toContain(Buffer.from(`x-access-token:${gh.token}`).toString('base64'))
    const { stdout } = await run('git', ['-C', dir, 'count-objects', '-v'])
    expect(Number(/size-pack: (\d+)/.exec(stdout)?.[1])).toBeLessThan(50)
  })

  it('fails a clone without the token as an error entry, with no token in the message', async () => {
    const result = await scanGitUrls([gh.gitUrl('acme', 'api')], {}, { matcher })
    expect(result.errors).toHaveLength(1)
    expect(result.findings).toEqual([])
  })

  it('reads file:// URLs', async () => {
    const result = await scanGitUrls([`file://${gh.repoDir('acme', 'api')}`], {}, { matcher })
    expect(result.errors).toEqual([])
    expect(result.repos[0]?.name).toBe('api')
    expect(result.findings).toHaveLength(1)
  })

  it.each([
    ['https://gitlab.example/group/sub/name.git', 'group/sub/name'],
    ['git@gitea.example:team/app.git', 'team/app'],
    ['file:///srv/git/api.git', 'api'],
  ])('names %s as %s', (url, name) => expect(nameFromUrl(url)).toBe(name))
})
