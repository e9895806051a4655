/**
 * Every npm corpus file: its inventory equals what the format's own parser
 * reads, with INVENTORY.md's skip rules applied on top of that parser's output.
 */
import Arborist from '@npmcli/arborist'
import { parse as parseYarnV1 } from '@yarnpkg/lockfile'
import { parseSyml } from '@yarnpkg/parsers'
import { parse as parseJsonc } from 'jsonc-parser'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import semver from 'semver'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { classifyResolved, isNonRegistrySpec } from '../../../src/ecosystems/npm/common.js'
import { extract } from '../../../src/ecosystems/npm/extract.js'
import { parsePnpmKey } from '../../../src/ecosystems/npm/pnpm-lock.js'
import { npmCorpus, type CorpusFile } from './corpus.js'

const valid = (v: unknown): v is string => typeof v === 'string' && semver.valid(v) !== null
const skipped = (resolved: string | undefined): boolean => ['git', 'file', 'remote'].includes(classifyResolved(resolved).kind)

function inventory(f: CorpusFile): Set<string> {
  const x = extract({ path: f.name, content: f.content })
  expect(x.errors).toEqual([])
  return new Set(x.packages.map((p) => `${p.name}@${p.version}`))
}

async function arboristOracle(f: CorpusFile): Promise<Set<string>> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-lock-'))
  try {
    writeFileSync(join(dir, f.name === 'npm-shrinkwrap.json' ? 'npm-shrinkwrap.json' : 'package-lock.json'), f.content)
    const lock = JSON.parse(f.content) as { name?: string; version?: string }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: lock.name ?? 'root', version: lock.version ?? '1.0.0' }))
    const tree = await new Arborist({ path: dir }).loadVirtual()
    const want = new Set<string>()
    for (const node of tree.inventory.values()) {
      if (node.isRoot || node.isLink || !node.location.includes('node_modules/')) continue
      if (skipped(node.resolved ?? undefined) || !valid(node.version)) continue
      want.add(`${node.packageName}@${node.version}`)
    }
    return want
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function yarnV1Oracle(f: CorpusFile): Set<string> {
  const { object } = parseYarnV1(f.content) as unknown as { object: Record<string, Record<string, string>> }
  const groups = new Map<Record<string, string>, string[]>()
  for (const [pattern, entry] of Object.entries(object)) groups.set(entry, [...(groups.get(entry) ?? []), pattern])
  const want = new Set<string>()
  for (const [entry, patterns] of groups) {
    const source = classifyResolved(entry.resolved)
    if (source.kind === 'git') continue
    const names = patterns.map((p) => {
      const at = p.indexOf('@', 1)
      const spec = p.slice(at + 1)
      if (spec.startsWith('npm:')) return spec.slice(4).replace(/(.)@.*$/, '$1')
      return isNonRegistrySpec(spec) ? undefined : p.slice(0, at)
    })
    const name = names.find((n) => n !== undefined)
    if (name !== undefined) {
      if (source.kind !== 'file' && valid(entry.version)) want.add(`${name}@${entry.version}`)
    } else if (source.kind === 'tarball') want.add(`${source.name}@${valid(entry.version) ? entry.version : source.version}`)
  }
  return want
}

