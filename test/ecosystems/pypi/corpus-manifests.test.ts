/**
 * Every PyPI manifest in the corpus (requirements, constraints, pyproject,
 * hatch.toml, Pipfile, setup.cfg). Manifests count exact pins only. Each file
 * is checked against a plain oracle (a one-line regex for requirements,
 * smol-toml plus the INVENTORY.md sections for TOML); a few real files are
 * also written down in full, as pip would count them.
 */
import { valid } from '@renovatebot/pep440'
import { parse as parseToml } from 'smol-toml'
import { describe, expect, it } from 'vitest'
import { extract } from '../../../src/ecosystems/pypi/extract.js'
import { corpus, label, normalize, type CorpusFile } from './corpus.js'

type Table = Record<string, unknown>

const manifests = corpus('pypi').filter((f) => ['requirements-txt', 'constraints-txt', 'pyproject-toml', 'hatch-toml', 'pipfile', 'setup-cfg'].includes(f.format))

function run(file: CorpusFile) {
  return extract({ path: file.path, content: file.content })
}

function inventory(file: CorpusFile): string[] {
  return run(file)
    .packages.map((p) => `${p.name}@${p.version}`)
    .sort()
}

function find(part: string): CorpusFile {
  const found = manifests.find((f) => f.saved.includes(part))
  if (!found) throw new Error(`no corpus file ${part}`)
  return found
}

/** A whole requirement string that is one `==V` pin, or undefined. */
const PIN = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*\(?\s*==\s*([A-Za-z0-9.+!_-]+)\s*\)?\s*(?:;.*)?$/

function pinOf(text: string): string | undefined {
  const m = PIN.exec(text.trim())
  if (!m?.[1] || !m[2] || valid(m[2]) === null) return undefined
  return `${normalize(m[1])}@${m[2].replace(/^v/, '')}`
}

