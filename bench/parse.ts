/**
 * Parsing benchmark (issue 4): firebreak's extractor for each format beside
 * (a) the plain JSON/YAML/TOML parse of the same bytes, the floor, and (b) the
 * format's reference parser, on the largest corpus file of each format, on
 * synthetic 10 MB uv.lock and poetry.lock, and on synthetic 50 MB
 * package-lock.json and 20 MB yarn.lock / pnpm-lock.yaml, all built from real
 * entries. Each measurement runs in its own process.
 *
 *   npm run bench:parse            # everything (a few minutes)
 *   npm run bench:parse -- --quick # corpus files and the 10 MB PyPI lockfiles, 3 runs per cell
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'


const lockfile = createRequire(import.meta.url)('@yarnpkg/lockfile') as typeof import('@yarnpkg/lockfile')
const here = path.dirname(new URL(import.meta.url).pathname)
const corpus = path.join(here, '..', 'test', 'fixtures', 'corpus')
const quick = process.argv.includes('--quick')
const work = mkdtempSync(path.join(os.tmpdir(), 'fb-bench-parse-'))

/** `file` is the copy on disk; `rel` is its repository-relative path, which decides how firebreak reads it. */
interface Row { label: string; format: string; file: string; rel: string }
type Measure = { ms: number; peakMb: number; bytes: number; na?: boolean }

const FORMAT_OF: Record<string, string> = {
  'package-lock-v1': 'package-lock', 'package-lock-v2': 'package-lock', 'package-lock-v3': 'package-lock', 'npm-shrinkwrap': 'npm-shrinkwrap',
  'yarn-lock-v1': 'yarn-v1', 'yarn-lock-berry': 'yarn-berry', 'pnpm-lock-v5': 'pnpm-lock', 'pnpm-lock-v6': 'pnpm-lock', 'pnpm-lock-v9': 'pnpm-lock',
  'pnpm-shrinkwrap-yaml': 'pnpm-lock', 'bun-lock': 'bun-lock', 'poetry-lock': 'toml', 'uv-lock': 'toml', 'pdm-lock': 'toml', 'pylock-toml': 'toml',
  'pyproject-toml': 'toml', 'pipfile-lock': 'pipfile-lock', 'requirements-txt': 'requirements', workflow: 'workflow',
}

