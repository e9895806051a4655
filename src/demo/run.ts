import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { startRun, type RunResult } from '../runner/run.js'
import { buildDemoOrg, DEMO_ADVISORIES, PACKAGE_ROOT } from './org.js'

export interface DemoOptions {
  /** Where to build the organisation and keep the run (default: a new temporary folder). */
  dir?: string
  log?: (line: string) => void
}

export interface DemoResult {
  dir: string
  repos: string[]
  run: RunResult
}

/** The advisories of the September 2025 npm, the July 2025 PyPI and the March 2025 Actions incidents. */
export const DEMO_ADVISORY_FILES = ['MAL-2025-46969.json', 'MAL-2025-46974.json', 'MAL-2025-6794.json', 'GHSA-mrrh-fwg8-r2c3.json']

export const DEMO_PLAYBOOK = path.join(PACKAGE_ROOT, 'playbooks', 'find-exposure.yaml')

/** `firebreak demo`: a whole incident response on a bundled organisation, offline. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const dir = path.resolve(options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'firebreak-demo-'))))
  const log = options.log ?? (() => {})
  log(`building a demo organisation in ${dir}`)
  const org = await buildDemoOrg(path.join(dir, 'org'))
  log(`  ${org.repos.length} repositories: ${org.repos.map((r) => path.basename(r)).join(', ')}`)
  const run = await startRun({
    playbookFile: DEMO_PLAYBOOK,
    inputs: {
      advisory: DEMO_ADVISORY_FILES.map((f) => path.join(DEMO_ADVISORIES, f)),
      repos: org.repos,
    },
    apply: true,
    runsDir: path.join(dir, 'runs'),
    log: { info: log, warn: log, debug: () => {} },
  })
  return { dir, repos: org.repos, run }
}
