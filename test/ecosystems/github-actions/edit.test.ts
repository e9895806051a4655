import { describe, expect, it } from 'vitest'

import { githubActions } from '../../../src/ecosystems/github-actions/index.js'
import { isRefusal, type Change } from '../../../src/ecosystems/types.js'
import { applyReplacements } from '../../../src/remediate/diff.js'
import { prove } from '../../../src/remediate/prove.js'

const SHA = 'c3a1bb2c992d77180ae65be6ae6c166cf40f857c'
const change: Change = { name: 'tj-actions/changed-files', to: 'v46.0.1', affected: [], found: ['v45', 'v45.0.7'], sha: SHA }

function pin(content: string, c: Change = change): string | undefined {
  const path = '.github/workflows/ci.yml'
  const result = githubActions.pin!({ path, content }, c)
  if (result === undefined) return undefined
  if (isRefusal(result)) throw new Error(result.refused)
  const proof = prove(githubActions, { path, content }, result, c, 'pin')
  if (!proof.ok) throw new Error(proof.reason)
  return applyReplacements(content, result.replacements)
}

const job = (uses: string, eol = '\n') => `on: push${eol}jobs:${eol}  build:${eol}    runs-on: ubuntu-latest${eol}    steps:${eol}      - uses: actions/checkout@v4${eol}      - ${uses}${eol}`

describe('pin a GitHub Action to a commit', () => {
  it.each([
    ['plain', 'uses: tj-actions/changed-files@v45', `uses: tj-actions/changed-files@${SHA} # v46.0.1`],
    ['double-quoted', 'uses: "tj-actions/changed-files@v45"', `uses: "tj-actions/changed-files@${SHA}" # v46.0.1`],
    ['single-quoted', "uses: 'tj-actions/changed-files@v45.0.7'", `uses: 'tj-actions/changed-files@${SHA}' # v46.0.1`],
    ['a version comment is replaced', 'uses: tj-actions/changed-files@v45 # v45', `uses: tj-actions/changed-files@${SHA} # v46.0.1`],
    ['another comment is kept', 'uses: tj-actions/changed-files@v45  # see #123', `uses: tj-actions/changed-files@${SHA}  # v46.0.1 # see #123`],
    ['flow mapping', '{ uses: tj-actions/changed-files@v45, with: { files: "*.md" } }', `{ uses: tj-actions/changed-files@${SHA}, with: { files: "*.md" } } # v46.0.1`],
  ])('%s', (_name, uses, expected) => {
    expect(pin(job(uses))).toBe(job(expected))
  })

  it('keeps CRLF line endings', () => {
    expect(pin(job('uses: tj-actions/changed-files@v45', '\r\n'))).toBe(job(`uses: tj-actions/changed-files@${SHA} # v46.0.1`, '\r\n'))
  })

  it('pins a reusable workflow at job level, and leaves other refs alone', () => {
    const before = 'jobs:\n  a:\n    uses: tj-actions/changed-files/.github/workflows/x.yml@v45\n  b:\n    steps:\n      - uses: tj-actions/changed-files@v44\n'
    const c = { ...change, name: 'tj-actions/changed-files/.github/workflows/x.yml' }
    expect(pin(before, c)).toBe(`jobs:\n  a:\n    uses: tj-actions/changed-files/.github/workflows/x.yml@${SHA} # v46.0.1\n  b:\n    steps:\n      - uses: tj-actions/changed-files@v44\n`)
  })

  it('ignores uses: in comments and run scripts', () => {
    const before = 'jobs:\n  a:\n    steps:\n      # - uses: tj-actions/changed-files@v45\n      - run: |\n          echo "uses: tj-actions/changed-files@v45"\n'
    expect(pin(before)).toBeUndefined()
  })

  it('refuses without a verified commit', () => {
    const result = githubActions.pin!({ path: 'ci.yml', content: job('uses: tj-actions/changed-files@v45') }, { ...change, sha: undefined })
    expect(isRefusal(result) && result.refused).toMatch(/no verified commit/)
  })
})
