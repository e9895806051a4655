/**
 * Remediation benchmark, GitHub half: for 100 affected repositories on the
 * fake GitHub (127.0.0.1, a fixed latency on every API and git request),
 * bring each firebreak branch up to date with its default branch, push it
 * (token in an auth header) and ensure its pull request (labels, CODEOWNERS
 * reviewers) — the work of the open-pull-requests step per repository —
 * then do it all again, as a re-run does (0 new pull requests). Beside it,
 * the floor: API requests × latency ÷ concurrency.
 *
 *   npx tsx bench/remediate.ts [--repos 100] [--latency 100] [--concurrency 8]
 *
 * The local edit (the pin step: edit, relock, commit) is made before the
 * clock starts, with plain git: it costs the same with or without GitHub.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import path from 'node:path'

import { basicAuthHeader } from '../src/git/read.js'
import { FIREBREAK_TRAILER, gitRun, pushBranch } from '../src/git/push.js'
import { prepareWorkspace, syncWithDefault, type Workspace } from '../src/remediate/workspace.js'
import { createGitHubClient } from '../src/sources/github/client.js'
import { mapPool } from '../src/sources/github/pool.js'
import { ensurePullRequest } from '../src/sources/github/pulls.js'
import { startFakeGitHub } from '../test/support/fake-github/index.js'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}

const repos = arg('repos', 100)
const latency = arg('latency', 100)
const concurrency = arg('concurrency', 8)
const BRANCH = 'firebreak/MAL-2099-0001'

const pkg = (v: string) => `{\n  "name": "app",\n  "dependencies": {\n    "left-pad": "1.3.0",\n    "evil-pkg": "${v}"\n  }\n}\n`

async function main(): Promise<void> {
  const names = Array.from({ length: repos }, (_, i) => `repo-${String(i).padStart(4, '0')}`)
  const gh = await startFakeGitHub({ owners: [{ login: 'acme', repos: names.map((name) => ({ name, files: { 'package.json': pkg('1.0.1'), '.github/CODEOWNERS': '* @acme/platform\n', 'README.md': '# app\n' } })) }] })
  const runDir = await mkdtemp(path.join(tmpdir(), 'firebreak-bench-remediate-'))
  const header = basicAuthHeader(gh.token)
  try {
    // Setup, not timed: a partial clone of each repository and the pin step's commit on the branch.
    const workspaces: Workspace[] = await mapPool(names, 8, async (name) => {
      const ws = await prepareWorkspace({ kind: 'github', owner: 'acme', name, cloneUrl: gh.gitUrl('acme', name), defaultBranch: 'main' }, { runDir, authHeader: header })
      await gitRun(['branch', '--no-track', BRANCH, 'main'], ws.dir)
      const wt = path.join(runDir, 'wt', name)
      await gitRun(['worktree', 'add', '--quiet', wt, BRANCH], ws.dir)
      await writeFile(path.join(wt, 'package.json'), pkg('1.0.2'))
      await gitRun(['commit', '--quiet', '-am', `Pin evil-pkg to 1.0.2\n\n${FIREBREAK_TRAILER}: bench`], wt)
      await gitRun(['worktree', 'remove', '--force', wt], ws.dir)
      return ws
    })
    const client = createGitHubClient({ auth: { kind: 'token', token: gh.token, source: 'bench' }, apiUrl: gh.url })
    gh.faults.latencyMs = latency

    const pass = async () => {
      gh.resetCounts()
      const t0 = performance.now()
      const results = await mapPool(workspaces, concurrency, async (ws) => {
        await syncWithDefault(ws, { branch: BRANCH, authHeader: header, reapply: async () => {} })
        await pushBranch({ dir: ws.dir, branch: BRANCH, base: 'main', authHeader: header })
        return ensurePullRequest(client, { owner: 'acme', repo: ws.name as string, head: BRANCH, base: 'main', title: 'Pin evil-pkg (MAL-2099-0001)', body: 'Pins evil-pkg to 1.0.2.', labels: ['security'], codeownersFiles: ['package.json'] })
      })
      const wallMs = performance.now() - t0
      const counts = gh.counts()
      const api = gh.apiRequests()
      const git = counts.git ?? 0
      return { wallMs, api, git, created: results.filter((r) => r.created).length, counts }
    }
    const first = await pass()
    const second = await pass()
    gh.assertNoViolations()
    const floor = (n: number) => (n * latency) / concurrency
    const row = (label: string, p: Awaited<ReturnType<typeof pass>>) =>
      `| ${label} | ${(p.wallMs / 1000).toFixed(1)} s | ${p.created} | ${(p.api / repos).toFixed(1)} | ${(p.git / repos).toFixed(1)} | ${(floor(p.api + p.git) / 1000).toFixed(1)} s | ${(p.wallMs / floor(p.api + p.git)).toFixed(2)}× |`
    console.log(`Remediation (GitHub half): ${repos} repositories, ${latency} ms per request, concurrency ${concurrency}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${new Date().toISOString().slice(0, 10)}, node ${process.version}`)
    console.log('| pass | wall | PRs opened | API req/repo | git req/repo | floor (API+git) × latency ÷ concurrency | wall ÷ floor |')
    console.log('| --- | --- | --- | --- | --- | --- | --- |')
    console.log(row('first run', first))
    console.log(row('re-run', second))
    console.log('\nAPI requests, first run:', JSON.stringify(first.counts))
    console.log('API requests, re-run:', JSON.stringify(second.counts))
  } finally {
    await gh.close()
    await rm(runDir, { recursive: true, force: true })
  }
}

await main()
