import { spawn } from 'node:child_process'

/** A new commit on `branch` with `files` changed (null deletes), made with fast-import in the bare repository. */
export function pushFiles(dir: string, branch: string, files: Record<string, string | null>): Promise<void> {
  const when = Math.floor(Date.now() / 1000)
  const message = Buffer.from('Update files\n')
  const chunks: Buffer[] = [
    Buffer.from(`commit refs/heads/${branch}\ncommitter Fake GitHub <fake@example.invalid> ${when} +0000\ndata ${message.length}\n`),
    message,
    Buffer.from(`from refs/heads/${branch}^0\n`),
  ]
  for (const [file, content] of Object.entries(files)) {
    if (content === null) chunks.push(Buffer.from(`D ${file}\n`))
    else {
      const data = Buffer.from(content)
      chunks.push(Buffer.from(`M 100644 inline ${file}\ndata ${data.length}\n`), data, Buffer.from('\n'))
    }
  }
  chunks.push(Buffer.from('\ndone\n'))
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet', '--done', '--force'], { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import failed: ${stderr}`))))
    child.stdin.end(Buffer.concat(chunks))
  })
}
