/**
 * Which npm files firebreak reads, and the dispatch to one reader per format.
 * `matches` decides by name only (the walker's job is cheap); `extract` also
 * recognises renamed files (test fixtures like `alias.v1.json`) by content.
 */
import type { Extraction, SourceFile } from '../types.js'
import { extractBunLock } from './bun-lock.js'
import { describe } from './common.js'
import { extractPackageJson } from './package-json.js'
import { extractPackageLock } from './package-lock.js'
import { extractPnpmLock } from './pnpm-lock.js'
import { extractPnpmWorkspace } from './pnpm-workspace.js'
import { extractYarnBerry } from './yarn-berry.js'
import { extractYarnV1 } from './yarn-v1.js'

/** A Map, not an object: looked up with every file name of every tree, most of them new strings. */
const KINDS: ReadonlyMap<string, string> = new Map(Object.entries({
  'package.json': 'package.json',
  'package-lock.json': 'package-lock.json',
  'npm-shrinkwrap.json': 'npm-shrinkwrap.json',
  'yarn.lock': 'yarn.lock',
  'pnpm-lock.yaml': 'pnpm-lock.yaml',
  'shrinkwrap.yaml': 'shrinkwrap.yaml',
  'pnpm-workspace.yaml': 'pnpm-workspace.yaml',
  'bun.lock': 'bun.lock',
}))

function baseName(path: string): string {
  const i = path.lastIndexOf('/')
  return i === -1 ? path : path.slice(i + 1)
}

/** The file kind for a repository-relative path, or undefined when npm does not read it. */
export function matches(path: string): string | undefined {
  return KINDS.get(baseName(path))
}

/** Guesses the format of a file whose name is not a standard one, from its first bytes. */
function sniff(name: string, content: string): string | undefined {
  const head = content.slice(0, 4096)
  const trimmed = head.trimStart()
  if (trimmed.startsWith('{')) {
    if (/"lockfileVersion"/.test(head)) {
      // bun.lock keeps `workspaces` as an object keyed by folder; npm's lock has `packages`/`requires`.
      if (/\.json[5c]$/.test(name) || /"workspaces"\s*:\s*\{\s*""/.test(head)) return 'bun.lock'
      return 'package-lock.json'
    }
    return 'package.json'
  }
  if (/^__metadata:/m.test(head)) return 'yarn.lock'
  if (/^# yarn lockfile v1/m.test(head)) return 'yarn.lock'
  if (/^(?:lockfileVersion|shrinkwrapVersion):/m.test(head)) return 'pnpm-lock.yaml'
  if (/^(?:packages|catalogs?|overrides):/m.test(head)) return 'pnpm-workspace.yaml'
  if (name.endsWith('.lock')) return 'yarn.lock'
  return undefined
}

function isBerry(content: string): boolean {
  const head = content.slice(0, 4096)
  if (/^# yarn lockfile v1/m.test(head)) return false
  return /^__metadata:/m.test(head)
}

/** Pure: reads one npm file. Never throws; problems are returned in `errors`. */
export function extract(file: SourceFile): Extraction {
  const name = baseName(file.path)
  try {
    const kind = matches(file.path) ?? sniff(name, file.content)
    switch (kind) {
      case 'package.json':
        return extractPackageJson(file.path, file.content)
      case 'package-lock.json':
        return extractPackageLock(file.path, file.content, name === 'npm-shrinkwrap.json' ? name : 'package-lock.json')
      case 'npm-shrinkwrap.json':
        return extractPackageLock(file.path, file.content, 'npm-shrinkwrap.json')
      case 'yarn.lock':
        return isBerry(file.content) ? extractYarnBerry(file.path, file.content) : extractYarnV1(file.path, file.content)
      case 'pnpm-lock.yaml':
        return extractPnpmLock(file.path, file.content, 'pnpm-lock.yaml')
      case 'shrinkwrap.yaml':
        return extractPnpmLock(file.path, file.content, 'shrinkwrap.yaml')
      case 'pnpm-workspace.yaml':
        return extractPnpmWorkspace(file.path, file.content)
      case 'bun.lock':
        return extractBunLock(file.path, file.content)
      default:
        return {
          kind: 'unknown',
          packages: [],
          ranges: [],
          errors: [{ file: file.path, message: `not an npm manifest or lockfile: expected one of ${[...KINDS.keys()].join(', ')}` }],
        }
    }
  } catch (error) {
    // Every reader catches its own errors; this is the last line of defence.
    return { kind: name, packages: [], ranges: [], errors: [{ file: file.path, message: `could not read file: ${describe(error)}` }] }
  }
}
