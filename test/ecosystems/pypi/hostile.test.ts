/** Hostile and broken inputs: a clear error in bounded time, never a throw. */
import { describe, expect, it } from 'vitest'
import { extract } from '../../../src/ecosystems/pypi/extract.js'

const PATHS = ['requirements.txt', 'pyproject.toml', 'hatch.toml', 'poetry.lock', 'uv.lock', 'Pipfile', 'Pipfile.lock', 'pdm.lock', 'pylock.toml', 'setup.cfg']

describe.each(PATHS)('%s', (path) => {
  it('NUL bytes are refused with the line they are on', () => {
    const result = extract({ path, content: 'a==1.0\nb\u0000==2.0\n' })
    expect(result.packages).toEqual([])
    expect(result.errors).toEqual([{ file: path, line: 2, message: expect.stringContaining('NUL byte') }])
  })

  it('deep nesting is an error, in bounded time', () => {
    const depth = 100_000
    const content = path === 'Pipfile.lock' ? '['.repeat(depth) + ']'.repeat(depth) : `a = ${'['.repeat(depth)}${']'.repeat(depth)}\n`
    const started = performance.now()
    const result = extract({ path, content })
    expect(performance.now() - started).toBeLessThan(5_000)
    if (path !== 'requirements.txt' && path !== 'setup.cfg') expect(result.errors.length).toBeGreaterThan(0)
    expect(result.packages).toEqual([])
  })

  it('invalid UTF-8 decoded as replacement characters does not crash', () => {
    const content = Buffer.from([0x61, 0x3d, 0x3d, 0xff, 0xfe, 0x0a]).toString('utf8')
    expect(() => extract({ path, content })).not.toThrow()
  })

  it('__proto__ keys are data, not prototype changes', () => {
    const content = path === 'Pipfile.lock' ? '{"_meta": {}, "__proto__": {"x": {"version": "==1.0"}}}' : '[__proto__]\nx = "==1.0"\n'
    expect(() => extract({ path, content })).not.toThrow()
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })
})

describe('size', () => {
  it('a 60,000-line requirements file is read in well under a second per 10 MB', () => {
    const content = Array.from({ length: 60_000 }, (_, i) => `package-${i}==1.${i}.0 \\\n    --hash=sha256:${'a'.repeat(64)}`).join('\n')
    const started = performance.now()
    const result = extract({ path: 'requirements.txt', content })
    expect(result.packages).toHaveLength(60_000)
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  it('a uv.lock of 5,000 chained packages keeps paths bounded', () => {
    const n = 5_000
    const body = Array.from(
      { length: n },
      (_, i) => `[[package]]\nname = "p${i}"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\n${i + 1 < n ? `dependencies = [{ name = "p${i + 1}" }]\n` : ''}`,
    ).join('\n')
    const content = `version = 1\n[[package]]\nname = "app"\nversion = "0.1"\nsource = { virtual = "." }\ndependencies = [{ name = "p0" }]\n\n${body}`
    const started = performance.now()
    const result = extract({ path: 'uv.lock', content })
    expect(result.packages).toHaveLength(n)
    expect(result.packages[n - 1]?.paths?.[0]).toHaveLength(n + 1)
    expect(performance.now() - started).toBeLessThan(10_000)
  })
})
