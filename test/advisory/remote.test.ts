import { readFile } from 'node:fs/promises'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { loadAdvisory } from '../../src/advisory/load.js'
import { isAffected, safeVersion } from '../../src/advisory/match.js'
import { AdvisoryError, AuthError, RemoteError } from '../../src/errors.js'
import { fixture } from './helpers.js'

/** GitHub's global advisory answer for the tj-actions incident (shape of GET /advisories/{ghsa_id}). */
const GITHUB_TJ = {
  ghsa_id: 'GHSA-mrrh-fwg8-r2c3',
  cve_id: 'CVE-2025-30066',
  url: 'https://api.github.com/advisories/GHSA-mrrh-fwg8-r2c3',
  html_url: 'https://github.com/advisories/GHSA-mrrh-fwg8-r2c3',
  type: 'reviewed',
  severity: 'high',
  summary: 'tj-actions changed-files through 45.0.7 allows remote attackers to discover secrets by reading actions logs.',
  description: 'tj-actions changed-files before 46 allows remote attackers to discover secrets by reading actions logs.',
  identifiers: [
    { type: 'GHSA', value: 'GHSA-mrrh-fwg8-r2c3' },
    { type: 'CVE', value: 'CVE-2025-30066' },
  ],
  references: ['https://github.com/tj-actions/changed-files/issues/2463'],
  published_at: '2025-03-15T06:30:34Z',
  updated_at: '2025-03-20T16:12:28Z',
  withdrawn_at: null,
  vulnerabilities: [
    { package: { ecosystem: 'actions', name: 'tj-actions/changed-files' }, vulnerable_version_range: '<= 45.0.7', first_patched_version: '46.0.1', vulnerable_functions: [] },
  ],
}

const GITHUB_UA = {
  ghsa_id: 'GHSA-pjwm-rvh2-c87w',
  summary: 'Embedded malware in ua-parser-js',
  identifiers: [{ type: 'GHSA', value: 'GHSA-pjwm-rvh2-c87w' }],
  references: [],
  vulnerabilities: [
    { package: { ecosystem: 'npm', name: 'ua-parser-js' }, vulnerable_version_range: '= 0.7.29', first_patched_version: '0.7.30' },
    { package: { ecosystem: 'npm', name: 'ua-parser-js' }, vulnerable_version_range: '>= 0.8.0, < 0.8.1', first_patched_version: { identifier: '0.8.1' } },
    { package: { ecosystem: 'pip', name: 'Some_Pkg' }, vulnerable_version_range: '> 1.0, < 2.0', first_patched_version: null },
  ],
}

let server: Server
let base: string
let requests: Array<{ url: string; authorization?: string }> = []
const osvRecords = new Map<string, string>()

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  requests.push({ url: req.url ?? '', authorization: req.headers.authorization })
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  }
  const url = req.url ?? ''
  if (url.startsWith('/broken/')) return send(503, { message: 'unavailable' })
  if (url === '/gh/advisories/GHSA-mrrh-fwg8-r2c3') {
    if (req.headers.authorization === 'Bearer bad') return send(401, { message: 'Bad credentials' })
    return send(200, GITHUB_TJ)
  }
  if (url === '/gh/advisories/GHSA-pjwm-rvh2-c87w') return send(200, GITHUB_UA)
  if (url.startsWith('/gh/advisories/')) return send(404, { message: 'Not Found' })
  const m = /^\/osv\/v1\/vulns\/(.+)$/.exec(url)
  if (m && osvRecords.has(m[1]!)) return send(200, osvRecords.get(m[1]!)!)
  if (url === '/osv/v1/vulns/MAL-0000-HTML') return send(200, '<html>oops</html>')
  return send(404, { code: 5, message: 'Bug not found.' })
}

