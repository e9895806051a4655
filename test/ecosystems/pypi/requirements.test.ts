import { describe, expect, it } from 'vitest'
import { extract } from '../../../src/ecosystems/pypi/extract.js'
import { followIncludes, resolveInclude } from '../../../src/ecosystems/pypi/requirements.js'

function read(content: string, path = 'requirements.txt') {
  return extract({ path, content })
}

function pins(content: string, path?: string): string[] {
  return read(content, path).packages.map((p) => `${p.name}@${p.version}`)
}

describe('requirements.txt: the fixture ladder', () => {
  it.each([
    ['empty', '', []],
    ['only comments and blank lines', '# nothing\n\n   # still nothing\n', []],
    ['one package', 'requests==2.31.0\n', ['requests@2.31.0']],
    ['two packages', 'requests==2.31.0\nidna==3.6\n', ['requests@2.31.0', 'idna@3.6']],
    ['duplicates (also spelt differently) are listed once', 'Foo_Bar==1.0\nfoo-bar==1.0\nfoo.bar == 1.0\n', ['foo-bar@1.0']],
    ['the same name at two versions is listed twice', 'aiohttp==3.8.5;python_version<"3.12"\naiohttp==3.9.0b0;python_version>="3.12"\n', ['aiohttp@3.8.5', 'aiohttp@3.9.0b0']],
    ['extras and markers', 'Foo[bar, baz] == 1.0 ; python_version < "3.9"\n', ['foo@1.0']],
    ['parenthesised specifier', 'name (==1.0)\n', ['name@1.0']],
    ['v-prefixed version is reported without the v', 'name==v1.2.3\n', ['name@1.2.3']],
    ['CRLF line endings', 'a==1.0\r\nb==2.0\r\n', ['a@1.0', 'b@2.0']],
  ])('%s', (_name, content, expected) => {
    const result = read(content)
    expect(result.errors).toEqual([])
    expect(result.packages.map((p) => `${p.name}@${p.version}`)).toEqual(expected)
  })

  it('one package carries file, line, direct and dev', () => {
    expect(read('\n# c\nrequests==2.31.0\n', 'sub/requirements-dev.txt').packages).toEqual([
      { ecosystem: 'PyPI', name: 'requests', version: '2.31.0', file: 'sub/requirements-dev.txt', line: 3, direct: true, dev: false },
    ])
  })

  it.each([
    ['editable VCS', '-e git+https://github.com/pypa/pip.git@main#egg=pip\n'],
    ['editable path', '-e ./editable[d,dev]\n'],
    ['name @ url', 'pip @ https://github.com/pypa/pip/archive/22.0.2.zip\n'],
    ['name @ url with marker', 'pip @ https://example.com/pip.zip ; python_version > "3"\n'],
    ['bare VCS url with #egg=', 'git+https://github.com/a/b.git@v1.0#egg=b==1.0\n'],
    ['bare https wheel', 'https://example.com/pkg-1.0-py3-none-any.whl\n'],
    ['local path', './downloads/numpy-1.9.2-cp34-none-win32.whl\n'],
    ['file url', 'file:///tmp/pkg\n'],
    ['environment variable version', 'qwert==${MY_VARIABLE_1}\n'],
  ])('%s is skipped', (_name, content) => {
    const result = read(content)
    expect(result.packages).toEqual([])
    expect(result.ranges).toEqual([])
    expect(result.errors).toEqual([])
  })

  it.each([
    ['garbage', '!!! this is not a requirements file\n', 1],
    ['an operator without a version', 'foo==\n', 1],
    ['trailing text before options', 'ok==1.0\nfoo==1.0 oops --hash=sha256:1\n', 2],
    ['invalid name', '_invalid-package==1.0\n', 1],
    ['# without whitespace before it is not a comment (and not a marker)', 'a==1.0;python_version>"3"#x\n', 1],
  ])('not the format: %s is an error with its line, not a crash', (_name, content, line) => {
    const result = read(content)
    expect(result.errors).toEqual([expect.objectContaining({ file: 'requirements.txt', line, message: expect.stringMatching(/invalid requirement: expected|unexpected/) })])
  })
})

