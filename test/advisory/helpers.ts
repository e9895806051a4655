import { fileURLToPath } from 'node:url'

import { loadAdvisoryFile } from '../../src/advisory/load.js'
import type { Advisory } from '../../src/advisory/types.js'

/** test/fixtures/advisories: real records, provenance in MANIFEST.tsv beside them. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/advisories/', import.meta.url))

export function fixture(id: string): string {
  return `${FIXTURES}${id}.json`
}

export async function record(id: string): Promise<Advisory> {
  const [advisory] = await loadAdvisoryFile(fixture(id))
  return advisory!
}
