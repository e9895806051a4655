/**
 * The fake's storage: real bare git repositories, created from a declarative
 * spec with `git fast-import` and read back with `git ls-tree` and a
 * long-lived `git cat-file --batch-command` per repository.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface FakeRepoSpec {
  name: string
  /** Files of the default branch's single commit, by repository path. */
  files: Record<string, string | Buffer>
  defaultBranch?: string
  /** More branches, each with its own files. */
  branches?: Record<string, Record<string, string | Buffer>>
  archived?: boolean
  fork?: boolean
  topics?: string[]
  language?: string | null
  visibility?: 'public' | 'private' | 'internal'
  /** ISO date-time; default a fixed date. */
  pushedAt?: string
  description?: string | null
  /** Mount the shared filler tree (realistic bulk) at this path, e.g. `src`. */
  fillerAt?: string
  /** Largest number of entries a recursive tree response holds; beyond it `truncated: true`. */
  truncateTreeAt?: number
}

export interface FakeOwnerSpec {
  login: string
  type?: 'Organization' | 'User'
  repos: FakeRepoSpec[]
}

export interface TreeEntry {
  mode: string
  type: 'blob' | 'tree' | 'commit'
  sha: string
  size?: number
  path: string
}

export interface GitObject {
  sha: string
  type: string
  data: Buffer
  /** Set by `info` look-ups, which read no data. */
  size?: number
}

export function repoDir(root: string, owner: string, repo: string): string {
  return path.join(root, owner, `${repo}.git`)
}

const COMMITTER = 'Fake GitHub <fake@example.invalid>'

/** Creates one bare repository holding the spec's branches, one commit each. */
export async function createBareRepo(root: string, owner: string, spec: FakeRepoSpec, filler?: { dir: string; tree: string }): Promise<void> {
  const dir = repoDir(root, owner, spec.name)
  await mkdir(dir, { recursive: true })
  await run('git', ['init', '--bare', '--quiet', dir])
  const branch = spec.defaultBranch ?? 'main'
  await writeFile(path.join(dir, 'HEAD'), `ref: refs/heads/${branch}\n`)
  // What GitHub allows: partial clone filters, fetching any reachable object, pushes over HTTP.
  await appendFile(path.join(dir, 'config'), '[uploadpack]\n\tallowFilter = true\n\tallowAnySHA1InWant = true\n[http]\n\treceivepack = true\n')
  if (filler && spec.fillerAt) {
    await mkdir(path.join(dir, 'objects', 'info'), { recursive: true })
    await writeFile(path.join(dir, 'objects', 'info', 'alternates'), path.join(filler.dir, 'objects') + '\n')
  }
  const when = Math.floor(Date.parse(spec.pushedAt ?? '2025-01-01T00:00:00Z') / 1000)
  const chunks: Buffer[] = []
  const branches: Record<string, Record<string, string | Buffer>> = { [branch]: spec.files, ...(spec.branches ?? {}) }
  for (const [name, files] of Object.entries(branches)) {
    const message = Buffer.from(`Initial ${name}\n`)
    chunks.push(Buffer.from(`commit refs/heads/${name}\ncommitter ${COMMITTER} ${when} +0000\ndata ${message.length}\n`), message)
    for (const [file, content] of Object.entries(files)) {
      const data = Buffer.isBuffer(content) ? content : Buffer.from(content)
      chunks.push(Buffer.from(`M 100644 inline ${quotePath(file)}\ndata ${data.length}\n`), data, Buffer.from('\n'))
    }
    if (filler && spec.fillerAt) chunks.push(Buffer.from(`M 040000 ${filler.tree} ${quotePath(spec.fillerAt)}\n`))
    chunks.push(Buffer.from('\n'))
  }
  await pipeInto(['fast-import', '--quiet', '--done'], dir, Buffer.concat([...chunks, Buffer.from('done\n')]))
}

