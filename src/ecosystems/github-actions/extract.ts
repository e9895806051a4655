/**
 * GitHub Actions: workflows directly in `.github/workflows/` and action
 * metadata (`action.yml` / `action.yaml`) anywhere, both read by one module.
 */
import type { Extraction, SourceFile } from '../types.js'
import { extractWorkflow } from './workflow.js'

export type ActionsKind = 'workflow' | 'action.yml'

export function matches(path: string): ActionsKind | undefined {
  // Called for every file of every tree listed: the patterns only for YAML names.
  if (!path.endsWith('.yml') && !path.endsWith('.yaml')) return undefined
  if (/(?:^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) return 'workflow'
  if (/(?:^|\/)action\.ya?ml$/.test(path)) return 'action.yml'
  return undefined
}

export function extract(file: SourceFile): Extraction {
  // A file under another name (a fixture, a template) is read as a workflow: both shapes are looked for anyway.
  const kind = matches(file.path) ?? 'workflow'
  try {
    return extractWorkflow(file, kind)
  } catch (err) {
    // The extractor returns problems as values; this is the last guard against a bug or a stack overflow.
    return { kind, packages: [], ranges: [], errors: [{ file: file.path, message: `could not read the file: ${err instanceof Error ? err.message : String(err)}` }] }
  }
}
