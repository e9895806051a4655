import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

import { beforeAll, describe, expect, it } from 'vitest'

import { formatProblem, loadPlaybook, loadPlaybookOrThrow, loadPlaybookText } from '../../src/playbook/load.js'
import { registerTestSteps } from '../runner/test-steps.js'

const fixtures = relative(process.cwd(), join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'playbooks'))
const at = (name: string): string => join(fixtures, name)

beforeAll(() => registerTestSteps())

function problems(name: string, inputs?: Record<string, unknown>): string[] {
  const result = loadPlaybook(at(name), { inputs })
  return [...result.errors, ...result.warnings].map(formatProblem)
}

describe('loadPlaybook', () => {
  it('loads a valid playbook with no problems', () => {
    const result = loadPlaybook(at('valid.yaml'))
    expect(result.errors).toEqual([])
    expect(result.warnings).toEqual([])
    expect(result.playbook?.steps.map((s) => s.id)).toEqual(['first', 'second', 'report'])
  })

  it.each([
    ['yaml-syntax.yaml', 'yaml-syntax.yaml:6:1: (root): YAML syntax error: Missing closing "quote'],
    ['misspelt-key.yaml', "misspelt-key.yaml:2:1: stpes: unknown key 'stpes' (did you mean 'steps'?); expected one of name, description, inputs, repos, env, steps"],
    ['duplicate-id.yaml', "duplicate-id.yaml:6:9: steps[1].id: duplicate step id 'a' (first used by steps[0] at line 3)"],
    ['unknown-step.yaml', "unknown-step.yaml:4:11: steps[0].uses: unknown step 'test-ecko' (did you mean 'test-echo'?)"],
    ['unknown-step-ref.yaml', "unknown-step-ref.yaml:5:27: steps[0].with.message: unknown step 'nope'"],
    ['later-step.yaml', "later-step.yaml:5:27: steps[0].with.message: step 'b' runs after this one (steps[1]), so its outputs are not known yet"],
    ['invalid-expression.yaml', "invalid-expression.yaml:5:38: steps[0].with.message: invalid expression 'inputs.a ==': Unexpected end of expression: '=='"],
    ['unknown-output.yaml', "unknown-output.yaml:8:27: steps[1].with.message: step 'a' (test-echo) has no output 'echoes' (did you mean 'echoed'?); it declares echoed, length"],
    ['unknown-input.yaml', "unknown-input.yaml:7:27: steps[0].with.message: unknown input 'advisroy' (did you mean 'advisory'?); the playbook declares advisory"],
  ])('%s', (name, expected) => {
    const found = problems(name)
    expect(found.some((p) => p.startsWith(join(fixtures, expected)))).toBe(true)
    expect(loadPlaybook(at(name)).playbook).toBeUndefined()
  })

  it('reports a missing required input only when inputs are given', () => {
    expect(problems('required-input.yaml')).toEqual([])
    expect(problems('required-input.yaml', { extra: 'y' })).toEqual([
      `${at('required-input.yaml')}:3:3: inputs.advisory: required input 'advisory' is missing (OSV id); give it with --input advisory=VALUE`,
    ])
    expect(problems('required-input.yaml', { advisory: 'MAL-1', advisroy: 'x' })).toEqual([
      `${at('required-input.yaml')}:2:1: inputs: input 'advisroy' is not declared by the playbook (did you mean 'advisory'?); it declares advisory, extra`,
    ])
  })

  it('checks with: against the step schema, leaving expressions to run time, and flags misspelt keys everywhere', () => {
    const file = at('bad-with.yaml')
    expect(problems('bad-with.yaml')).toEqual([
      `${file}:6:11: steps[0].with: step 'test-echo': missing required key 'message'`,
      `${file}:6:13: steps[0].with.mesage: step 'test-echo': unknown key 'mesage' (did you mean 'message'?); expected one of message, times`,
      `${file}:6:32: steps[0].with.times: step 'test-echo': Invalid input: expected number, received string`,
      `${file}:9:27: steps[1].with.message: env.PATH is not listed in env:; a playbook reads only the environment variables it lists`,
      `${file}:9:43: steps[1].with.message: invalid expression 'foo.bar': unknown context 'foo'; expected one of inputs, advisory, steps, run, env`,
      `${file}:9:68: steps[1].with.times: unknown input 'n'; the playbook declares no inputs`,
      `${file}:10:5: steps[1].timout-minutes: unknown key 'timout-minutes' (did you mean 'timeout-minutes'?); expected one of id, name, uses, with, if, continue-on-error, timeout-minutes`,
    ])
  })

  it.each([
    ['a step referring to itself', 'steps:\n  - id: a\n    uses: test-echo\n    with: { message: "${{ steps.a.outputs.echoed }}" }\n', "step 'a' refers to its own outputs"],
    ['steps outside steps', 'repos: { org: "${{ steps.a.outputs.echoed }}" }\nsteps:\n  - id: a\n    uses: test-echo\n    with: { message: x }\n', 'the steps context is available only inside steps'],
    ['an unknown run field', 'steps:\n  - id: a\n    uses: test-echo\n    with: { message: "${{ run.idd }}" }\n', "run has no 'idd' (did you mean 'id'?)"],
    ['an unknown step field', 'steps:\n  - id: a\n    uses: test-echo\n    with: { message: x }\n  - id: b\n    uses: test-echo\n    with: { message: "${{ steps.a.output.x }}" }\n', "steps.a has no 'output' (did you mean 'outputs'?)"],
    ['a misspelt with key of a known step', 'steps:\n  - id: a\n    uses: test-echo\n    with: { mesage: x, message: y }\n', "unknown key 'mesage' (did you mean 'message'?)"],
    ['an invalid if:', 'steps:\n  - id: a\n    uses: test-echo\n    if: steps.a.outputs.echoed ==\n    with: { message: x }\n', 'invalid expression'],
    ['a duplicate YAML key', 'steps:\n  - id: a\n    id: b\n    uses: test-echo\n    with: { message: x }\n', 'Map keys must be unique'],
    ['an unclosed ${{', 'steps:\n  - id: a\n    uses: test-echo\n    with: { message: "${{ inputs.x" }\n', "'${{' is not closed"],
  ])('reports %s', (_what, body, message) => {
    const result = loadPlaybookText(`name: t\n${body}`, 'inline.yaml')
    expect(result.errors.map(formatProblem).join('\n')).toContain(message)
    expect(result.errors.every((p) => /^inline\.yaml:\d+:\d+: /.test(formatProblem(p)))).toBe(true)
  })

  it('warns about an if: that mixes text and ${{ }} (always true)', () => {
    const result = loadPlaybookText('name: t\nsteps:\n  - id: a\n    if: ${{ true }} && ${{ false }}\n    uses: test-echo\n    with: { message: x }\n', 'w.yaml')
    expect(result.errors).toEqual([])
    expect(result.warnings.map(formatProblem)).toEqual([expect.stringMatching(/^w\.yaml:4:9: steps\[0\]\.if: warning: this if: mixes text/)])
  })

  it('a file that cannot be read is a problem, and loadPlaybookOrThrow lists every problem', () => {
    expect(problems('does-not-exist.yaml')[0]).toMatch(/does-not-exist\.yaml:1:1: \(root\): cannot read the playbook: no such file/)
    expect(() => loadPlaybookOrThrow(at('duplicate-id.yaml'))).toThrow(/1 problem:\n.*duplicate step id 'a'/)
  })
})
