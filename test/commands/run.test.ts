import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { captureOutput } from '@oclif/test'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import Run from '../../src/commands/run.js'
import type { RunJson } from '../../src/commands/run.js'
import Runs from '../../src/commands/runs.js'
import type { RunsJson } from '../../src/commands/runs.js'
import { readJournal } from '../../src/runner/journal.js'
import { registerTestSteps } from '../runner/test-steps.js'

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
let root: string

beforeAll(() => {
  registerTestSteps()
  root = mkdtempSync(join(tmpdir(), 'firebreak-cmd-run-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))
afterEach(() => {
  process.exitCode = undefined
})

async function command<T>(cmd: { run(argv: string[], root: string): Promise<unknown> }, ...argv: string[]): Promise<{ stdout: string; stderr: string; exit: number; result?: T }> {
  process.exitCode = undefined
  const out = await captureOutput<T>(() => cmd.run(argv, projectRoot))
  const exit = Number(out.error?.oclif?.exit ?? process.exitCode ?? 0)
  process.exitCode = undefined
  return { stdout: out.stdout, stderr: out.stderr, exit, result: out.result }
}

function playbook(name: string, yaml: string): string {
  const file = join(root, name)
  writeFileSync(file, yaml)
  return file
}

describe('firebreak run', () => {
  it('plans by default, prints progress to stderr and a summary with the run id and directory', async () => {
    const marker = join(root, 'plan-marker.txt')
    const pb = playbook('plan.yaml', `name: plan\nsteps:\n  - id: write\n    uses: test-write-marker\n    with: { file: ${JSON.stringify(marker)} }\n`)
    const runsDir = join(root, 'runs')
    const { stdout, stderr, exit } = await command(Run, pb, '--runs-dir', runsDir)
    expect(exit).toBe(0)
    expect(existsSync(marker)).toBe(false)
    expect(stderr).toContain('▶ write (test-write-marker) planning')
    const [id] = readdirSync(runsDir)
    expect(stdout).toContain(`run ${id}: completed, outcome clean (plan only`)
    expect(stdout).toMatch(/planned\s+write\s+actions: 1 planned/)
    expect(stdout).toContain(`directory: `)

    const applied = await command<RunJson>(Run, pb, '--runs-dir', runsDir, '--apply', '--json')
    expect(applied.exit).toBe(0)
    expect(readFileSync(marker, 'utf8')).toBe('written')
    expect(applied.result).toMatchObject({ schema: 'firebreak.run/1', state: 'completed', apply: true, steps: [{ id: 'write', status: 'success' }] })
    expect(JSON.parse(applied.stdout).id).toBe(applied.result?.id)
  })

  it('exits 1 when a step sets the outcome to affected, and passes --input', async () => {
    const pb = playbook('affected.yaml', 'name: affected\ninputs:\n  o: { required: true }\nsteps:\n  - id: a\n    uses: test-outcome\n    with: { outcome: "${{ inputs.o }}" }\n')
    const runsDir = join(root, 'runs-affected')
    expect((await command(Run, pb, '--runs-dir', runsDir, '--input', 'o=affected')).exit).toBe(1)
    expect((await command(Run, pb, '--runs-dir', runsDir, '--input', 'o=clean')).exit).toBe(0)
    const missing = await command(Run, pb, '--runs-dir', runsDir)
    expect(missing.exit).toBe(2)
    expect(missing.stderr).toContain("required input 'o' is missing")
  })

  it('exits 2 on an invalid playbook, listing problems with file:line:col', async () => {
    const pb = playbook('invalid.yaml', 'name: x\nsteps:\n  - id: a\n    uses: nope\n')
    const { exit, stderr } = await command(Run, pb, '--runs-dir', join(root, 'runs-invalid'))
    expect(exit).toBe(2)
    expect(stderr).toContain(`${pb}:4:11: steps[0].uses: unknown step 'nope'`)
  })

  it('takes the runs directory from FIREBREAK_RUNS_DIR', async () => {
    const pb = playbook('env.yaml', 'name: env\nsteps:\n  - id: a\n    uses: test-echo\n    with: { message: hi }\n')
    const runsDir = join(root, 'runs-from-env')
    process.env.FIREBREAK_RUNS_DIR = runsDir
    try {
      expect((await command(Run, pb)).exit).toBe(0)
      const listed = await command<RunsJson>(Runs, '--json')
      expect(listed.result?.runs).toEqual([expect.objectContaining({ playbook: 'env', state: 'completed', outcome: 'clean', apply: false })])
    } finally {
      delete process.env.FIREBREAK_RUNS_DIR
    }
  })

  it('SIGTERM stops the run cleanly: exit non-zero, run-end cancelled, and --resume completes it', async () => {
    const pb = playbook('signal.yaml', 'name: signal\nsteps:\n  - id: wait\n    uses: test-wait\n    with: { ms: 1500 }\n  - id: after\n    uses: test-echo\n    with: { message: done }\n')
    const runsDir = join(root, 'runs-signal')
    const proc = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'commands', 'run-child.ts'), pb, '--runs-dir', runsDir], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    proc.stderr.on('data', (d) => {
      stderr += d
      if (String(d).includes('▶ wait')) proc.kill('SIGTERM')
    })
    const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)))
    expect(code).toBe(2)
    expect(stderr).toContain('SIGTERM: stopping')
    const [id] = readdirSync(runsDir)
    expect(readJournal(join(runsDir, id!, 'journal.jsonl')).records.at(-1)).toMatchObject({ type: 'run-end', state: 'cancelled' })

    const listed = await command<RunsJson>(Runs, '--runs-dir', runsDir)
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+cancelled`))

    const resumed = await command<RunJson>(Run, pb, '--runs-dir', runsDir, '--resume', id!, '--json')
    expect(resumed.exit).toBe(0)
    expect(resumed.result).toMatchObject({ id, state: 'completed', attempt: 2 })
  })
})

describe('firebreak runs', () => {
  it('says so when there are no runs', async () => {
    const { stdout, stderr, exit, result } = await command<RunsJson>(Runs, '--runs-dir', join(root, 'empty'))
    expect(exit).toBe(0)
    expect(stdout).toBe('')
    expect(stderr).toContain('no runs in')
    expect(result?.runs).toEqual([])
  })
})
