import { describe, expect, it } from 'vitest'

import { npm } from '../../../src/ecosystems/npm/index.js'
import { npmNewSpec } from '../../../src/ecosystems/npm/edit.js'
import { isRefusal, type Change, type Edit } from '../../../src/ecosystems/types.js'
import { applyReplacements } from '../../../src/remediate/diff.js'
import { prove } from '../../../src/remediate/prove.js'

const chalk: Change = { name: 'chalk', to: '5.6.2', affected: ['5.6.1'], found: ['5.6.1'] }

function pin(content: string, change: Change = chalk, path = 'package.json'): string | undefined {
  const result = npm.pin!({ path, content }, change)
  if (result === undefined) return undefined
  if (isRefusal(result)) throw new Error(result.refused)
  const proof = prove(npm, { path, content }, result, change, 'pin')
  if (!proof.ok) throw new Error(proof.reason)
  return applyReplacements(content, result.replacements)
}

function remove(content: string, change: Change = chalk): string | undefined {
  const result = npm.remove!({ path: 'package.json', content }, change)
  if (result === undefined) return undefined
  if (isRefusal(result)) throw new Error(result.refused)
  const proof = prove(npm, { path: 'package.json', content }, result as Edit, change, 'remove')
  if (!proof.ok) throw new Error(proof.reason)
  return applyReplacements(content, (result as Edit).replacements)
}

describe('npmNewSpec', () => {
  it.each([
    ['5.6.1', '5.6.2'],
    ['=5.6.1', '5.6.2'],
    ['^5.6.0', '^5.6.2'],
    ['~5.6.0', '~5.6.2'],
    ['>=5.0.0', '>=5.6.2'],
    ['5.x', '^5.6.2'],
    ['*', '^5.6.2'],
    ['latest', '5.6.2'],
    ['^5.6.2', undefined],
    ['5.6.0', undefined],
    ['^4.1.0', undefined],
    ['npm:chalk@5.6.1', undefined],
    ['github:chalk/chalk', undefined],
    ['file:../chalk', undefined],
  ])('%s -> %s', (spec, expected) => {
    expect(npmNewSpec(spec, chalk)).toBe(expected)
  })

  it('pins exactly when raising the lower bound would still admit an affected version', () => {
    expect(npmNewSpec('^5.6.0', { ...chalk, affected: ['5.6.1', '5.7.0'] })).toBe('5.6.2')
  })

  it('uses the affected ranges of the advisory', () => {
    expect(npmNewSpec('^20.0.0', { name: 'nx', to: '20.12.1', affected: [], affectedRanges: ['>=20.9.0 <=20.12.0'] })).toBe('^20.12.1')
    expect(npmNewSpec('^20.0.0', { name: 'nx', to: '20.8.2', affected: [], affectedRanges: ['>=20.9.0 <=20.12.0'] })).toBe('20.8.2')
  })
})

describe('pin package.json: formatting is kept byte for byte', () => {
  it.each([
    ['two spaces, LF, final newline', '{\n  "name": "app",\n  "dependencies": {\n    "chalk": "^5.6.0",\n    "debug": "4.4.1"\n  }\n}\n', '{\n  "name": "app",\n  "dependencies": {\n    "chalk": "^5.6.2",\n    "debug": "4.4.1"\n  }\n}\n'],
    ['tabs, CRLF, no final newline', '{\r\n\t"dependencies": {\r\n\t\t"chalk": "5.6.1"\r\n\t}\r\n}', '{\r\n\t"dependencies": {\r\n\t\t"chalk": "5.6.2"\r\n\t}\r\n}'],
    ['devDependencies and key order', '{"devDependencies":{"z":"1.0.0","chalk":"~5.6.1","a":"2.0.0"}}', '{"devDependencies":{"z":"1.0.0","chalk":"~5.6.2","a":"2.0.0"}}'],
    ['inline object', '{ "dependencies": { "chalk": "^5.6.0", "ms": "2" } }', '{ "dependencies": { "chalk": "^5.6.2", "ms": "2" } }'],
    ['an existing override', '{\n  "overrides": {\n    "chalk": "5.6.1"\n  }\n}\n', '{\n  "overrides": {\n    "chalk": "5.6.2"\n  }\n}\n'],
  ])('%s', (_name, before, after) => {
    expect(pin(before)).toBe(after)
  })

  it('refuses what it cannot prove: a package.json with comments does not parse for npm', () => {
    expect(() => pin('{\n  // build\n  "dependencies": { "chalk": "^5.6.0" }\n}\n')).toThrow(/no change to chalk|no longer parses/)
  })

  it('leaves a safe range alone', () => {
    expect(pin('{"dependencies":{"chalk":"^5.6.2"}}')).toBeUndefined()
  })

  it('does not edit lockfiles', () => {
    expect(npm.pin!({ path: 'package-lock.json', content: '{"lockfileVersion":3,"packages":{}}' }, chalk)).toBeUndefined()
  })
})

describe('pin package.json: overrides for a transitive dependency', () => {
  const base = '{\n    "name": "app",\n    "dependencies": {\n        "debug": "^4.4.0"\n    }\n}\n'
  it.each([
    ['npm', '{\n    "name": "app",\n    "dependencies": {\n        "debug": "^4.4.0"\n    },\n    "overrides": {\n        "chalk@5.6.1": "5.6.2"\n    }\n}\n'],
    ['pnpm', '{\n    "name": "app",\n    "dependencies": {\n        "debug": "^4.4.0"\n    },\n    "pnpm": {\n        "overrides": {\n            "chalk@5.6.1": "5.6.2"\n        }\n    }\n}\n'],
    ['yarn', '{\n    "name": "app",\n    "dependencies": {\n        "debug": "^4.4.0"\n    },\n    "resolutions": {\n        "chalk": "5.6.2"\n    }\n}\n'],
  ] as const)('%s', (manager, after) => {
    expect(pin(base, { ...chalk, override: manager })).toBe(after)
  })

  it('npm: a package that is also a direct dependency gets its spec raised and a $reference (EOVERRIDE)', () => {
    const before = '{\n  "dependencies": {\n    "chalk": "^5.6.0"\n  }\n}\n'
    expect(pin(before, { ...chalk, override: 'npm', overrideReference: true })).toBe('{\n  "dependencies": {\n    "chalk": "^5.6.2"\n  },\n  "overrides": {\n    "chalk@5.6.1": "$chalk"\n  }\n}\n')
  })

  it('is idempotent: a second pin changes nothing', () => {
    const once = pin(base, { ...chalk, override: 'npm' })!
    expect(pin(once, { ...chalk, override: 'npm' })).toBeUndefined()
  })

  it('keeps CRLF in the inserted override', () => {
    const crlf = base.replace(/\n/g, '\r\n')
    const after = pin(crlf, { ...chalk, override: 'npm' })!
    expect(after.replace(/\r\n/g, '')).not.toContain('\n')
  })
})

describe('remove from package.json', () => {
  it('deletes it from every section and override', () => {
    const before = '{\n  "dependencies": {\n    "chalk": "^5.6.0",\n    "debug": "4.4.1"\n  },\n  "devDependencies": {\n    "chalk": "5.6.1"\n  },\n  "overrides": {\n    "chalk": "5.6.1"\n  }\n}\n'
    expect(remove(before)).toBe('{\n  "dependencies": {\n    "debug": "4.4.1"\n  },\n  "devDependencies": {\n  },\n  "overrides": {\n  }\n}\n')
  })

  it('returns nothing when the package is not declared', () => {
    expect(remove('{"dependencies":{"debug":"1.0.0"}}')).toBeUndefined()
  })
})
