/**
 * Relocking for real: npm, yarn classic, pnpm 10, pnpm 8 and yarn berry
 * against a Verdaccio on 127.0.0.1 with no uplinks. The registry holds
 * fb-evil 1.0.0 (safe), 1.0.1 (affected: its install scripts write a marker
 * file) and 1.0.2 (the fix), and fb-parent 1.0.0 (depends on fb-evil@^1.0.0).
 * Each repository's lockfile is made by its own package manager while 1.0.1 is
 * the newest release, so it resolves fb-evil@1.0.1; then 1.0.2 is published
 * and the pin step runs with `--apply`. The branch must resolve fb-evil only at
 * 1.0.2, change package.json exactly as intended, and no install script (the
 * package's or the repository's own) may have run.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { ecosystems } from '../../src/ecosystems/index.js'
import { lockfileManager } from '../../src/remediate/relock.js'
import { readJournal } from '../../src/runner/journal.js'
import { startRun } from '../../src/runner/run.js'
import { makeRepo, type TestRepo } from '../support/git-repo.js'
import { registryEnv, startRegistry, type TestRegistry } from '../support/registry.js'

const run = promisify(execFile)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const MODULES = path.join(ROOT, 'node_modules')

type Manager = 'npm' | 'yarn' | 'pnpm10' | 'pnpm8' | 'berry'
type Case = 'direct' | 'transitive'

const LOCKFILE: Record<Manager, string> = { npm: 'package-lock.json', yarn: 'yarn.lock', pnpm10: 'pnpm-lock.yaml', pnpm8: 'pnpm-lock.yaml', berry: 'yarn.lock' }

/** How each package manager made the repository's lockfile in the first place (scripts off, as a careful human would). */
function generator(manager: Manager, scratch: string): [string, string[]] {
  switch (manager) {
    case 'npm':
      return ['npm', ['install', '--package-lock-only', '--ignore-scripts']]
    case 'yarn':
      return [process.execPath, [path.join(MODULES, 'yarn/bin/yarn.js'), 'install', '--ignore-scripts', '--non-interactive', '--no-progress', '--modules-folder', path.join(scratch, 'node_modules')]]
    case 'pnpm10':
      return [path.join(MODULES, '.bin/pnpm'), ['install', '--lockfile-only', '--ignore-scripts']]
    case 'pnpm8':
      return [process.execPath, [path.join(MODULES, 'pnpm8/bin/pnpm.cjs'), 'install', '--lockfile-only', '--ignore-scripts']]
    case 'berry':
      return [process.execPath, [path.join(MODULES, '@yarnpkg/cli-dist/bin/yarn.js'), 'install', '--mode=update-lockfile']]
  }
}

let registry: TestRegistry
let root: string
let marker: string
let repoMarker: string
const savedEnv = { ...process.env }
/** The files of each (manager, case) repository, lockfile included, made before 1.0.2 existed. */
const fixtures = new Map<string, Record<string, string>>()
const repos: TestRepo[] = []

/** The scripts that must never run: each writes the marker with its lifecycle event's name. */
function scriptsWriting(file: string): Record<string, string> {
  const write = `node -e "require('fs').appendFileSync(${JSON.stringify(file).replace(/"/g, "'")}, (process.env.npm_lifecycle_event || 'ran') + '\\n')"`
  return { preinstall: write, install: write, postinstall: write, prepare: write }
}

function packageJson(kind: Case): string {
  const deps = kind === 'direct' ? { 'fb-evil': '^1.0.0' } : { 'fb-parent': '^1.0.0' }
  return JSON.stringify({ name: 'app', version: '1.0.0', private: true, scripts: scriptsWriting(repoMarker), dependencies: deps }, null, 2) + '\n'
}

function configFiles(manager: Manager, url: string): Record<string, string> {
  const files: Record<string, string> = { '.npmrc': `registry=${url}/\n` }
  if (manager === 'yarn') files['.yarnrc'] = `registry "${url}/"\ndisable-self-update-check true\n`
  // Berry: plain HTTP on loopback, no global cache, and no minimal-age quarantine for a release made seconds ago.
  if (manager === 'berry') files['.yarnrc.yml'] = `npmRegistryServer: "${url}"\nunsafeHttpWhitelist:\n  - "127.0.0.1"\nenableGlobalCache: false\nnpmMinimalAgeGate: 0\nnodeLinker: node-modules\n`
  return files
}

