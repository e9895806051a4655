import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createGitHubClient, requestJson, wireFetch } from '../../../src/sources/github/client.js'
import { Slots } from '../../../src/sources/github/pool.js'
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

describe('requestJson', () => {
  let gh: FakeGitHub
  beforeAll(async () => {
    gh = await startFakeGitHub({ owners: [{ login: 'acme', repos: [{ name: 'app', files: { 'package.json': '{"name":"app"}\n' } }] }] })
  })
  afterAll(async () => {
    await gh?.close()
  })

  it('reads the body even when a garbage collection falls between the answer and the read', async () => {
    const client = createGitHubClient({ auth: { kind: 'token', token: gh.token, source: 'test' }, apiUrl: gh.url })
    // What load does now and then: a full collection, and its finalizers run, before the body is read.
    client.hook.wrap('request', async (request: (options: unknown) => Promise<unknown>, options: unknown) => {
      const response = await request(options)
      gc()
      await new Promise((resolve) => setTimeout(resolve, 10))
      gc()
      await new Promise((resolve) => setTimeout(resolve, 10))
      return response
    })
    for (let i = 0; i < 5; i++) {
      const { data } = await requestJson<{ tree: { path: string }[] }>(client, 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner: 'acme', repo: 'app', tree_sha: 'main' })
      expect(data.tree.map((e) => e.path)).toEqual(['package.json'])
    }
    gh.assertNoViolations()
  })

  it('holds a slot from sending a request to the end of its answer, or its cancellation', async () => {
    const slots = new Slots(1)
    const fetchOnWire = wireFetch(slots)
    const url = `${gh.url}/repos/acme/app/git/trees/main`
    const headers = { authorization: `token ${gh.token}` }
    const first = await fetchOnWire(url, { headers })
    let next = false
    const waiting = slots.acquire().then((release) => {
      next = true
      return release
    })
    await new Promise((resolve) => setImmediate(resolve))
    // The answer's headers are in, its body is not read: the request is still on the wire.
    expect(next).toBe(false)
    expect(JSON.parse(await first.text()).tree).toHaveLength(1)
    ;(await waiting)()
    expect(next).toBe(true)
    const second = await fetchOnWire(url, { headers })
    expect(second.url).toBe(url)
    await second.body?.cancel()
    const release = await slots.acquire()
    release()
  })
})
