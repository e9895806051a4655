import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'

import type { JournalRecord } from '../../src/runner/journal.js'
import type { RunMeta } from '../../src/runner/runs.js'

export const RUN_ID = '20250908T131600000Z-abc123'

export function meta(overrides: Partial<RunMeta> = {}): RunMeta {
  return {
    schema: 'firebreak.run/1',
    id: RUN_ID,
    playbook: 'compromised-npm-package',
    playbookFile: '/playbooks/compromised-npm-package.yml',
    playbookSha256: '0'.repeat(64),
    apply: true,
    inputs: {},
    startedAt: '2025-09-08T13:16:00.000Z',
    attempt: 1,
    // A pid that is not alive, so a run without run-end reads as interrupted.
    pid: 2 ** 22 + 12345,
    host: 'ci-runner-1',
    ...overrides,
  }
}

/** Writes run.json and journal.jsonl for hand-written records; returns the run directory. */
export function writeRun(runsDir: string, records: readonly JournalRecord[], metaOverrides: Partial<RunMeta> = {}, tail = ''): string {
  const m = meta(metaOverrides)
  const dir = join(runsDir, m.id)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'run.json'), JSON.stringify(m, null, 2))
  writeFileSync(join(dir, 'journal.jsonl'), records.map((r) => JSON.stringify(r) + '\n').join('') + tail)
  return dir
}

let clock = Date.parse('2025-09-08T13:16:00.000Z')
export function at(): string {
  clock += 1000
  return new Date(clock).toISOString()
}

export const ADVISORY = {
  id: 'MAL-2025-46969',
  ids: ['MAL-2025-46969'],
  aliases: ['GHSA-2v46-p5h4-248w'],
  summary: 'Malicious code in chalk (npm)',
  package: 'chalk',
  ecosystem: 'npm',
  versions: ['5.6.1'],
  references: ['https://github.com/advisories/GHSA-2v46-p5h4-248w'],
  url: 'https://github.com/advisories/GHSA-2v46-p5h4-248w',
}

export function finding(repo: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    advisory: 'MAL-2025-46969', repo, file: 'package-lock.json', line: 18, ecosystem: 'npm', name: 'chalk', version: '5.6.1',
    direct: false, dev: false, certainty: 'resolved', paths: [[repo, 'debug', 'chalk']], ...overrides,
  }
}

export function scanValue(repo: string, findings: Record<string, unknown>[], files = ['package-lock.json', 'package.json'], errors: Record<string, unknown>[] = []): unknown {
  return { repo: { name: repo, ref: 'main', commit: 'a'.repeat(40), files }, packages: [], findings, errors }
}

/**
 * A whole applied run: scan of five repositories, pin and open-pull-requests
 * records in the shape src/report/types.ts defines, find-files matches.
 */
