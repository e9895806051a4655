import { lstat, stat } from 'node:fs/promises'
import path from 'node:path'

import { simpleGit } from 'simple-git'

import { ecosystemFor } from '../../ecosystems/index.js'
import { InputError } from '../../errors.js'
import type { RepoFile, RepoSnapshot } from '../../scan/snapshot.js'
import { DEFAULT_MAX_FILE_BYTES, readTextFile } from './read.js'
import { walkTree, type WalkOptions } from './walk.js'

export interface LocalOptions extends WalkOptions {
  maxFileBytes?: number
}

/**
 * A local path as a repository: a directory is walked; a single file is read
 * with its format taken from its name. The repository name is the directory's
 * name, as DESIGN.md's scan contract says.
 */
export async function localSnapshot(target: string, options: LocalOptions = {}): Promise<RepoSnapshot> {
  const info = await stat(target).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(error.code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${error.message}`, { file: target })
  })
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES
  if (info.isDirectory()) return directorySnapshot(path.resolve(target), maxBytes, options)
  if (info.isFile()) return fileSnapshot(path.resolve(target), maxBytes)
  throw new InputError('not a regular file or directory', { file: target })
}

async function directorySnapshot(root: string, maxBytes: number, options: WalkOptions): Promise<RepoSnapshot> {
  const walk = await walkTree(root, options)
  const files: RepoFile[] = walk.files.map((f) => ({
    path: f.path,
    ecosystem: f.ecosystem,
    kind: f.kind,
    read: () => readTextFile(f.absolute, maxBytes),
  }))
  const git = await gitIdentity(root)
  return {
    name: path.basename(root),
    ...git,
    files,
    errors: walk.errors,
    async readOther(rel) {
      const absolute = path.join(root, rel)
      const linkInfo = await lstat(absolute).catch(() => undefined)
      if (!linkInfo) return undefined
      if (linkInfo.isSymbolicLink()) return { ok: false, message: 'symbolic link not followed; the file it points to was not read' }
      if (!linkInfo.isFile()) return { ok: false, message: 'not a regular file' }
      return readTextFile(absolute, maxBytes)
    },
  }
}

/** The format comes from the name; workflows need their `.github/workflows/` parents to be recognised. */
async function fileSnapshot(absolute: string, maxBytes: number): Promise<RepoSnapshot> {
  const segments = absolute.split(path.sep)
  for (let take = 1; take <= Math.min(3, segments.length - 1); take++) {
    const rel = segments.slice(-take).join('/')
    const match = ecosystemFor(rel)
    if (!match) continue
    const root = segments.slice(0, -take).join(path.sep) || path.sep
    return {
      name: path.basename(root),
      files: [{ path: rel, ecosystem: match.ecosystem.id, kind: match.kind, read: () => readTextFile(absolute, maxBytes) }],
      // One file asked for, one file read: its includes are files of their own (INVENTORY.md).
      errors: [],
    }
  }
  throw new InputError('is not a manifest, lockfile or workflow that firebreak reads', {
    file: absolute,
    suggestion: 'name the file as its tool does (package-lock.json, poetry.lock, requirements.txt, .github/workflows/ci.yml, …)',
  })
}

async function gitIdentity(root: string): Promise<{ ref?: string; commit?: string }> {
  const dotGit = await stat(path.join(root, '.git')).catch(() => undefined)
  if (!dotGit) return {}
  try {
    const git = simpleGit(root)
    const commit = (await git.revparse(['HEAD'])).trim()
    const ref = (await git.revparse(['--abbrev-ref', 'HEAD'])).trim()
    return { commit, ref: ref === 'HEAD' ? undefined : ref }
  } catch {
    // A repository with no commits yet has no identity to report.
    return {}
  }
}
