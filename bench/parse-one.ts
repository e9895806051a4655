/**
 * Measures one parser on one file in a fresh process, so that peak memory is
 * this parser's alone: `tsx bench/parse-one.ts IMPL FORMAT FILE [RUNS] [REL]`,
 * REL being the file's repository-relative path (it decides the format).
 * Prints one JSON line: median wall time, and peak RSS above the baseline of
 * a process that already holds the file's text.
 *
 * `firebreak` reads, of every package, what a scan reads: name, version,
 * line, direct, dev (line and paths are lazy getters in the npm readers).
 * `firebreak-paths` also reads every package's `paths`, as
 * `--inventory --json` does.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'

import { ecosystemFor } from '../src/ecosystems/index.js'
import type { Package } from '../src/ecosystems/types.js'

type Impl = 'firebreak' | 'firebreak-paths' | 'floor' | 'reference'
const [impl, format, file, runsArg, relArg] = process.argv.slice(2) as [Impl, string, string, string | undefined, string | undefined]
const runs = Number(runsArg ?? 5)
const text = readFileSync(file, 'utf8')
const base = path.basename(file)
const rel = relArg ?? base
/** Keeps the values read alive so that no read can be optimised away. */
let sink = 0

function force(packages: readonly Package[], withPaths: boolean): void {
  for (const p of packages) {
    sink += p.name.length + p.version.length + (p.line ?? 0) + (p.direct ? 1 : 0) + (p.dev ? 2 : 0)
    if (withPaths) sink += p.paths?.length ?? 0
  }
}

async function parser(): Promise<() => Promise<unknown> | unknown> {
  if (impl === 'firebreak' || impl === 'firebreak-paths') {
    const match = ecosystemFor(rel)
    if (!match) throw new Error(`no ecosystem reads ${rel}`)
    return () => {
      const out = match.ecosystem.extract({ path: rel, content: text })
      if (out.errors.length > 0) throw new Error(out.errors[0]?.message)
      if (out.packages.length === 0) throw new Error(`no packages read from ${rel}`)
      force(out.packages, impl === 'firebreak-paths')
      return out
    }
  }
  switch (`${impl}:${format}`) {
    case 'floor:package-lock':
    case 'floor:npm-shrinkwrap':
    case 'floor:pipfile-lock':
    case 'reference:pipfile-lock':
      return () => JSON.parse(text)
    case 'reference:package-lock':
    case 'reference:npm-shrinkwrap': {
      const { default: Arborist } = await import('@npmcli/arborist')
      const dir = await mkdtemp(path.join(tmpdir(), 'fb-bench-'))
      await writeFile(path.join(dir, base), text)
      await writeFile(path.join(dir, 'package.json'), JSON.stringify(JSON.parse(text).packages?.[''] ?? { name: 'x' }))
      // Synchronously: an exit handler cannot wait for a promise, and the copy can be 50 MB.
      process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
      return () => new Arborist({ path: dir }).loadVirtual()
    }
    case 'reference:yarn-v1': {
      const lockfile = createRequire(import.meta.url)('@yarnpkg/lockfile') as typeof import('@yarnpkg/lockfile')
      return () => lockfile.parse(text)
    }
    case 'floor:yarn-v1':
      // No plain format underneath yarn v1: splitting into lines is the least any reader does.
      return () => text.split('\n')
    case 'reference:yarn-berry': {
      const { parseSyml } = await import('@yarnpkg/parsers')
      return () => parseSyml(text)
    }
    case 'floor:yarn-berry':
    case 'floor:pnpm-lock':
    case 'floor:workflow': {
      const jsYaml = await import('js-yaml')
      return () => jsYaml.load(text)
    }
    case 'reference:pnpm-lock':
    case 'reference:workflow': {
      const { parseAllDocuments } = await import('yaml')
      // Without the duplicate-key check, as a lockfile reader would use it (and as firebreak's
      // fallback does): with it, `yaml` is quadratic in a mapping's size, minutes on the 20 MB file,
      // which would make any comparison meaningless.
      return () => parseAllDocuments(text, { uniqueKeys: false }).map((d) => ('toJS' in d ? d.toJS() : undefined))
    }
    case 'floor:bun-lock':
    case 'reference:bun-lock': {
      const { parse } = await import('jsonc-parser')
      return () => parse(text, [], { allowTrailingComma: true })
    }
    case 'floor:toml':
    case 'reference:toml': {
      const { parse } = await import('smol-toml')
      return () => parse(text)
    }
    case 'floor:requirements':
      return () => text.split('\n')
    default:
      return undefined as never
  }
}

const fn = await parser()
if (!fn) {
  console.log(JSON.stringify({ impl, format, na: true }))
  process.exit(0)
}
/** Peak RSS (VmHWM) in bytes on Linux, which can be reset to the current RSS by writing 5 to clear_refs. */
function highWater(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    return m ? Number(m[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}
function resetHighWater(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}

globalThis.gc?.()
const baseline = process.memoryUsage().rss
// Setup (tsx, imports, reading the file) may have peaked higher than anything the parser does:
// reset the high-water mark so that the peak is this run's own.
const resettable = resetHighWater() && highWater() !== undefined
const maxBefore = process.resourceUsage().maxRSS * 1024
let peak = baseline
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
const first = performance.now()
await fn()
const firstMs = performance.now() - first
clearInterval(sampler)
if (resettable) peak = Math.max(peak, highWater() as number)
else {
  // maxRSS (KB) covers the whole process: it only says something about this run when it grew during it.
  const maxAfter = process.resourceUsage().maxRSS * 1024
  if (maxAfter > maxBefore) peak = Math.max(peak, maxAfter)
}
const times: number[] = [firstMs]
for (let i = 1; i < runs; i++) {
  const t = performance.now()
  await fn()
  times.push(performance.now() - t)
}
times.sort((a, b) => a - b)
console.log(JSON.stringify({ impl, format, ms: times[Math.floor(times.length / 2)], runs: times.map((t) => Math.round(t)), peakMb: (peak - baseline) / 1024 / 1024, bytes: Buffer.byteLength(text), sink }))
