import { describe, expect, it } from 'vitest'

import { npmInRange, npmRangesIntersect, npmVersioning as v } from '../../../src/ecosystems/npm/versioning.js'

describe('npm versioning: compare', () => {
  it.each([
    ['1.2.3', '1.2.4', -1],
    ['1.2.10', '1.2.9', 1],
    ['1.10.0', '1.9.9', 1],
    ['2.0.0', '10.0.0', -1],
    ['v1.2.3', '1.2.3', 0],
    ['=1.2.3', '1.2.3', 0],
    [' 1.2.3 ', '1.2.3', 0],
    ['1.0.0-alpha', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-alpha.beta', '1.0.0-beta', -1],
    ['1.0.0-beta', '1.0.0-beta.2', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-beta.11', '1.0.0-rc.1', -1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0-0', '1.0.0-alpha', -1],
    ['1.2.3+build.1', '1.2.3+build.2', 0],
    ['1.2.3+build', '1.2.3', 0],
    ['1.2.3-rc.1+build', '1.2.3-rc.1', 0],
    ['5.6.1', '5.6.2', -1],
    ['0.0.0', '0.0.1', -1],
  ] as const)('compare(%s, %s) = %i', (a, b, expected) => {
    expect(Math.sign(v.compare(a, b))).toBe(expected)
    expect(v.equals(a, b)).toBe(expected === 0)
  })

  it('throws on a version it cannot order', () => {
    expect(() => v.compare('1.2', '1.2.0')).toThrow(/not a valid npm version/)
  })
})

describe('npm versioning: isValid', () => {
  it.each([
    ['1.2.3', true],
    ['v1.2.3', true],
    ['=1.2.3', true],
    ['1.2.3-beta.1+exp.sha.5114f85', true],
    ['1.2', false],
    ['1', false],
    ['latest', false],
    ['01.2.3', false],
    ['', false],
    ['^1.2.3', false],
  ] as const)('isValid(%j) = %s', (version, expected) => {
    expect(v.isValid(version)).toBe(expected)
  })
})

describe('npm versioning: satisfies (npm semantics)', () => {
  it.each([
    ['5.6.1', '>=5.6.1 <5.6.2', true],
    ['5.6.2', '>=5.6.1 <5.6.2', false],
    ['5.6.0', '^5.6.0', true],
    ['5.99.0', '^5.6.0', true],
    ['6.0.0', '^5.6.0', false],
    ['0.2.5', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.0.2', '1.0.1 || 1.0.2', true],
    ['1.0.3', '1.0.1 || 1.0.2', false],
    ['3.1.4', '*', true],
    ['3.1.4', '', true],
    ['3.1.4', '3.x', true],
    ['v5.6.1', '5.6.1', true],
    ['5.6.1+build', '5.6.1', true],
    // A prerelease satisfies only a range naming a prerelease of the same tuple, as npm installs.
    ['5.7.0-beta.1', '^5.6.0', false],
    ['5.6.1-beta.1', '>=5.6.1-beta.0 <5.6.2', true],
    ['2.0.0-rc.1', '>=1.0.0', false],
    ['1.2.3', 'latest', false],
    ['not-a-version', '*', false],
  ] as const)('satisfies(%s, %j) = %s', (version, range, expected) => {
    expect(v.satisfies(version, range)).toBe(expected)
  })

  it.each([
    ['^5.6.0', true],
    ['>=5.6.1 <5.6.2', true],
    ['1.0.1 || 1.0.2', true],
    ['*', true],
    ['latest', false],
    ['>= 1.0, < 1.2', false],
  ] as const)('isValidRange(%j) = %s', (range, expected) => {
    expect(v.isValidRange(range)).toBe(expected)
  })
})

describe('npm versioning: advisory ranges', () => {
  it.each([
    ['5.7.0-beta.1', '>=5.6.0 <6.0.0', true],
    ['2.0.0-rc.1', '>=1.0.0', true],
    ['6.0.0', '>=5.6.0 <6.0.0', false],
  ] as const)('inRange(%s, %j) = %s (prereleases by ordering)', (version, range, expected) => {
    expect(npmInRange(version, range)).toBe(expected)
  })

  it.each([
    ['^5.6.0', '>=5.6.1 <5.6.2', true],
    ['^5.6.0', '>=6.0.0', false],
    ['~4.4.0', '>=4.4.2 <=4.4.2', true],
    ['*', '<0.1.0', true],
  ] as const)('intersects(%j, %j) = %s', (a, b, expected) => {
    expect(npmRangesIntersect(a, b)).toBe(expected)
  })

  it('names are compared as written', () => {
    expect(v.normaliseName('@ctrl/tinycolor')).toBe('@ctrl/tinycolor')
  })
})
