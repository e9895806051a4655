import { cp, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { captureOutput } from '@oclif/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import Scan from '../../src/commands/scan.js'

const examples = path.resolve('examples')
let work: string

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'fb-scan-cmd-'))
  await cp(path.join(examples, 'demo-org'), path.join(work, 'org'), { recursive: true })
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

async function scan(args: string[]) {
  process.exitCode = undefined
  const out = await captureOutput(() => Scan.run(args, { root: path.resolve('.') }))
  // A thrown error exits through oclif; a finished scan sets process.exitCode.
  const code = (out.error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit ?? process.exitCode ?? 0
  process.exitCode = undefined
  return { ...out, code, json: out.stdout ? JSON.parse(out.stdout) : undefined }
}

const advisory = (id: string) => path.join(examples, 'advisories', `${id}.json`)

describe('firebreak scan', () => {
  it('finds exactly the affected npm versions, resolved in the lockfile, with the dependency path', async () => {
    const { json, code } = await scan([path.join(work, 'org', 'storefront'), '--advisory', advisory('MAL-2025-46969'), '--json'])
    expect(code).toBe(1)
    expect(json.schema).toBe('firebreak.scan/1')
    expect(json.findings).toEqual([
      expect.objectContaining({ advisory: 'MAL-2025-46969', repo: 'storefront', file: 'package-lock.json', name: 'chalk', version: '5.6.1', direct: true, certainty: 'resolved' }),
    ])
    expect(json.errors).toEqual([])
  })

  it('finds a transitive npm version in a pnpm monorepo with its path', async () => {
    const { json, code } = await scan([path.join(work, 'org', 'platform'), '--advisory', advisory('MAL-2025-46974'), '--json'])
    expect(code).toBe(1)
    expect(json.findings).toHaveLength(1)
    expect(json.findings[0]).toMatchObject({ file: 'pnpm-lock.yaml', name: 'debug', version: '4.4.2', direct: false })
    expect(json.findings[0].paths.some((p: string[]) => p.includes('morgan') && p.at(-1) === 'debug')).toBe(true)
  })

  it('finds exactly the affected PyPI pin; the pyproject range is superseded only by a lockfile', async () => {
    const { json, code } = await scan([path.join(work, 'org', 'ml-pipeline'), '--advisory', advisory('MAL-2025-6794'), '--json'])
    expect(code).toBe(1)
    const pairs = json.findings.map((f: { file: string; name: string; version: string; certainty: string }) => [f.file, f.name, f.version, f.certainty])
    expect(pairs).toEqual([
      ['pyproject.toml', 'num2words', '>=0.5.14', 'range'],
      ['requirements.txt', 'num2words', '0.5.15', 'resolved'],
    ])
  })

  it('finds exactly the affected GitHub Action ref', async () => {
    const { json, code } = await scan([path.join(work, 'org', 'deploy-tools'), '--advisory', advisory('GHSA-mrrh-fwg8-r2c3'), '--json'])
    expect(code).toBe(1)
    expect(json.findings.map((f: { name: string; version: string }) => `${f.name}@${f.version}`)).toEqual(['tj-actions/changed-files@v45'])
  })

  it('exits 0 on a clean repository and lists its inventory', async () => {
    const { json, code } = await scan([path.join(work, 'org', 'docs-site'), '--advisory', advisory('MAL-2025-46969'), '--inventory', '--json'])
    expect(code).toBe(0)
    expect(json.findings).toEqual([])
    expect(json.packages).toEqual([expect.objectContaining({ repo: 'docs-site', file: 'package.json', name: 'ms', version: '2.1.3', direct: true })])
  })

  it('takes an ad hoc advisory from flags', async () => {
    const { json } = await scan([path.join(work, 'org'), '--package', 'ms', '--ecosystem', 'npm', '--affected', '2.1.3', '--json'])
    expect(new Set(json.findings.map((f: { file: string }) => f.file))).toEqual(new Set(['docs-site/package.json', 'platform/pnpm-lock.yaml']))
  })

  it('reports a broken file as an error, goes on, and exits 2', async () => {
    await writeFile(path.join(work, 'org', 'docs-site', 'package-lock.json'), '{ "lockfileVersion": 3, "packages": {')
    const { json, code } = await scan([path.join(work, 'org', 'docs-site'), '--inventory', '--json'])
    expect(code).toBe(2)
    expect(json.errors).toEqual([expect.objectContaining({ repo: 'docs-site', file: 'package-lock.json' })])
    expect(json.packages.length).toBeGreaterThan(0)
  })

  it('refuses a file of hundreds of MB without reading it, and still reads the rest', async () => {
    const dir = path.join(work, 'huge')
    await mkdir(dir)
    await writeFile(path.join(dir, 'package-lock.json'), '')
    await truncate(path.join(dir, 'package-lock.json'), 300 * 1024 * 1024) // sparse: no disk, no memory
    await writeFile(path.join(dir, 'requirements.txt'), 'num2words==0.5.15\n')
    const { json, code } = await scan([dir, '--advisory', advisory('MAL-2025-6794'), '--json'])
    expect(code).toBe(2)
    expect(json.errors).toEqual([{ repo: 'huge', file: 'package-lock.json', message: expect.stringMatching(/300 MB, over the 128 MB limit/) }])
    expect(json.findings).toEqual([expect.objectContaining({ file: 'requirements.txt', name: 'num2words', version: '0.5.15' })])
  })

  it('refuses a scan with nothing to look for', async () => {
    const { code, stderr } = await scan([path.join(work, 'org')])
    expect(code).toBe(2)
    expect(stderr).toMatch(/nothing to look for/)
  })
})
