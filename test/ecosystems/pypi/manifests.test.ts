/** The fixture ladder for pyproject.toml, hatch.toml, Pipfile and setup.cfg. */
import { describe, expect, it } from 'vitest'
import { extract } from '../../../src/ecosystems/pypi/extract.js'

function read(path: string, content: string) {
  return extract({ path, content })
}

/** name@version, with `(dev)` for dev packages. */
function summary(path: string, content: string): string[] {
  const result = read(path, content)
  expect(result.errors).toEqual([])
  return result.packages.map((p) => `${p.name}@${p.version}${p.dev ? ' (dev)' : ''}`)
}

describe.each([
  [
    'pyproject.toml (PEP 621 / 735)',
    'pyproject.toml',
    {
      empty: '',
      one: '[project]\nname = "me"\ndependencies = ["requests==2.31.0"]\n',
      dev: '[dependency-groups]\ntest = ["pytest==8.0.0", {include-group = "lint"}]\nlint = []\n',
      two: '[build-system]\nrequires = ["hatchling==1.21.0"]\n[project]\ndependencies = ["a==1.0"]\n',
      duplicates: '[project]\ndependencies = ["Foo_Bar==1.0"]\n[project.optional-dependencies]\nx = ["foo-bar==1.0", "foo.bar==1.0"]\n',
      extras: '[project]\ndependencies = ["foo[bar,baz] == 1.0 ; python_version < \\"3.9\\"", "qux (==2.0)"]\n',
      skipped: '[project]\nname = "me"\ndependencies = ["x @ git+https://github.com/a/x", "y @ file:///tmp/y", "me[extra]==1.0"]\n',
    },
    {
      one: ['requests@2.31.0'],
      dev: ['pytest@8.0.0 (dev)'],
      two: ['hatchling@1.21.0', 'a@1.0'],
      duplicates: ['foo-bar@1.0'],
      extras: ['foo@1.0', 'qux@2.0'],
    },
  ],
  [
    'pyproject.toml (Poetry)',
    'pyproject.toml',
    {
      empty: '[tool.poetry]\nname = "me"\n',
      one: '[tool.poetry.dependencies]\npython = "^3.9"\nrequests = "2.31.0"\n',
      dev: '[tool.poetry.group.test.dependencies]\npytest = "==8.0.0"\n[tool.poetry.dev-dependencies]\nblack = "=24.1.0"\n',
      two: '[tool.poetry.dependencies]\na = {version = "1.0", extras = ["x"]}\nb = [{version = "2.0", python = "<3.9"}, {version = "^3.0", python = ">=3.9"}]\n',
      duplicates: '[tool.poetry.dependencies]\nfoo = "1.0"\n[tool.poetry.group.main.dependencies]\nFoo = "1.0"\n',
      extras: '[tool.poetry.dependencies]\nfoo = {version = "1.0", extras = ["bar"], markers = "python_version < \'3.9\'"}\n',
      skipped: '[tool.poetry.dependencies]\na = {git = "https://github.com/a/a.git", tag = "v1.0"}\nb = {path = "../b", version = "1.0"}\nc = {url = "https://x/c-1.0.tar.gz"}\nd = {file = "d-1.0.whl"}\n',
    },
    {
      one: ['requests@2.31.0'],
      dev: ['black@24.1.0 (dev)', 'pytest@8.0.0 (dev)'],
      two: ['a@1.0', 'b@2.0'],
      duplicates: ['foo@1.0'],
      extras: ['foo@1.0'],
    },
  ],
  [
    'pyproject.toml (PDM, uv, Hatch)',
    'pyproject.toml',
    {
      empty: '[tool.uv]\n',
      one: '[tool.uv]\noverride-dependencies = ["werkzeug==2.3.0"]\n',
      dev: '[tool.pdm.dev-dependencies]\ntest = ["pytest==8.0.0", "-e file:///${PROJECT_ROOT}/sub#egg=sub"]\n',
      two: '[tool.pdm.resolution.overrides]\nurllib3 = "1.26.18"\nidna = "==3.6"\nsix = ">=1"\n',
      duplicates: '[tool.uv]\ndev-dependencies = ["a==1.0"]\n[tool.hatch.envs.default]\ndependencies = ["a==1.0"]\n',
      extras: '[tool.hatch.build.hooks.custom]\ndependencies = ["foo[x]==1.0; os_name == \'nt\'"]\n[tool.hatch.build.targets.wheel.hooks.mypyc]\ndependencies = ["mypy==1.8.0"]\n',
      skipped: '[tool.pdm.resolution.overrides]\nfoo = "git+https://github.com/a/foo.git@v1"\nbar = "file:///tmp/bar"\n',
    },
    {
      one: ['werkzeug@2.3.0'],
      dev: ['pytest@8.0.0 (dev)'],
      two: ['urllib3@1.26.18', 'idna@3.6'],
      duplicates: ['a@1.0 (dev)'],
      extras: ['foo@1.0', 'mypy@1.8.0'],
    },
  ],
  [
    'hatch.toml',
    'hatch.toml',
    {
      empty: '',
      one: '[envs.default]\ndependencies = ["pytest==8.0.0"]\n',
      dev: '[envs.lint]\nextra-dependencies = ["ruff==0.3.0"]\n',
      two: '[envs.default]\ndependencies = ["a==1", "b==2"]\n',
      duplicates: '[envs.a]\ndependencies = ["x==1"]\n[envs.b]\ndependencies = ["X==1"]\n',
      extras: '[build.hooks.vcs]\ndependencies = ["foo[x]==1.0 ; python_version > \'3\'"]\n',
      skipped: '[envs.default]\ndependencies = ["x @ git+https://github.com/a/x"]\n',
    },
    {
      one: ['pytest@8.0.0 (dev)'],
      dev: ['ruff@0.3.0 (dev)'],
      two: ['a@1 (dev)', 'b@2 (dev)'],
      duplicates: ['x@1 (dev)'],
      extras: ['foo@1.0'],
    },
  ],
  [
    'Pipfile',
    'Pipfile',
    {
      empty: '',
      one: '[[source]]\nurl = "https://pypi.org/simple"\n[packages]\nrequests = "==2.31.0"\n[requires]\npython_version = "3.11"\n',
      dev: '[dev-packages]\npytest = {version = "==8.0.0"}\n',
      two: '[packages]\na = "==1.0"\n[docs]\nb = "==2.0"\n',
      duplicates: '[packages]\nfoo = "==1.0"\n[dev-packages]\nFoo = "==1.0"\n',
      extras: '[packages]\n"splinter[django]" = {version = "==0.4.0", markers = "os_name == \'nt\'"}\n',
      skipped: '[packages]\nd = {git = "https://github.com/a/d.git", ref = "1.0"}\ne = {path = ".", editable = true}\nf = {file = "https://x/f.zip"}\n',
    },
    {
      one: ['requests@2.31.0'],
      dev: ['pytest@8.0.0 (dev)'],
      two: ['a@1.0', 'b@2.0'],
      duplicates: ['foo@1.0'],
      extras: ['splinter@0.4.0'],
    },
  ],
  [
    'setup.cfg',
    'setup.cfg',
    {
      empty: '',
      one: '[options]\ninstall_requires =\n    requests==2.31.0\n',
      dev: '[options]\ntests_require = pytest==8.0.0\n',
      two: '[options]\nsetup_requires =\n  setuptools==69.0.0\n  # a comment\n\n  wheel==0.42.0\n',
      duplicates: '[options]\ninstall_requires = a==1.0\n[options.extras_require]\nx = a==1.0\n',
      extras: '[metadata]\nrequires-dist =\n    foo[bar]==1.0; python_version<"3.9"\n',
      skipped: '[options]\ninstall_requires =\n    x @ git+https://github.com/a/x\n    file: requirements.txt\n[other]\nkey = a==1.0\n',
    },
    {
      one: ['requests@2.31.0'],
      dev: ['pytest@8.0.0 (dev)'],
      two: ['setuptools@69.0.0', 'wheel@0.42.0'],
      duplicates: ['a@1.0'],
      extras: ['foo@1.0'],
    },
  ],
])('%s: the fixture ladder', (_format, path, inputs, expected) => {
  it.each(['one', 'dev', 'two', 'duplicates', 'extras'] as const)('%s', (step) => {
    expect(summary(path, inputs[step])).toEqual(expected[step])
  })

  it('empty: no packages, no errors', () => {
    expect(read(path, inputs.empty)).toMatchObject({ packages: [], errors: [] })
  })

  it('git, path, url and self entries are skipped', () => {
    expect(read(path, inputs.skipped).packages).toEqual([])
  })

  it('lines point at the entry', () => {
    const lines = inputs.two.split('\n')
    for (const p of read(path, inputs.two).packages) expect(lines[(p.line ?? 0) - 1]?.toLowerCase()).toContain(p.name)
  })
})

