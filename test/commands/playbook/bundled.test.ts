import { readdirSync } from 'node:fs'
import path from 'node:path'

import { captureOutput } from '@oclif/test'
import { describe, expect, it } from 'vitest'

import Validate from '../../../src/commands/playbook/validate.js'

const root = path.resolve('.')
const bundled = readdirSync(path.join(root, 'playbooks')).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join('playbooks', f))

describe('bundled playbooks', () => {
  it('there are bundled playbooks to check', () => {
    expect(bundled.length).toBeGreaterThan(0)
  })

  it.each(bundled)('%s validates with no problem (exit 0)', async (file) => {
    process.exitCode = undefined
    const out = await captureOutput(() => Validate.run([file, '--json'], root))
    const exit = Number((out.error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit ?? process.exitCode ?? 0)
    process.exitCode = undefined
    expect(JSON.parse(out.stdout).files[0].problems).toEqual([])
    expect(exit).toBe(0)
  })
})
