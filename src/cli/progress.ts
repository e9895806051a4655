/**
 * One status line on a terminal, rewritten in place and throttled; nothing at
 * all when stderr is not a TTY (CI logs and pipes stay clean).
 */
export class ProgressLine {
  private last = 0
  private shown = false
  private readonly enabled: boolean

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    enabled?: boolean,
    private readonly intervalMs = 100,
  ) {
    this.enabled = enabled ?? Boolean(stream.isTTY)
  }

  update(text: string, force = false): void {
    if (!this.enabled) return
    const now = Date.now()
    if (!force && now - this.last < this.intervalMs) return
    this.last = now
    const width = this.stream.columns || 80
    this.stream.write(`\r\u001B[2K${text.length >= width ? text.slice(0, width - 1) : text}`)
    this.shown = true
  }

  clear(): void {
    if (!this.enabled || !this.shown) return
    this.stream.write('\r\u001B[2K')
    this.shown = false
  }
}
