import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { readJournal } from '../../src/runner/journal.js'
import type { JournalRecord } from '../../src/runner/journal.js'
import { runExitCode, startRun } from '../../src/runner/run.js'
import { listRuns, newRunId, isRunId, resolveRunsDir } from '../../src/runner/runs.js'
import { registerTestSteps } from './test-steps.js'

let root: string

beforeAll(() => {
  registerTestSteps()
  root = mkdtempSync(join(tmpdir(), 'firebreak-run-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

let n = 0
function playbook(yaml: string): string {
  const file = join(root, `playbook-${++n}.yaml`)
  writeFileSync(file, yaml)
  return file
}

function journalOf(dir: string): JournalRecord[] {
  return readJournal(join(dir, 'journal.jsonl')).records
}

const runsDir = (): string => join(root, 'runs')

describe('plan and apply', () => {
  const marker = (): string => join(root, `marker-${n}.txt`)

  it('plans a step that writes without --apply: its side effect does not happen', async () => {
    const file = marker()
    const pb = playbook(`name: marker\nsteps:\n  - id: write\n    uses: test-write-marker\n    with: { file: ${JSON.stringify(file)} }\n`)
    const result = await startRun({ playbookFile: pb, runsDir: runsDir() })
    expect(existsSync(file)).toBe(false)
    expect(result.state).toBe('completed')
    expect(result.steps[0]).toMatchObject({ id: 'write', status: 'planned', outputs: { result: 'planned' }, actions: { planned: 1, done: 0 } })
    const records = journalOf(result.dir)
    expect(records.find((r) => r.type === 'step-start')).toMatchObject({ planned: true })
    expect(records.find((r) => r.type === 'action-end')).toMatchObject({ status: 'planned', plan: `would write ${file}` })
    expect(records.some((r) => r.type === 'action-start')).toBe(false)
  })

  it('executes it with --apply', async () => {
    const file = marker()
    const pb = playbook(`name: marker\nsteps:\n  - id: write\n    uses: test-write-marker\n    with: { file: ${JSON.stringify(file)} }\n`)
    const result = await startRun({ playbookFile: pb, runsDir: runsDir(), apply: true })
    expect(readFileSync(file, 'utf8')).toBe('written')
    expect(result.steps[0]).toMatchObject({ status: 'success', outputs: { result: 'done' } })
  })

  it('writes run.json and a journal in <runs-dir>/<id>/ with a sortable id', async () => {
    const pb = playbook('name: one\nsteps:\n  - id: a\n    uses: test-echo\n    with: { message: hi }\n')
    const result = await startRun({ playbookFile: pb, runsDir: runsDir() })
    expect(isRunId(result.id)).toBe(true)
    expect(result.dir).toBe(join(runsDir(), result.id))
    expect(JSON.parse(readFileSync(join(result.dir, 'run.json'), 'utf8'))).toMatchObject({ id: result.id, playbook: 'one', apply: false })
    expect(journalOf(result.dir).map((r) => r.type)).toEqual(['run-start', 'step-start', 'step-output', 'step-output', 'step-end', 'run-end'])
    expect(journalOf(result.dir).every((r) => !Number.isNaN(Date.parse(r.at)))).toBe(true)
    expect(newRunId(new Date(0)) < newRunId(new Date(1000))).toBe(true)
  })

  it('takes the runs directory from FIREBREAK_RUNS_DIR when no flag is given', () => {
    expect(resolveRunsDir(undefined, { FIREBREAK_RUNS_DIR: '/x/runs' })).toBe('/x/runs')
    expect(resolveRunsDir('/y', { FIREBREAK_RUNS_DIR: '/x/runs' })).toBe('/y')
    expect(resolveRunsDir(undefined, {})).toMatch(/\.firebreak\/runs$/)
  })
})

describe('steps, expressions and outcome', () => {
  it('passes outputs to later steps, keeps types, and evaluates if:', async () => {
    const pb = playbook(`name: flow
inputs:
  who: { default: world }
  times: { type: number, default: 2 }
steps:
  - id: a
    uses: test-echo
    with: { message: "hello \${{ inputs.who }}", times: "\${{ inputs.times }}" }
  - id: b
    if: steps.a.outputs.length > 100
    uses: test-echo
    with: { message: never }
  - id: c
    if: \${{ steps.b.outcome == 'skipped' }}
    uses: test-echo
    with: { message: "\${{ steps.a.outputs.echoed }} / \${{ run.apply }}" }
`)
    const result = await startRun({ playbookFile: pb, runsDir: runsDir() })
    expect(result.steps.map((s) => [s.id, s.status])).toEqual([['a', 'success'], ['b', 'skipped'], ['c', 'success']])
    expect(result.steps[2]!.outputs.echoed).toBe('hello world hello world / false')
    expect(result.outcome).toBe('clean')
    expect(runExitCode(result)).toBe(0)
  })

  it('a step raises the outcome (worst wins) and sets the advisory context: exit 1', async () => {
    const pb = playbook(`name: outcome
steps:
  - id: a
    uses: test-outcome
    with: { outcome: unfixed, advisory: MAL-1 }
  - id: b
    uses: test-outcome
    with: { outcome: affected }
  - id: c
    uses: test-echo
    with: { message: "\${{ advisory.id }}" }
`)
    const result = await startRun({ playbookFile: pb, runsDir: runsDir() })
    expect(result.outcome).toBe('unfixed')
    expect(result.steps[2]!.outputs.echoed).toBe('MAL-1')
    expect(runExitCode(result)).toBe(1)
  })

  it('a failure stops the run unless continue-on-error; always() still runs', async () => {
    const pb = playbook(`name: failing
steps:
  - id: tolerated
    uses: test-fail
    continue-on-error: true
  - id: fatal
    uses: test-fail
    with: { message: it broke }
  - id: after
    uses: test-echo
    with: { message: x }
  - id: cleanup
    if: always()
    uses: test-echo
    with: { message: "\${{ steps.fatal.outcome }}" }
`)
    const result = await startRun({ playbookFile: pb, runsDir: runsDir() })
    expect(result.steps.map((s) => [s.id, s.status])).toEqual([['tolerated', 'failure'], ['fatal', 'failure'], ['after', 'skipped'], ['cleanup', 'success']])
    expect(result.steps[3]!.outputs.echoed).toBe('failure')
    expect(result.state).toBe('failed')
    expect(result.error?.message).toContain('it broke')
    expect(runExitCode(result)).toBe(2)
  })

  it('enforces timeout-minutes through the abort signal', async () => {
    const pb = playbook('name: slow\nsteps:\n  - id: w\n    uses: test-wait\n    timeout-minutes: 0.001\n')
    const result = await startRun({ playbookFile: pb, runsDir: runsDir() })
    expect(result.steps[0]).toMatchObject({ status: 'failure', error: expect.stringContaining('timed out') })
    expect(result.state).toBe('failed')
  })

  it('rejects a run missing a required input before creating anything', async () => {
    const pb = playbook('name: needs\ninputs:\n  advisory: { required: true }\nsteps:\n  - id: a\n    uses: test-echo\n    with: { message: x }\n')
    await expect(startRun({ playbookFile: pb, runsDir: join(root, 'never') })).rejects.toThrow(/required input 'advisory' is missing/)
    expect(existsSync(join(root, 'never'))).toBe(false)
  })
})

describe('env and secrets', () => {
  it('reads only the listed env names and redacts secrets from outputs, notes and the journal', async () => {
    const secret = 'ghp_supersecretvalue123'
    const pb = playbook(`name: secrets
env: [GITHUB_TOKEN, VISIBLE]
steps:
  - id: a
    uses: test-leak
    with: { value: "token=\${{ env.GITHUB_TOKEN }} visible=\${{ env.VISIBLE }} other=unlisted-secret-123" }
`)
    const env = { GITHUB_TOKEN: secret, VISIBLE: 'shown', HIDDEN: 'nope', OTHER_TOKEN: 'unlisted-secret-123', KEYTIMEOUT: '1' }
    const result = await startRun({ playbookFile: pb, runsDir: runsDir(), env })
    expect(result.steps[0]!.outputs.value).toBe('token=*** visible=shown other=***')
    expect(result.steps[0]!.summary).toBe('value token=*** visible=shown other=***')
    const text = readFileSync(join(result.dir, 'journal.jsonl'), 'utf8') + readFileSync(join(result.dir, 'run.json'), 'utf8')
    expect(text).not.toContain(secret)
    expect(text).toContain('token=***')
  })

  it('redacts what a step registers with ctx.redact()', async () => {
    const pb = playbook('name: reg\nsteps:\n  - id: a\n    uses: test-leak\n    with: { value: "key is s3cr3t-value", register: s3cr3t-value }\n')
    const result = await startRun({ playbookFile: pb, runsDir: runsDir() })
    expect(result.steps[0]!.outputs.value).toBe('key is ***')
    // Everything after the step registered it; its own `with` was journaled before (register secrets from env: to cover that too).
    const after = journalOf(result.dir).filter((r) => r.type !== 'step-start' && r.type !== 'run-start')
    expect(JSON.stringify(after)).not.toContain('s3cr3t-value')
    expect(after.find((r) => r.type === 'note')).toMatchObject({ message: 'value is key is ***' })
  })

  it('an env name not listed is not there at run time either', async () => {
    const pb = playbook('name: env\nenv: [VISIBLE]\nsteps:\n  - id: a\n    uses: test-leak\n    with: { value: "${{ toJSON(env) }}" }\n')
    const result = await startRun({ playbookFile: pb, runsDir: runsDir(), env: { VISIBLE: 'v', HIDDEN: 'h' } })
    expect(JSON.parse(String(result.steps[0]!.outputs.value))).toEqual({ VISIBLE: 'v' })
  })
})

describe('cancellation, resume and listing', () => {
  it('cancels the current step on abort, journals run-end cancelled, and resumes to completion', async () => {
    const markers = join(root, 'cancel-markers')
    const pb = playbook(`name: cancel
steps:
  - id: before
    uses: test-touch-repos
    with: { repos: [r1, r2], marker-dir: ${JSON.stringify(markers)} }
  - id: wait
    uses: test-wait
    with: { ms: 200 }
  - id: after
    uses: test-echo
    with: { message: done }
`)
    const controller = new AbortController()
    const first = await startRun({
      playbookFile: pb, runsDir: runsDir(), apply: true, signal: controller.signal,
      onRecord: (r) => { if (r.type === 'step-start' && r.step === 'wait') setTimeout(() => controller.abort(), 20) },
    })
    expect(first.state).toBe('cancelled')
    expect(runExitCode(first)).toBe(2)
    expect(journalOf(first.dir).at(-1)).toMatchObject({ type: 'run-end', state: 'cancelled' })
    expect(listRuns(runsDir()).find((r) => r.id === first.id)?.state).toBe('cancelled')

    const second = await startRun({ playbookFile: pb, runsDir: runsDir(), apply: true, resume: first.id })
    expect(second.state).toBe('completed')
    expect(second.attempt).toBe(2)
    expect(second.steps.map((s) => [s.id, s.status, s.resumed ?? false])).toEqual([['before', 'success', true], ['wait', 'success', false], ['after', 'success', false]])
    expect(second.steps[0]!.outputs).toEqual({ touched: 2, planned: 0 })
    expect(readFileSync(join(markers, 'before-r1.log'), 'utf8').trim().split('\n')).toHaveLength(1)
  })

  it('lists an unfinished run whose process is gone as interrupted, and tolerates a torn last line', async () => {
    const pb = playbook('name: torn\nsteps:\n  - id: a\n    uses: test-echo\n    with: { message: x }\n')
    const done = await startRun({ playbookFile: pb, runsDir: runsDir() })
    const file = join(done.dir, 'journal.jsonl')
    // Pretend the process died mid-write: drop run-end, add half a record, and a pid that is gone.
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(0, -1)
    writeFileSync(file, lines.join('\n') + '\n')
    appendFileSync(file, '{"type":"action-st')
    const meta = JSON.parse(readFileSync(join(done.dir, 'run.json'), 'utf8'))
    writeFileSync(join(done.dir, 'run.json'), JSON.stringify({ ...meta, pid: 2 ** 22 + 12345 }))
    expect(readJournal(file).torn).toBe(true)
    expect(listRuns(runsDir()).find((r) => r.id === done.id)).toMatchObject({ state: 'interrupted', playbook: 'torn' })

    const resumed = await startRun({ playbookFile: pb, runsDir: runsDir(), resume: done.id })
    expect(resumed.state).toBe('completed')
    expect(readJournal(file).torn).toBe(false)
    expect(listRuns(runsDir()).find((r) => r.id === done.id)?.state).toBe('completed')
  })

  it('refuses to resume a run that does not exist', async () => {
    const pb = playbook('name: x\nsteps:\n  - id: a\n    uses: test-echo\n    with: { message: x }\n')
    await expect(startRun({ playbookFile: pb, runsDir: runsDir(), resume: '20990101T000000000Z-abcdef' })).rejects.toThrow(/no run at/)
  })
})
