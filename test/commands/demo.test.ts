import { mkdtemp, rm, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { runDemo } from '../../src/demo/run.js'

let dir: string | undefined

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('firebreak demo', () => {
  it('builds the organisation as git repositories and finds every seeded exposure, offline', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fb-demo-'))
    const result = await runDemo({ dir })
    expect(result.repos.map((r) => path.basename(r))).toEqual(['deploy-tools', 'docs-site', 'ml-pipeline', 'platform', 'storefront'])
    expect(result.run.state).toBe('completed')
    expect(result.run.outcome).toBe('affected')
    const scan = JSON.parse(await readFile(path.join(result.run.dir, 'scan.json'), 'utf8'))
    const found = scan.findings.map((f: { repo: string; name: string; version: string }) => `${f.repo}: ${f.name}@${f.version}`).sort()
    expect(found).toEqual([
      'deploy-tools: tj-actions/changed-files@v45',
      'ml-pipeline: num2words@0.5.15',
      'ml-pipeline: num2words@>=0.5.14',
      'platform: debug@4.4.2',
      'storefront: chalk@5.6.1',
    ])
    expect(scan.errors).toEqual([])
    // Every repository is a real git repository with a commit.
    expect(scan.repos.every((r: { commit?: string }) => /^[0-9a-f]{40}$/.test(r.commit ?? ''))).toBe(true)
  })
})
