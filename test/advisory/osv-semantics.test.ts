import { describe, expect, it } from 'vitest'

import { isAffected, rangeAdmitsAffected, safeVersion } from '../../src/advisory/match.js'
import { parseOsvRecord } from '../../src/advisory/osv.js'
import type { OsvEvent } from '../../src/advisory/types.js'
import type { EcosystemId } from '../../src/ecosystems/types.js'
import { AdvisoryError } from '../../src/errors.js'

function advisory(ecosystem: string, name: string, events: OsvEvent[][], extra: Record<string, unknown> = {}) {
  return parseOsvRecord(
    {
      id: 'TEST-1',
      affected: [{ package: { ecosystem, name }, ranges: events.map((e) => ({ type: ecosystem === 'npm' ? 'SEMVER' : 'ECOSYSTEM', events: e })), ...extra }],
    },
    'inline.json',
  )
}

/** Small inline ranges, one OSV feature per row, against the schema's evaluation pseudocode. */
describe('OSV range semantics', () => {
  it.each<[string, OsvEvent[][], string, boolean]>([
    ['introduced 0: everything', [[{ introduced: '0' }]], '0.0.0', true],
    ['introduced 0: prereleases too', [[{ introduced: '0' }]], '0.0.0-alpha', true],
    ['introduced 0 / fixed', [[{ introduced: '0' }, { fixed: '1.0.2' }]], '1.0.1', true],
    ['introduced 0 / fixed: fixed is not affected', [[{ introduced: '0' }, { fixed: '1.0.2' }]], '1.0.2', false],
    ['introduced is inclusive', [[{ introduced: '1.0.0' }, { fixed: '1.0.2' }]], '1.0.0', true],
    ['below introduced', [[{ introduced: '1.0.0' }, { fixed: '1.0.2' }]], '0.9.9', false],
    ['prerelease of fixed is below fixed', [[{ introduced: '1.0.0' }, { fixed: '1.0.2' }]], '1.0.2-rc.1', true],
    ['last_affected is inclusive', [[{ introduced: '1.0.0' }, { last_affected: '1.0.2' }]], '1.0.2', true],
    ['above last_affected', [[{ introduced: '1.0.0' }, { last_affected: '1.0.2' }]], '1.0.3', false],
    ['two intervals in one range: first', [[{ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' }]], '1.0.1', true],
    ['two intervals in one range: between', [[{ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' }]], '2.0.0', false],
    ['two intervals in one range: second', [[{ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' }]], '3.2.4', true],
    ['events out of order are sorted', [[{ fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' }]], '3.1.0', true],
    ['several ranges: any one', [[{ introduced: '1.0.0' }, { fixed: '1.1.0' }], [{ introduced: '2.0.0' }, { fixed: '2.1.0' }]], '2.0.5', true],
    ['several ranges: none', [[{ introduced: '1.0.0' }, { fixed: '1.1.0' }], [{ introduced: '2.0.0' }, { fixed: '2.1.0' }]], '1.5.0', false],
    ['limit caps the range', [[{ introduced: '1.0.0' }, { limit: '2.0.0' }]], '1.9.9', true],
    ['at the limit: not affected', [[{ introduced: '1.0.0' }, { limit: '2.0.0' }]], '2.0.0', false],
    ['limit "*" is infinity', [[{ introduced: '1.0.0' }, { limit: '*' }]], '99.0.0', true],
    ['several limits: below any', [[{ introduced: '1.0.0' }, { limit: '2.0.0' }, { limit: '3.0.0' }]], '2.5.0', true],
    ['v prefix on the found version', [[{ introduced: '1.0.0' }, { fixed: '1.0.2' }]], 'v1.0.1', true],
    ['build metadata ignored', [[{ introduced: '1.0.0' }, { fixed: '1.0.2' }]], '1.0.2+build.7', false],
  ])('npm: %s (%j, %s) → %s', (_what, events, version, expected) => {
    expect(isAffected(advisory('npm', 'pkg', events), 'npm', 'pkg', version)).toEqual({ affected: expected })
  })

  it.each<[string, OsvEvent[][], string, boolean]>([
    ['1.0 is 1.0.0', [[{ introduced: '1.0' }, { fixed: '1.1' }]], '1.0.0', true],
    ['dev release below introduced', [[{ introduced: '1.0' }, { fixed: '1.1' }]], '1.0.dev1', false],
    ['post release inside', [[{ introduced: '1.0' }, { fixed: '1.1' }]], '1.0.post3', true],
    ['prerelease of fixed is inside', [[{ introduced: '1.0' }, { fixed: '1.1' }]], '1.1rc1', true],
    ['epoch sorts above', [[{ introduced: '1.0' }, { fixed: '1.1' }]], '1!1.0.5', false],
    ['epoch bounds', [[{ introduced: '1!1.0' }]], '1!1.0.5', true],
    ['introduced 0 admits dev releases', [[{ introduced: '0' }, { fixed: '0.1' }]], '0.0.dev0', true],
  ])('PyPI: %s (%j, %s) → %s', (_what, events, version, expected) => {
    expect(isAffected(advisory('PyPI', 'Foo_Bar', events), 'PyPI', 'foo.bar', version)).toEqual({ affected: expected })
  })

  it('GIT ranges are unsupported, never "not affected"', () => {
    const a = parseOsvRecord(
      {
        id: 'OSV-GIT',
        affected: [{ package: { ecosystem: 'PyPI', name: 'foo' }, ranges: [{ type: 'GIT', repo: 'https://github.com/o/foo', events: [{ introduced: 'a'.repeat(40) }] }], versions: ['1.0'] }],
      },
      'git.json',
    )
    expect(isAffected(a, 'PyPI', 'foo', '1.0')).toEqual({ affected: true })
    const decision = isAffected(a, 'PyPI', 'foo', '2.0')
    expect(decision.affected).toBe(false)
    expect(decision.unsupported).toMatch(/GIT range on https:\/\/github.com\/o\/foo/)
    expect(rangeAdmitsAffected(a, 'PyPI', 'foo', '>=2').unsupported).toMatch(/GIT range/)
  })

  it('a version that cannot be ordered is unsupported', () => {
    const a = advisory('npm', 'pkg', [[{ introduced: '0' }, { fixed: '1.0.2' }]])
    expect(isAffected(a, 'npm', 'pkg', 'github:o/pkg').unsupported).toMatch(/not a valid npm version/)
    const bad = advisory('npm', 'pkg', [[{ introduced: '1.0' }, { fixed: '1.2' }]])
    expect(isAffected(bad, 'npm', 'pkg', '1.1.0').unsupported).toMatch(/range version "1.0" is not a valid npm version/)
  })

  it('another ecosystem or package is not affected', () => {
    const a = advisory('npm', 'pkg', [[{ introduced: '0' }]])
    expect(isAffected(a, 'PyPI', 'pkg', '1.0')).toEqual({ affected: false })
    expect(isAffected(a, 'npm', 'other', '1.0.0')).toEqual({ affected: false })
  })

  it.each<[EcosystemId, string, OsvEvent[][], string, boolean]>([
    ['npm', 'pkg', [[{ introduced: '1.0.0' }, { fixed: '1.0.2' }]], '^1.0.0', true],
    ['npm', 'pkg', [[{ introduced: '1.0.0' }, { fixed: '1.0.2' }]], '>=1.0.2', false],
    ['npm', 'pkg', [[{ introduced: '1.0.0' }, { limit: '2.0.0' }]], '^2.0.0', false],
    ['PyPI', 'pkg', [[{ introduced: '1.0' }, { fixed: '1.0.5' }]], '>1.0,<1.1', true],
    ['PyPI', 'pkg', [[{ introduced: '1.0' }, { fixed: '1.0.5' }]], '>=1.0.5', false],
    ['PyPI', 'pkg', [[{ introduced: '0' }, { last_affected: '2.0' }]], '~=2.0', true],
    ['PyPI', 'pkg', [[{ introduced: '0' }, { last_affected: '2.0' }]], '>2.0', false],
    ['PyPI', 'pkg', [[{ introduced: '2.0' }]], '<2', false],
    ['PyPI', 'pkg', [[{ introduced: '2.0' }]], '^1.9 || ^2', true],
  ])('%s range admits: %j vs %j → %s', (ecosystem, name, events, range, expected) => {
    expect(rangeAdmitsAffected(advisory(ecosystem, name, events), ecosystem, name, range)).toEqual({ affected: expected })
  })

  it('safeVersion skips a fixed version that another range still affects', () => {
    const a = advisory('npm', 'pkg', [
      [{ introduced: '1.0.0' }, { fixed: '1.0.2' }],
      [{ introduced: '1.0.2' }, { fixed: '1.0.4' }],
    ])
    expect(safeVersion(a, 'npm', 'pkg', '1.0.1')).toBe('1.0.4')
  })
})

describe('OSV parsing errors name the file and what was expected', () => {
  it.each([
    [[], /bad.json: \(top level\): expected an OSV record/],
    [{ affected: [] }, /bad.json: id: expected an advisory id/],
    [{ id: 'X-1', affected: {} }, /bad.json: affected: expected an array/],
    [{ id: 'X-1', affected: [{ package: { name: 'a' } }] }, /affected\[0\]\.package\.ecosystem: expected an ecosystem name/],
    [{ id: 'X-1', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'RANGE', events: [] }] }] }, /ranges\[0\]\.type: expected SEMVER, ECOSYSTEM or GIT/],
    [{ id: 'X-1', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0', fixed: '1.0.2' }] }] }] }, /events\[0\]: expected exactly one of introduced, fixed, last_affected, limit \(found introduced, fixed\)/],
    [{ id: 'X-1', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '1.0.2' }] }] }] }, /events: expected at least one "introduced" event/],
    [{ id: 'X-1', affected: [{ package: { ecosystem: 'npm', name: 'a' }, versions: '1.0.0' }] }, /versions: expected an array of strings/],
  ])('%j', (value, message) => {
    expect(() => parseOsvRecord(value, 'bad.json')).toThrow(AdvisoryError)
    expect(() => parseOsvRecord(value, 'bad.json')).toThrow(message)
  })
})
