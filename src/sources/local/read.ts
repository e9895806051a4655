import { open } from 'node:fs/promises'

/** Default ceiling on one file: real lockfiles reach tens of MB; beyond this is hostile or a mistake. */
export const DEFAULT_MAX_FILE_BYTES = 128 * 1024 * 1024

export type ReadOutcome = { ok: true; content: string } | { ok: false; message: string; line?: number }

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/**
 * Reads a manifest or lockfile as text, refusing what no parser should see:
 * files over the size limit (checked before reading, so memory stays bounded),
 * NUL bytes and invalid UTF-8. The error says which line.
 */
export async function readTextFile(absolute: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<ReadOutcome> {
  let handle
  try {
    handle = await open(absolute, 'r')
    const { size } = await handle.stat()
    if (size > maxBytes) {
      return { ok: false, message: `file is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit (raise it with --max-file-size)` }
    }
    const buffer = await handle.readFile()
    return decodeText(buffer)
  } catch (error) {
    return { ok: false, message: `cannot read file: ${(error as Error).message}` }
  } finally {
    await handle?.close()
  }
}

export function decodeText(buffer: Uint8Array): ReadOutcome {
  const nul = buffer.indexOf(0)
  if (nul !== -1) {
    return { ok: false, message: `contains a NUL byte at offset ${nul}: not a text file`, line: lineAt(buffer, nul) }
  }
  try {
    return { ok: true, content: decoder.decode(buffer) }
  } catch {
    const offset = firstInvalidUtf8(buffer)
    return { ok: false, message: `invalid UTF-8 at byte offset ${offset}: expected UTF-8 text`, line: lineAt(buffer, offset) }
  }
}

function lineAt(buffer: Uint8Array, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < buffer.length; i++) if (buffer[i] === 10) line++
  return line
}

function firstInvalidUtf8(buffer: Uint8Array): number {
  // Binary search on the longest valid prefix; decoding a prefix may end mid-character, so allow 3 bytes of slack.
  let lo = 0
  let hi = buffer.length
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (validPrefix(buffer, mid)) lo = mid
    else hi = mid - 1
  }
  return lo
}

function validPrefix(buffer: Uint8Array, length: number): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length), { stream: true })
    return true
  } catch {
    return false
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(bytes >= 10 * 1024 * 1024 ? 0 : 1)} MB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KB`
  return `${bytes} B`
}