/** Realistic bulk shared by many repositories through git alternates: stored once, sent with every clone. */
export async function createFiller(root: string, files: number, totalBytes: number, seed = 1): Promise<{ dir: string; tree: string }> {
  const dir = path.join(root, '.filler.git')
  await run('git', ['init', '--bare', '--quiet', dir])
  const rng = mulberry32(seed)
  const per = Math.max(1, Math.floor(totalBytes / Math.max(1, files)))
  const chunks: Buffer[] = [Buffer.from(`commit refs/heads/main\ncommitter ${COMMITTER} 1735689600 +0000\ndata 7\nfiller\n`)]
  for (let i = 0; i < files; i++) {
    // Source-like text: compresses about as well as real code does (3-4x), unlike random bytes.
    const data = Buffer.from(fakeSource(rng, per))
    chunks.push(Buffer.from(`M 100644 inline lib/m${i % 40}/f${i}.ts\ndata ${data.length}\n`), data, Buffer.from('\n'))
  }
  chunks.push(Buffer.from('\ndone\n'))
  await pipeInto(['fast-import', '--quiet', '--done'], dir, Buffer.concat(chunks))
  await run('git', ['repack', '-adq'], { cwd: dir })
  const { stdout } = await run('git', ['rev-parse', 'main^{tree}'], { cwd: dir })
  return { dir, tree: stdout.trim() }
}

const WORDS = ['const', 'function', 'return', 'import', 'export', 'value', 'options', 'result', 'await', 'async', 'if', 'else', 'for', 'of', 'new', 'this', 'string', 'number', 'throw', 'error']

