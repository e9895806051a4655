import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { captureOutput } from '@oclif/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import Scan from '../../../src/commands/scan.js'
import { AFFECTED, generateOrg } from '../../support/fake-github/generate.js'
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js'

const org = generateOrg({ login: 'acme', count: 12, affectedEvery: 4 })
let gh: FakeGitHub
let work: string
const saved = { GITHUB_TOKEN: process.env.GITHUB_TOKEN, GH_TOKEN: process.env.GH_TOKEN }

beforeAll(async () => {
  gh = await startFakeGitHub({ owners: [org.owner], faults: { secondaryAt: [3] } })
  work = await mkdtemp(path.join(tmpdir(), 'fb-gh-cmd-'))
})
afterAll(async () => {
  process.env.GITHUB_TOKEN = saved.GITHUB_TOKEN
  process.env.GH_TOKEN = saved.GH_TOKEN
  if (saved.GITHUB_TOKEN === undefined) delete process.env.GITHUB_TOKEN
  if (saved.GH_TOKEN === undefined) delete process.env.GH_TOKEN
  await gh?.close()
  await rm(work, { recursive: true, force: true })
})

async function scan(args: string[], token: string | undefined) {
  delete process.env.GH_TOKEN
  if (token === undefined) delete process.env.GITHUB_TOKEN
  else process.env.GITHUB_TOKEN = token
  process.exitCode = undefined
  const out = await captureOutput(() => Scan.run(args, { root: path.resolve('.') }))
  const code = (out.error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit ?? process.exitCode ?? 0
  process.exitCode = undefined
  return { ...out, code }
}

const adhoc = ['--package', AFFECTED.npm.name, '--ecosystem', 'npm', '--affected', AFFECTED.npm.version]

async function everythingWritten(dirs: string[]): Promise<string> {
  let all = ''
  for (const dir of dirs) {
    for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) all += await readFile(path.join(entry.parentPath, entry.name), 'latin1')
    }
  }
  return all
}

describe('firebreak scan --org', () => {
  it('scans the organisation with a token from GITHUB_TOKEN, exit 1 on affected', async () => {
    const cache = path.join(work, 'cache-1')
    const { code, stdout, stderr } = await scan(['--org', 'acme', '--api-url', gh.url, '--cache-dir', cache, ...adhoc, '--json'], gh.token)
    expect(code).toBe(1)
    const json = JSON.parse(stdout)
    const npmAffected = [...org.affected].filter((n) => /npm/.test(n)).sort()
    expect([...new Set(json.findings.map((f: { repo: string }) => f.repo))].sort()).toEqual(npmAffected)
    expect(json.errors).toEqual([])
    // Not a TTY: the only line is the rate-limit wait, saying how long.
    expect(stderr).toMatch(/secondary rate limit reached; waiting 1s/)
    expect(stdout + stderr + (await everythingWritten([cache]))).not.toContain(gh.token)
    gh.assertNoViolations()
  })

  it('exits 4 with a hint on a rejected token, which appears nowhere', async () => {
    const cache = path.join(work, 'cache-2')
    const bad = 'ghp_thisTokenIsWrong0123456789'
    const { code, stdout, stderr } = await scan(['--org', 'acme', '--api-url', gh.url, '--cache-dir', cache, ...adhoc], bad)
    expect(code).toBe(4)
    expect(stderr).toMatch(/401[\s\S]*hint:/)
    expect(stdout + stderr + (await everythingWritten([cache]).catch(() => ''))).not.toContain(bad)
  })

  it('takes the token from --token-command, run without a shell', async () => {
    const { code, stdout } = await scan(['--org', 'acme', '--api-url', gh.url, '--no-cache', '--token-command', `printf %s ${gh.token}`, ...adhoc, '--json'], undefined)
    expect(code).toBe(1)
    expect(stdout).not.toContain(gh.token)
    const injected = await scan(['--org', 'acme', '--api-url', gh.url, '--no-cache', '--token-command', `printf %s ${gh.token}; touch ${path.join(work, 'pwned')}`, ...adhoc], undefined)
    expect(injected.code).toBe(4)
    await expect(readFile(path.join(work, 'pwned'))).rejects.toThrow()
  })

  it('reads clone URLs from --repos-from, the token only in a header', async () => {
    const list = path.join(work, 'repos.txt')
    const names = org.owner.repos.slice(0, 4).map((r) => r.name)
    await writeFile(list, `# clone URLs\n${names.map((n) => gh.gitUrl('acme', n)).join('\n')}\n`)
    const { code, stdout, stderr } = await scan(['--repos-from', list, '--api-url', gh.url, ...adhoc, '--json'], gh.token)
    const json = JSON.parse(stdout)
    expect(json.errors).toEqual([])
    expect(json.repos).toHaveLength(4)
    expect(code).toBe(json.findings.length ? 1 : 0)
    expect(stdout + stderr).not.toContain(gh.token)
  })

  it('reads owner/name lines from --repos-from through the API', async () => {
    const list = path.join(work, 'names.txt')
    await writeFile(list, `acme/${org.owner.repos[3]?.name}\n`)
    const { code, stdout } = await scan(['--repos-from', list, '--api-url', gh.url, '--no-cache', ...adhoc, '--json'], gh.token)
    expect(JSON.parse(stdout).repos).toHaveLength(1)
    expect(code).toBe(0)
  })

  it('refuses PATHs together with --org', async () => {
    const { code } = await scan(['.', '--org', 'acme', ...adhoc], gh.token)
    expect(code).toBe(2)
  })
})
