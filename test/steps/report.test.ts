import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startRun } from '../../src/runner/run.js'
import { getStep } from '../../src/steps/index.js'

let tmp: string
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firebreak-report-step-'))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

function playbook(name: string, steps: string): string {
  const file = join(tmp, name)
  writeFileSync(file, `name: ${name}\nrepos: { dirs: [${JSON.stringify(tmp)}] }\nsteps:\n${steps}`)
  return file
}

describe('the report step', () => {
  it('writes md and html into the run directory by default, also in a plan', async () => {
    const result = await startRun({ playbookFile: playbook('default.yml', '  - id: report\n    uses: report\n'), runsDir: join(tmp, 'runs') })
    expect(result.apply).toBe(false)
    expect(result.steps[0]).toMatchObject({ status: 'success', outputs: { files: [join(result.dir, 'report.md'), join(result.dir, 'report.html')], file: join(result.dir, 'report.md') } })
    expect(readFileSync(join(result.dir, 'report.md'), 'utf8')).toContain(`# Incident report: run ${result.id}`)
  })

  it('renders a template next to the playbook into the file named by out', async () => {
    writeFileSync(join(tmp, 'brief.md.hbs'), 'run {{run.id}} by {{run.playbook}}\n')
    const result = await startRun({ playbookFile: playbook('template.yml', '  - id: report\n    uses: report\n    with: { template: brief.md.hbs, out: brief.md }\n'), runsDir: join(tmp, 'runs') })
    expect(result.steps[0]!.status).toBe('success')
    expect(readFileSync(join(result.dir, 'brief.md'), 'utf8')).toBe(`run ${result.id} by template.yml\n`)
  })

  it('refuses to write outside the run directory, and a template with a data format', async () => {
    const outside = await startRun({ playbookFile: playbook('outside.yml', '  - id: report\n    uses: report\n    with: { format: md, out: ../../escape.md }\n'), runsDir: join(tmp, 'runs') })
    expect(outside.error?.message).toContain('is outside the run directory')
    expect(existsSync(join(tmp, 'escape.md'))).toBe(false)
    const step = getStep('report')!
    expect(step.with.safeParse({ format: 'pdf' }).success).toBe(false)
    expect(step.with.safeParse({ formats: ['md'] }).success).toBe(false)
    const mixed = await startRun({ playbookFile: playbook('mixed.yml', '  - id: report\n    uses: report\n    with: { format: [md, csv], template: brief.md.hbs }\n'), runsDir: join(tmp, 'runs') })
    expect(mixed.error?.message).toContain('`template` renders md or html')
  })
})
