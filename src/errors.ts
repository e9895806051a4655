/**
 * Typed errors and the one exit-code table. Only src/cli/base-command.ts maps
 * these to process exit codes; domain code throws them and never exits.
 */
export const ExitCode = {
  /** Nothing affected, everything read. */
  Clean: 0,
  /** An affected version was found, or something was left unfixed. */
  Affected: 1,
  /** Bad usage or input (flags, playbook, a file that could not be read). */
  Usage: 2,
  /** Authentication failed (401, missing or rejected token). */
  Auth: 4,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export type ErrorCode =
  | 'USAGE'
  | 'INPUT'
  | 'PLAYBOOK'
  | 'ADVISORY'
  | 'NOT_FOUND'
  | 'AUTH'
  | 'REMOTE'
  | 'CANCELLED'
  | 'INTERNAL'

export class FirebreakError extends Error {
  readonly code: ErrorCode
  readonly exitCode: ExitCode
  /** What the user can do about it, shown under the message. */
  readonly suggestion?: string

  constructor(message: string, options: { code?: ErrorCode; exitCode?: ExitCode; suggestion?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = new.target.name
    this.code = options.code ?? 'INTERNAL'
    this.exitCode = options.exitCode ?? ExitCode.Usage
    this.suggestion = options.suggestion
  }
}

/** Wrong flags, arguments or combinations of them. */
export class UsageError extends FirebreakError {
  constructor(message: string, suggestion?: string) {
    super(message, { code: 'USAGE', exitCode: ExitCode.Usage, suggestion })
  }
}

/** A file or value given by the user could not be read or is invalid. */
export class InputError extends FirebreakError {
  readonly file?: string
  readonly line?: number
  readonly column?: number

  constructor(message: string, where: { file?: string; line?: number; column?: number; suggestion?: string; cause?: unknown } = {}) {
    super(formatWhere(where) + message, { code: 'INPUT', exitCode: ExitCode.Usage, suggestion: where.suggestion, cause: where.cause })
    this.file = where.file
    this.line = where.line
    this.column = where.column
  }
}

/** A playbook failed validation; `problems` holds every problem found. */
export class PlaybookError extends FirebreakError {
  readonly problems: readonly string[]

  constructor(message: string, problems: readonly string[] = []) {
    super(message, { code: 'PLAYBOOK', exitCode: ExitCode.Usage })
    this.problems = problems
  }
}

/** An advisory could not be loaded or understood. */
export class AdvisoryError extends FirebreakError {
  constructor(message: string, suggestion?: string, cause?: unknown) {
    super(message, { code: 'ADVISORY', exitCode: ExitCode.Usage, suggestion, cause })
  }
}

export class NotFoundError extends FirebreakError {
  constructor(message: string, suggestion?: string) {
    super(message, { code: 'NOT_FOUND', exitCode: ExitCode.Usage, suggestion })
  }
}

/** The token was missing or rejected. */
export class AuthError extends FirebreakError {
  constructor(message: string, suggestion?: string) {
    super(message, { code: 'AUTH', exitCode: ExitCode.Auth, suggestion })
  }
}

/** A remote service failed after retries (5xx, network). */
export class RemoteError extends FirebreakError {
  readonly status?: number
  constructor(message: string, status?: number, cause?: unknown) {
    super(message, { code: 'REMOTE', exitCode: ExitCode.Usage, cause })
    this.status = status
  }
}

/** The run was stopped by the user (Ctrl-C); its journal is resumable. */
export class CancelledError extends FirebreakError {
  constructor(message = 'cancelled') {
    super(message, { code: 'CANCELLED', exitCode: ExitCode.Usage })
  }
}

export function formatWhere(where: { file?: string; line?: number; column?: number }): string {
  if (!where.file) return ''
  let out = where.file
  if (where.line !== undefined) out += `:${where.line}`
  if (where.line !== undefined && where.column !== undefined) out += `:${where.column}`
  return out + ': '
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof FirebreakError) return error.exitCode
  return ExitCode.Usage
}
