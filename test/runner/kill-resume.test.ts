import { spawn } from 'node:child_process'
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, expect, it } from 'vitest'

import { readJournal } from '../../src/runner/journal.js'
import { listRuns } from '../../src/runner/runs.js'

const here = dirname(fileURLToPath(import.meta.url))
const projectRoot = join(here, '..', '..')
const child = join(here, 'child-run.ts')

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'firebreak-kill-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

function startChild(options: Record<string, unknown>): { exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>; kill: (s: NodeJS.Signals) => void } {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(options)], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', (d) => (stdout += d))
  proc.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  )
  return { exited, kill: (s) => proc.kill(s) }
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const STEPS = ['first', 'second', 'third']
const REPOS = ['acme/a', 'acme/b', 'acme/c', 'acme/d']

it('a run killed with SIGKILL mid-plan resumes and does every action exactly once', async () => {
  const runsDir = join(root, 'runs')
  const markers = join(root, 'markers')
  const playbook = join(root, 'multi.yaml')
  writeFileSync(
    playbook,
    `name: multi-repo
inputs:
  markers: { required: true }
steps:
${STEPS.map((id) => `  - id: ${id}\n    uses: test-touch-repos\n    with: { repos: ${JSON.stringify(REPOS)}, marker-dir: "\${{ inputs.markers }}", delay-ms: 120 }`).join('\n')}
`,
  )
  const options = { playbookFile: playbook, runsDir, apply: true, inputs: { markers } }

  // 1. Start the run in a child and kill it once a few actions are journaled done (mid second step).
  const first = startChild(options)
  const journalFile = await waitFor('the run directory', () => {
    const ids = existsSync(runsDir) ? readdirSync(runsDir) : []
    return ids.length === 1 ? join(runsDir, ids[0]!, 'journal.jsonl') : undefined
  })
  const id = dirname(journalFile).split('/').at(-1)!
  await waitFor('five actions done', () => (readJournal(journalFile).records.filter((r) => r.type === 'action-end' && r.status === 'done').length >= 5 ? true : undefined))
  first.kill('SIGKILL')
  const killed = await first.exited
  expect(killed.signal).toBe('SIGKILL')

  const before = readJournal(journalFile).records
  expect(before.some((r) => r.type === 'run-end')).toBe(false)
  const doneBefore = before.filter((r) => r.type === 'action-end' && r.status === 'done')
  expect(doneBefore.length).toBeGreaterThanOrEqual(5)
  expect(doneBefore.length).toBeLessThan(STEPS.length * REPOS.length)
  expect(listRuns(runsDir).find((r) => r.id === id)?.state).toBe('interrupted')
  // As if the kill had landed in the middle of a write.
  appendFileSync(journalFile, '{"type":"action-start","step":"sec')

  // 2. Resume in another child.
  const second = startChild({ ...options, inputs: {}, resume: id })
  const resumed = await second.exited
  expect(resumed.stderr).toBe('')
  expect(resumed.code).toBe(0)
  expect(JSON.parse(resumed.stdout)).toEqual({ id, state: 'completed' })

  // 3. The journal shows every action done exactly once, and the run completed.
  const records = readJournal(journalFile).records
  for (const step of STEPS) {
    for (const repo of REPOS) {
      const done = records.filter((r) => r.type === 'action-end' && r.status === 'done' && r.step === step && r.repo === repo)
      expect(done, `${step} ${repo}`).toHaveLength(1)
    }
  }
  expect(records.filter((r) => r.type === 'run-start').map((r) => r.type === 'run-start' && r.attempt)).toEqual([1, 2])
  expect(records.at(-1)).toMatchObject({ type: 'run-end', state: 'completed' })
  expect(listRuns(runsDir).find((r) => r.id === id)?.state).toBe('completed')

  // Actions done before the kill were not executed again (their marker has one line).
  for (const r of doneBefore) {
    if (r.type !== 'action-end') continue
    const lines = readFileSync(join(markers, `${r.step}-${r.repo.replace(/\//g, '_')}.log`), 'utf8').trim().split('\n')
    expect(lines, `${r.step} ${r.repo}`).toHaveLength(1)
  }
})
