import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { AuthError, UsageError } from '../../../src/errors.js'
import { resolveGitHubAuth, scanGitHub, splitArgv } from '../../../src/sources/github/index.js'
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js'

describe('GitHub credentials', () => {
  let gh: FakeGitHub
  let work: string
  beforeAll(async () => {
    gh = await startFakeGitHub({
      owners: [{ login: 'acme', repos: [{ name: 'api', files: { 'package.json': '{"dependencies":{"left-pad":"1.3.0"}}' } }] }],
      apps: [{ appId: 4242, installationId: 77, token: 'ghs_installationtoken0000' }],
      scopes: 'repo',
    })
    work = await mkdtemp(path.join(tmpdir(), 'fb-auth-'))
  })
  afterAll(async () => {
    await gh?.close()
    await rm(work, { recursive: true, force: true })
  })

  it('authenticates as a GitHub App installation', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
    const keyFile = path.join(work, 'app.pem')
    await writeFile(keyFile, privateKey)
    const result = await scanGitHub({ org: 'acme', apiUrl: gh.url, appId: '4242', appPrivateKeyFile: keyFile, appInstallationId: 77, cacheDir: false, env: {} }, { inventory: true })
    expect(result.errors).toEqual([])
    expect(result.packages?.map((p) => p.name)).toEqual(['left-pad'])
    expect(gh.counts()['POST /app/installations/{installation_id}/access_tokens']).toBe(1)
    gh.assertNoViolations()
  })

  it('needs all three app flags together', async () => {
    await expect(resolveGitHubAuth({ appId: '1', env: {} })).rejects.toBeInstanceOf(UsageError)
  })

  it('prefers GITHUB_TOKEN over GH_TOKEN and says when there is none', async () => {
    expect(await resolveGitHubAuth({ env: { GITHUB_TOKEN: 'a', GH_TOKEN: 'b' } })).toMatchObject({ token: 'a' })
    expect(await resolveGitHubAuth({ env: { GH_TOKEN: 'b' } })).toMatchObject({ token: 'b' })
    await expect(resolveGitHubAuth({ env: {} })).rejects.toBeInstanceOf(AuthError)
  })

  it('says the token lacks read:org on a 404 organisation', async () => {
    const error = await scanGitHub({ org: 'secret-org', apiUrl: gh.url, token: gh.token, cacheDir: false }, {}).catch((e: unknown) => e)
    expect((error as { suggestion?: string }).suggestion).toMatch(/lack read:org/)
  })

  it.each([
    ['gh auth token', ['gh', 'auth', 'token']],
    [`vault read -field=token "secret/git hub"`, ['vault', 'read', '-field=token', 'secret/git hub']],
    [`echo 'a; rm -rf /'`, ['echo', 'a; rm -rf /']],
    ['a\\ b c', ['a b', 'c']],
  ])('splits %s without a shell', (line, argv) => expect(splitArgv(line)).toEqual(argv))
})
