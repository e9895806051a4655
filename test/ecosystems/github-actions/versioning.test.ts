import { describe, expect, it } from 'vitest'

import { actionsVersioning as v, floatingSpan, isFloatingTag, parseRef } from '../../../src/ecosystems/github-actions/versioning.js'

const SHA = '0e58ed8671d6b60d0890c21b07f8835ace038e67'

describe('GitHub Actions refs: compare', () => {
  it.each([
    ['v4', '4', 0],
    ['v4.1.2', '4.1.2', 0],
    ['v4.1.2', 'v4.1.10', -1],
    ['v4.10.0', 'v4.9.0', 1],
    ['v4', 'v5', -1],
    ['v45.0.7', '45.0.8', -1],
    ['v4', 'v4.0.0', -1],
    ['v4', 'v4.9.9', -1],
    ['v4.9.9', 'v5', -1],
    ['v4.1', 'v4.1.0', -1],
    ['v4.1', 'v4.0.9', 1],
    ['v1.0.0-beta.1', 'v1.0.0', -1],
    ['v1.0.0-beta.2', 'v1.0.0-beta.11', -1],
    ['V4', 'v4', 0],
    [SHA, SHA.toUpperCase(), 0],
    ['v4', SHA, -1],
    [SHA, 'main', -1],
    ['main', 'master', -1],
    ['main', 'Main', 1],
    ['v99', 'main', -1],
  ] as const)('compare(%s, %s) = %i', (a, b, expected) => {
    expect(v.compare(a, b)).toBe(expected)
    expect(v.equals(a, b)).toBe(expected === 0)
  })

  it.each([
    ['v4', true],
    ['main', true],
    ['releases/v1', true],
    [SHA, true],
    ['', false],
    ['has space', false],
    ['a..b', false],
    ['ends/', false],
    ['x.lock', false],
  ] as const)('isValid(%j) = %s', (ref, expected) => {
    expect(v.isValid(ref)).toBe(expected)
  })
})

describe('GitHub Actions refs: satisfies', () => {
  it.each([
    ['v45.0.7', '<=45.0.7', true],
    ['v45.0.8', '<=45.0.7', false],
    ['v0.0.2', '>=0 <0.0.3', true],
    ['v0.0.3', '>=0 <0.0.3', false],
    ['v1', '1', true],
    ['v1.2.3', '1', false],
    ['v4.1.2', '>= 4.0.0, < 5', true],
    ['main', 'main', true],
    ['main', '>=1.0.0', false],
    [SHA.toUpperCase(), SHA, true],
    ['v2', 'v1 || v2', true],
    ['v3', 'v1 || v2', false],
    ['v3', '*', true],
  ] as const)('satisfies(%s, %j) = %s', (ref, range, expected) => {
    expect(v.satisfies(ref, range)).toBe(expected)
  })

  it.each([
    ['<=45.0.7', true],
    ['>=1 <2 || v3', true],
    ['main', true],
    ['>=main', false],
    ['<= ', false],
    ['v1 || ', false],
  ] as const)('isValidRange(%j) = %s', (range, expected) => {
    expect(v.isValidRange(range)).toBe(expected)
  })
})

describe('GitHub Actions refs: kinds and names', () => {
  it('tells tags, SHAs and branches apart', () => {
    expect(parseRef('v4').kind).toBe('tag')
    expect(parseRef(SHA).kind).toBe('sha')
    expect(parseRef(SHA.slice(0, 7)).kind).toBe('branch')
    expect(parseRef('main').kind).toBe('branch')
  })

  it('treats v4 and v4.1 as floating tags spanning their major or minor', () => {
    expect(isFloatingTag('v4')).toBe(true)
    expect(isFloatingTag('v4.1')).toBe(true)
    expect(isFloatingTag('v4.1.2')).toBe(false)
    expect(floatingSpan('v45')).toEqual({ from: '45', below: '46' })
    expect(floatingSpan('v4.1')).toEqual({ from: '4.1', below: '4.2' })
  })

  it.each([
    ['TJ-Actions/Changed-Files', 'tj-actions/changed-files'],
    ['Owner/Repo/Path/To/Action', 'owner/repo/Path/To/Action'],
    ['actions/checkout', 'actions/checkout'],
  ] as const)('normaliseName(%s) = %s', (name, expected) => {
    expect(v.normaliseName(name)).toBe(expected)
  })
})
