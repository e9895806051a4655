import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { loadScanAdvisories } from '../../src/scan/advisories.js'
import { createActionTagResolver } from '../../src/scan/action-shas.js'
import { scanPaths } from '../../src/scan/local.js'

let work: string
const sha: Record<string, string> = {}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim()
}

// tj-actions/changed-files as a git host would serve it: v45.0.7 (annotated, affected) and v46.0.1 (lightweight, fixed).
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'fb-action-shas-'))
  const src = path.join(work, 'src')
  await mkdir(src)
  git(src, 'init', '-q', '--initial-branch=main')
  for (const tag of ['v45.0.7', 'v46.0.1']) {
    await writeFile(path.join(src, 'action.yml'), `name: changed-files ${tag}\n`)
    git(src, 'add', '.')
    git(src, 'commit', '-qm', tag)
    sha[tag] = git(src, 'rev-parse', 'HEAD')
    if (tag === 'v45.0.7') git(src, 'tag', '-a', tag, '-m', tag)
    else git(src, 'tag', tag)
  }
  await mkdir(path.join(work, 'host', 'tj-actions'), { recursive: true })
  git(work, 'clone', '-q', '--bare', src, path.join('host', 'tj-actions', 'changed-files.git'))

  const repo = path.join(work, 'repo')
  await mkdir(path.join(repo, '.github', 'workflows'), { recursive: true })
  const uses = (ref: string) => `      - uses: tj-actions/changed-files@${ref}\n`
  await writeFile(
    path.join(repo, '.github', 'workflows', 'ci.yml'),
    `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${uses(sha['v45.0.7'] as string)}${uses(sha['v46.0.1'] as string)}${uses('0'.repeat(40))}`,
  )
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

const advisory = path.resolve('test/fixtures/advisories/GHSA-mrrh-fwg8-r2c3.json')

describe('actions pinned to a commit SHA', () => {
  it('are affected when an affected release tag points to that commit, resolved through the host', async () => {
    const loaded = await loadScanAdvisories({ refs: [advisory], actionTags: createActionTagResolver({ gitBaseUrl: `file://${path.join(work, 'host')}` }) })
    const result = await scanPaths([path.join(work, 'repo')], { matcher: loaded.matcher })
    expect(result.findings.map((f) => f.version)).toEqual([sha['v45.0.7']])
    // A commit that is no release tag cannot be decided: it is an error to check by hand, never clean.
    expect(result.errors).toEqual([expect.objectContaining({ file: '.github/workflows/ci.yml', line: 8, message: expect.stringMatching(/not the commit of any current release tag/) })])
  })

  it('are reported as undecidable, not clean, when the host cannot be read', async () => {
    const loaded = await loadScanAdvisories({ refs: [advisory], actionTags: createActionTagResolver({ gitBaseUrl: `file://${path.join(work, 'nowhere')}` }) })
    const result = await scanPaths([path.join(work, 'repo')], { matcher: loaded.matcher })
    expect(result.findings).toEqual([])
    expect(result.errors).toHaveLength(3)
    expect(result.errors[0]?.message).toMatch(/could not be read/)
  })
})