beforeAll(async () => {
  for (const id of ['MAL-2025-47141', 'GHSA-jxr6-qrxx-2ph2', 'MAL-2025-6794']) osvRecords.set(id, await readFile(fixture(id), 'utf8'))
  server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

beforeEach(() => {
  requests = []
})

const opts = (extra: Record<string, unknown> = {}) => ({ osvApiUrl: `${base}/osv`, apiUrl: `${base}/gh`, retries: 0, ...extra })

describe('OSV API', () => {
  it('fetches an OSV id from GET /v1/vulns/{id}', async () => {
    const [a] = await loadAdvisory('MAL-2025-47141', opts())
    expect(a).toMatchObject({ id: 'MAL-2025-47141', source: `${base}/osv/v1/vulns/MAL-2025-47141` })
    expect(isAffected(a!, 'npm', '@ctrl/tinycolor', '4.1.2').affected).toBe(true)
    expect(requests.map((r) => r.url)).toEqual(['/osv/v1/vulns/MAL-2025-47141'])
  })

  it('404 → a clear AdvisoryError naming the id and URL', async () => {
    const err = await loadAdvisory('MAL-2099-1', opts()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AdvisoryError)
    expect((err as Error).message).toBe(`advisory MAL-2099-1: not found at ${base}/osv/v1/vulns/MAL-2099-1 (HTTP 404)`)
  })

  it('5xx → a RemoteError with the status, after the retries', async () => {
    const err = await loadAdvisory('MAL-2025-47141', opts({ osvApiUrl: `${base}/broken`, retries: 1 })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect((err as RemoteError).status).toBe(503)
    expect((err as Error).message).toMatch(/failed with HTTP 503/)
    expect(requests).toHaveLength(2)
  })

  it('a body that is not JSON is an AdvisoryError', async () => {
    await expect(loadAdvisory('MAL-0000-HTML', opts())).rejects.toThrow(/did not return JSON/)
  })

  it('an unreachable server is a RemoteError', async () => {
    await expect(loadAdvisory('MAL-2025-47141', opts({ osvApiUrl: 'http://127.0.0.1:1' }))).rejects.toBeInstanceOf(RemoteError)
  })
})

describe('GHSA ids', () => {
  it('with a token, asks GitHub first and converts the answer', async () => {
    const [a] = await loadAdvisory('GHSA-mrrh-fwg8-r2c3', opts({ token: 'secret' }))
    expect(requests).toEqual([{ url: '/gh/advisories/GHSA-mrrh-fwg8-r2c3', authorization: 'Bearer secret' }])
    expect(a).toMatchObject({
      id: 'GHSA-mrrh-fwg8-r2c3',
      aliases: ['CVE-2025-30066'],
      published: '2025-03-15T06:30:34Z',
      modified: '2025-03-20T16:12:28Z',
    })
    expect(a!.affected).toEqual([
      {
        ecosystem: 'GitHub Actions',
        ecosystemId: 'GitHub Actions',
        name: 'tj-actions/changed-files',
        normalisedName: 'tj-actions/changed-files',
        versions: [],
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '46.0.1' }] }],
      },
    ])
    expect(isAffected(a!, 'GitHub Actions', 'tj-actions/changed-files', 'v45.0.7').affected).toBe(true)
    expect(safeVersion(a!, 'GitHub Actions', 'tj-actions/changed-files', 'v45.0.7')).toBe('46.0.1')
  })

  it('converts = ranges, >= / < ranges, old first_patched objects and > bounds', async () => {
    const [a] = await loadAdvisory('GHSA-pjwm-rvh2-c87w', opts({ token: 't' }))
    expect(a!.affected[0]).toMatchObject({ versions: ['0.7.29'], ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0.7.29' }, { fixed: '0.7.30' }] }] })
    expect(a!.affected[1]).toMatchObject({ versions: [], ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0.8.0' }, { fixed: '0.8.1' }] }] })
    expect(a!.affected[2]).toMatchObject({ ecosystem: 'PyPI', normalisedName: 'some-pkg', specifiers: ['>1.0 <2.0'] })
    expect(isAffected(a!, 'PyPI', 'some-pkg', '1.0').affected).toBe(false)
    expect(isAffected(a!, 'PyPI', 'some-pkg', '1.5').affected).toBe(true)
  })

  it('without a token, asks the OSV API first', async () => {
    osvRecords.set('GHSA-mrrh-fwg8-r2c3', await readFile(fixture('GHSA-mrrh-fwg8-r2c3'), 'utf8'))
    const [a] = await loadAdvisory('ghsa-MRRH-fwg8-r2c3', opts())
    expect(requests.map((r) => r.url)).toEqual(['/osv/v1/vulns/GHSA-mrrh-fwg8-r2c3'])
    expect(a!.affected[0]!.ranges[0]!.events).toEqual([{ introduced: '0' }, { last_affected: '45.0.7' }])
    osvRecords.delete('GHSA-mrrh-fwg8-r2c3')
  })

  it('falls back to GitHub when the OSV API does not have it, without sending a token', async () => {
    const [a] = await loadAdvisory('GHSA-mrrh-fwg8-r2c3', opts())
    expect(requests).toEqual([
      { url: '/osv/v1/vulns/GHSA-mrrh-fwg8-r2c3', authorization: undefined },
      { url: '/gh/advisories/GHSA-mrrh-fwg8-r2c3', authorization: undefined },
    ])
    expect(a!.id).toBe('GHSA-mrrh-fwg8-r2c3')
  })

  it('falls back to the OSV API when GitHub fails', async () => {
    osvRecords.set('GHSA-jxr6-qrxx-2ph2', await readFile(fixture('GHSA-jxr6-qrxx-2ph2'), 'utf8'))
    const [a] = await loadAdvisory('GHSA-jxr6-qrxx-2ph2', opts({ token: 't', apiUrl: `${base}/broken` }))
    expect(a!.id).toBe('GHSA-jxr6-qrxx-2ph2')
  })

  it('404 in both → one AdvisoryError naming both places', async () => {
    const err = await loadAdvisory('GHSA-2222-3333-4444', opts({ token: 't' })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AdvisoryError)
    expect((err as Error).message).toMatch(/GHSA-2222-3333-4444 could not be loaded: not found at .*\/gh\/advisories\/GHSA-2222-3333-4444 \(HTTP 404\); not found at .*\/osv\/v1\/vulns\/GHSA-2222-3333-4444 \(HTTP 404\)/)
  })

  it('5xx in both → RemoteError', async () => {
    const err = await loadAdvisory('GHSA-2222-3333-4444', opts({ apiUrl: `${base}/broken`, osvApiUrl: `${base}/broken` })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect((err as Error).message).toMatch(/HTTP 503/)
  })

  it('a rejected token is an AuthError at once', async () => {
    await expect(loadAdvisory('GHSA-mrrh-fwg8-r2c3', opts({ token: 'bad' }))).rejects.toBeInstanceOf(AuthError)
    expect(requests).toHaveLength(1)
  })
})