async function makeFixture(manager: Manager, kind: Case): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(root, `${manager}-${kind}-`))
  const files: Record<string, string> = { 'package.json': packageJson(kind), ...configFiles(manager, registry.url) }
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), content)
  if (manager === 'berry') writeFileSync(path.join(dir, 'yarn.lock'), '')
  const [command, args] = generator(manager, mkdtempSync(path.join(root, 'scratch-')))
  await run(command, args, { cwd: dir, env: process.env }).catch((error: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`${manager} could not make the ${kind} fixture: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`)
  })
  const lock = readFileSync(path.join(dir, LOCKFILE[manager]), 'utf8')
  return { ...files, [LOCKFILE[manager]]: lock }
}

/** fb-evil's versions as firebreak's own extractor reads them. */
function resolved(file: string, content: string): string[] {
  return ecosystems.npm
    .extract({ path: file, content })
    .packages.filter((p) => p.name === 'fb-evil')
    .map((p) => p.version)
    .sort()
}

let n = 0
function playbook(dir: string, url: string): string {
  const file = path.join(root, `pb-${++n}.yaml`)
  writeFileSync(
    file,
    `name: relock-test
repos: { dirs: ${JSON.stringify([dir])} }
steps:
  - id: scan
    uses: scan
    with: { package: fb-evil, ecosystem: npm, affected: "1.0.1" }
  - id: fix
    uses: pin
    with: { to: "1.0.2", branch: firebreak/fb-evil, registry: ${JSON.stringify(url)} }
`,
  )
  return file
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const MANAGERS: Manager[] = ['npm', 'yarn', 'pnpm10', 'pnpm8', 'berry']
const CASES: Case[] = ['direct', 'transitive']

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'firebreak-relock-registry-'))
  marker = path.join(root, 'fb-evil-install-script-ran')
  repoMarker = path.join(root, 'repository-script-ran')
  registry = await startRegistry()
  // Every package manager this process starts (the fixtures' and firebreak's own) sees only the test registry and temporary homes.
  Object.assign(process.env, registry.env, { npm_config_fetch_retries: '0', YARN_HTTP_RETRY: '0' })
  await registry.publish({ name: 'fb-evil', version: '1.0.0' })
  await registry.publish({ name: 'fb-evil', version: '1.0.1', scripts: scriptsWriting(marker) })
  await registry.publish({ name: 'fb-parent', version: '1.0.0', dependencies: { 'fb-evil': '^1.0.0' } })
  for (const manager of MANAGERS) for (const kind of CASES) fixtures.set(`${manager}/${kind}`, await makeFixture(manager, kind))
  await registry.publish({ name: 'fb-evil', version: '1.0.2' })
}, 300_000)

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key]
  Object.assign(process.env, savedEnv)
  await registry?.stop()
  if (root) rmSync(root, { recursive: true, force: true })
}, 60_000)

beforeEach(() => {
  // Fresh caches per test: nothing a fixture fetched (fb-evil without 1.0.2) is served from a cache.
  Object.assign(process.env, registryEnv(registry.url, mkdtempSync(path.join(root, 'client-'))), { npm_config_fetch_retries: '0', YARN_HTTP_RETRY: '0' })
})

afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup()
})

function noScriptRan(): void {
  expect(existsSync(marker) ? readFileSync(marker, 'utf8') : 'no install script of fb-evil ran').toBe('no install script of fb-evil ran')
  expect(existsSync(repoMarker) ? readFileSync(repoMarker, 'utf8') : 'no script of the repository ran').toBe('no script of the repository ran')
}

