import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { captureOutput } from '@oclif/test'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import Report from '../../src/commands/report.js'
import { RUN_ID, remediationJournal, writeRun } from './helpers.js'

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
let tmp: string
let runs: string

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firebreak-report-cmd-'))
  runs = join(tmp, 'runs')
  writeRun(runs, remediationJournal())
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
afterEach(() => {
  process.exitCode = undefined
})

async function report(...argv: string[]): Promise<{ stdout: string; stderr: string; exit: number }> {
  const out = await captureOutput(() => Report.run(argv, projectRoot))
  const exit = Number(out.error?.oclif?.exit ?? process.exitCode ?? 0)
  process.exitCode = undefined
  return { stdout: out.stdout, stderr: out.stderr, exit }
}

describe('firebreak report', () => {
  it('prints the Markdown report by default', async () => {
    const { stdout, exit } = await report(RUN_ID, '--runs-dir', runs)
    expect(exit).toBe(0)
    expect(stdout).toMatch(/^# Incident report: MAL-2025-46969/)
  })

  it.each([
    ['html', /^<!DOCTYPE html>/],
    ['json', /^\{\n {2}"schema": "firebreak.report\/1"/],
    ['sarif', /"version": "2.1.0"/],
    ['csv', /^repository,advisory,/],
  ])('prints --format %s', async (format, expected) => {
    const { stdout, exit } = await report(RUN_ID, '--runs-dir', runs, '--format', format)
    expect(exit).toBe(0)
    expect(stdout).toMatch(expected)
  })

  it('writes --out and renders --template', async () => {
    const template = join(tmp, 'short.md.hbs')
    writeFileSync(template, '{{incident.id}}: {{summary.reposRemediated}}/{{summary.reposAffected}}\n')
    const out = join(tmp, 'short.md')
    const { stdout, stderr, exit } = await report(RUN_ID, '--runs-dir', runs, '--template', template, '--out', out)
    expect(exit).toBe(0)
    expect(stdout).toBe('')
    expect(stderr).toContain(`wrote ${out}`)
    expect(readFileSync(out, 'utf8')).toBe('MAL-2025-46969: 2/4\n')
  })

  it('exits 2 naming the field a template misspells', async () => {
    const template = join(tmp, 'bad.md.hbs')
    writeFileSync(template, '{{incident.packge}}')
    const { stderr, exit } = await report(RUN_ID, '--runs-dir', runs, '--template', template)
    expect(exit).toBe(2)
    expect(stderr).toContain(`${template}:1:3: template: "incident.packge" is not a field of the report view`)
  })

  it('exits 2 for a run that is not there, or not a run id', async () => {
    expect((await report('20250101T000000000Z-000000', '--runs-dir', runs)).stderr).toContain('no run at')
    const bad = await report('nope', '--runs-dir', runs)
    expect(bad.exit).toBe(2)
    expect(bad.stderr).toContain("'nope' is not a run id")
  })
})
