/**
 * Every PyPI lockfile in the corpus: the inventory equals what an independent
 * oracle reads — smol-toml (or JSON.parse) plus the INVENTORY.md rules,
 * written out plainly here.
 */
import { parse as parseToml } from 'smol-toml'
import { describe, expect, it } from 'vitest'
import { extract } from '../../../src/ecosystems/pypi/extract.js'
import { corpus, label, normalize, type CorpusFile } from './corpus.js'

type Entry = Record<string, unknown>

function inventory(file: CorpusFile): string[] {
  const result = extract({ path: file.path, content: file.content })
  expect(result.errors).toEqual([])
  return result.packages.map((p) => `${p.name}@${p.version}`).sort()
}

function unique(list: string[]): string[] {
  return [...new Set(list)].sort()
}

function tomlEntries(content: string, key: string): Entry[] {
  const doc = parseToml(content) as Record<string, unknown>
  return (doc[key] as Entry[] | undefined) ?? []
}

const oracles: Record<string, (content: string) => string[]> = {
  // poetry: git, directory, file and url sources are not registries; everything else with a version counts.
  'poetry-lock': (content) =>
    tomlEntries(content, 'package')
      .filter((p) => typeof p.version === 'string')
      .filter((p) => !['git', 'directory', 'file', 'url'].includes(String((p.source as Entry | undefined)?.type)))
      .map((p) => `${normalize(String(p.name))}@${String(p.version)}`),
  // uv: only registry sources; editable/virtual are the project, git/path/directory/url are not registries.
  'uv-lock': (content) =>
    tomlEntries(content, 'package')
      .filter((p) => typeof p.version === 'string')
      .filter((p) => !['git', 'path', 'directory', 'url', 'editable', 'virtual'].some((k) => k in ((p.source as Entry | undefined) ?? {})))
      .map((p) => `${normalize(String(p.name))}@${String(p.version)}`),
  // pdm: git, hg, svn, bzr, path, url and editable entries are skipped.
  'pdm-lock': (content) =>
    tomlEntries(content, 'package')
      .filter((p) => typeof p.version === 'string')
      .filter((p) => !['git', 'hg', 'svn', 'bzr', 'path', 'url'].some((k) => k in p) && p.editable !== true)
      .map((p) => `${normalize(String(p.name))}@${String(p.version)}`),
  // pylock: vcs, directory and archive entries are skipped.
  'pylock-toml': (content) =>
    tomlEntries(content, 'packages')
      .filter((p) => typeof p.version === 'string')
      .filter((p) => !['vcs', 'directory', 'archive'].some((k) => k in p))
      .map((p) => `${normalize(String(p.name))}@${String(p.version)}`),
  // Pipfile.lock: every section but _meta; a version counts as "==X"; git, path, file, editable skipped.
  'pipfile-lock': (content) => {
    const doc = JSON.parse(content) as Record<string, Record<string, Entry>>
    const out: string[] = []
    for (const [section, entries] of Object.entries(doc)) {
      if (section === '_meta') continue
      for (const [name, entry] of Object.entries(entries)) {
        if (['git', 'path', 'file', 'editable'].some((k) => k in entry)) continue
        const version = typeof entry.version === 'string' && entry.version.startsWith('==') ? entry.version.slice(2) : undefined
        if (version) out.push(`${normalize(name)}@${version}`)
      }
    }
    return out
  },
}

const lockfiles = corpus('pypi').filter((f) => f.format in oracles)