describe.each([
  ['pyproject.toml', 'this is = = not toml\n'],
  ['hatch.toml', '[envs\n'],
  ['Pipfile', '{"json": "is not TOML"}\n'],
])('%s: not the format', (path, content) => {
  it('is an error with line:col, not a crash', () => {
    const result = read(path, content)
    expect(result.packages).toEqual([])
    expect(result.errors).toEqual([expect.objectContaining({ file: path, line: 1, message: expect.stringMatching(/^expected .* \(valid TOML\): 1:\d+: /) })])
  })
})

describe('ranges keep the syntax they were written in', () => {
  it.each([
    ['pyproject.toml', '[project]\ndependencies = ["httpx >=0.23.0,<1.0.0"]\n', 'httpx', '>=0.23.0,<1.0.0', false],
    ['pyproject.toml', '[tool.poetry.dependencies]\nfoo = "^1.2"\n', 'foo', '^1.2', false],
    ['pyproject.toml', '[tool.poetry.group.dev.dependencies]\nfoo = {version = "~1.2"}\n', 'foo', '~1.2', true],
    ['Pipfile', '[packages]\nfoo = "*"\n', 'foo', '*', false],
    ['Pipfile', '[dev-packages]\nfoo = {extras = ["x"]}\n', 'foo', '*', true],
    ['setup.cfg', '[options.extras_require]\ntest = pytest>=7\n', 'pytest', '>=7', false],
  ])('%s: %s', (path, content, name, range, dev) => {
    expect(read(path, content).ranges).toEqual([expect.objectContaining({ ecosystem: 'PyPI', name, range, dev, file: path })])
  })

  it('setup.cfg: a one-line list splits on ";" as setuptools does', () => {
    expect(read('setup.cfg', '[options]\ninstall_requires = a==1.0; b>=2\n').packages.map((p) => p.name)).toEqual(['a'])
  })

  it('setup.cfg: a line that is neither a section nor a key is an error', () => {
    expect(read('setup.cfg', 'garbage without equals\n').errors).toEqual([expect.objectContaining({ line: 1 })])
  })
})
