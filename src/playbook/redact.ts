/**
 * Secrets stay secret: every value written to outputs, the journal or a
 * report passes through a Redactor, which replaces each registered secret
 * with `***`.
 */

/** Environment variable names whose values are secrets. */
export const SECRET_NAME = /TOKEN|SECRET|PASSWORD|KEY/i

export const MASK = '***'

export class Redactor {
  private readonly secrets = new Set<string>()
  private ordered: string[] = []

  /** Register a secret (and its URL-encoded form). Empty values are ignored. */
  add(secret: string | undefined | null): void {
    if (!secret || secret.trim() === '') return
    const before = this.secrets.size
    this.secrets.add(secret)
    const encoded = encodeURIComponent(secret)
    if (encoded !== secret) this.secrets.add(encoded)
    if (this.secrets.size !== before) this.ordered = [...this.secrets].sort((a, b) => b.length - a.length)
  }

  /**
   * Register the values of the named variables that look like secrets (TOKEN,
   * SECRET, PASSWORD, KEY). `minLength` keeps short values (KEYTIMEOUT=1) from
   * masking every digit when scanning a whole environment.
   */
  addFromEnv(env: Record<string, string | undefined>, names: readonly string[], minLength = 1): void {
    for (const name of names) {
      const value = env[name]
      if (SECRET_NAME.test(name) && value !== undefined && value.length >= minLength) this.add(value)
    }
  }

  get size(): number {
    return this.secrets.size
  }

  redactString(text: string): string {
    let out = text
    for (const secret of this.ordered) if (out.includes(secret)) out = out.split(secret).join(MASK)
    return out
  }

  /** A copy of `value` with every secret in every string replaced (object keys included). */
  redact<T>(value: T): T {
    if (this.ordered.length === 0) return value
    return this.walk(value) as T
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.redactString(value)
    if (Array.isArray(value)) return value.map((v) => this.walk(v))
    if (value instanceof Error) return this.redactString(value.message)
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [this.redactString(k), this.walk(v)]))
    }
    return value
  }
}
