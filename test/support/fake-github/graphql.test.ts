import { createHash } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startFakeGitHub, type FakeGitHub } from './index.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- GraphQL answers of many shapes, checked by the assertions
type Body = any

/** The object ID git gives a blob. */
const blobSha = (data: string | Buffer) => {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data)
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex')
}

const FIELDS = '... on Blob { oid byteSize isBinary isTruncated text }'

/** A 600,000-byte text whose byte 512,000 falls inside a two-byte character. */
const big = `${'a'.repeat(511_999)}é${'b'.repeat(600_000 - 512_001)}`
const binary = Buffer.concat([Buffer.from('PNG'), Buffer.from([0, 1, 2, 0xff]), Buffer.from('rest')])
const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]) // "café\n" in Latin-1: not UTF-8

describe('fake GitHub: POST /graphql', () => {
  let gh: FakeGitHub
  const post = async (query: string, headers: Record<string, string> = { authorization: `bearer ${gh.token}` }, extra: Record<string, unknown> = {}) => {
    const res = await fetch(`${gh.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, ...extra }) })
    return { status: res.status, headers: res.headers, body: (await res.json()) as Body }
  }
  /** Runs `fn`, expects it to add violations matching `pattern`, and removes them. */
  const expectViolation = async (pattern: RegExp, fn: () => Promise<void>) => {
    const before = gh.violations.length
    await fn()
    const added = gh.violations.splice(before)
    expect(added.join('\n')).toMatch(pattern)
  }

  beforeAll(async () => {
    gh = await startFakeGitHub({
      owners: [
        {
          login: 'gq',
          repos: [
            { name: 'one', files: { 'a.txt': 'hello\n', 'big.txt': big, 'bin.dat': binary, 'latin1.txt': latin1 } },
            { name: 'Two', files: { 'b.txt': 'world ✓\n' } },
          ],
        },
      ],
    })
  })
  afterAll(async () => gh?.close())

  it('answers a batch over two repositories, in the client\'s exact shape', async () => {
    gh.resetCounts()
    const a = blobSha('hello\n')
    const b = blobSha('world ✓\n')
    const query = `query FirebreakBlobs {
      r0: repository(owner: "gq", name: "one") {
        b0: object(oid: "${a}") { ${FIELDS} }
      }
      r1: repository(owner: "GQ", name: "two") { b1: object(oid: "${b}") { ${FIELDS} } }
    }`
    const res = await post(query, { authorization: `token ${gh.token}` }, { variables: {} })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-ratelimit-resource')).toBe('graphql')
    expect(res.body).toEqual({
      data: {
        r0: { b0: { oid: a, byteSize: 6, isBinary: false, isTruncated: false, text: 'hello\n' } },
        r1: { b1: { oid: b, byteSize: Buffer.byteLength('world ✓\n'), isBinary: false, isTruncated: false, text: 'world ✓\n' } },
      },
    })
    const ids = await post(`{ repository(owner: "gq", name: "one") { object(oid: "${a}") { __typename ... on Blob { id abbreviatedOid } } } }`)
    expect(ids.body.data.repository.object).toEqual({ __typename: 'Blob', id: `B_${a}`, abbreviatedOid: a.slice(0, 7) })
    expect(gh.counts()['POST /graphql']).toBe(2)
    expect(gh.apiRequests()).toBe(2)
    expect(gh.bytesSent()).toBeGreaterThan(0)
    gh.assertNoViolations()
  })

  it('cuts text at 512,000 bytes, then decodes it, and says it is truncated', async () => {
    const sha = blobSha(big)
    const { body } = await post(`{ r0: repository(owner: "gq", name: "one") { b0: object(oid: "${sha}") { ${FIELDS} } } }`)
    const blob = body.data.r0.b0
    expect(blob).toMatchObject({ oid: sha, byteSize: 600_000, isBinary: false, isTruncated: true })
    // 511,999 × "a", then the first byte of "é" alone: lossy.
    expect(blob.text).toBe(`${'a'.repeat(511_999)}\uFFFD`)
    gh.assertNoViolations()
  })

  it('gives no text for a binary blob, and lossy text for one that is not UTF-8', async () => {
    const { body } = await post(`{ r0: repository(owner: "gq", name: "one") {
      bin: object(oid: "${blobSha(binary)}") { ${FIELDS} }
      latin: object(oid: "${blobSha(latin1)}") { ${FIELDS} }
      gone: object(oid: "${'0'.repeat(40)}") { ${FIELDS} }
      tree: object(expression: "main:") { __typename oid }
    } }`)
    expect(body.errors).toBeUndefined()
    expect(body.data.r0.bin).toEqual({ oid: blobSha(binary), byteSize: binary.length, isBinary: true, isTruncated: false, text: null })
    expect(body.data.r0.latin).toMatchObject({ byteSize: 5, isBinary: false, text: 'caf\uFFFD\n' })
    expect(blobSha(Buffer.from(body.data.r0.latin.text as string))).not.toBe(blobSha(latin1))
    expect(body.data.r0.gone).toBeNull()
    expect(body.data.r0.tree).toMatchObject({ __typename: 'Tree', oid: expect.stringMatching(/^[0-9a-f]{40}$/) })
    gh.assertNoViolations()
  })

  it('answers a missing repository with null and GitHub\'s NOT_FOUND error, which is no violation', async () => {
    const { status, body } = await post(`query FirebreakBlobs {
  r0: repository(owner: "gq", name: "nope") { b0: object(oid: "${blobSha('hello\n')}") { ${FIELDS} } }
  r1: repository(owner: "gq", name: "one") { b1: object(oid: "${blobSha('hello\n')}") { ... on Blob { oid } } }
}`)
    expect(status).toBe(200)
    expect(body.data).toEqual({ r0: null, r1: { b1: { oid: blobSha('hello\n') } } })
    expect(body.errors).toEqual([{ type: 'NOT_FOUND', path: ['r0'], locations: [{ line: 2, column: 3 }], message: "Could not resolve to a Repository with the name 'gq/nope'." }])
    gh.assertNoViolations()
  })

  it('answers a query GitHub would reject as GitHub does, and records it', async () => {
    await expectViolation(/does not validate[\s\S]*Cannot query field "colour" on type "Repository"/, async () => {
      const { status, body } = await post('{ repository(owner: "gq", name: "one") { colour } }')
      expect(status).toBe(200)
      expect(body.data).toBeUndefined()
      expect(body.errors[0]).toMatchObject({ message: expect.stringContaining('colour'), locations: [{ line: 1, column: 42 }] })
    })
    await expectViolation(/does not parse/, async () => {
      expect((await post('{ repository(owner: "gq" name: ')).body.errors[0].message).toMatch(/Syntax Error/)
    })
    await expectViolation(/`first` or `last`/, async () => {
      await post('{ repository(owner: "gq", name: "one") { issues { totalCount } } }')
    })
  })

  it('records a field the fake does not implement instead of answering null', async () => {
    await expectViolation(/fake does not implement Blob\.commitUrl/, async () => {
      const { body } = await post(`{ r0: repository(owner: "gq", name: "one") { b0: object(oid: "${blobSha('hello\n')}") { ... on Blob { oid commitUrl } } } }`)
      expect(body.errors[0]).toMatchObject({ message: 'fake does not implement Blob.commitUrl', path: ['r0', 'b0', 'commitUrl'] })
    })
    await expectViolation(/fake does not implement Repository\.nameWithOwner/, async () => {
      await post('{ repository(owner: "gq", name: "one") { nameWithOwner } }')
    })
  })

  it('refuses a request without a valid token with 401', async () => {
    const none = await post('{ viewer { login } }', {})
    expect(none.status).toBe(401)
    expect(none.body).toEqual({ message: 'This endpoint requires you to be authenticated.', documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql' })
    const bad = await post('{ viewer { login } }', { authorization: 'bearer nope' })
    expect(bad.status).toBe(401)
    expect(bad.body).toMatchObject({ message: 'Bad credentials' })
    gh.assertNoViolations()
  })

  it('shares the REST faults: 502s, and rate limits in GraphQL\'s own shape', async () => {
    const query = `{ r0: repository(owner: "gq", name: "one") { b0: object(oid: "${blobSha('hello\n')}") { ... on Blob { oid } } } }`
    gh.faults.graphqlFailRate = 1
    try {
      expect((await post(query)).status).toBe(502)
    } finally {
      gh.faults.graphqlFailRate = 0
    }
    const n = gh.apiRequests()
    gh.resetCounts()
    gh.faults.secondaryAt.add(n + 1)
    const secondary = await post(query)
    expect([403, 429]).toContain(secondary.status)
    expect(secondary.body.message).toMatch(/secondary rate limit/)
    gh.faults.primaryAt.add(n + 2)
    const primary = await post(query)
    expect(primary.status).toBe(200)
    expect(primary.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(primary.body).toEqual({ errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }] })
    expect(gh.counts()['POST /graphql']).toBe(2)
    gh.assertNoViolations()
    await new Promise((r) => setTimeout(r, 2100))
    expect((await post(query)).body.data.r0.b0.oid).toBe(blobSha('hello\n'))
  })

  // Last: resetCounts() after requests leaves apiRequests() short of the request numbers faults use.
  it('knows how many requests it handled at once', async () => {
    gh.faults.latencyMs = 50
    try {
      gh.resetCounts()
      await Promise.all([1, 2, 3].map(() => post('{ viewer { login } }', {})))
      expect(gh.maxInFlight()).toBe(3)
      gh.resetCounts()
      await post('{ viewer { login } }', {})
      expect(gh.maxInFlight()).toBe(1)
    } finally {
      gh.faults.latencyMs = 0
    }
  })
})

describe('fake GitHub without GraphQL', () => {
  it('answers 404 to POST /graphql, and counts it', async () => {
    const gh = await startFakeGitHub({ owners: [{ login: 'gq', repos: [{ name: 'one', files: { 'a.txt': 'x' } }] }], graphql: false })
    try {
      const res = await fetch(`${gh.url}/graphql`, { method: 'POST', headers: { authorization: `token ${gh.token}` }, body: JSON.stringify({ query: '{ viewer { login } }' }) })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })
      expect(gh.counts()['POST /graphql']).toBe(1)
      gh.assertNoViolations()
    } finally {
      await gh.close()
    }
  })
})
