/** The npm part of the corpus (test/fixtures/corpus/MANIFEST.tsv), with each file's real base name. */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

export const CORPUS_DIR = fileURLToPath(new URL('../../fixtures/corpus/', import.meta.url))

export interface CorpusFile {
  format: string
  savedPath: string
  /** The base name the file has in its repository. */
  name: string
  repo: string
  pathInRepo: string
  note: string
  content: string
}

export function npmCorpus(format?: string): CorpusFile[] {
  const lines = readFileSync(join(CORPUS_DIR, 'MANIFEST.tsv'), 'utf8').split('\n')
  const out: CorpusFile[] = []
  for (const line of lines.slice(1)) {
    const [ecosystem, fmt, savedPath, repo, pathInRepo, , , note] = line.split('\t')
    if (ecosystem !== 'npm' || !fmt || !savedPath || !pathInRepo || !repo) continue
    if (format !== undefined && fmt !== format) continue
    const name = pathInRepo.slice(pathInRepo.lastIndexOf('/') + 1)
    out.push({ format: fmt, savedPath, name, repo, pathInRepo, note: note ?? '', content: readFileSync(join(CORPUS_DIR, savedPath), 'utf8') })
  }
  return out
}
