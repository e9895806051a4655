import { describe, expect, it } from 'vitest'

import { pypiNewSpecifier } from '../../../src/ecosystems/pypi/edit.js'
import { pypi } from '../../../src/ecosystems/pypi/index.js'
import { isRefusal, type Change } from '../../../src/ecosystems/types.js'
import { applyReplacements } from '../../../src/remediate/diff.js'
import { prove } from '../../../src/remediate/prove.js'

const ul: Change = { name: 'ultralytics', to: '8.3.47', affected: ['8.3.41', '8.3.42', '8.3.45', '8.3.46'], found: ['8.3.41'] }

function edit(path: string, content: string, change: Change = ul, mode: 'pin' | 'remove' = 'pin'): string | undefined {
  const result = mode === 'pin' ? pypi.pin!({ path, content }, change) : pypi.remove!({ path, content }, change)
  if (result === undefined) return undefined
  if (isRefusal(result)) throw new Error(result.refused)
  const proof = prove(pypi, { path, content }, result, change, mode)
  if (!proof.ok) throw new Error(proof.reason)
  return applyReplacements(content, result.replacements)
}

describe('pypiNewSpecifier', () => {
  it.each([
    ['==8.3.41', 'pep440', '==8.3.47'],
    ['===8.3.41', 'pep440', '===8.3.47'],
    ['==8.3.40', 'pep440', undefined],
    ['>=8.0', 'pep440', '>=8.0,!=8.3.41,!=8.3.42,!=8.3.45,!=8.3.46'],
    ['>=8.0, <9', 'pep440', '>=8.0, <9, !=8.3.41, !=8.3.42, !=8.3.45, !=8.3.46'],
    ['', 'pep440', '!=8.3.41,!=8.3.42,!=8.3.45,!=8.3.46'],
    ['<8.3.41', 'pep440', undefined],
    ['^8.3.0', 'poetry', '^8.3.0,!=8.3.41,!=8.3.42,!=8.3.45,!=8.3.46'],
    ['8.3.41', 'poetry', '8.3.47'],
    ['*', 'poetry', '!=8.3.41,!=8.3.42,!=8.3.45,!=8.3.46'],
  ] as const)('%s (%s) -> %s', (spec, dialect, expected) => {
    expect(pypiNewSpecifier(spec, ul, dialect)).toBe(expected)
  })

  it('pins when the advisory gives a range, not a list', () => {
    expect(pypiNewSpecifier('>=8.0', { name: 'x', to: '8.3.47', affected: [], affectedRanges: ['>=8.3.41,<8.3.47'] }, 'pep440')).toBe('==8.3.47')
  })
})

describe('requirements files', () => {
  it.each([
    ['a pin', 'ultralytics==8.3.41\n', 'ultralytics==8.3.47\n'],
    ['extras and a marker', 'ultralytics[export] == 8.3.41 ; python_version >= "3.9"\n', 'ultralytics[export] == 8.3.47 ; python_version >= "3.9"\n'],
    ['a comment and pip-compile annotation', 'numpy==2.0.0\nultralytics==8.3.41  # pinned for CI\n    # via -r requirements.in\n', 'numpy==2.0.0\nultralytics==8.3.47  # pinned for CI\n    # via -r requirements.in\n'],
    ['CRLF and no final newline', 'numpy==2.0.0\r\nUltralytics==8.3.41', 'numpy==2.0.0\r\nUltralytics==8.3.47'],
    ['a range', 'ultralytics>=8.3\n', 'ultralytics>=8.3,!=8.3.41,!=8.3.42,!=8.3.45,!=8.3.46\n'],
    ['a bare name', 'ultralytics\n', 'ultralytics!=8.3.41,!=8.3.42,!=8.3.45,!=8.3.46\n'],
    ['a continuation', 'ultralytics==8.3.41 \\\n    ; python_version >= "3.9"\n', 'ultralytics==8.3.47 \\\n    ; python_version >= "3.9"\n'],
    ['tabs and a second mention in a comment', '# ultralytics==8.3.41 was bad\n\tultralytics==8.3.41\n', '# ultralytics==8.3.41 was bad\n\tultralytics==8.3.47\n'],
  ])('%s', (_name, before, after) => {
    expect(edit('requirements.txt', before)).toBe(after)
  })

  it('replaces --hash options with the new version\'s hashes, keeping the continuation layout', () => {
    const before = 'ultralytics==8.3.41 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\nnumpy==2.0.0 \\\n    --hash=sha256:cccc\n'
    const after = edit('requirements.txt', before, { ...ul, hashes: ['1111', '2222', '3333'] })
    expect(after).toBe('ultralytics==8.3.47 \\\n    --hash=sha256:1111 \\\n    --hash=sha256:2222 \\\n    --hash=sha256:3333\nnumpy==2.0.0 \\\n    --hash=sha256:cccc\n')
  })

  it('refuses to edit a hashed requirement without the new hashes', () => {
    const result = pypi.pin!({ path: 'requirements.txt', content: 'ultralytics==8.3.41 --hash=sha256:aaaa\n' }, ul)
    expect(isRefusal(result)).toBe(true)
  })

  it('constraints files too', () => {
    expect(edit('constraints.txt', 'ultralytics==8.3.42\n')).toBe('ultralytics==8.3.47\n')
  })

  it('remove deletes the requirement with its continuation lines', () => {
    expect(edit('requirements.txt', 'a==1\nultralytics==8.3.41 \\\n  --hash=sha256:aa\nb==2\n', ul, 'remove')).toBe('a==1\nb==2\n')
  })
})