describe('requirements.txt: read as pip reads it', () => {
  it.each([
    ['a continuation joins the hash lines', 'a==1.0 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\nb==2.0\n', ['a@1.0', 'b@2.0']],
    ['a comment line never continues', '# note \\\nb==2.0\n', ['b@2.0']],
    ['a comment ends a continuation', 'a==1.0 \\\n# via x\nb==2.0\n', ['a@1.0', 'b@2.0']],
    ['a name split over lines is joined without a space', 'req\\\nuests==2.0\n', ['requests@2.0']],
    ['inline comment', 'a==1.0  # pinned for reasons\n', ['a@1.0']],
    ['--hash without =', 'foo13==1.0 --hash sha256:123\n', ['foo13@1.0']],
    ['-C option ends the requirement', 'foo14==1.0 -C bar\n', ['foo14@1.0']],
    ['double dash inside a name is not an option', 'foo17--hash==1.0\n', ['foo17-hash@1.0']],
    ['option lines are not packages', '--index-url https://pypi.org/simple\n-i https://x\n--extra-index-url=https://y\n--trusted-host h --pre\nz==1\n', ['z@1']],
  ])('%s', (_name, content, expected) => {
    expect(pins(content)).toEqual(expected)
  })

  it('the continued requirement keeps its first line', () => {
    expect(read('\na==1.0 \\\n  --hash=sha256:x\nb==2\n').packages.map((p) => p.line)).toEqual([2, 4])
  })

  it.each([
    ['===1.0', 'a===1.0', 'a', '===1.0'],
    ['==1.*', 'a==1.*', 'a', '==1.*'],
    ['== with other clauses', 'a==1.0,<2', 'a', '==1.0,<2'],
    ['compatible release', 'a ~= 1.2', 'a', '~= 1.2'],
    ['bounds with spaces', 'httpx >=0.23.0,<1.0.0', 'httpx', '>=0.23.0,<1.0.0'],
    ['a bare name admits any version', 'a', 'a', ''],
  ])('%s is a range, not a pin', (_name, content, name, range) => {
    const result = read(content + '\n')
    expect(result.packages).toEqual([])
    expect(result.ranges).toEqual([{ ecosystem: 'PyPI', name, range, file: 'requirements.txt', line: 1, dev: false }])
  })

  it('compiled output: `# via -r` is direct, `# via pkg` is transitive', () => {
    const content = [
      'click==8.1.3',
      '    # via -r requirements.in',
      'markupsafe==2.1.1',
      '    # via',
      '    #   -r requirements.in',
      '    #   jinja2',
      'jinja2==3.1.2',
      '    # via flask',
      'six==1.16.0               # via foo, bar',
      '',
    ].join('\n')
    const direct = Object.fromEntries(read(content).packages.map((p) => [p.name, p.direct]))
    expect(direct).toEqual({ click: true, markupsafe: true, jinja2: false, six: false })
  })
})

describe('requirements.txt: includes', () => {
  it('are listed relative to the scanned root, resolved from the including file, not folded in', () => {
    const result = read('-r base.txt\n-c ../constraints.txt\n--requirement=dev/extra.txt\n-rother.txt\n--constraint c2.txt\nx==1\n', 'app/requirements.txt')
    expect(result.includes).toEqual(['app/base.txt', 'constraints.txt', 'app/dev/extra.txt', 'app/other.txt', 'app/c2.txt'])
    expect(result.packages.map((p) => p.name)).toEqual(['x'])
  })

  it('a file that includes itself is listed once and nothing loops', () => {
    const result = read('-r loop.txt\n-r ./loop.txt\n-r loop.txt\n', 'loop.txt')
    expect(result.includes).toEqual(['loop.txt'])
  })

  it.each([
    ['a URL', 'https://example.com/requirements.txt'],
    ['an absolute path', '/etc/requirements.txt'],
    ['a path that leaves the root', '../../outside.txt'],
  ])('%s cannot be read from the tree and is left out', (_name, target) => {
    expect(read(`-r ${target}\n`, 'app/requirements.txt').includes).toEqual([])
  })

  it('an include with no file name is an error', () => {
    expect(read('-r\n').errors).toEqual([expect.objectContaining({ line: 1, message: "expected a file name after '-r'" })])
  })

  it('followIncludes walks a cycle once per file', () => {
    const graph: Record<string, string[]> = { 'a.txt': ['b.txt', 'a.txt'], 'b.txt': ['c.txt', 'a.txt'], 'c.txt': ['b.txt'] }
    expect(followIncludes('a.txt', (p) => graph[p])).toEqual(['a.txt', 'b.txt', 'c.txt'])
  })

  it('resolveInclude normalises the path', () => {
    expect(resolveInclude('requirements/dev.in', './docs.txt')).toBe('requirements/docs.txt')
    expect(resolveInclude('requirements.txt', 'requirements/main.txt')).toBe('requirements/main.txt')
  })
})