function largestPerFormat(): Row[] {
  const rows = readFileSync(path.join(corpus, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'))
  const best = new Map<string, string[]>()
  for (const r of rows) {
    const folder = r[1] as string
    if (!FORMAT_OF[folder]) continue
    if (!best.has(folder) || Number(r[6]) > Number(best.get(folder)![6])) best.set(folder, r)
  }
  return [...best.entries()].map(([folder, r]) => {
    // Under its full path in the repository: some formats are only recognised with their folder
    // (requirements/main.txt, .github/workflows/x.yml).
    const rel = r[4] as string
    const target = path.join(work, folder, rel)
    mkdirSync(path.dirname(target), { recursive: true })
    copyFileSync(path.join(corpus, r[2] as string), target)
    return { label: `${folder} (${r[3]}, ${rel})`, format: FORMAT_OF[folder] as string, file: target, rel }
  })
}

function syntheticPackageLock(targetBytes: number): Row {
  const src = JSON.parse(readFileSync(path.join(corpus, 'npm/package-lock-v2/mongodb-js__compass__1586189360__package-lock.json'), 'utf8'))
  // Workspace links point at folders outside node_modules: under a copy their targets would not exist,
  // and npm (arborist) rightly refuses such a lockfile.
  const entries = Object.entries(src.packages as Record<string, { link?: boolean }>).filter(([k, v]) => k.startsWith('node_modules/') && v.link !== true)
  // Sized as written: pretty-printed at the depth of `packages` entries.
  const copies = Math.ceil(targetBytes / Buffer.byteLength(JSON.stringify({ packages: Object.fromEntries(entries) }, null, 2)))
  const packages: Record<string, unknown> = { '': { name: 'synthetic', version: '1.0.0', dependencies: {} as Record<string, string> } }
  for (let i = 0; i < copies; i++) {
    const prefix = `node_modules/fb-copy-${i}`
    ;(packages[''] as { dependencies: Record<string, string> }).dependencies[`fb-copy-${i}`] = '1.0.0'
    packages[prefix] = { version: '1.0.0', resolved: `https://registry.npmjs.org/fb-copy-${i}/-/fb-copy-${i}-1.0.0.tgz` }
    for (const [key, value] of entries) packages[`${prefix}/${key}`] = value
  }
  const file = path.join(work, 'synthetic-lock', 'package-lock.json')
  execFileSync('mkdir', ['-p', path.dirname(file)])
  writeFileSync(file, JSON.stringify({ name: 'synthetic', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2) + '\n')
  return { label: 'synthetic package-lock.json (v3)', format: 'package-lock', file, rel: 'package-lock.json' }
}

function renamer(i: number) {
  return (name: string) => `${name}-c${i}`
}

function syntheticYarnLock(targetBytes: number): Row {
  const text = readFileSync(path.join(corpus, 'npm/yarn-lock-v1/snyk__nodejs-lockfile-parser__test__fixtures__oom__yarn.lock'), 'utf8')
  const parsed = lockfile.parse(text).object as Record<string, { dependencies?: Record<string, string> }>
  const copy = (i: number, out: Record<string, unknown>) => {
    const rename = renamer(i)
    for (const [pattern, entry] of Object.entries(parsed)) {
      const at = pattern.lastIndexOf('@')
      const deps = entry.dependencies ? Object.fromEntries(Object.entries(entry.dependencies).map(([n, r]) => [rename(n), r])) : undefined
      out[`${rename(pattern.slice(0, at))}${pattern.slice(at)}`] = { ...entry, ...(deps ? { dependencies: deps } : {}) }
    }
    return out
  }
  // Sized as yarn writes it.
  const copies = Math.ceil(targetBytes / Buffer.byteLength(lockfile.stringify(copy(0, {}))))
  const out: Record<string, unknown> = {}
  for (let i = 0; i < copies; i++) copy(i, out)
  const file = path.join(work, 'synthetic-yarn', 'yarn.lock')
  execFileSync('mkdir', ['-p', path.dirname(file)])
  writeFileSync(file, lockfile.stringify(out))
  return { label: 'synthetic yarn.lock (v1)', format: 'yarn-v1', file, rel: 'yarn.lock' }
}

/**
 * Copies of a real pnpm v9 lockfile's `packages` and `snapshots` entries, text
 * as pnpm wrote it (flow `resolution: {…}`, blank lines, quoting), each copy's
 * package names suffixed `-c<i>` in keys and dependency names.
 */
function syntheticPnpmLock(targetBytes: number): Row {
  const source = path.join(corpus, 'npm/pnpm-lock-v9/snyk__nodejs-lockfile-parser__test__jest__dep-graph-builders__fixtures__pnpm-lock-v9__deeply-scoped__pnpm-lock.yaml')
  const lines = readFileSync(source, 'utf8').split('\n')
  const top = (name: string) => lines.indexOf(`${name}:`)
  const packagesAt = top('packages')
  const snapshotsAt = top('snapshots')
  if (packagesAt === -1 || snapshotsAt <= packagesAt) throw new Error('expected packages: then snapshots: in the pnpm source lockfile')
  const sectionEnd = (from: number) => {
    for (let i = from + 1; i < lines.length; i++) if (/^\S/.test(lines[i] as string)) return i
    return lines.length
  }
  const head = lines.slice(0, packagesAt)
  const packageLines = lines.slice(packagesAt + 1, sectionEnd(packagesAt))
  const snapshotLines = lines.slice(snapshotsAt + 1, sectionEnd(snapshotsAt))
  const copy = (i: number, body: string[], deps: boolean) =>
    body.map((line) => {
      // Entry keys: `  'name@ver…':` / `  name@ver…:`; dependency names (snapshots): `      name: ver`.
      if (/^ {2}\S/.test(line)) return line.replace(/^ {2}('?)(@?[^@'\s]+)@/, `  $1$2-c${i}@`)
      if (deps && /^ {6}[^\s-]/.test(line)) return line.replace(/^ {6}('?)(@?[^'\s:]+)('?):/, `      $1$2-c${i}$3:`)
      return line
    })
  const oneCopy = Buffer.byteLength([...copy(0, packageLines, false), ...copy(0, snapshotLines, true)].join('\n'))
  const copies = Math.ceil(targetBytes / oneCopy)
  const out = [...head, 'packages:']
  for (let i = 0; i < copies; i++) out.push(...copy(i, packageLines, false))
  out.push('snapshots:')
  for (let i = 0; i < copies; i++) out.push(...copy(i, snapshotLines, true))
  const file = path.join(work, 'synthetic-pnpm', 'pnpm-lock.yaml')
  execFileSync('mkdir', ['-p', path.dirname(file)])
  writeFileSync(file, out.join('\n').replace(/\n*$/, '\n'))
  return { label: 'synthetic pnpm-lock.yaml (v9)', format: 'pnpm-lock', file, rel: 'pnpm-lock.yaml' }
}

/**
 * Copies of a real TOML lockfile's `[[package]]` entries, text as the locker
 * wrote it, each copy's package names suffixed `-c<i>` (entry names, and the
 * names its entries depend on: `{ name = "…" }` references in uv.lock,
 * `[package.dependencies]` keys in poetry.lock), so every copy is its own
 * graph of distinct packages. What precedes the first entry (uv's header) or
 * follows the last (poetry's `[metadata]`) is written once.
 */
function syntheticTomlLock(kind: 'uv.lock' | 'poetry.lock', source: string, targetBytes: number): Row {
  const text = readFileSync(path.join(corpus, source), 'utf8')
  const first = text.indexOf('[[package]]')
  const tail = kind === 'poetry.lock' ? text.indexOf('\n[metadata]') + 1 : text.length
  const head = text.slice(0, first)
  const body = text.slice(first, tail).split('\n')
  const copy = (i: number): string => {
    let inDependencies = false
    return body
      .map((line) => {
        if (line.startsWith('[')) inDependencies = line === '[package.dependencies]'
        if (line.startsWith('name = "')) return line.replace(/^name = "([^"]+)"/, `name = "$1-c${i}"`)
        if (kind === 'uv.lock') return line.replace(/\{ name = "([^"]+)"/g, `{ name = "$1-c${i}"`)
        if (inDependencies) return line.replace(/^([A-Za-z0-9_.-]+) = /, `$1-c${i} = `)
        return line
      })
      .join('\n')
  }
  const copies = Math.ceil(targetBytes / Buffer.byteLength(copy(0)))
  const out = [head]
  for (let i = 0; i < copies; i++) out.push(copy(i).replace(/\n*$/, '\n\n'))
  out.push(text.slice(tail))
  const file = path.join(work, `synthetic-${kind}`, kind)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, out.join('').replace(/\n*$/, '\n'))
  return { label: `synthetic ${kind}`, format: 'toml', file, rel: kind }
}

function measure(impl: string, row: Row): Measure {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', '--max-old-space-size=8192', path.join(here, 'parse-one.ts'), impl, row.format, row.file, quick ? '3' : '5', row.rel], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  })
  return JSON.parse(out.trim().split('\n').at(-1) as string)
}

const fmt = (m: Measure) => (m.na ? 'n/a' : `${m.ms.toFixed(1)} ms / ${m.peakMb.toFixed(0)} MB`)
const ratio = (a: Measure, b: Measure) => (a.na || b.na ? 'n/a' : `${(a.ms / b.ms).toFixed(2)}x`)

const rows = largestPerFormat()
rows.push(
  syntheticTomlLock('uv.lock', 'pypi/uv-lock/fastapi__fastapi__cac584c85d__uv.lock', 10 * 1024 * 1024),
  syntheticTomlLock('poetry.lock', 'pypi/poetry-lock/python-poetry__poetry__poetry.lock', 10 * 1024 * 1024),
)
if (!quick) rows.push(syntheticPackageLock(50 * 1024 * 1024), syntheticYarnLock(20 * 1024 * 1024), syntheticPnpmLock(20 * 1024 * 1024))

const lines = [
  '| file | size | firebreak (time / peak mem) | floor: plain parse | reference parser | vs floor | vs reference | peak mem / size |',
  '|---|---|---|---|---|---|---|---|',
]
/** Formats whose extraction records dependency paths (computed lazily, on first read of `paths`). */
const HAS_PATHS = new Set(['package-lock', 'npm-shrinkwrap', 'yarn-v1', 'yarn-berry', 'pnpm-lock', 'bun-lock'])
/** PyPI lockfiles with a dependency graph (also computed lazily): the `↳` row for them too. */
const PYPI_PATHS = /^(?:poetry-lock|uv-lock|pdm-lock|pylock-toml) |^synthetic (?:uv|poetry)\.lock/
for (const row of rows) {
  const fb = measure('firebreak', row)
  const floor = measure('floor', row)
  const reference = measure('reference', row)
  const size = fb.bytes / 1024 / 1024
  const cells = (label: string, m: Measure) => `| ${label} | ${size.toFixed(1)} MB | ${fmt(m)} | ${fmt(floor)} | ${fmt(reference)} | ${ratio(m, floor)} | ${ratio(m, reference)} | ${(m.peakMb / size).toFixed(1)}x |`
  lines.push(cells(row.label, fb))
  console.log(lines.at(-1))
  if (HAS_PATHS.has(row.format) || PYPI_PATHS.test(row.label)) {
    lines.push(cells('↳ same, with every package\'s `paths` read too', measure('firebreak-paths', row)))
    console.log(lines.at(-1))
  }
}
rmSync(work, { recursive: true, force: true })

const header = `## Parsing (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores ${os.cpus()[0]?.model ?? ''}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version})`
const results = path.join(here, 'RESULTS.md')
let existing = ''
try {
  existing = readFileSync(results, 'utf8')
} catch {
  existing = '# Benchmark results\n'
}
const section = `${header}\n\nCommand: \`npm run bench:parse\`. Median of ${quick ? 3 : 5} runs per cell (the first, cold run included), each parser in a fresh process; peak memory is RSS above a process already holding the text, during the first run. The firebreak cell is what a scan reads: every package's \`name\`, \`version\`, \`line\`, \`direct\` and \`dev\` (the npm readers compute \`line\` and \`paths\` lazily, the PyPI lockfile readers \`paths\`); the \`↳\` row also reads every package's \`paths\` (what \`--inventory --json\` does), so the cost of path search is not hidden. Floors: \`JSON.parse\` for JSON, js-yaml \`load\` for YAML, jsonc-parser for bun.lock, smol-toml for TOML, \`split('\\n')\` where no plain format lies underneath (yarn v1, requirements). The \`yaml\` reference (pnpm, workflows) runs with \`uniqueKeys: false\`, as a lockfile reader would use it: with its default duplicate-key check it is quadratic in a mapping's size (minutes on the 20 MB lockfile).\n\n${lines.join('\n')}\n`
const start = existing.indexOf('## Parsing')
if (start === -1) existing = `${existing.trimEnd()}\n\n${section}`
else {
  const next = existing.indexOf('\n## ', start + 1)
  existing = existing.slice(0, start) + section + (next === -1 ? '' : existing.slice(next + 1))
}
writeFileSync(results, existing)
console.log(`\nwritten to ${results}`)