describe('pyproject.toml and Pipfile', () => {
  it.each([
    [
      'PEP 621 with comments',
      '[project]\nname = "app"\ndependencies = [\n    "numpy>=2",  # math\n    "ultralytics[export]>=8.3 ; python_version>\'3.8\'",\n]\n',
      '[project]\nname = "app"\ndependencies = [\n    "numpy>=2",  # math\n    "ultralytics[export]>=8.3,!=8.3.41,!=8.3.42,!=8.3.45,!=8.3.46 ; python_version>\'3.8\'",\n]\n',
    ],
    [
      'optional dependencies, single quotes',
      "[project.optional-dependencies]\nml = ['ultralytics==8.3.41']\n",
      "[project.optional-dependencies]\nml = ['ultralytics==8.3.47']\n",
    ],
    [
      'Poetry string',
      '[tool.poetry.dependencies]\npython = "^3.10"\nultralytics = "^8.3.0"  # vision\n',
      '[tool.poetry.dependencies]\npython = "^3.10"\nultralytics = "^8.3.0,!=8.3.41,!=8.3.42,!=8.3.45,!=8.3.46"  # vision\n',
    ],
    [
      'Poetry inline table',
      '[tool.poetry.group.dev.dependencies]\nultralytics = { version = "8.3.41", extras = ["export"] }\n',
      '[tool.poetry.group.dev.dependencies]\nultralytics = { version = "8.3.47", extras = ["export"] }\n',
    ],
    [
      'Poetry sub-table, CRLF',
      '[tool.poetry.dependencies.ultralytics]\r\nversion = "==8.3.41"\r\noptional = true\r\n',
      '[tool.poetry.dependencies.ultralytics]\r\nversion = "==8.3.47"\r\noptional = true\r\n',
    ],
    ['uv dev-dependencies', '[tool.uv]\ndev-dependencies = ["ultralytics==8.3.45"]\n', '[tool.uv]\ndev-dependencies = ["ultralytics==8.3.47"]\n'],
    ['PEP 735 group', '[dependency-groups]\ntest = ["pytest", "ultralytics>8"]\n', '[dependency-groups]\ntest = ["pytest", "ultralytics>8,!=8.3.41,!=8.3.42,!=8.3.45,!=8.3.46"]\n'],
  ])('%s', (_name, before, after) => {
    expect(edit('pyproject.toml', before)).toBe(after)
  })

  it('leaves the project\'s own name and other keys alone', () => {
    const before = '[project]\nname = "ultralytics"\nversion = "8.3.41"\n'
    expect(edit('pyproject.toml', before)).toBeUndefined()
  })

  it.each([
    ['a string', '[packages]\nultralytics = "==8.3.41"\n\n[dev-packages]\npytest = "*"\n', '[packages]\nultralytics = "==8.3.47"\n\n[dev-packages]\npytest = "*"\n'],
    ['a star', '[packages]\nultralytics = "*"\n', '[packages]\nultralytics = "!=8.3.41,!=8.3.42,!=8.3.45,!=8.3.46"\n'],
    ['a table with extras in the key', '[packages]\n"ultralytics[export]" = {version = ">=8", index = "pypi"}\n', '[packages]\n"ultralytics[export]" = {version = ">=8,!=8.3.41,!=8.3.42,!=8.3.45,!=8.3.46", index = "pypi"}\n'],
  ])('Pipfile: %s', (_name, before, after) => {
    expect(edit('Pipfile', before)).toBe(after)
  })

  it('remove: an array item on its own line, and a Poetry key', () => {
    expect(edit('pyproject.toml', '[project]\ndependencies = [\n  "a",\n  "ultralytics>=8",  # x\n  "b",\n]\n', ul, 'remove')).toBe('[project]\ndependencies = [\n  "a",\n  "b",\n]\n')
    expect(edit('pyproject.toml', '[tool.poetry.dependencies]\na = "1"\nultralytics = "^8"\n', ul, 'remove')).toBe('[tool.poetry.dependencies]\na = "1"\n')
  })
})
