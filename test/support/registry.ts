/**
 * A real Verdaccio on 127.0.0.1 for relock tests: no uplinks (it never goes
 * further than its own storage), anonymous publish, storage in a temporary
 * directory, started and stopped by the test. Packages are published through
 * the registry API: a tarball made by `npm pack --ignore-scripts`, sent as the
 * packument `npm publish` would send.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface TestPackage {
  name: string
  version: string
  dependencies?: Record<string, string>
  scripts?: Record<string, string>
  /** Extra files, by relative path (index.js is written when absent). */
  files?: Record<string, string>
}

export interface TestRegistry {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string
  /** A scratch directory that lives as long as the registry (tarballs, caches, homes). */
  dir: string
  /** Environment that keeps npm, yarn and pnpm on this registry, with homes and caches in `dir`. */
  env: Record<string, string>
  publish(pkg: TestPackage): Promise<void>
  /** The packument as the registry serves it. */
  packument(name: string): Promise<{ versions: Record<string, unknown>; 'dist-tags': Record<string, string> }>
  stop(): Promise<void>
}

/** Environment for a package manager run that must only ever talk to `url`, with homes and caches under `dir`. */
export function registryEnv(url: string, dir: string): Record<string, string> {
  const home = path.join(dir, 'home')
  for (const d of ['home', 'cache/npm', 'cache/yarn', 'cache/xdg', 'config', 'data', 'state']) mkdirSync(path.join(dir, d), { recursive: true })
  return {
    HOME: home,
    USERPROFILE: home,
    XDG_CACHE_HOME: path.join(dir, 'cache/xdg'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_STATE_HOME: path.join(dir, 'state'),
    npm_config_registry: `${url}/`,
    npm_config_userconfig: path.join(home, '.npmrc'),
    npm_config_globalconfig: path.join(dir, 'config', 'npmrc'),
    npm_config_cache: path.join(dir, 'cache/npm'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_offline: 'false',
    YARN_REGISTRY: `${url}/`,
    YARN_CACHE_FOLDER: path.join(dir, 'cache/yarn'),
    YARN_NPM_REGISTRY_SERVER: url,
    YARN_UNSAFE_HTTP_WHITELIST: '127.0.0.1',
    YARN_ENABLE_TELEMETRY: '0',
    YARN_ENABLE_GLOBAL_CACHE: 'false',
    YARN_ENABLE_SCRIPTS: 'false',
    YARN_IGNORE_PATH: '1',
    COREPACK_ENABLE_NETWORK: '0',
    COREPACK_ENABLE_STRICT: '0',
    COREPACK_ENABLE_AUTO_PIN: '0',
  }
}

interface VerdaccioModule {
  runServer(config: unknown): Promise<Server>
}

export async function startRegistry(): Promise<TestRegistry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'firebreak-verdaccio-'))
  const storage = path.join(dir, 'storage')
  mkdirSync(storage)
  writeFileSync(path.join(dir, 'htpasswd'), '')
  const config = {
    self_path: path.join(dir, 'config.yaml'),
    storage,
    uplinks: {},
    packages: { '**': { access: '$all', publish: '$all', unpublish: '$all' } },
    auth: { htpasswd: { file: path.join(dir, 'htpasswd'), max_users: -1 } },
    security: { api: { legacy: true } },
    web: { enable: false },
    publish: { allow_offline: true },
    logs: { type: 'stdout', format: 'pretty', level: 'error' },
    listen: '127.0.0.1:0',
  }
  const { runServer } = (await import('verdaccio')) as unknown as VerdaccioModule
  const server = await runServer(config)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const env = registryEnv(url, path.join(dir, 'client'))

  const publish = async (pkg: TestPackage): Promise<void> => {
    const src = mkdtempSync(path.join(dir, 'pkg-'))
    const manifest = { name: pkg.name, version: pkg.version, description: `${pkg.name} for relock tests`, license: 'MIT', main: 'index.js', ...(pkg.dependencies ? { dependencies: pkg.dependencies } : {}), ...(pkg.scripts ? { scripts: pkg.scripts } : {}) }
    writeFileSync(path.join(src, 'package.json'), JSON.stringify(manifest, null, 2) + '\n')
    const files = { 'index.js': 'module.exports = {}\n', ...pkg.files }
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(src, file)), { recursive: true })
      writeFileSync(path.join(src, file), content)
    }
    const out = path.join(dir, 'tarballs')
    mkdirSync(out, { recursive: true })
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: src, env: { ...process.env, ...env } })
    const filename = (JSON.parse(stdout) as { filename: string }[])[0]!.filename
    const tarball = readFileSync(path.join(out, filename))
    const file = `${pkg.name.replace(/^@[^/]+\//, '')}-${pkg.version}.tgz`
    const version = {
      ...manifest,
      _id: `${pkg.name}@${pkg.version}`,
      dist: {
        shasum: createHash('sha1').update(tarball).digest('hex'),
        integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
        tarball: `${url}/${pkg.name}/-/${file}`,
      },
    }
    const body = {
      _id: pkg.name,
      name: pkg.name,
      description: manifest.description,
      'dist-tags': { latest: pkg.version },
      versions: { [pkg.version]: version },
      _attachments: { [file]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
    }
    const res = await fetch(`${url}/${encodeURIComponent(pkg.name)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    if (!res.ok) throw new Error(`publishing ${pkg.name}@${pkg.version} failed: ${res.status} ${await res.text()}`)
    rmSync(src, { recursive: true, force: true })
  }

  const packument = async (name: string) => {
    const res = await fetch(`${url}/${encodeURIComponent(name)}`)
    if (!res.ok) throw new Error(`GET ${name}: ${res.status}`)
    return (await res.json()) as { versions: Record<string, unknown>; 'dist-tags': Record<string, string> }
  }

  let stopped = false
  const stop = async (): Promise<void> => {
    if (!stopped) {
      stopped = true
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        ;(server as Server & { closeAllConnections?: () => void }).closeAllConnections?.()
      })
    }
    rmSync(dir, { recursive: true, force: true })
  }

  return { url, dir, env, publish, packument, stop }
}
