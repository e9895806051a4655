import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { decodeText, readTextFile } from '../../../src/sources/local/read.js'
import { walkTree } from '../../../src/sources/local/walk.js'

let root: string
let outside: string

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fb-walk-'))
  outside = await mkdtemp(path.join(tmpdir(), 'fb-outside-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
  await rm(outside, { recursive: true, force: true })
})

async function put(rel: string, content = '{}'): Promise<void> {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true })
  await writeFile(path.join(root, rel), content)
}

describe('walkTree', () => {
  it('finds manifests, lockfiles and workflows at any depth, in sorted order', async () => {
    await put('package.json')
    await put('packages/a/package.json')
    await put('services/api/requirements.txt', '')
    await put('.github/workflows/ci.yml', '')
    await put('README.md', '')
    const { files, errors } = await walkTree(root)
    expect(errors).toEqual([])
    expect(files.map((f) => f.path)).toEqual(['.github/workflows/ci.yml', 'package.json', 'packages/a/package.json', 'services/api/requirements.txt'])
    expect(files.map((f) => f.ecosystem)).toEqual(['GitHub Actions', 'npm', 'npm', 'PyPI'])
  })

  it('skips node_modules, .git and virtualenvs, and nothing else', async () => {
    await put('node_modules/x/package.json')
    await put('.git/package.json')
    await put('env/pyvenv.cfg', '')
    await put('env/lib/requirements.txt', '')
    await put('venv-lookalike/requirements.txt', '')
    await put('build/package.json')
    await put('.hidden/package.json')
    const { files } = await walkTree(root)
    expect(files.map((f) => f.path)).toEqual(['.hidden/package.json', 'build/package.json', 'venv-lookalike/requirements.txt'])
  })

  it('never follows a symbolic link, and says so when it would have read one', async () => {
    await writeFile(path.join(outside, 'package.json'), '{}')
    await mkdir(path.join(outside, 'nested'))
    await writeFile(path.join(outside, 'nested', 'package-lock.json'), '{}')
    await symlink(path.join(outside, 'package.json'), path.join(root, 'package.json'))
    await symlink(path.join(outside, 'nested'), path.join(root, 'linked-dir'))
    const { files, errors } = await walkTree(root)
    expect(files).toEqual([])
    expect(errors).toHaveLength(2)
    expect(errors.find((e) => e.file === 'package.json')?.message).toMatch(/symbolic link .* not followed/)
    expect(errors.find((e) => e.file === 'linked-dir')?.message).toMatch(/directory outside the tree/)
  })

  it('lists every manifest of a tree of 10,000 files holding 300 manifests', async () => {
    const expected: string[] = []
    for (let d = 0; d < 100; d++) {
      const dir = `pkg-${String(d).padStart(3, '0')}`
      await mkdir(path.join(root, dir, 'src'), { recursive: true })
      for (const name of ['package.json', 'requirements.txt', 'pyproject.toml']) {
        await writeFile(path.join(root, dir, name), '')
        expected.push(`${dir}/${name}`)
      }
      for (let f = 0; f < 97; f++) await writeFile(path.join(root, dir, 'src', `file-${f}.ts`), '')
    }
    let progressCalls = 0
    const { files, seen } = await walkTree(root, { onProgress: () => progressCalls++ })
    expect(seen).toBeGreaterThanOrEqual(10_000)
    expect(files.map((f) => f.path).sort()).toEqual(expected.sort())
    expect(progressCalls).toBeGreaterThan(0)
  })
})

describe('readTextFile', () => {
  it.each([
    ['a NUL byte', Buffer.from('{\n"a": 1\u0000}'), /NUL byte/, 2],
    ['invalid UTF-8', Buffer.concat([Buffer.from('line one\nline two \xff'), Buffer.from([0xff, 0xfe])]), /invalid UTF-8/, 2],
  ])('refuses %s with the line', (_name, bytes, message, line) => {
    const outcome = decodeText(bytes)
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) {
      expect(outcome.message).toMatch(message)
      expect(outcome.line).toBe(line)
    }
  })

  it('refuses a file over the size limit before reading it', async () => {
    await put('package-lock.json', 'x'.repeat(2048))
    const outcome = await readTextFile(path.join(root, 'package-lock.json'), 1024)
    expect(outcome).toEqual({ ok: false, message: expect.stringMatching(/2 KB, over the 1 KB limit/) })
  })

  it('reads UTF-8 text and drops a byte-order mark', async () => {
    await put('package.json', '\uFEFF{"name":"é"}')
    expect(await readTextFile(path.join(root, 'package.json'))).toEqual({ ok: true, content: '{"name":"é"}' })
  })
})
