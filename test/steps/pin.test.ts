import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { readJournal } from '../../src/runner/journal.js'
import { startRun } from '../../src/runner/run.js'
import { makeRepo, type TestRepo } from '../support/git-repo.js'

let root: string
const repos: TestRepo[] = []
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'firebreak-pin-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup()
})

const PACKAGE_JSON = '{\n\t"name": "app",\n\t"dependencies": {\n\t\t"chalk": "^5.6.0",\n\t\t"debug": "4.4.1"\n\t}\n}\n'
const REQUIREMENTS = 'numpy==2.0.0\r\nultralytics==8.3.41  # vision\r\n'

let n = 0
function playbook(dirs: string[], uses: 'pin' | 'remove', extra = ''): string {
  const file = join(root, `pb-${++n}.yaml`)
  writeFileSync(
    file,
    `name: pin-test
repos: { dirs: ${JSON.stringify(dirs)} }
steps:
  - id: scan
    uses: scan
    with: { package: chalk, ecosystem: npm, affected: "5.6.1" }
  - id: fix
    uses: ${uses}
    with: { ${uses === 'pin' ? 'to: "5.6.2", ' : ''}branch: firebreak/chalk${extra} }
`,
  )
  return file
}

function branches(repo: TestRepo): string[] {
  return repo.git('branch', '--format=%(refname:short)').split('\n').filter(Boolean)
}

