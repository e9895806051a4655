import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

import { captureOutput } from '@oclif/test'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'

import Validate from '../../../src/commands/playbook/validate.js'
import type { ValidateJson } from '../../../src/commands/playbook/validate.js'
import { registerTestSteps } from '../../runner/test-steps.js'

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const fixtures = relative(process.cwd(), join(projectRoot, 'test', 'fixtures', 'playbooks'))
const at = (name: string): string => join(fixtures, name)

async function validate(...argv: string[]): Promise<{ stdout: string; stderr: string; exit: number; result?: ValidateJson }> {
  process.exitCode = undefined
  const out = await captureOutput<ValidateJson>(() => Validate.run(argv, projectRoot))
  const exit = Number(out.error?.oclif?.exit ?? process.exitCode ?? 0)
  process.exitCode = undefined
  return { stdout: out.stdout, stderr: out.stderr, exit, result: out.result }
}

beforeAll(() => registerTestSteps())
afterEach(() => {
  process.exitCode = undefined
})

describe('firebreak playbook validate', () => {
  it('exits 0 on a valid playbook', async () => {
    const { stdout, stderr, exit } = await validate(at('valid.yaml'))
    expect(exit).toBe(0)
    expect(stdout).toBe('')
    expect(stderr).toContain('1 playbook checked: 0 errors, 0 warnings')
  })

  it.each([
    ['a YAML syntax error', 'yaml-syntax.yaml', ':6:1: (root): YAML syntax error'],
    ['a misspelt top-level key', 'misspelt-key.yaml', ":2:1: stpes: unknown key 'stpes' (did you mean 'steps'?)"],
    ['a duplicate step id', 'duplicate-id.yaml', ":6:9: steps[1].id: duplicate step id 'a'"],
    ['an unknown step', 'unknown-step.yaml', ":4:11: steps[0].uses: unknown step 'test-ecko' (did you mean 'test-echo'?)"],
    ['an expression referring to a step that does not exist', 'unknown-step-ref.yaml', ":5:27: steps[0].with.message: unknown step 'nope'"],
    ['an invalid expression', 'invalid-expression.yaml', ':5:38: steps[0].with.message: invalid expression'],
    ['an unknown output', 'unknown-output.yaml', ":8:27: steps[1].with.message: step 'a' (test-echo) has no output 'echoes'"],
    ['an unknown input', 'unknown-input.yaml', ":7:27: steps[0].with.message: unknown input 'advisroy'"],
  ])('exits 2 with file:line:col for %s', async (_what, name, expected) => {
    const { stdout, exit } = await validate(at(name))
    expect(exit).toBe(2)
    expect(stdout).toContain(at(name) + expected)
  })

  it('exits 2 for a missing required input when inputs are given', async () => {
    expect((await validate(at('required-input.yaml'))).exit).toBe(0)
    const { stdout, exit } = await validate(at('required-input.yaml'), '--input', 'extra=1')
    expect(exit).toBe(2)
    expect(stdout).toContain(`${at('required-input.yaml')}:3:3: inputs.advisory: required input 'advisory' is missing`)
  })

  it('checks several files and gives the problems as data with --json', async () => {
    const { stdout, exit, result } = await validate(at('valid.yaml'), at('duplicate-id.yaml'), '--json')
    expect(exit).toBe(2)
    expect(result?.schema).toBe('firebreak.validate/1')
    expect(result?.files.map((f) => [f.file, f.problems.length])).toEqual([[at('valid.yaml'), 0], [at('duplicate-id.yaml'), 1]])
    expect(JSON.parse(stdout).files[1].problems[0]).toMatchObject({ file: at('duplicate-id.yaml'), line: 6, col: 9, path: 'steps[1].id', severity: 'error' })
  })

  it('rejects a malformed --input', async () => {
    const { exit, stderr } = await validate(at('valid.yaml'), '--input', 'novalue')
    expect(exit).toBe(2)
    expect(stderr).toContain('expected name=value')
  })
})
