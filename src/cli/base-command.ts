import { Command, Flags, Interfaces } from '@oclif/core'

import { ExitCode, FirebreakError, exitCodeFor } from '../errors.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * The only layer that knows about oclif: shared flags, `--json`, and the
 * mapping from typed errors to the one exit-code table (src/errors.ts).
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    quiet: Flags.boolean({
      char: 'q',
      description: 'Print only results and errors; no progress.',
      helpGroup: 'GLOBAL',
    }),
  }

  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>

  public override async init(): Promise<void> {
    await super.init()
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as BaseFlags<T>
    this.args = args as BaseArgs<T>
  }

  /** Progress and notes go to stderr so that stdout stays parseable. */
  protected note(message: string): void {
    if (this.flags?.quiet) return
    process.stderr.write(message + '\n')
  }

  /** Set the exit code without throwing, so `--json` output is still printed. */
  protected setExit(code: ExitCode): void {
    process.exitCode = code
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof FirebreakError) {
      const lines = [err.message]
      if (err.suggestion) lines.push(`hint: ${err.suggestion}`)
      if (this.jsonEnabled()) {
        this.logJson({ error: { code: err.code, message: err.message, suggestion: err.suggestion } })
      } else {
        process.stderr.write(`firebreak: ${lines.join('\n')}\n`)
      }
      this.exit(err.exitCode)
    }
    // oclif's own parse errors (unknown flag, missing arg) are usage errors.
    if (err.oclif?.exit !== undefined && err.oclif.exit !== 0 && !(err as { code?: string }).code?.startsWith('EEXIT')) {
      err.oclif.exit = ExitCode.Usage
    }
    return super.catch(err)
  }
}

export { exitCodeFor }
