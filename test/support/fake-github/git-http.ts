/**
 * Git smart HTTP through `git http-backend` run as a CGI program, as a real
 * git host does: GIT_PROJECT_ROOT is the fake's repository root and the
 * authenticated user (basic auth carrying the token) is REMOTE_USER, which
 * also enables pushes (receive-pack).
 */
import { spawn } from 'node:child_process'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface GitHttpRequest {
  req: IncomingMessage
  res: ServerResponse
  /** Path below the mount point, e.g. `/acme/api.git/info/refs`. */
  pathInfo: string
  query: string
  root: string
  user: string
  /** Counts bytes sent, for benchmarks. */
  onBytes?: (n: number) => void
}

export function serveGitHttp({ req, res, pathInfo, query, root, user, onBytes }: GitHttpRequest): Promise<void> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: root,
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: pathInfo,
      QUERY_STRING: query,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: user,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: 'HTTP/1.1',
    }
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length']
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding']
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol'])
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    req.pipe(child.stdin)
    child.stdin.on('error', () => undefined)
    let head = Buffer.alloc(0)
    let headersDone = false
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        onBytes?.(chunk.length)
        if (!res.write(chunk)) {
          child.stdout.pause()
          res.once('drain', () => child.stdout.resume())
        }
        return
      }
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n') !== -1 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n')
      if (end === -1) return
      const sep = head[end] === 13 ? 4 : 2
      const lines = head.subarray(0, end).toString().split(/\r?\n/)
      let status = 200
      for (const line of lines) {
        const colon = line.indexOf(':')
        if (colon === -1) continue
        const name = line.slice(0, colon).trim()
        const value = line.slice(colon + 1).trim()
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10)
        else res.setHeader(name, value)
      }
      res.statusCode = status
      headersDone = true
      const rest = head.subarray(end + sep)
      onBytes?.(rest.length)
      if (rest.length) res.write(rest)
    })
    child.on('close', (code) => {
      if (!headersDone) {
        res.statusCode = 500
        res.end(`git http-backend failed (${code}): ${stderr}`)
      } else res.end()
      resolve()
    })
  })
}
