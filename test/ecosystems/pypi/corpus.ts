/** The real files of test/fixtures/corpus, with the name each had in its repository. */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface CorpusFile {
  ecosystem: string
  format: string
  /** Path inside the source repository: what extract() is called with. */
  path: string
  saved: string
  note: string
  content: string
}

const ROOT = fileURLToPath(new URL('../../fixtures/corpus/', import.meta.url))

export function corpus(ecosystem: string): CorpusFile[] {
  const rows = readFileSync(ROOT + 'MANIFEST.tsv', 'utf8').split('\n').slice(1).filter(Boolean)
  return rows
    .map((row) => row.split('\t'))
    .filter((cols) => cols[0] === ecosystem)
    .map((cols) => ({
      ecosystem: cols[0] ?? '',
      format: cols[1] ?? '',
      saved: cols[2] ?? '',
      path: cols[4] ?? '',
      note: cols[7] ?? '',
      content: readFileSync(ROOT + (cols[2] ?? ''), 'utf8'),
    }))
}

/** Test names: the saved file name is unique, the repository path is not. */
export function label(file: CorpusFile): string {
  return file.saved.split('/').pop() ?? file.saved
}

export function normalize(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase()
}
