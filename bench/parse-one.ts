/**
 * Measures one parser on one file in a fresh process, so that peak memory is
 * this parser's alone: `tsx bench/parse-one.ts IMPL FORMAT FILE [RUNS]`.
 * Prints one JSON line: median wall time, and peak RSS above the baseline of
 * a process that already holds the file's text.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'

import { ecosystemFor } from '../src/ecosystems/index.js'

type Impl = 'firebreak' | 'floor' | 'reference'
const [impl, format, file, runsArg] = process.argv.slice(2) as [Impl, string, string, string | undefined]
const runs = Number(runsArg ?? 5)
const text = readFileSync(file, 'utf8')
const base = path.basename(file)

async function parser(): Promise<() => Promise<unknown> | unknown> {
  if (impl === 'firebreak') {
    const match = ecosystemFor(format === 'workflow' ? `.github/workflows/${base}` : base)
    if (!match) throw new Error(`no ecosystem reads ${base}`)
    return () => {
      const out = match.ecosystem.extract({ path: base, content: text })
      if (out.errors.length > 0) throw new Error(out.errors[0]?.message)
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
      process.on('exit', () => void rm(dir, { recursive: true, force: true }))
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
      return () => parseAllDocuments(text).map((d) => ('toJS' in d ? d.toJS() : undefined))
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
globalThis.gc?.()
const baseline = process.memoryUsage().rss
let peak = baseline
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
const first = performance.now()
await fn()
const firstMs = performance.now() - first
clearInterval(sampler)
// maxRSS is in KB and covers the whole process; it catches peaks between samples.
peak = Math.max(peak, process.resourceUsage().maxRSS * 1024)
const times: number[] = [firstMs]
for (let i = 1; i < runs; i++) {
  const t = performance.now()
  await fn()
  times.push(performance.now() - t)
}
times.sort((a, b) => a - b)
console.log(JSON.stringify({ impl, format, ms: times[Math.floor(times.length / 2)], peakMb: (peak - baseline) / 1024 / 1024, bytes: Buffer.byteLength(text) }))
