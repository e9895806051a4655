import { describe, expect, it } from 'vitest'

import { lockfileManager, relockCommand, runRelock, SCRATCH } from '../../src/remediate/relock.js'

const all = (name: string) => `/opt/bin/${name}`
const none = () => undefined

describe('relock commands: lockfile-only, scripts off, argument arrays', () => {
  it.each([
    ['npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier']],
    ['pnpm', ['install', '--lockfile-only', '--ignore-scripts', '--ignore-pnpmfile', '--config.confirmModulesPurge=false']],
    ['yarn', ['install', '--ignore-scripts', '--non-interactive', '--no-progress', '--ignore-engines', '--modules-folder', `${SCRATCH}/node_modules`, '--cache-folder', `${SCRATCH}/yarn-cache`]],
    ['poetry', ['lock', '--no-interaction']],
    ['uv', ['lock']],
    ['pdm', ['lock', '--update-reuse']],
    ['pipenv', ['lock']],
  ] as const)('%s', (manager, args) => {
    const plan = relockCommand(manager, 'web', { find: all })
    expect(plan).toMatchObject({ ok: true, command: { tool: manager, command: `/opt/bin/${manager}`, args, cwd: 'web' } })
  })

  it('passes a registry only when the playbook gives one', () => {
    expect(relockCommand('npm', '.', { find: all, registry: 'http://127.0.0.1:4873' })).toMatchObject({ command: { args: expect.arrayContaining(['--registry', 'http://127.0.0.1:4873']) } })
    expect(JSON.stringify(relockCommand('npm', '.', { find: all }))).not.toContain('registry')
  })

  it('yarn berry runs firebreak\'s own CLI with scripts off and the repository\'s yarnPath ignored', () => {
    const plan = relockCommand('yarn-berry', '.', { find: all, berry: '/fb/node_modules/@yarnpkg/cli-dist/bin/yarn.js', registry: 'http://127.0.0.1:4873' })
    expect(plan).toMatchObject({
      ok: true,
      command: { command: process.execPath, args: ['/fb/node_modules/@yarnpkg/cli-dist/bin/yarn.js', 'install', '--mode=update-lockfile'], env: { YARN_ENABLE_SCRIPTS: 'false', YARN_IGNORE_PATH: '1', YARN_NPM_REGISTRY_SERVER: 'http://127.0.0.1:4873' } },
    })
    expect(relockCommand('yarn-berry', '.', { berry: '/x.js' }, () => 'plugins:\n  - path: .yarn/plugins/x.cjs\n')).toMatchObject({ ok: false, reason: expect.stringMatching(/plugins/) })
  })

  it.each(['npm', 'yarn', 'pnpm', 'bun', 'poetry', 'uv', 'pdm', 'pipenv'] as const)('%s missing: the lockfile needs regenerating', (manager) => {
    expect(relockCommand(manager, '.', { find: none })).toMatchObject({ ok: false, tool: manager, reason: expect.stringMatching(/^lockfile needs regenerating with /) })
  })

  it('berry missing', () => {
    expect(relockCommand('yarn-berry', '.', { berry: null })).toMatchObject({ ok: false, reason: expect.stringMatching(/@yarnpkg\/cli-dist/) })
  })

  it.each([
    ['package-lock.json', undefined, 'npm'],
    ['a/npm-shrinkwrap.json', undefined, 'npm'],
    ['yarn.lock', '# yarn lockfile v1\n', 'yarn'],
    ['yarn.lock', '__metadata:\n  version: 8\n', 'yarn-berry'],
    ['pnpm-lock.yaml', undefined, 'pnpm'],
    ['poetry.lock', undefined, 'poetry'],
    ['uv.lock', undefined, 'uv'],
    ['Pipfile.lock', undefined, 'pipenv'],
    ['package.json', undefined, undefined],
  ])('%s is %s', (file, content, manager) => {
    expect(lockfileManager(file, content)).toBe(manager)
  })

  it('runs without a shell and reports a failure as a value', async () => {
    const result = await runRelock({ tool: 'npm', command: process.execPath, args: ['-e', 'process.stderr.write("boom; $(touch /tmp/x)"); process.exit(3)'], cwd: '.' }, process.cwd())
    expect(result).toMatchObject({ tool: 'npm', ok: false, message: expect.stringContaining('boom; $(touch /tmp/x)') })
    const ok = await runRelock({ tool: 'npm', command: process.execPath, args: ['-e', 'if (process.argv[1] !== "<x>") process.exit(0)', `${SCRATCH}/y`], cwd: '.' }, process.cwd())
    expect(ok.ok).toBe(true)
  })

  it('refuses a working directory outside the repository', async () => {
    expect(await runRelock({ tool: 'npm', command: 'npm', args: [], cwd: '../..' }, process.cwd())).toMatchObject({ ok: false })
  })
})
