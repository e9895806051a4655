import { describe, expect, it } from 'vitest'

import {
  ExpressionSyntaxError,
  closest,
  evaluateCondition,
  evaluateDeep,
  evaluateString,
  findSegments,
  parseExpression,
  references,
} from '../../src/playbook/expressions.js'
import type { Contexts } from '../../src/playbook/expressions.js'
import { Redactor } from '../../src/playbook/redact.js'

const contexts: Contexts = {
  inputs: { advisory: 'MAL-2025-1', count: 3, dry: false, labels: ['security', 'p1'] },
  advisory: { id: 'MAL-2025-1', package: 'chalk' },
  steps: { scan: { outputs: { 'affected-repos': 2, names: ['acme/a', 'acme/b'] }, outcome: 'success' } },
  run: { id: '20250101T000000000Z-abcdef', apply: false, dir: '/tmp/run', 'started-at': '2025-01-01T00:00:00.000Z' },
  env: { HOME: '/home/me' },
}
const healthy = { failed: false, cancelled: false }

describe('evaluating', () => {
  it.each([
    ['${{ inputs.count }}', 3],
    ['${{ inputs.dry }}', false],
    ['  ${{ inputs.labels }} ', ['security', 'p1']],
    ['${{ steps.scan.outputs.affected-repos > 1 }}', true],
    ['${{ steps.scan.outputs.missing }}', null],
    ["${{ format('{0}@{1}', advisory.package, inputs.count) }}", 'chalk@3'],
  ])('a value that is exactly one expression keeps its type: %s', (source, expected) => {
    expect(evaluateString(source, contexts)).toEqual(expected)
  })

  it.each([
    ['Pin ${{ advisory.package }} (${{ advisory.id }})', 'Pin chalk (MAL-2025-1)'],
    ['n=${{ inputs.count }} dry=${{ inputs.dry }}', 'n=3 dry=false'],
    ['firebreak/${{ advisory.id }}', 'firebreak/MAL-2025-1'],
    ['missing:${{ inputs.nope }}.', 'missing:.'],
    ['no expression', 'no expression'],
    ["${{ '}}' }} and ${{ 1 }}", '}} and 1'],
  ])('interpolates into a larger string: %s', (source, expected) => {
    expect(evaluateString(source, contexts)).toBe(expected)
  })

  it('reads every context', () => {
    expect(evaluateString('${{ run.id }} ${{ run.apply }} ${{ run.started-at }} ${{ env.HOME }} ${{ steps.scan.outcome }}', contexts)).toBe(
      '20250101T000000000Z-abcdef false 2025-01-01T00:00:00.000Z /home/me success',
    )
  })

  it('env holds only what it was given (the playbook lists names; others are not there)', () => {
    expect(evaluateString('${{ env.PATH }}', contexts)).toBeNull()
  })

  it('evaluates strings deep inside with:', () => {
    expect(evaluateDeep({ a: ['${{ inputs.count }}', 'x${{ inputs.count }}'], b: { c: true } }, contexts)).toEqual({ a: [3, 'x3'], b: { c: true } })
  })

  it.each([
    [undefined, healthy, true],
    ['steps.scan.outputs.affected-repos > 0', healthy, true],
    ['${{ steps.scan.outputs.affected-repos > 5 }}', healthy, false],
    [false, healthy, false],
    ['true', { failed: true, cancelled: false }, false],
    ['always()', { failed: true, cancelled: false }, true],
    ['failure()', { failed: true, cancelled: false }, true],
    ['${{ success() }}', { failed: true, cancelled: false }, false],
    ['cancelled()', { failed: false, cancelled: true }, true],
  ] as const)('if: %s (status %o) is %s', (condition, status, expected) => {
    expect(evaluateCondition(condition, contexts, status)).toBe(expected)
  })
})

describe('parsing', () => {
  it('finds segments, ignoring }} inside quoted strings', () => {
    expect(findSegments("a ${{ '}}' }} b ${{ x }}").map((s) => s.source)).toEqual([" '}}' ", ' x '])
    expect(() => findSegments('a ${{ b')).toThrow(ExpressionSyntaxError)
  })

  it.each([
    ['inputs.a ==', /Unexpected end of expression/],
    ['foo.bar', /unknown context 'foo'/],
    ['inptus.a', /unknown context 'inptus' \(did you mean 'inputs'\?\)/],
    ["'unterminated", /Unexpected symbol/],
    ['success()', /allowed only in if:/],
    ['nosuchfunction(1)', /Unrecognized function/],
  ])('rejects %s', (source, message) => {
    expect(() => parseExpression(source)).toThrow(message)
  })

  it('lists the context paths an expression reads', () => {
    const source = "steps.scan.outputs.affected-repos > 0 && contains(inputs['labels'], env.HOME) || steps[inputs.which].outputs.x"
    expect(references(parseExpression(source), source).map((r) => r.path.join('.'))).toEqual([
      'steps.scan.outputs.affected-repos',
      'inputs.labels',
      'env.HOME',
      'inputs.which',
      'steps',
    ])
  })
})

describe('Redactor', () => {
  it('replaces secrets (and their URL-encoded form) in every string of a value, longest first', () => {
    const redactor = new Redactor()
    redactor.addFromEnv({ GITHUB_TOKEN: 'abc/def', API_KEY: 'abc/defghi', PLAIN: 'visible', DB_PASSWORD: 'pw12' }, ['GITHUB_TOKEN', 'API_KEY', 'PLAIN', 'DB_PASSWORD'])
    redactor.add('registered-by-a-step')
    expect(redactor.redact({ a: 'x abc/defghi y abc%2Fdef', b: ['pw12', 'visible', 1], c: 'registered-by-a-step' })).toEqual({
      a: 'x *** y ***',
      b: ['***', 'visible', 1],
      c: '***',
    })
  })
})

describe('did you mean', () => {
  it.each([
    ['stpes', ['name', 'steps'], 'steps'],
    ['advisroy', ['advisory', 'safe-version'], 'advisory'],
    ['test-ecko', ['test-echo', 'test-fail'], 'test-echo'],
    ['idd', ['id', 'apply', 'dir'], 'id'],
    ['zz', ['a', 'b'], undefined],
    ['completely-different', ['steps'], undefined],
  ])('%s -> %s', (name, candidates, expected) => {
    expect(closest(name, candidates)).toBe(expected)
  })
})
