import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { ProgressLine } from '../../src/cli/progress.js'

const run = promisify(execFile)
const dev = path.resolve('bin/dev.js')
let root: string

// A tree of 10,000 files holding 300 manifests, as the issue asks.
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fb-progress-'))
  for (let d = 0; d < 100; d++) {
    const dir = path.join(root, `svc-${String(d).padStart(3, '0')}`)
    await mkdir(path.join(dir, 'src'), { recursive: true })
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: `svc-${d}`, dependencies: { chalk: '5.6.1' } }))
    await writeFile(path.join(dir, 'requirements.txt'), 'requests==2.32.3\n')
    await writeFile(path.join(dir, 'pyproject.toml'), '[project]\nname = "x"\ndependencies = ["num2words==0.5.15"]\n')
    for (let f = 0; f < 97; f++) await writeFile(path.join(dir, 'src', `m${f}.ts`), '')
  }
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('scan progress', () => {
  it('lists every manifest of the tree and prints no progress when piped', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', dev, 'scan', root, '--inventory', '--json'], { maxBuffer: 64 << 20 })
    const result = JSON.parse(stdout)
    expect(result.repos[0].files).toHaveLength(300)
    expect(new Set(result.packages.map((p: { file: string }) => p.file)).size).toBe(300)
    expect(stderr.includes('\r') || stderr.includes('\u001B[')).toBe(false)
  })

  it('shows progress on a terminal', async () => {
    // A pseudo-terminal from Python's pty module stands in for a user's terminal.
    const script = `import pty, sys\nsys.exit(pty.spawn(sys.argv[1:]) >> 8)`
    const { stdout } = await run('python3', ['-c', script, process.execPath, '--import', 'tsx', dev, 'scan', root, '--inventory'], { maxBuffer: 64 << 20 }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    )
    expect(stdout).toContain('\r\u001B[2Kscanning ')
    expect(stdout).toMatch(/scanning .*files read/)
  })

  it('rewrites one line, throttled, and clears it', () => {
    const writes: string[] = []
    const stream = { isTTY: true, columns: 40, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream
    const line = new ProgressLine(stream, undefined, 1_000_000)
    line.update('first')
    line.update('second, dropped by the throttle')
    line.update('x'.repeat(100), true)
    line.clear()
    expect(writes).toEqual(['\r\u001B[2Kfirst', `\r\u001B[2K${'x'.repeat(39)}`, '\r\u001B[2K'])
  })
})