/** Requirements, the simple way: one requirement per line, comments and options dropped. */
function requirementsOracle(content: string): string[] {
  const out: string[] = []
  for (const raw of content.split(/\r\n|\n/)) {
    if (/^\s|^#|^-/.test(raw)) continue
    const text = raw
      .replace(/\s#.*$/, '')
      .replace(/\\$/, '')
      .split(/\s-/)[0]
    const pin = pinOf(text ?? '')
    if (pin) out.push(pin)
  }
  return [...new Set(out)].sort()
}

/** The INVENTORY.md sections of pyproject.toml / hatch.toml, read with smol-toml. */
function pyprojectOracle(content: string, hatchFile: boolean): string[] {
  const doc = parseToml(content) as Table
  const at = (path: string[]): unknown => path.reduce<unknown>((t, k) => (t as Table | undefined)?.[k], doc)
  const lists: unknown[] = []
  const pins: string[] = []
  const tables = (v: unknown): Table[] => Object.values((v as Table | undefined) ?? {}) as Table[]
  const hatch = hatchFile ? doc : (at(['tool', 'hatch']) as Table | undefined)
  if (!hatchFile) {
    lists.push(at(['build-system', 'requires']), at(['project', 'dependencies']))
    lists.push(...tables(at(['project', 'optional-dependencies'])), ...tables(at(['dependency-groups'])))
    lists.push(...tables(at(['tool', 'pdm', 'dev-dependencies'])))
    for (const k of ['dev-dependencies', 'constraint-dependencies', 'override-dependencies', 'build-constraint-dependencies']) lists.push(at(['tool', 'uv', k]))
    const poetry = at(['tool', 'poetry']) as Table | undefined
    const poetryTables = [poetry?.dependencies, poetry?.['dev-dependencies'], ...tables(poetry?.group).map((g) => g.dependencies)]
    for (const t of poetryTables) {
      for (const [name, value] of Object.entries((t as Table | undefined) ?? {})) {
        if (name === 'python' || !/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(name)) continue
        for (const v of Array.isArray(value) ? value : [value]) {
          const version = typeof v === 'string' ? v : typeof v === 'object' && v && !('git' in v || 'path' in v || 'url' in v || 'file' in v) ? (v as Table).version : undefined
          const m = typeof version === 'string' ? /^(?:==?)?\s*([0-9][A-Za-z0-9.+!_-]*)$/.exec(version.trim()) : null
          if (m?.[1] && valid(m[1])) pins.push(`${normalize(name)}@${m[1]}`)
        }
      }
    }
    for (const [name, v] of Object.entries((at(['tool', 'pdm', 'resolution', 'overrides']) as Table | undefined) ?? {})) {
      const p = typeof v === 'string' ? pinOf(`${name}${/^\d/.test(v) ? '==' : ''}${v}`) : undefined
      if (p) pins.push(p)
    }
  }
  for (const env of tables(hatch?.envs)) lists.push(env.dependencies, env['extra-dependencies'])
  const build = hatch?.build as Table | undefined
  for (const hook of tables(build?.hooks)) lists.push(hook.dependencies)
  for (const target of tables(build?.targets)) for (const hook of tables(target.hooks)) lists.push(hook.dependencies)
  const project = (at(['project', 'name']) ?? at(['tool', 'poetry', 'name'])) as string | undefined
  for (const list of lists) for (const item of Array.isArray(list) ? list : []) if (typeof item === 'string') pins.push(pinOf(item) ?? '')
  return [...new Set(pins.filter((p) => p && !(project && p.startsWith(`${normalize(project)}@`))))].sort()
}

/** Pipfile: every table but source/requires/pipenv/scripts; "==X" or {version = "==X"}. */
function pipfileOracle(content: string): string[] {
  const doc = parseToml(content) as Table
  const out: string[] = []
  for (const [category, table] of Object.entries(doc)) {
    if (['source', 'requires', 'pipenv', 'scripts'].includes(category)) continue
    for (const [key, value] of Object.entries(table as Table)) {
      const v = typeof value === 'string' ? value : ['git', 'path', 'file', 'editable'].some((k) => k in (value as Table)) ? undefined : (value as Table).version
      const m = typeof v === 'string' ? /^==\s*(\S+)$/.exec(v.trim()) : null
      if (m?.[1] && valid(m[1]) && !m[1].includes('*')) out.push(`${normalize(key.replace(/\[.*$/, ''))}@${m[1]}`)
    }
  }
  return [...new Set(out)].sort()
}

function oracle(file: CorpusFile): string[] {
  switch (file.format) {
    case 'requirements-txt':
    case 'constraints-txt':
      return requirementsOracle(file.content)
    case 'pyproject-toml':
      return pyprojectOracle(file.content, false)
    case 'hatch-toml':
      return pyprojectOracle(file.content, true)
    case 'pipfile':
      return pipfileOracle(file.content)
    default:
      return []
  }
}

describe('PyPI manifests from the corpus', () => {
  it.each(manifests.map((f) => [label(f), f] as const))('%s: inventory equals the plain oracle', (_name, file) => {
    expect(inventory(file)).toEqual(oracle(file))
  })

  it.each(manifests.map((f) => [label(f), f] as const))('%s: names normalised, versions valid, lines point at the name', (_name, file) => {
    const result = run(file)
    const lines = file.content.split(/\r\n|\n/)
    for (const entry of [...result.packages, ...result.ranges]) {
      expect(entry.name).toBe(normalize(entry.name))
      expect(entry.line).toBeGreaterThan(0)
      expect(normalize(lines[(entry.line ?? 1) - 1] ?? '')).toContain(entry.name)
    }
    for (const p of result.packages) {
      expect(valid(p.version), p.version).not.toBeNull()
      expect(p.version).not.toContain('*')
      // Only compiled files (`# via` annotations) say that an entry was pulled in by another package.
      if (!/#\s*via\b/.test(file.content)) expect(p.direct).toBe(true)
    }
  })
})

describe('real files written down as pip counts them', () => {
  it.each([
    ['requirements5.txt', ['celery@4.1.1', 'django@2.0.12', 'foo@3.2.1', 'not-semver@1.9', 'some-other-package@1.0.0', 'some-package@0.3.1'], []],
    ['requirements3.txt', ['distribute@0.6.27', 'dj-database-url@0.2', 'django@1.11.23', 'psycopg2@2.4.5', 'wsgiref@0.1.2'], []],
    [
      'poetry-with-hashes.txt',
      ['ansicon@1.89.0', 'psycopg2@2.9.5', 'requests-oauthlib@1.3.1', 'urllib3@1.26.15', 'werkzeug@2.2.3'],
      [],
    ],
    ['requirements__testdata__example.txt', ['docopt@0.6.1'], ['beautifulsoup4', 'coverage', 'keyring', 'mopidy-dirble', 'pytest', 'pytest-cov', 'requests']],
    ['testdata__env_var.txt', ['another@1.0', 'asdf@1.2'], []],
    ['requirements-git-packages.txt', [], []],
    ['bare-url.txt', [], []],
    ['editable.txt', [], []],
    ['whitespace.txt', [], ['numpy']],
    ['pdm__tests__fixtures__requirements.txt', ['webassets@2.0', 'werkzeug@0.16.0', 'whoosh@2.7.4', 'wtforms@2.2.1'], []],
    ['psf__requests__requirements-dev.txt', ['pytest-httpbin@2.1.0'], ['httpbin', 'pytest', 'pytest-cov', 'trustme', 'wheel']],
  ])('%s', (part, pins, rangeNames) => {
    const file = find(part)
    expect(inventory(file)).toEqual(pins)
    expect(run(file).ranges.map((r) => r.name).sort()).toEqual(rangeNames)
  })

  it('per_req_options.txt: options end the requirement; invalid lines are errors with their line', () => {
    const file = find('per_req_options.txt')
    const result = run(file)
    expect(inventory(file)).toEqual(
      [1, 2, 3, 4, 5, 6, 8, 9, 11, 12, 13, 14].map((n) => `foo${n}@1.0`).concat('foo16-client@1.0', 'foo17-hash@1.0', 'foo18-client@1.0').sort(),
    )
    expect(result.errors.map((e) => e.line)).toEqual([13, 20, 30])
    expect(result.errors[1]?.message).toMatch(/expected a version after '=='/)
  })

  it('compiled files: `# via -r` marks direct, `# via pkg` transitive', () => {
    const result = run(find('flask__165af0a090__requirements__dev.txt'))
    expect(result.packages.find((p) => p.name === 'pre-commit')?.direct).toBe(true)
    expect(result.packages.find((p) => p.name === 'cfgv')?.direct).toBe(false)
  })

  it('includes are listed relative to the root, resolved from the including file', () => {
    expect(run(find('pypa__warehouse__requirements.txt')).includes).toEqual([
      'requirements/main.txt',
      'requirements/deploy.txt',
      'requirements/docs.txt',
      'requirements/lint.txt',
      'requirements/tests.txt',
    ])
    expect(run(find('flask__165af0a090__requirements__dev.in')).includes).toEqual(['requirements/docs.txt', 'requirements/tests.txt', 'requirements/typing.txt'])
    expect(run(find('constraints-a.txt')).includes).toEqual(['crates/uv-requirements-txt/test-data/requirements-txt/constraints-b.txt'])
  })

  it.each([
    ['pyproject.1.toml', ['dep1@0.0.0']],
    ['pyproject_with_hatch.toml', ['coverage@6.5', 'requests@2.30.0']],
    ['env_markers.toml', ['importlib-metadata@6.0.0']],
    ['optional_deps.toml', ['black@23.1.0', 'requests@2.32.0']],
    ['dynamic_deps.toml', []],
    ['Pipfile2', ['distribute@0.6.27', 'dj-database-url@0.2', 'django@1', 'psycopg2@2.4.5', 'wsgiref@0.1.2']],
    ['pypa__pipenv__Pipfile', ['click@8.0.3', 'exceptiongroup@1.1.0', 'pyyaml@6.0.1']],
    ['Pipfile4', []],
    ['setup_cfg_editable__setup.cfg', []],
    ['pytest-dev__pytest__310b67b227__setup.cfg', []],
  ])('%s', (part, pins) => {
    expect(inventory(find(part))).toEqual(pins)
  })

  it('pyproject.1.toml: an invalid name is an error, ranges keep poetry syntax', () => {
    const result = run(find('pyproject.1.toml'))
    expect(result.errors).toEqual([expect.objectContaining({ line: 8, message: expect.stringContaining("'dep1_'") })])
    expect(result.ranges.find((r) => r.name === 'dep2')).toMatchObject({ range: '^0.6.0', dev: false })
    expect(result.ranges.find((r) => r.name === 'dev-dep1')).toMatchObject({ range: '^3.0', dev: true })
  })

  it('pytest setup.cfg: install_requires, setup_requires and extras as ranges with markers dropped', () => {
    const result = run(find('pytest-dev__pytest__310b67b227__setup.cfg'))
    expect(result.ranges.find((r) => r.name === 'pluggy')).toMatchObject({ range: '>=0.12,<2.0' })
    expect(result.ranges.find((r) => r.name === 'exceptiongroup')).toMatchObject({ range: '>=1.0.0rc8' })
    expect(result.ranges.map((r) => r.name)).toContain('setuptools-scm')
    expect(result.ranges.map((r) => r.name)).toContain('xmlschema')
  })

  it('fastapi pyproject: self-references in extras are not dependencies', () => {
    const result = run(find('fastapi__fastapi__pyproject.toml'))
    expect(result.ranges.some((r) => r.name === 'fastapi')).toBe(false)
    expect(result.ranges.find((r) => r.name === 'httpx')?.range).toMatch(/>=0\.23\.0/)
  })
})