describe('the pin step', () => {
  it('plans without --apply: shows the diff, writes no branch and no file', async () => {
    const repo = makeRepo({ 'package.json': PACKAGE_JSON })
    repos.push(repo)
    const result = await startRun({ playbookFile: playbook([repo.dir], 'pin'), runsDir: join(root, 'runs') })
    expect(result.state).toBe('completed')
    expect(branches(repo)).toEqual(['main'])
    expect(repo.git('status', '--porcelain')).toBe('')
    expect(readFileSync(join(repo.dir, 'package.json'), 'utf8')).toBe(PACKAGE_JSON)
    const end = readJournal(join(result.dir, 'journal.jsonl')).records.find((r) => r.type === 'action-end' && r.step === 'fix')
    expect(end).toMatchObject({ status: 'planned', repo: 'app', plan: { branch: 'firebreak/chalk', status: 'planned' } })
    const diff = (end as { plan: { diff: string } }).plan.diff
    expect(diff).toBe('--- a/package.json\n+++ b/package.json\n@@ -1,7 +1,7 @@\n {\n \t"name": "app",\n \t"dependencies": {\n-\t\t"chalk": "^5.6.0",\n+\t\t"chalk": "^5.6.2",\n \t\t"debug": "4.4.1"\n \t}\n }\n')
    expect(readFileSync(join(result.dir, 'fix.diff'), 'utf8')).toBe(diff)
  })

  it('applies: a branch from main with exactly the edit, the user\'s checkout untouched; a re-run makes no second commit', async () => {
    const repo = makeRepo({ 'package.json': PACKAGE_JSON, 'README.md': '# app\n' })
    repos.push(repo)
    const pb = playbook([repo.dir], 'pin', ', signoff: true')
    const first = await startRun({ playbookFile: pb, runsDir: join(root, 'runs'), apply: true })
    expect(first.state).toBe('completed')
    expect(first.steps[1]).toMatchObject({ status: 'success', outputs: { remediated: 1, 'not-remediated': 0, failed: 0, branches: 'firebreak/chalk' } })
    expect(branches(repo).sort()).toEqual(['firebreak/chalk', 'main'])
    expect(repo.git('rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main')
    expect(readFileSync(join(repo.dir, 'package.json'), 'utf8')).toBe(PACKAGE_JSON)
    expect(repo.git('diff', 'main', 'firebreak/chalk')).toContain('-\t\t"chalk": "^5.6.0",\n+\t\t"chalk": "^5.6.2",')
    expect(repo.git('diff', '--stat', 'main', 'firebreak/chalk')).toMatch(/1 file changed, 1 insertion\(\+\), 1 deletion\(-\)/)
    expect(repo.git('show', 'firebreak/chalk:package.json')).toBe(PACKAGE_JSON.replace('^5.6.0', '^5.6.2'))
    const message = repo.git('log', '-1', '--format=%B', 'firebreak/chalk')
    expect(message).toMatch(/^Pin chalk to \^5\.6\.2 \(/)
    expect(message).toContain(`Firebreak-Run: ${first.id}`)
    expect(message).toContain('Signed-off-by:')
    const value = readJournal(join(first.dir, 'journal.jsonl')).records.find((r) => r.type === 'action-end' && r.step === 'fix')
    expect(value).toMatchObject({
      status: 'done',
      value: { branch: 'firebreak/chalk', files: ['package.json'], changes: [{ file: 'package.json', name: 'chalk', from: '^5.6.0', to: '^5.6.2' }], relock: { ok: true } },
    })
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1)

    const before = repo.git('rev-parse', 'firebreak/chalk').trim()
    const again = await startRun({ playbookFile: pb, runsDir: join(root, 'runs'), apply: true })
    expect(again.steps[1]).toMatchObject({ status: 'success', outputs: { remediated: 1, branches: 'firebreak/chalk' } })
    expect(repo.git('rev-parse', 'firebreak/chalk').trim()).toBe(before)
    expect(repo.git('rev-list', '--count', 'main..firebreak/chalk').trim()).toBe('1')
  })

  it('never touches a branch firebreak did not create', async () => {
    const repo = makeRepo({ 'package.json': PACKAGE_JSON })
    repos.push(repo)
    repo.git('branch', 'firebreak/chalk')
    repo.git('checkout', '--quiet', 'firebreak/chalk')
    repo.write('NOTES.md', 'mine\n')
    const theirs = repo.commitAll('someone else')
    repo.git('checkout', '--quiet', 'main')
    const result = await startRun({ playbookFile: playbook([repo.dir], 'pin'), runsDir: join(root, 'runs'), apply: true })
    expect(result.steps[1]).toMatchObject({ outputs: { failed: 1, remediated: 0 } })
    expect(repo.git('rev-parse', 'firebreak/chalk').trim()).toBe(theirs)
  })

  it('remove deletes the dependency on the branch', async () => {
    const repo = makeRepo({ 'package.json': PACKAGE_JSON })
    repos.push(repo)
    const result = await startRun({ playbookFile: playbook([repo.dir], 'remove'), runsDir: join(root, 'runs'), apply: true })
    expect(result.steps[1]).toMatchObject({ status: 'success', outputs: { remediated: 1 } })
    expect(repo.git('show', 'firebreak/chalk:package.json')).toBe('{\n\t"name": "app",\n\t"dependencies": {\n\t\t"debug": "4.4.1"\n\t}\n}\n')
  })

  it('a repository with a lockfile whose tool is missing gets the manifest edit and counts as not remediated', async () => {
    // A pnpm 5.x lockfile needs pnpm 7, which firebreak does not ship: the branch holds the package.json
    // edit and says the lockfile needs regenerating (and no registry is contacted).
    const lock = "lockfileVersion: 5.4\n\nspecifiers:\n  chalk: ^5.6.0\n\ndependencies:\n  chalk: 5.6.1\n\npackages:\n\n  /chalk/5.6.1:\n    resolution: {integrity: sha512-x}\n    dev: false\n"
    const repo = makeRepo({ 'package.json': PACKAGE_JSON, 'pnpm-lock.yaml': lock })
    repos.push(repo)
    const result = await startRun({ playbookFile: playbook([repo.dir], 'pin'), runsDir: join(root, 'runs'), apply: true })
    const end = readJournal(join(result.dir, 'journal.jsonl')).records.find((r) => r.type === 'action-end' && r.step === 'fix')
    expect(end).toMatchObject({ status: 'done', value: { relock: { ok: false }, notRemediated: expect.stringContaining('lockfile needs regenerating with pnpm') } })
    expect(result.steps[1]).toMatchObject({ outputs: { 'not-remediated': 1, remediated: 0 } })
    expect(result.outcome).toBe('unfixed')
    expect(repo.git('show', 'firebreak/chalk:pnpm-lock.yaml')).toBe(lock)
  })

  it('leaves a PyPI requirements file as written apart from the pin (CRLF, comment)', async () => {
    const repo = makeRepo({ 'requirements.txt': REQUIREMENTS })
    repos.push(repo)
    const file = join(root, `pb-${++n}.yaml`)
    writeFileSync(file, `name: py\nrepos: { dirs: ${JSON.stringify([repo.dir])} }\nsteps:\n  - { id: scan, uses: scan, with: { package: ultralytics, ecosystem: PyPI, affected: "8.3.41, 8.3.42" } }\n  - { id: fix, uses: pin, with: { to: "8.3.47" } }\n`)
    const result = await startRun({ playbookFile: file, runsDir: join(root, 'runs'), apply: true })
    expect(result.steps[1]).toMatchObject({ status: 'success', outputs: { remediated: 1 } })
    const branch = branches(repo).find((b) => b !== 'main')!
    expect(branch).toMatch(/^firebreak\//)
    expect(repo.git('show', `${branch}:requirements.txt`)).toBe('numpy==2.0.0\r\nultralytics==8.3.47  # vision\r\n')
  })
})
