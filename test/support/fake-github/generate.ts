/**
 * A generated organisation for tests and benchmarks: every ecosystem and
 * monorepo layout firebreak reads, archived repositories and forks, and a
 * known set of repositories holding an affected version, so that a scan can
 * be checked for exactly what it must find.
 */
import type { FakeOwnerSpec, FakeRepoSpec } from './git-store.js'

export const AFFECTED = {
  npm: { name: 'evil-pkg', version: '1.0.1', safe: '1.0.0' },
  pypi: { name: 'evilpy', version: '2.0.1', safe: '2.0.0' },
  actions: { name: 'evil-org/evil-action', version: 'v1.2.3', safe: 'v1.2.2' },
}

export interface GeneratedOrg {
  owner: FakeOwnerSpec
  /** Full names of repositories that must be reported affected (default selection: no archived, no forks). */
  affected: Set<string>
  archived: Set<string>
  forks: Set<string>
  /** Files every repository has that some ecosystem reads, by full name. */
  manifests: Map<string, string[]>
}

export interface GenerateOptions {
  login: string
  count: number
  /** Every n-th repository holds an affected version. */
  affectedEvery?: number
  archivedEvery?: number
  forkEvery?: number
  /** Mount the shared filler (realistic bulk) in every repository. */
  filler?: boolean
  /** Unrelated lockfile entries, for realistic lockfile sizes. */
  lockPackages?: number
  truncate?: { repo: number; at: number }
}

const LAYOUTS = ['npm-lock', 'npm-workspaces', 'pip', 'pip-services', 'workflows', 'mixed'] as const

function packageJson(name: string, deps: Record<string, string>, workspaces?: string[]): string {
  return JSON.stringify({ name, version: '1.0.0', private: true, ...(workspaces ? { workspaces } : {}), dependencies: deps }, null, 2) + '\n'
}

function packageLock(name: string, deps: Record<string, string>, extra: number): string {
  const packages: Record<string, unknown> = { '': { name, version: '1.0.0', dependencies: Object.fromEntries(Object.keys(deps).map((d) => [d, `^${deps[d]}`])) } }
  for (const [dep, version] of Object.entries(deps)) packages[`node_modules/${dep}`] = { version, resolved: `https://registry.npmjs.org/${dep}/-/${dep}-${version}.tgz`, integrity: 'sha512-AAAA' }
  for (let i = 0; i < extra; i++) packages[`node_modules/filler-${i}`] = { version: `1.${i % 10}.0`, resolved: `https://registry.npmjs.org/filler-${i}/-/filler-${i}-1.${i % 10}.0.tgz`, integrity: 'sha512-BBBB', dev: i % 3 === 0 }
  return JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2) + '\n'
}

function workflow(uses: string[]): string {
  return `name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n${uses.map((u) => `      - uses: ${u}\n`).join('')}`
}

export function generateOrg(options: GenerateOptions): GeneratedOrg {
  const { login, count } = options
  const affectedEvery = options.affectedEvery ?? 7
  const archivedEvery = options.archivedEvery ?? 20
  const forkEvery = options.forkEvery ?? 25
  const extra = options.lockPackages ?? 20
  const repos: FakeRepoSpec[] = []
  const affected = new Set<string>()
  const archived = new Set<string>()
  const forks = new Set<string>()
  const manifests = new Map<string, string[]>()
  for (let i = 0; i < count; i++) {
    const layout = LAYOUTS[i % LAYOUTS.length] as (typeof LAYOUTS)[number]
    const name = `repo-${String(i).padStart(4, '0')}-${layout}`
    const bad = i % affectedEvery === 3
    const npmDep = bad ? AFFECTED.npm.version : AFFECTED.npm.safe
    const pyDep = bad ? AFFECTED.pypi.version : AFFECTED.pypi.safe
    const action = `${AFFECTED.actions.name}@${bad ? AFFECTED.actions.version : AFFECTED.actions.safe}`
    const files: Record<string, string> = {}
    switch (layout) {
      case 'npm-lock':
        files['package.json'] = packageJson(name, { 'left-pad': '1.3.0', [AFFECTED.npm.name]: npmDep })
        files['package-lock.json'] = packageLock(name, { 'left-pad': '1.3.0', [AFFECTED.npm.name]: npmDep }, extra)
        break
      case 'npm-workspaces':
        files['package.json'] = packageJson(name, {}, ['packages/*'])
        for (let p = 0; p < 3; p++) files[`packages/pkg-${p}/package.json`] = packageJson(`pkg-${p}`, { 'left-pad': '1.3.0', ...(p === 2 ? { [AFFECTED.npm.name]: npmDep } : {}) })
        break
      case 'pip':
        files['requirements.txt'] = `requests==2.32.3\n${AFFECTED.pypi.name}==${pyDep}\n`
        break
      case 'pip-services':
        for (let s = 0; s < 3; s++) files[`services/svc-${s}/requirements.txt`] = `flask==3.0.0\n${s === 1 ? `${AFFECTED.pypi.name}==${pyDep}\n` : ''}`
        break
      case 'workflows':
        files['.github/workflows/ci.yml'] = workflow(['actions/checkout@v4', action])
        files['.github/workflows/release.yml'] = workflow(['actions/setup-node@v4'])
        break
      case 'mixed':
        files['package.json'] = packageJson(name, { 'left-pad': '1.3.0' })
        files['backend/requirements.txt'] = `${AFFECTED.pypi.name}==${pyDep}\n`
        files['.github/workflows/ci.yml'] = workflow(['actions/checkout@v4'])
        break
    }
    files['README.md'] = `# ${name}\n`
    const isArchived = i % archivedEvery === 11
    const isFork = !isArchived && i % forkEvery === 13
    const full = `${login}/${name}`
    if (isArchived) archived.add(full)
    if (isFork) forks.add(full)
    if (bad && !isArchived && !isFork) affected.add(full)
    manifests.set(full, Object.keys(files).filter((f) => f !== 'README.md'))
    repos.push({
      name,
      files,
      archived: isArchived,
      fork: isFork,
      topics: [layout.startsWith('npm') ? 'node' : layout.startsWith('pip') ? 'python' : 'ci'],
      language: layout.startsWith('npm') ? 'TypeScript' : layout.startsWith('pip') ? 'Python' : null,
      visibility: i % 3 === 0 ? 'private' : 'public',
      pushedAt: new Date(Date.UTC(2025, 0, 1) + i * 3600_000).toISOString().replace('.000Z', 'Z'),
      ...(options.filler ? { fillerAt: 'src' } : {}),
      ...(options.truncate?.repo === i ? { truncateTreeAt: options.truncate.at } : {}),
    })
  }
  return { owner: { login, type: 'Organization', repos }, affected, archived, forks, manifests }
}