function fakeSource(rng: () => number, bytes: number): string {
  let out = ''
  while (out.length < bytes) {
    const indent = '  '.repeat(Math.floor(rng() * 4))
    let line = indent
    const n = 3 + Math.floor(rng() * 8)
    for (let i = 0; i < n; i++) line += (WORDS[Math.floor(rng() * WORDS.length)] as string) + (rng() < 0.2 ? `_${Math.floor(rng() * 1e6).toString(36)} ` : ' ')
    out += line.trimEnd() + '\n'
  }
  return out.slice(0, bytes)
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function quotePath(p: string): string {
  return /^[\w./@+-]+$/.test(p) ? p : JSON.stringify(p)
}

function pipeInto(args: string[], cwd: string, input: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git ${args[0]} failed (${code}): ${stderr}`))))
    child.stdin.end(input)
  })
}

interface Pending {
  /** `info` answers carry no body. */
  info: boolean
  resolve: (value: GitObject | undefined) => void
  reject: (error: Error) => void
}

/** One `git cat-file --batch-command` process: requests are pipelined, answers come back in order. */
class CatFile {
  private readonly child: ChildProcessWithoutNullStreams
  private readonly queue: Pending[] = []
  private buffer: Buffer = Buffer.alloc(0)
  private closed = false

  constructor(dir: string) {
    this.child = spawn('git', ['cat-file', '--batch-command'], { cwd: dir })
    this.child.stdout.on('data', (d: Buffer) => this.onData(d))
    this.child.on('close', () => {
      this.closed = true
      for (const p of this.queue.splice(0)) p.reject(new Error('git cat-file exited'))
    })
    this.child.stdin.on('error', () => undefined)
  }

  get idle(): boolean {
    return this.queue.length === 0
  }

  read(name: string): Promise<GitObject | undefined> {
    return this.ask('contents', name)
  }

  /** Type and size only (`data` is empty, `size` set). */
  info(name: string): Promise<GitObject | undefined> {
    return this.ask('info', name)
  }

  private ask(command: 'contents' | 'info', name: string): Promise<GitObject | undefined> {
    if (this.closed) return Promise.reject(new Error('git cat-file exited'))
    return new Promise((resolve, reject) => {
      this.queue.push({ info: command === 'info', resolve, reject })
      this.child.stdin.write(`${command} ${name}\n`)
    })
  }

  private onData(data: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data
    for (;;) {
      const nl = this.buffer.indexOf(10)
      if (nl === -1) return
      const header = this.buffer.subarray(0, nl).toString()
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buffer = this.buffer.subarray(nl + 1)
        this.queue.shift()?.resolve(undefined)
        continue
      }
      const [sha, type, sizeText] = header.split(' ')
      const size = Number(sizeText)
      if (this.queue[0]?.info) {
        this.buffer = this.buffer.subarray(nl + 1)
        this.queue.shift()?.resolve({ sha: sha as string, type: type as string, data: Buffer.alloc(0), size })
        continue
      }
      if (this.buffer.length < nl + 1 + size + 1) return
      const body = Buffer.from(this.buffer.subarray(nl + 1, nl + 1 + size))
      this.buffer = this.buffer.subarray(nl + 1 + size + 1)
      this.queue.shift()?.resolve({ sha: sha as string, type: type as string, data: body })
    }
  }

  close(): void {
    this.child.stdin.end()
  }
}

/** The entries of a raw tree object (`<mode> <name>\0<20-byte sha>`...), as `ls-tree` names them. */
function parseTreeObject(data: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = []
  let i = 0
  while (i < data.length) {
    const space = data.indexOf(32, i)
    const nul = data.indexOf(0, space)
    const mode = data.toString('latin1', i, space).padStart(6, '0')
    const path = data.toString('utf8', space + 1, nul)
    const sha = data.toString('hex', nul + 1, nul + 21)
    const type: TreeEntry['type'] = mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob'
    entries.push({ mode, type, sha, path })
    i = nul + 21
  }
  return entries
}

/**
 * `name` (a rev as cat-file takes it: `main^{tree}`, `<sha>:path`) with its
 * leading ref replaced by the SHA the repository's ref files give; undefined
 * when only git itself can say (an abbreviated SHA, a reflog, a missing ref).
 */
async function resolveName(dir: string, name: string): Promise<string | undefined> {
  const m = /^([^:^~@]+)([\s\S]*)$/.exec(name)
  if (!m) return undefined
  const [, base, rest] = m as unknown as [string, string, string]
  if (/^[0-9a-f]{40}$/.test(base)) return name
  const sha = await resolveRef(dir, base, 0)
  return sha === undefined ? undefined : sha + rest
}

async function resolveRef(dir: string, ref: string, depth: number): Promise<string | undefined> {
  if (ref.includes('..') || depth > 5) return undefined
  // git's own order for a short name.
  const candidates = ref === 'HEAD' || ref.startsWith('refs/') ? [ref] : [`refs/${ref}`, `refs/tags/${ref}`, `refs/heads/${ref}`, `refs/remotes/${ref}`]
  let packed: string | undefined
  for (const candidate of candidates) {
    const loose = (await readFile(path.join(dir, candidate), 'utf8').catch(() => undefined))?.trim()
    if (loose !== undefined) {
      if (/^[0-9a-f]{40}$/.test(loose)) return loose
      return loose.startsWith('ref: ') ? resolveRef(dir, loose.slice(5), depth + 1) : undefined
    }
    packed ??= await readFile(path.join(dir, 'packed-refs'), 'utf8').catch(() => '')
    const line = packed.split('\n').find((l) => /^[0-9a-f]{40} /.test(l) && l.slice(41) === candidate)
    if (line) return line.slice(0, 40)
  }
  return undefined
}

/** Reads objects of many repositories, keeping a bounded number of cat-file processes. */
export class GitStore {
  private readonly procs = new Map<string, CatFile>()
  private readonly treeCache = new Map<string, TreeEntry[]>()
  /** Recursive listings of sub-trees under a path, memoised: the same objects for every repository mounting them there. */
  private readonly mountedCache = new Map<string, TreeEntry[]>()
  /** One cat-file over every repository's objects, and the repositories it sees. */
  private shared: CatFile | undefined
  private readonly sharedDirs = new Set<string>()

  constructor(
    readonly root: string,
    private readonly maxProcs = 24,
  ) {}

  /**
   * Objects of all these repositories through one process: a bare repository
   * whose alternates list them all. A process per repository costs a fork of
   * this whole server (~15 ms of its one thread each), which over a thousand
   * repositories would be the fake's time, not the client's. Refs are still
   * each repository's own, read from its ref files. Objects are then found
   * by SHA across repositories (GitHub would answer 404 for another
   * repository's object; nothing here relies on that).
   */
  async shareObjects(dirs: readonly string[]): Promise<void> {
    const dir = path.join(this.root, '.shared.git')
    await run('git', ['init', '--bare', '--quiet', dir])
    await mkdir(path.join(dir, 'objects', 'info'), { recursive: true })
    await writeFile(path.join(dir, 'objects', 'info', 'alternates'), dirs.map((d) => path.join(d, 'objects')).join('\n') + '\n')
    this.shared = new CatFile(dir)
    for (const d of dirs) this.sharedDirs.add(d)
  }

  /** The shared process and the name to ask it, when it can answer for this repository. */
  private async sharedFor(owner: string, repo: string, name: string): Promise<{ proc: CatFile; name: string } | undefined> {
    const dir = repoDir(this.root, owner, repo)
    if (!this.shared || !this.sharedDirs.has(dir)) return undefined
    const resolved = await resolveName(dir, name)
    return resolved === undefined ? undefined : { proc: this.shared, name: resolved }
  }

  private proc(owner: string, repo: string): CatFile {
    const dir = repoDir(this.root, owner, repo)
    let p = this.procs.get(dir)
    if (p) {
      this.procs.delete(dir)
      this.procs.set(dir, p)
      return p
    }
    p = new CatFile(dir)
    this.procs.set(dir, p)
    if (this.procs.size > this.maxProcs) {
      for (const [key, old] of this.procs) {
        if (old !== p && old.idle) {
          old.close()
          this.procs.delete(key)
          break
        }
      }
    }
    return p
  }

  async read(owner: string, repo: string, name: string): Promise<GitObject | undefined> {
    const shared = await this.sharedFor(owner, repo, name)
    return shared ? shared.proc.read(shared.name) : this.proc(owner, repo).read(name)
  }

  private async info(owner: string, repo: string, sha: string): Promise<GitObject | undefined> {
    const shared = await this.sharedFor(owner, repo, sha)
    return shared ? shared.proc.info(shared.name) : this.proc(owner, repo).info(sha)
  }

  /** `<ref>^{commit}` → commit sha, tree sha and committer time. */
  async commit(owner: string, repo: string, ref: string): Promise<{ sha: string; tree: string; date: string; message: string } | undefined> {
    const obj = await this.read(owner, repo, `${ref}^{commit}`)
    if (!obj || obj.type !== 'commit') return undefined
    const text = obj.data.toString()
    const tree = /^tree ([0-9a-f]{40})/m.exec(text)?.[1] as string
    const when = Number(/^committer .* (\d+) [+-]\d{4}$/m.exec(text)?.[1] ?? 0)
    const message = text.slice(text.indexOf('\n\n') + 2)
    return { sha: obj.sha, tree, date: new Date(when * 1000).toISOString().replace('.000Z', 'Z'), message }
  }

  /** Resolves a tree-ish (tree sha, commit sha or ref name) to a tree sha. */
  async treeSha(owner: string, repo: string, treeish: string): Promise<string | undefined> {
    const obj = await this.read(owner, repo, `${treeish}^{tree}`)
    return obj?.type === 'tree' ? obj.sha : undefined
  }

  /**
   * `git ls-tree -l`, memoised by tree sha (trees never change, and a sha is
   * the same tree in every repository). A recursive listing is put together
   * from the listings of its sub-trees, in the order `ls-tree -r -t` gives,
   * so that a sub-tree shared by many repositories is listed once.
   */
  async listTree(owner: string, repo: string, tree: string, recursive: boolean): Promise<TreeEntry[]> {
    const key = `${tree}:${recursive}`
    const hit = this.treeCache.get(key)
    if (hit) return hit
    let entries: TreeEntry[]
    if (recursive) {
      entries = []
      for (const entry of await this.listTree(owner, repo, tree, false)) {
        entries.push(entry)
        if (entry.type !== 'tree') continue
        const mountKey = `${entry.sha}:${entry.path}`
        let mounted = this.mountedCache.get(mountKey)
        if (!mounted) {
          mounted = (await this.listTree(owner, repo, entry.sha, true)).map((sub) => ({ ...sub, path: `${entry.path}/${sub.path}` }))
          if (this.mountedCache.size > 10_000) this.mountedCache.clear()
          this.mountedCache.set(mountKey, mounted)
        }
        for (const sub of mounted) entries.push(sub)
      }
    } else {
      // The tree object itself, through the repository's long-lived cat-file: no process per listing.
      const obj = await this.read(owner, repo, tree)
      if (!obj || obj.type !== 'tree') throw new Error(`not a tree: ${tree}`)
      entries = parseTreeObject(obj.data)
      await Promise.all(entries.filter((e) => e.type === 'blob').map(async (e) => (e.size = (await this.info(owner, repo, e.sha))?.size ?? 0)))
    }
    if (this.treeCache.size > 50_000) this.treeCache.clear()
    this.treeCache.set(key, entries)
    return entries
  }

  close(): void {
    for (const p of this.procs.values()) p.close()
    this.procs.clear()
    this.shared?.close()
  }
}