describe('PyPI lockfiles from the corpus match the oracle', () => {
  it('covers every lockfile format', () => {
    expect(new Set(lockfiles.map((f) => f.format))).toEqual(new Set(Object.keys(oracles)))
  })

  it.each(lockfiles.map((f) => [label(f), f] as const))('%s', (_name, file) => {
    const oracle = oracles[file.format] as (content: string) => string[]
    expect(inventory(file)).toEqual(unique(oracle(file.content)))
  })

  it.each(lockfiles.map((f) => [label(f), f] as const))('%s: every package has a line, and paths end with it', (_name, file) => {
    const result = extract({ path: file.path, content: file.content })
    const lines = file.content.split(/\r\n|\n/)
    for (const p of result.packages) {
      expect(p.line, `${p.name}@${p.version}`).toBeGreaterThan(0)
      const text = lines[(p.line ?? 1) - 1] ?? ''
      if (file.format === 'pipfile-lock') expect(normalize(text)).toContain(`"${p.name}"`)
      else expect(text).toMatch(/^\s*\[\[packages?\]\]/)
      for (const path of p.paths ?? []) expect(path[path.length - 1]).toBe(p.name)
      expect((p.paths ?? []).length).toBeLessThanOrEqual(5)
    }
  })
})

describe('notes from the MANIFEST', () => {
  const byLabel = (part: string): CorpusFile => {
    const found = lockfiles.find((f) => f.saved.includes(part))
    if (!found) throw new Error(`no corpus file ${part}`)
    return found
  }

  it('a poetry git source is skipped', () => {
    expect(inventory(byLabel('poetrylock__testdata__source-git'))).toEqual([])
  })

  it('a uv git source and the virtual root are skipped', () => {
    expect(inventory(byLabel('uvlock__testdata__source-git'))).toEqual([])
  })

  it('a pdm git entry is skipped', () => {
    expect(inventory(byLabel('pdmlock__testdata__git-dependency'))).toEqual([])
  })

  it('pdm dev groups are dev, default ones are not', () => {
    const result = extract({ path: 'pdm.lock', content: byLabel('pdmlock__testdata__dev-dependency').content })
    const dev = Object.fromEntries(result.packages.map((p) => [p.name, p.dev]))
    expect(dev).toEqual({ pyroute2: true, toml: false, 'win-inet-pton': true })
  })

  it('uv.lock: direct dependencies of the project, dev groups, and paths from the project', () => {
    const result = extract({ path: 'uv.lock', content: byLabel('pallets__flask__uv.lock').content })
    const get = (name: string) => result.packages.find((p) => p.name === name)
    expect(get('click')).toMatchObject({ direct: true, dev: false })
    expect(get('click')?.paths?.[0]).toEqual(['flask', 'click'])
    expect(get('ruff')).toMatchObject({ direct: true, dev: true })
    expect(get('markupsafe')?.paths).toContainEqual(['flask', 'markupsafe'])
    expect(get('markupsafe')?.paths).toContainEqual(['flask', 'jinja2', 'markupsafe'])
  })

  it('a PEP 723 script lock takes [manifest] requirements as the direct ones', () => {
    const result = extract({ path: 'test_publish.py.lock', content: byLabel('test_publish.py.lock').content })
    expect(result.kind).toMatch(/^uv\.lock/)
    expect(result.packages.filter((p) => p.direct).map((p) => p.name).sort()).toEqual(['httpx', 'packaging', 'pypi-attestations', 'sigstore'])
  })

  it('poetry lock 1.x category = "dev" and 2.1 groups set dev', () => {
    const v1 = extract({ path: 'poetry.lock', content: byLabel('python-poetry__poetry__5484122c11').content })
    expect(v1.packages.some((p) => p.dev) && v1.packages.some((p) => !p.dev)).toBe(true)
    const rich = extract({ path: 'poetry.lock', content: byLabel('Textualize__rich__poetry.lock').content })
    expect(rich.packages.find((p) => p.name === 'pygments')?.dev).toBe(false)
    expect(rich.packages.find((p) => p.name === 'pytest')?.dev).toBe(true)
  })

  it('Pipfile.lock develop entries are dev and the editable root is skipped', () => {
    const result = extract({ path: 'Pipfile.lock', content: byLabel('psf__requests__9cd2d33489__Pipfile.lock').content })
    expect(result.packages.find((p) => p.name === 'requests')).toBeUndefined()
    expect(result.packages.find((p) => p.name === 'pytest')?.dev).toBe(true)
  })
})
