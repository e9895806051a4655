/**
 * Test-only steps. Nothing here is registered by firebreak itself: tests (and
 * the child scripts they spawn) call registerTestSteps().
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import { z } from 'zod'

import { defineStep, registerStep, skip } from '../../src/steps/index.js'

export const echo = defineStep({
  name: 'test-echo',
  description: 'Returns its message as the `echoed` output.',
  with: z.strictObject({ message: z.string(), times: z.number().int().positive().optional() }),
  outputs: { echoed: 'the message, repeated `times` times', length: 'its length' },
  writes: false,
  async run(_ctx, input) {
    const echoed = Array.from({ length: input.times ?? 1 }, () => input.message).join(' ')
    return { outputs: { echoed, length: echoed.length }, summary: `echoed ${echoed.length} characters` }
  },
})

/** One action per repository; each appends a line to <marker-dir>/<step>-<repo>.log, so a test can count executions. */
export const touchRepos = defineStep({
  name: 'test-touch-repos',
  description: 'Touches every repository (a marker line per action).',
  with: z.strictObject({ repos: z.array(z.string()), 'marker-dir': z.string(), 'delay-ms': z.number().default(0), 'skip-repos': z.array(z.string()).default([]) }),
  outputs: { touched: 'how many repositories were touched', planned: 'how many were planned' },
  writes: true,
  async run(ctx, input) {
    let touched = 0
    let planned = 0
    for (const repo of input.repos) {
      const result = await ctx.action(
        repo,
        'touch',
        async (signal) => {
          if (input['skip-repos'].includes(repo)) return skip('told to skip it')
          mkdirSync(input['marker-dir'], { recursive: true })
          appendFileSync(join(input['marker-dir'], `${ctx.step.id}-${repo.replace(/\//g, '_')}.log`), `${ctx.run.id}\n`)
          await sleep(input['delay-ms'], undefined, { signal })
          return { repo }
        },
        { plan: `would touch ${repo}` },
      )
      if (result.status === 'done') touched++
      if (result.status === 'planned') planned++
      if (result.status === 'failed') throw new Error(result.error)
    }
    return { outputs: { touched, planned }, summary: `${touched} touched` }
  },
})

/** Writes a marker file anywhere: the side effect a plan must not have. */
export const writeMarker = defineStep({
  name: 'test-write-marker',
  description: 'Writes a file outside the run directory.',
  with: z.strictObject({ file: z.string(), content: z.string().default('written') }),
  outputs: { result: 'done or planned' },
  writes: true,
  async run(ctx, input) {
    const result = await ctx.action('local', 'marker', async () => writeFileSync(input.file, input.content), { plan: `would write ${input.file}` })
    return { outputs: { result: result.status } }
  },
})

export const outcome = defineStep({
  name: 'test-outcome',
  description: 'Sets the run outcome.',
  with: z.strictObject({ outcome: z.enum(['clean', 'affected', 'unfixed']), advisory: z.string().optional() }),
  outputs: {},
  writes: false,
  async run(_ctx, input) {
    return { outcome: input.outcome, advisory: input.advisory ? { id: input.advisory } : undefined }
  },
})

export const fail = defineStep({
  name: 'test-fail',
  description: 'Always fails.',
  with: z.strictObject({ message: z.string().default('boom') }),
  outputs: {},
  writes: false,
  async run(_ctx, input) {
    throw new Error(input.message)
  },
})

/** Waits until aborted (or `ms`), honouring the signal. */
export const wait = defineStep({
  name: 'test-wait',
  description: 'Waits.',
  with: z.strictObject({ ms: z.number().default(60_000) }),
  outputs: { waited: 'true when it waited to the end' },
  writes: false,
  async run(ctx, input) {
    await sleep(input.ms, undefined, { signal: ctx.signal })
    return { outputs: { waited: true } }
  },
})

/** Emits what it is given as an output and a note: for redaction tests. */
export const leak = defineStep({
  name: 'test-leak',
  description: 'Puts its value in an output, a note and the summary.',
  with: z.strictObject({ value: z.unknown(), register: z.string().optional() }),
  outputs: { value: 'the value' },
  writes: false,
  async run(ctx, input) {
    if (input.register) ctx.redact(input.register)
    ctx.journal.note(`value is ${String(input.value)}`)
    return { outputs: { value: input.value }, summary: `value ${String(input.value)}` }
  },
})

export function registerTestSteps(): void {
  registerStep(echo)
  registerStep(touchRepos)
  registerStep(writeMarker)
  registerStep(outcome)
  registerStep(fail)
  registerStep(wait)
  registerStep(leak)
}
