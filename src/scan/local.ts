import { localSnapshot } from '../sources/local/snapshot.js'
import type { Matcher } from './match.js'
import { addRepoScan, emptyResult, scanSnapshot } from './scan.js'
import type { ScanResult } from './types.js'

export interface ScanProgress {
  repo: string
  filesRead: number
  findings: number
  phase: 'walk' | 'read'
}

export interface LocalScanOptions {
  matcher?: Matcher
  inventory?: boolean
  maxFileBytes?: number
  signal?: AbortSignal
  onProgress?: (progress: ScanProgress) => void
}

/** `firebreak scan PATH...`: each path is one repository (a directory) or one file. */
export async function scanPaths(paths: readonly string[], options: LocalScanOptions = {}): Promise<ScanResult> {
  const result = emptyResult()
  let filesRead = 0
  for (const target of paths) {
    const snapshot = await localSnapshot(target, {
      maxFileBytes: options.maxFileBytes,
      signal: options.signal,
      onProgress: (_seen) => options.onProgress?.({ repo: target, filesRead, findings: result.findings.length, phase: 'walk' }),
    })
    const scan = await scanSnapshot(snapshot, {
      matcher: options.matcher,
      inventory: options.inventory,
      signal: options.signal,
      onFile: (repo) => {
        filesRead++
        options.onProgress?.({ repo, filesRead, findings: result.findings.length, phase: 'read' })
      },
    })
    addRepoScan(result, scan, options.inventory ?? false)
  }
  if (options.inventory) result.packages ??= []
  return result
}
