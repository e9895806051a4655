import { afterEach, describe, expect, it, vi } from 'vitest'

import Show from '../../src/commands/advisory/show.js'
import { fixture } from './helpers.js'

async function capture(fn: () => Promise<unknown>): Promise<{ stdout: string; stderr: string; result: unknown }> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    return true
  })
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk)
    return true
  })
  try {
    const result = await fn()
    return { stdout, stderr, result }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}

afterEach(() => {
  process.exitCode = undefined
})

describe('firebreak advisory show', () => {
  it('--json prints the normalised model', async () => {
    const { stdout } = await capture(() => Show.run([fixture('GHSA-pjwm-rvh2-c87w'), '--json']))
    const body = JSON.parse(stdout)
    expect(body.schema).toBe('firebreak.advisory/1')
    expect(body.advisories).toHaveLength(1)
    expect(body.advisories[0]).toMatchObject({ id: 'GHSA-pjwm-rvh2-c87w', summary: 'Embedded malware in ua-parser-js' })
    expect(body.advisories[0].affected).toHaveLength(3)
    expect(body.advisories[0].affected[0]).toMatchObject({ ecosystem: 'npm', name: 'ua-parser-js', versions: ['0.7.29'] })
  })

  it('prints id, aliases, summary and per package the affected versions and fixes', async () => {
    const { stdout } = await capture(() => Show.run([fixture('GHSA-pjwm-rvh2-c87w')]))
    expect(stdout).toContain('GHSA-pjwm-rvh2-c87w')
    expect(stdout).toContain('summary: Embedded malware in ua-parser-js')
    expect(stdout).toContain('  npm ua-parser-js')
    expect(stdout).toContain('    versions: 0.7.29, 0.8.0, 1.0.0')
    expect(stdout).toContain('    range: >= 0.7.29, < 0.7.30 (fixed in 0.7.30)')
    expect(stdout).toContain('    fixed: 0.7.30, 0.8.1, 1.0.1')
  })

  it('shows aliases, last_affected and withdrawn', async () => {
    const mal = await capture(() => Show.run([fixture('MAL-2025-6794')]))
    expect(mal.stdout).toContain('aliases: PYSEC-2025-72, GHSA-jxr6-qrxx-2ph2')
    const tj = await capture(() => Show.run([fixture('GHSA-mrrh-fwg8-r2c3')]))
    expect(tj.stdout).toContain('  GitHub Actions tj-actions/changed-files')
    expect(tj.stdout).toContain('    range: <= 45.0.7')
    expect(tj.stdout).toContain('    fixed: none recorded')
    const withdrawn = await capture(() => Show.run([fixture('MAL-2026-4377')]))
    expect(withdrawn.stdout).toContain('WITHDRAWN: 2026-05-26T17:12:48Z')
  })

  it('describes an inline advisory', async () => {
    const { stdout } = await capture(() => Show.run(['--package', 'chalk', '--ecosystem', 'npm', '--affected', '>=5.6.1 <5.6.2', '--json']))
    const body = JSON.parse(stdout)
    expect(body.advisories[0]).toMatchObject({ id: 'ADHOC-npm-chalk', source: 'inline', affected: [{ specifiers: ['>=5.6.1 <5.6.2'] }] })
  })

  it('a bad file exits 2 with the error in JSON', async () => {
    const { stdout, result } = await capture(() => Show.run([fixture('README').replace(/README\.json$/, 'README.md'), '--json']).catch((e: unknown) => e))
    expect((result as { oclif?: { exit?: number } }).oclif?.exit).toBe(2)
    const body = JSON.parse(stdout)
    expect(body.error).toMatchObject({ code: 'ADVISORY' })
    expect(body.error.message).toMatch(/README.md: not valid JSON/)
  })

  it('refuses --affected with a REF', async () => {
    const { stderr } = await capture(() => Show.run([fixture('MAL-2025-46969'), '--package', 'x', '--ecosystem', 'npm', '--affected', '1.0.0']).catch(() => undefined))
    expect(stderr).toMatch(/--affected describes an inline advisory/)
  })
})
