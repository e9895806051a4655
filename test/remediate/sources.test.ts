import { describe, expect, it } from 'vitest'

import { defaultIndexUrl, gitLsRemoteSha, indexUrlOf, jsonApiBase, pypiJsonHashes } from '../../src/remediate/sources.js'
import { makeRepo } from '../support/git-repo.js'

describe('PyPI hashes', () => {
  it('reads the sha256 digests from the JSON API beside the index', async () => {
    const urls: string[] = []
    const fake = (async (url: string) => {
      urls.push(url)
      return new Response(JSON.stringify({ urls: [{ digests: { sha256: 'A'.repeat(64) } }, { digests: { sha256: 'b'.repeat(64) } }] }))
    }) as unknown as typeof fetch
    expect(await pypiJsonHashes(fake)('ultralytics', '8.3.47', 'https://mirror.example/simple/')).toEqual(['a'.repeat(64), 'b'.repeat(64)])
    expect(urls).toEqual(['https://mirror.example/pypi/ultralytics/8.3.47/json'])
  })

  it('throws with the reason when the index has no such release', async () => {
    const fake = (async () => new Response('nope', { status: 404 })) as unknown as typeof fetch
    await expect(pypiJsonHashes(fake)('x', '1', 'https://pypi.org/simple')).rejects.toThrow(/answered 404/)
  })

  it('finds the index: the file, then PIP_INDEX_URL, then PyPI', () => {
    expect(indexUrlOf('-i https://a.example/simple\nx==1\n')).toBe('https://a.example/simple')
    expect(indexUrlOf('--index-url=https://b.example/simple\n')).toBe('https://b.example/simple')
    expect(defaultIndexUrl({ PIP_INDEX_URL: 'https://c.example/simple' }, '/nonexistent')).toBe('https://c.example/simple')
    expect(defaultIndexUrl({ PIP_CONFIG_FILE: '/nonexistent' }, '/nonexistent')).toMatch(/simple$/)
    expect(jsonApiBase('https://pypi.org/simple/')).toBe('https://pypi.org')
  })
})

describe('action tags to commits with git ls-remote', () => {
  it('resolves lightweight and annotated tags (peeled) of a local repository', async () => {
    const repo = makeRepo({ 'action.yml': 'name: x\n' }, 'changed-files')
    try {
      const head = repo.git('rev-parse', 'HEAD').trim()
      repo.git('tag', 'v46.0.1')
      repo.git('tag', '-a', 'v46.0.2', '-m', 'release')
      const resolve = gitLsRemoteSha(() => repo.dir)
      expect(await resolve('tj-actions/changed-files', 'v46.0.1')).toBe(head)
      expect(await resolve('tj-actions/changed-files', 'v46.0.2')).toBe(head)
      await expect(resolve('tj-actions/changed-files', 'v99')).rejects.toThrow(/not found/)
    } finally {
      repo.cleanup()
    }
  })
})