describe('the fixtures', () => {
  it('the marker script writes its file when run, so its absence means no script ran', async () => {
    const control = path.join(root, 'control-marker')
    await run('/bin/sh', ['-c', scriptsWriting(control).postinstall!], { env: { ...process.env, npm_lifecycle_event: 'postinstall' } })
    expect(readFileSync(control, 'utf8')).toBe('postinstall\n')
  })

  it.each(MANAGERS.flatMap((m) => CASES.map((c) => [m, c] as const)))('%s (%s): the lockfile was made by the package manager itself and resolves fb-evil@1.0.1', (manager, kind) => {
    const files = fixtures.get(`${manager}/${kind}`)!
    const lockfile = LOCKFILE[manager]
    expect(resolved(lockfile, files[lockfile]!)).toEqual(['1.0.1'])
    const expectedManager = manager === 'berry' ? 'yarn-berry' : manager.startsWith('pnpm') ? 'pnpm' : manager
    expect(lockfileManager(lockfile, files[lockfile])).toBe(expectedManager)
    if (manager === 'npm') expect(JSON.parse(files[lockfile]!)).toMatchObject({ lockfileVersion: 3 })
    if (manager === 'yarn') expect(files[lockfile]).toMatch(/^# yarn lockfile v1$/m)
    if (manager === 'pnpm10') expect(files[lockfile]).toMatch(/^lockfileVersion: '9\.0'$/m)
    if (manager === 'pnpm8') expect(files[lockfile]).toMatch(/^lockfileVersion: '6\.0'$/m)
    if (manager === 'berry') expect(files[lockfile]).toMatch(/^__metadata:$/m)
    noScriptRan()
  })
})

/** What package.json on the branch must hold: the range raised, or an override in the dialect of the lockfile's tool. */
function expectedPackageJson(manager: Manager, kind: Case): Record<string, unknown> {
  const base = JSON.parse(packageJson(kind)) as Record<string, unknown>
  if (kind === 'direct') return { ...base, dependencies: { 'fb-evil': '^1.0.2' } }
  switch (manager) {
    case 'npm':
      return { ...base, overrides: { 'fb-evil@1.0.1': '1.0.2' } }
    case 'pnpm10':
    case 'pnpm8':
      return { ...base, pnpm: { overrides: { 'fb-evil@1.0.1': '1.0.2' } } }
    case 'yarn':
    case 'berry':
      return { ...base, resolutions: { 'fb-evil': '1.0.2' } }
  }
}

describe('relock against Verdaccio on 127.0.0.1', () => {
  it.each(MANAGERS.flatMap((m) => CASES.map((c) => [m, c] as const)))('%s, %s dependency: the branch resolves fb-evil only at 1.0.2 and no install script ran', async (manager, kind) => {
    const files = fixtures.get(`${manager}/${kind}`)!
    const lockfile = LOCKFILE[manager]
    const repo = makeRepo(files)
    repos.push(repo)
    const result = await startRun({ playbookFile: playbook(repo.dir, registry.url), runsDir: path.join(root, 'runs'), apply: true })
    const end = readJournal(path.join(result.dir, 'journal.jsonl')).records.find((r) => r.type === 'action-end' && r.step === 'fix') as { status: string; value?: { relock: { ok: boolean; message: string }; notRemediated?: string; files: string[] } } | undefined
    expect(end, JSON.stringify(end)).toMatchObject({ status: 'done', value: { relock: { ok: true } } })
    expect(end!.value!.notRemediated).toBeUndefined()
    expect(result.steps[1]).toMatchObject({ status: 'success', outputs: { remediated: 1, 'not-remediated': 0, failed: 0, branches: 'firebreak/fb-evil' } })

    const branchLock = repo.git('show', `firebreak/fb-evil:${lockfile}`)
    expect(resolved(lockfile, branchLock)).toEqual(['1.0.2'])
    expect(branchLock).not.toContain('fb-evil-1.0.1.tgz')
    // The lockfile keeps its format: the tool that wrote it regenerated it.
    expect(lockfileManager(lockfile, branchLock)).toBe(lockfileManager(lockfile, files[lockfile]))
    if (manager === 'pnpm8') expect(branchLock).toMatch(/^lockfileVersion: '6\.0'$/m)
    if (manager === 'pnpm10') expect(branchLock).toMatch(/^lockfileVersion: '9\.0'$/m)
    if (manager === 'yarn') expect(branchLock).toMatch(/^# yarn lockfile v1$/m)
    if (manager === 'npm') expect(JSON.parse(branchLock)).toMatchObject({ lockfileVersion: 3 })

    const pkg = repo.git('show', 'firebreak/fb-evil:package.json')
    expect(JSON.parse(pkg)).toEqual(expectedPackageJson(manager, kind))
    expect(repo.git('diff', '--name-only', 'main', 'firebreak/fb-evil').split('\n').filter(Boolean).sort()).toEqual([lockfile, 'package.json'].sort())
    // The user's checkout and main are untouched.
    expect(repo.git('status', '--porcelain')).toBe('')
    expect(repo.git('show', `main:${lockfile}`)).toBe(files[lockfile])
    noScriptRan()
  })

  it('berry: a .yarnrc.yml that loads a plugin from the repository is refused on the branch, and the plugin never runs', async () => {
    const files = fixtures.get('berry/direct')!
    const plugin = `module.exports = { name: 'evil', factory: () => { require('fs').appendFileSync(${JSON.stringify(repoMarker)}, 'plugin\\n'); return {} } }\n`
    const repo = makeRepo({ ...files, '.yarnrc.yml': `${files['.yarnrc.yml']}plugins:\n  - path: .yarn/plugins/evil.cjs\n`, '.yarn/plugins/evil.cjs': plugin })
    repos.push(repo)
    const result = await startRun({ playbookFile: playbook(repo.dir, registry.url), runsDir: path.join(root, 'runs'), apply: true })
    const end = readJournal(path.join(result.dir, 'journal.jsonl')).records.find((r) => r.type === 'action-end' && r.step === 'fix') as { status: string; value: { relock: { ok: boolean; message: string }; notRemediated?: string } }
    expect(end).toMatchObject({ status: 'done', value: { relock: { ok: false, message: expect.stringMatching(/plugins/) } } })
    expect(result.steps[1]).toMatchObject({ outputs: { remediated: 0, 'not-remediated': 1 } })
    expect(repo.git('diff', '--name-only', 'main', 'firebreak/fb-evil').trim()).toBe('package.json')
    noScriptRan()
  })

  it.each(['npm', 'yarn', 'pnpm10'] as const)('%s: an unreachable registry leaves the repository not remediated, with the reason, and only the manifest edit on the branch', async (manager) => {
    const files = fixtures.get(`${manager}/direct`)!
    const lockfile = LOCKFILE[manager]
    const closed = `http://127.0.0.1:${await freePort()}`
    // The repository's own configuration names the dead registry too, and the caches are empty: nowhere to resolve 1.0.2 from.
    const repo = makeRepo({ ...files, ...configFiles(manager, closed) })
    repos.push(repo)
    Object.assign(process.env, registryEnv(closed, mkdtempSync(path.join(root, 'client-'))), { npm_config_fetch_retries: '0', YARN_HTTP_RETRY: '0' })
    const result = await startRun({ playbookFile: playbook(repo.dir, closed), runsDir: path.join(root, 'runs'), apply: true })
    const end = readJournal(path.join(result.dir, 'journal.jsonl')).records.find((r) => r.type === 'action-end' && r.step === 'fix') as { status: string; value: { relock: { ok: boolean; message: string }; notRemediated?: string; files: string[] } }
    expect(end).toMatchObject({ status: 'done', value: { relock: { ok: false }, files: ['package.json'] } })
    expect(end.value.notRemediated).toMatch(/failed: .*ECONNREFUSED/)
    expect(result.steps[1]).toMatchObject({ outputs: { remediated: 0, 'not-remediated': 1, failed: 0 } })
    expect(result.outcome).toBe('unfixed')
    expect(repo.git('diff', '--name-only', 'main', 'firebreak/fb-evil').trim()).toBe('package.json')
    expect(repo.git('show', `firebreak/fb-evil:${lockfile}`)).toBe(files[lockfile])
    expect(JSON.parse(repo.git('show', 'firebreak/fb-evil:package.json'))).toEqual(expectedPackageJson(manager, 'direct'))
    expect(repo.git('status', '--porcelain')).toBe('')
    noScriptRan()
  })
})
