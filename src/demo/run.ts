import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { startRun, type RunResult } from '../runner/run.js'
import { buildActionHost, buildDemoOrg, DEMO_ADVISORIES, PACKAGE_ROOT } from './org.js'

export interface DemoOptions {
  /** Where to build the organisation and keep the run (default: a new temporary folder). */
  dir?: string
  log?: (line: string) => void
}

export interface DemoResult {
  dir: string
  repos: string[]
  run: RunResult
  reports: { md: string; html: string }
}

/**
 * Real records of September 2025 (chalk and debug), July 2025 (num2words)
 * and March 2025 (tj-actions/changed-files).
 */
export const DEMO_ADVISORY_FILES = ['MAL-2025-46969.json', 'MAL-2025-46974.json', 'MAL-2025-6794.json', 'GHSA-mrrh-fwg8-r2c3.json']

/** The versions each package goes to: the releases just outside each advisory. */
export const DEMO_SAFE_VERSIONS = 'chalk=5.6.2, debug=4.4.3, num2words=0.5.14, tj-actions/changed-files=v46.0.1'

export const DEMO_PLAYBOOK = path.join(PACKAGE_ROOT, 'playbooks', 'worm-response.yaml')

/**
 * `firebreak demo`: a whole incident response on a bundled organisation,
 * offline. The playbook runs with --apply: branches and commits are made in
 * the local repositories; pull requests are shown as planned (no GitHub);
 * lockfiles are not regenerated (no registry), which the report says.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const dir = path.resolve(options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'firebreak-demo-'))))
  const log = options.log ?? (() => {})
  log(`building a demo organisation in ${dir}`)
  const org = await buildDemoOrg(path.join(dir, 'org'))
  const actionHost = await buildActionHost(path.join(dir, 'action-host'))
  log(`  ${org.repos.length} repositories: ${org.repos.map((r) => path.basename(r)).join(', ')}`)
  const run = await startRun({
    playbookFile: DEMO_PLAYBOOK,
    inputs: {
      advisory: DEMO_ADVISORY_FILES.map((f) => path.join(DEMO_ADVISORIES, f)),
      'safe-versions': DEMO_SAFE_VERSIONS,
      dirs: org.repos,
      relock: false,
      'git-base-url': actionHost,
    },
    apply: true,
    runsDir: path.join(dir, 'runs'),
    log: { info: log, warn: log, debug: () => {} },
  })
  return { dir, repos: org.repos, run, reports: { md: path.join(run.dir, 'report.md'), html: path.join(run.dir, 'report.html') } }
}