export function remediationJournal(): JournalRecord[] {
  const r: JournalRecord[] = []
  const push = (record: Record<string, unknown>): void => {
    r.push({ ...record, at: at() } as JournalRecord)
  }
  push({ type: 'run-start', run: RUN_ID, playbook: 'compromised-npm-package', playbookFile: '/p.yml', apply: true, inputs: {}, attempt: 1, pid: 1 })
  push({ type: 'step-start', step: 'scan', uses: 'scan', planned: false })
  const scans: Array<[string, unknown]> = [
    ['api', scanValue('api', [finding('api')], ['package-lock.json', 'package.json', '.github/workflows/ci.yml'])],
    ['web', scanValue('web', [finding('web', { direct: true, paths: [['web', 'chalk']] })])],
    ['worker', scanValue('worker', [finding('worker', { certainty: 'range', version: '^5.6.0', file: 'package.json', line: 7, paths: [['chalk']] })], ['package.json'])],
    ['legacy', scanValue('legacy', [finding('legacy')])],
    ['docs', scanValue('docs', [], ['package.json'], [{ repo: 'docs', file: 'yarn.lock', line: 3, message: 'could not be parsed' }])],
    ['clean', scanValue('clean', [], ['package.json'])],
  ]
  for (const [repo, value] of scans) {
    push({ type: 'action-start', step: 'scan', repo, key: 'scan' })
    push({ type: 'action-end', step: 'scan', repo, key: 'scan', status: 'done', value })
  }
  push({ type: 'step-output', step: 'scan', name: 'affected-repos', value: 4 })
  push({ type: 'step-end', step: 'scan', status: 'success', outcome: 'affected', summary: '6 repositories scanned, 4 affected', advisory: ADVISORY })
  push({ type: 'step-start', step: 'iocs', uses: 'find-files', planned: false })
  push({ type: 'action-end', step: 'iocs', repo: 'api', key: 'find-files', status: 'done', value: { repo: 'api', filesSeen: 12, bytesSearched: 999, errors: [], matches: [{ kind: 'path', file: '.github/workflows/shai-hulud-workflow.yml', rule: '**/shai-hulud-workflow.yml' }, { kind: 'hash', file: 'bundle.js', rule: 'b'.repeat(64), sha256: 'b'.repeat(64), name: 'bundle.js variant 1' }] } })
  push({ type: 'action-end', step: 'iocs', repo: 'web', key: 'find-files', status: 'done', value: { repo: 'web', filesSeen: 3, bytesSearched: 10, errors: [], matches: [] } })
  push({ type: 'step-end', step: 'iocs', status: 'success', outcome: 'affected', summary: '2 matches' })
  push({ type: 'step-start', step: 'pin', uses: 'pin', planned: false })
  for (const repo of ['api', 'web']) {
    push({ type: 'action-start', step: 'pin', repo, key: 'pin' })
    push({
      type: 'action-end', step: 'pin', repo, key: 'pin', status: 'done',
      value: { branch: 'firebreak/MAL-2025-46969', base: 'main', commit: 'c'.repeat(40), files: ['package.json', 'package-lock.json'], changes: [{ file: 'package.json', package: 'chalk', from: '5.6.1', to: '5.6.2', line: 12 }], checks: [{ name: 'lockfile regenerated with --ignore-scripts', ok: true }, { name: 're-scan clean', ok: true }] },
    })
  }
  push({ type: 'action-end', step: 'pin', repo: 'worker', key: 'pin', status: 'skipped', reason: 'no safe version satisfies ^5.6.0 without a major upgrade' })
  push({ type: 'action-start', step: 'pin', repo: 'legacy', key: 'pin' })
  push({ type: 'action-end', step: 'pin', repo: 'legacy', key: 'pin', status: 'failed', error: 'git push rejected' })
  push({ type: 'step-end', step: 'pin', status: 'success', summary: '2 pinned' })
  push({ type: 'step-start', step: 'prs', uses: 'open-pull-requests', planned: false })
  push({ type: 'action-end', step: 'prs', repo: 'api', key: 'pull-request', status: 'done', value: { pullRequest: { number: 41, url: 'https://github.com/acme/api/pull/41', state: 'merged', title: 'Pin chalk' } } })
  push({ type: 'action-end', step: 'prs', repo: 'web', key: 'pull-request', status: 'done', value: { pullRequest: { number: 7, url: 'https://github.com/acme/web/pull/7', state: 'open' } } })
  push({ type: 'step-end', step: 'prs', status: 'success', summary: '2 pull requests' })
  push({ type: 'note', step: 'prs', message: 'rate limit reached once; waited 3 s' })
  push({ type: 'run-end', state: 'completed', outcome: 'unfixed' })
  return r
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The vendored OASIS schema is draft-04; ajv reads it once `id` is `$id`. */
export function sarifValidator(): ReturnType<Ajv['compile']> {
  const schema = JSON.parse(readFileSync(join(root, 'test/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>
  const { id, $schema: _draft, ...rest } = schema
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false })
  addFormats.default(ajv)
  return ajv.compile({ ...rest, $id: String(id) })
}

