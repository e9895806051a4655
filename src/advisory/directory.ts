import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

import type { EcosystemId } from '../ecosystems/types.js'
import { AdvisoryError } from '../errors.js'
import { osvEcosystemId, versionKits } from './ecosystems.js'
import { mergeByAlias } from './merge.js'
import { parseJson, parseOsvDocument } from './osv.js'
import type { Advisory } from './types.js'

/**
 * A directory of OSV records, such as a checkout of ossf/malicious-packages
 * (tens of thousands of files). Nothing is read until asked: the file list is
 * walked once; records laid out as `…/malicious/<ecosystem>/<name…>/<ID>.json`
 * are indexed from their path alone, so asking for one package reads only its
 * own files. Records elsewhere are read once, on first need, and indexed by
 * their `affected` packages. `withdrawn/` folders, records with `withdrawn`,
 * dot-folders, node_modules and non-JSON files are skipped.
 */
const SKIP_DIRS = new Set(['node_modules', 'withdrawn'])
const PATH_ECOSYSTEMS: Record<string, string> = { npm: 'npm', pypi: 'PyPI', 'github-actions': 'GitHub Actions', 'github actions': 'GitHub Actions' }
const CONCURRENCY = 32

interface Indexed {
  /** `${ecosystemId}\0${normalisedName}` → files. */
  byPackage: Map<string, string[]>
  /** Files whose package is not known from the path. */
  unplaced: string[]
  all: string[]
}

/** Records in id order, so the id a merged incident keeps does not depend on the folder layout. */
function byId(records: Advisory[]): Advisory[] {
  return [...new Set(records)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

function key(ecosystemId: EcosystemId, normalisedName: string): string {
  return `${ecosystemId}\0${normalisedName}`
}

export class AdvisoryDirectory {
  readonly root: string
  private index?: Promise<Indexed>
  private unplacedIndex?: Promise<Map<string, Advisory[]>>
  private readonly parsed = new Map<string, Promise<Advisory[]>>()

  constructor(root: string) {
    this.root = root
  }

  /** Advisories (merged by alias) that name this package; withdrawn ones are left out. */
  async forPackage(ecosystemId: EcosystemId, name: string): Promise<Advisory[]> {
    const normalised = versionKits[ecosystemId].versioning.normaliseName(name)
    const index = await this.getIndex()
    const files = index.byPackage.get(key(ecosystemId, normalised)) ?? []
    const records = (await this.readAll(files)).flat()
    if (index.unplaced.length > 0) records.push(...((await this.getUnplacedIndex()).get(key(ecosystemId, normalised)) ?? []))
    const named = records.filter((a) => !a.withdrawn && a.affected.some((p) => p.ecosystemId === ecosystemId && p.normalisedName === normalised))
    return mergeByAlias(byId(named))
  }

  /** Every record that is not withdrawn, merged by alias. Reads every file. */
  async all(): Promise<Advisory[]> {
    const index = await this.getIndex()
    const records = (await this.readAll(index.all)).flat()
    return mergeByAlias(byId(records.filter((a) => !a.withdrawn)))
  }

  /** The packages named by file paths, without reading any record (for scans that want to pre-filter). */
  async indexedPackages(): Promise<Array<{ ecosystemId: EcosystemId; name: string }>> {
    const index = await this.getIndex()
    return [...index.byPackage.keys()].map((k) => {
      const [ecosystemId, name] = k.split('\0') as [EcosystemId, string]
      return { ecosystemId, name }
    })
  }

  private getIndex(): Promise<Indexed> {
    this.index ??= this.buildIndex()
    return this.index
  }

  private async buildIndex(): Promise<Indexed> {
    const files: string[] = []
    await this.walk(this.root, files)
    const byPackage = new Map<string, string[]>()
    const unplaced: string[] = []
    for (const file of files) {
      const placed = this.placeFromPath(file)
      if (placed === null) continue
      if (placed === undefined) {
        unplaced.push(file)
        continue
      }
      byPackage.set(placed, [...(byPackage.get(placed) ?? []), file])
    }
    return { byPackage, unplaced, all: files }
  }

  private async walk(dir: string, out: string[]): Promise<void> {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (err) {
      throw new AdvisoryError(`${dir}: cannot read the advisory directory (${(err as Error).message})`, undefined, err)
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue
        await this.walk(path, out)
      } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) {
        out.push(path)
      }
    }
  }

  /**
   * `…/malicious/npm/@scope/name/MAL-….json` → npm + `@scope/name`; null for an
   * ecosystem firebreak does not read (still part of `all()`); undefined when
   * the path does not say.
   */
  private placeFromPath(file: string): string | null | undefined {
    const parts = relative(this.root, file).split(sep)
    const at = parts.lastIndexOf('malicious')
    if (at === -1 || parts.length - at < 4) return undefined
    const ecosystemId = osvEcosystemId(PATH_ECOSYSTEMS[parts[at + 1]!.toLowerCase()] ?? parts[at + 1]!)
    if (!ecosystemId) return null
    const name = parts.slice(at + 2, -1).join('/')
    return key(ecosystemId, versionKits[ecosystemId].versioning.normaliseName(name))
  }

  private getUnplacedIndex(): Promise<Map<string, Advisory[]>> {
    this.unplacedIndex ??= (async () => {
      const index = await this.getIndex()
      const map = new Map<string, Advisory[]>()
      for (const advisory of (await this.readAll(index.unplaced)).flat()) {
        for (const p of advisory.affected) {
          if (!p.ecosystemId) continue
          const k = key(p.ecosystemId, p.normalisedName)
          const list = map.get(k) ?? []
          if (!list.includes(advisory)) list.push(advisory)
          map.set(k, list)
        }
      }
      return map
    })()
    return this.unplacedIndex
  }

  private async readAll(files: string[]): Promise<Advisory[][]> {
    const out: Advisory[][] = new Array(files.length)
    let next = 0
    const worker = async () => {
      while (next < files.length) {
        const i = next++
        out[i] = await this.read(files[i]!)
      }
    }
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker))
    return out
  }

  private read(file: string): Promise<Advisory[]> {
    let cached = this.parsed.get(file)
    if (!cached) {
      cached = readFile(file, 'utf8').then(
        (text) => parseOsvDocument(parseJson(text, file), file),
        (err: Error) => {
          throw new AdvisoryError(`${file}: cannot read (${err.message})`, undefined, err)
        },
      )
      this.parsed.set(file, cached)
    }
    return cached
  }
}
