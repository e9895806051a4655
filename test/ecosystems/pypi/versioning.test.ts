import { describe, expect, it } from 'vitest'

import { pypiInRange, pypiRangeAlternatives, pypiVersioning as v } from '../../../src/ecosystems/pypi/versioning.js'

describe('PyPI versioning: compare (PEP 440)', () => {
  it.each([
    ['1.0', '1.0.0', 0],
    ['1.0', '1.0.0.0', 0],
    ['1.0', '1.0.1', -1],
    ['1.10', '1.9', 1],
    ['1.0.dev1', '1.0a1', -1],
    ['1.0a1', '1.0a2', -1],
    ['1.0a2', '1.0b1', -1],
    ['1.0b1', '1.0rc1', -1],
    ['1.0rc1', '1.0', -1],
    ['1.0', '1.0.post1', -1],
    ['1.0.post1', '1.0.1', -1],
    ['1.0a1.dev1', '1.0a1', -1],
    ['1.0.post1.dev1', '1.0.post1', -1],
    ['1!1.0', '2.0', 1],
    ['1!0.1', '0!99.0', 1],
    ['1.0+abc', '1.0', 1],
    ['1.0+abc.1', '1.0+abc.2', -1],
    ['1.0c1', '1.0rc1', 0],
    ['1.0-1', '1.0.post1', 0],
    ['v1.0', '1.0', 0],
    ['1.0.0alpha1', '1.0a1', 0],
    ['0.5.15', '0.5.16', -1],
    ['1.82.7', '1.82.10', -1],
  ] as const)('compare(%s, %s) = %i', (a, b, expected) => {
    expect(v.compare(a, b)).toBe(expected)
    expect(v.equals(a, b)).toBe(expected === 0)
  })

  it.each([
    ['1.0', true],
    ['1!2.0rc1.post2.dev3+local.7', true],
    ['1.0-1', true],
    ['not.a.version', false],
    ['', false],
    ['1.0.*', false],
  ] as const)('isValid(%j) = %s', (version, expected) => {
    expect(v.isValid(version)).toBe(expected)
  })
})

describe('PyPI versioning: satisfies (PEP 440 specifiers and Poetry constraints)', () => {
  it.each([
    ['2.0.1', '==2.0.1', true],
    ['2.0.1.0', '==2.0.1', true],
    ['2.0.1+local', '==2.0.1', true],
    ['2.0.2', '==2.0.1', false],
    ['2.5', '>=2.0,<3', true],
    ['3.0', '>=2.0,<3', false],
    ['2.5', '>= 2.0, < 3', true],
    ['1.2.9', '==1.2.*', true],
    ['1.3', '==1.2.*', false],
    ['1.5', '~=1.4', true],
    ['2.0', '~=1.4', false],
    ['1.4.9', '~=1.4.2', true],
    ['1.5.0', '~=1.4.2', false],
    ['1.0', '!=1.0', false],
    ['1!1.0', '>=2.0', true],
    ['2.0rc1', '>=1.0', false],
    ['2.0rc1', '>=2.0rc1', true],
    ['1.0.post1', '>1.0', false],
    ['1.0.1', '>1.0', true],
    ['1.9', '^1.2.3', true],
    ['2.0', '^1.2.3', false],
    ['0.2.9', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['0.9', '^0', true],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.9', '~1', true],
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '1.2.3', false],
    ['1.2.9', '1.2.*', true],
    ['1.3', '>=1.2 <1.5', true],
    ['1.6', '>=1.2,<1.5 || >=2', false],
    ['2.1', '>=1.2,<1.5 || >=2', true],
    ['5.0', '*', true],
    ['5.0', '', true],
    ['1.0', '===1.0', true],
  ] as const)('satisfies(%s, %j) = %s', (version, range, expected) => {
    expect(v.satisfies(version, range)).toBe(expected)
  })

  it.each([
    ['>=2.0,<3', true],
    ['^1.2', true],
    ['~1.2', true],
    ['~=1.4', true],
    ['1.2.3', true],
    ['>=1.2,<1.5 || >=2', true],
    ['*', true],
    ['~=1', false],
    ['>=', false],
    ['foo', false],
    ['1.0 || || 2.0', false],
    ['>=1.0+local', false],
  ] as const)('isValidRange(%j) = %s', (range, expected) => {
    expect(v.isValidRange(range)).toBe(expected)
  })

  it('translates Poetry constraints into PEP 440', () => {
    expect(pypiRangeAlternatives('^1.2.3')).toEqual(['>=1.2.3,<2'])
    expect(pypiRangeAlternatives('^0.0')).toEqual(['>=0.0,<0.1'])
    expect(pypiRangeAlternatives('~1.2.3 || ==3')).toEqual(['>=1.2.3,<1.3', '==3'])
  })

  it('advisory ranges include prereleases', () => {
    expect(pypiInRange('2.0rc1', '>=1.0')).toBe(true)
    expect(v.satisfies('2.0rc1', '>=1.0')).toBe(false)
  })

  it.each([
    ['Foo_Bar', 'foo-bar'],
    ['foo.bar', 'foo-bar'],
    ['FOO--bar__baz', 'foo-bar-baz'],
    ['num2words', 'num2words'],
  ] as const)('normaliseName(%s) = %s (PEP 503)', (name, expected) => {
    expect(v.normaliseName(name)).toBe(expected)
  })
})