function berryOracle(f: CorpusFile): Set<string> {
  const data = parseSyml(f.content) as Record<string, { resolution?: string }>
  const want = new Set<string>()
  const patches: [string, string][] = []
  for (const [key, entry] of Object.entries(data)) {
    if (key === '__metadata' || typeof entry.resolution !== 'string') continue
    const m = /^(@?[^@]+)@npm:([^:]+)(?:::.*)?$/.exec(entry.resolution)
    if (m && valid(m[2])) want.add(`${m[1]}@${m[2]}`)
    const p = /^(@?[^@]+)@patch:(.*?)(?:#|$)/.exec(entry.resolution)
    if (p) {
      const base = /^(@?[^@]+)@npm:(.+)$/.exec(decodeURIComponent(p[2] as string))
      if (base && valid(base[2])) patches.push([base[1] as string, base[2] as string])
    }
  }
  for (const [n, v] of patches) want.add(`${n}@${v}`)
  return want
}

function pnpmOracle(f: CorpusFile): Set<string> {
  const want = new Set<string>()
  for (const doc of parseAllDocuments(f.content)) {
    const data = doc.toJS() as Record<string, unknown> | null
    if (!data || typeof data.packages !== 'object' || data.packages === null) continue
    const slash = data.shrinkwrapVersion !== undefined || parseFloat(String(data.lockfileVersion)) < 6
    for (const [key, raw] of Object.entries(data.packages as Record<string, Record<string, unknown> | null>)) {
      const value = raw ?? {}
      const res = (value.resolution ?? {}) as Record<string, unknown>
      if (key.includes('file:') || res.directory !== undefined || ['git', 'directory', 'variations'].includes(String(res.type))) continue
      const parsed = parsePnpmKey(key, slash)
      let name = (value.name as string | undefined) ?? parsed?.name
      let version = (value.version as string | undefined) ?? parsed?.version
      if (typeof res.tarball === 'string') {
        const s = classifyResolved(res.tarball)
        if (s.kind === 'tarball') {
          name ??= s.name
          if (!valid(version)) version = s.version
        } else if (s.kind !== 'registry') continue
      }
      if (name && valid(version)) want.add(`${name}@${version}`)
    }
  }
  return want
}

function bunOracle(f: CorpusFile): Set<string> {
  const data = parseJsonc(f.content, [], { allowTrailingComma: true }) as { packages?: Record<string, unknown[]> }
  const want = new Set<string>()
  for (const value of Object.values(data.packages ?? {})) {
    const first = value[0]
    if (typeof first !== 'string') continue
    const at = first.indexOf('@', 1)
    const spec = first.slice(at + 1).replace(/^npm:/, '')
    if (valid(spec)) want.add(`${first.slice(0, at)}@${spec}`)
  }
  return want
}

const LOCK_FORMATS = ['package-lock-v1', 'package-lock-v2', 'package-lock-v3', 'npm-shrinkwrap']
describe.each(LOCK_FORMATS)('corpus %s equals @npmcli/arborist', (format) => {
  it.each(npmCorpus(format).map((f) => [f.savedPath, f] as const))('%s', async (_name, f) => {
    expect(inventory(f)).toEqual(await arboristOracle(f))
  })
})

const ORACLES: [string, string, (f: CorpusFile) => Set<string>][] = [
  ['yarn-lock-v1', '@yarnpkg/lockfile', yarnV1Oracle],
  ['yarn-lock-berry', '@yarnpkg/parsers', berryOracle],
  ['pnpm-lock-v5', 'yaml', pnpmOracle],
  ['pnpm-lock-v6', 'yaml', pnpmOracle],
  ['pnpm-lock-v9', 'yaml', pnpmOracle],
  ['pnpm-shrinkwrap-yaml', 'yaml', pnpmOracle],
  ['bun-lock', 'jsonc-parser', bunOracle],
]
/**
 * Files the oracle itself cannot read, with the inventory worked out by hand.
 * yarn-stuff: `meta: "…"` lines make @yarnpkg/lockfile throw ("Invalid value
 * type 6:0"); yarn ignores unknown fields, and so do we. Git, codeload and
 * file: entries are skipped; `remote@<registry tarball>` is abbrev@1.1.1.
 */
const BY_HAND: Record<string, string[]> = {
  'npm/yarn-lock-v1/npm__cli__workspaces__arborist__test__fixtures__yarn-stuff__yarn.lock': ['abbrev@1.1.1', 'abbrev@1.0.9'],
}

describe.each(ORACLES)('corpus %s equals %s', (format, _oracle, oracle) => {
  it.each(npmCorpus(format).map((f) => [f.savedPath, f] as const))('%s', (_name, f) => {
    const byHand = BY_HAND[f.savedPath]
    expect(inventory(f)).toEqual(byHand ? new Set(byHand) : oracle(f))
  })
})

/** Manifests have no oracle: explicit lists for a few real files, properties for all. */
const MANIFEST_EXPECTED: Record<string, string[]> = {
  // Every spec type: only the exact `bundler: 1.2.3` is a version; `npm:abbrev@^1.1.1` aliases are ranges.
  'npm/package-json/npm__cli__workspaces__arborist__test__fixtures__install-types__package.json': ['bundler@1.2.3'],
  // devDependencies pins, plus pnpm.overrides `clipanion: 3.2.0-rc.6` and `verdaccio: 5.20.1`; selectors with ranges and catalog: are not versions.
  'npm/package-json/pnpm__pnpm__1e229d701d__package.json': ['@pnpm/tgz-fixtures@0.0.0', 'clipanion@3.2.0-rc.6', 'cspell@7.3.8', 'keyv@4.5.4', 'ts-jest@29.2.3', 'typescript@5.5.4', 'verdaccio@5.20.1'],
  // workspace member: `@babel/core` pinned in devDependencies; workspace:^ and catalog: specifiers skipped.
  'npm/package-json/babel__babel__packages__babel-preset-env__package.json': ['@babel/core@7.12.9'],
  'npm/pnpm-workspace-yaml/renovatebot__renovate__lib__modules__manager__npm____fixtures____pnpm-monorepo__pnpm-workspace.yaml': [],
}

describe.each(['package-json', 'pnpm-workspace-yaml'])('corpus %s', (format) => {
  it.each(npmCorpus(format).map((f) => [f.savedPath, f] as const))('%s', (_name, f) => {
    const x = extract({ path: f.name, content: f.content })
    expect(x.errors).toEqual([])
    const lines = f.content.split('\n')
    for (const p of [...x.packages, ...x.ranges]) {
      expect(p.file).toBe(f.name)
      expect(p.line).toBeGreaterThanOrEqual(1)
      expect(p.line).toBeLessThanOrEqual(lines.length)
    }
    for (const p of x.packages) {
      expect(semver.valid(p.version)).not.toBeNull()
      expect(p.direct).toBe(true)
    }
    for (const r of x.ranges) expect(semver.validRange(r.range)).not.toBeNull()
    const want = MANIFEST_EXPECTED[f.savedPath]
    if (want) expect(inventory(f)).toEqual(new Set(want))
  })
})

describe('corpus lockfiles: locations', () => {
  const lockFormats = [...LOCK_FORMATS, ...ORACLES.map(([format]) => format)]
  it.each(lockFormats.flatMap((format) => npmCorpus(format)).map((f) => [f.savedPath, f] as const))('%s', (_name, f) => {
    const x = extract({ path: f.name, content: f.content })
    const total = f.content.split('\n').length
    for (const p of x.packages) {
      expect(p.file).toBe(f.name)
      expect(p.line ?? 1).toBeGreaterThanOrEqual(1)
      expect(p.line ?? 1).toBeLessThanOrEqual(total)
      for (const path of p.paths ?? []) expect(path[path.length - 1]).toBe(p.name)
      expect((p.paths ?? []).length).toBeLessThanOrEqual(5)
    }
  })
})
