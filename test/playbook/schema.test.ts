import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'
import type { z } from 'zod'

import { PlaybookSchema, playbookJsonSchemaText } from '../../src/playbook/schema.js'

const schemaFile = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'playbooks', 'playbook.schema.json')

describe('playbook schema', () => {
  it('playbooks/playbook.schema.json is up to date (run `npm run schema` after changing src/playbook/schema.ts)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(playbookJsonSchemaText())
  })

  it('describes every field', () => {
    const undescribed: string[] = []
    const walk = (value: unknown, path: string): void => {
      if (!value || typeof value !== 'object') return
      const node = value as Record<string, unknown>
      const properties = node.properties as Record<string, Record<string, unknown>> | undefined
      for (const [key, property] of Object.entries(properties ?? {})) {
        if (typeof property.description !== 'string' || property.description === '') undescribed.push(`${path}.${key}`)
        walk(property, `${path}.${key}`)
      }
      for (const key of ['items', 'additionalProperties']) walk(node[key], `${path}.${key}`)
    }
    walk(JSON.parse(playbookJsonSchemaText()), '$')
    expect(undescribed).toEqual([])
  })

  it.each([
    ['an unknown top-level key', { name: 'x', steps: [{ id: 'a', uses: 's' }], extra: 1 }],
    ['an unknown step key', { name: 'x', steps: [{ id: 'a', uses: 's', wiht: {} }] }],
    ['no steps', { name: 'x', steps: [] }],
    ['both org and user', { name: 'x', repos: { org: 'a', user: 'b' }, steps: [{ id: 'a', uses: 's' }] }],
    ['a step id that is not an identifier', { name: 'x', steps: [{ id: 'has space', uses: 's' }] }],
    ['an input type that does not exist', { name: 'x', inputs: { a: { type: 'date' } }, steps: [{ id: 'a', uses: 's' }] }],
  ] as [string, unknown][])('rejects %s', (_what, value) => {
    expect(PlaybookSchema.safeParse(value).success).toBe(false)
  })

  it('accepts the playbook of DESIGN.md', () => {
    const playbook: z.input<typeof PlaybookSchema> = {
      name: 'compromised-npm-package',
      inputs: { advisory: { description: 'OSV id', required: true }, 'safe-version': { description: 'version' } },
      repos: { org: 'acme', exclude: ['acme/sandbox-*'], archived: false, forks: false },
      env: ['GITHUB_TOKEN'],
      steps: [
        { id: 'scan', uses: 'scan', with: { advisory: '${{ inputs.advisory }}' } },
        { id: 'pin', if: '${{ steps.scan.outputs.affected-repos > 0 }}', uses: 'pin', 'timeout-minutes': 30, 'continue-on-error': false },
      ],
    }
    expect(PlaybookSchema.safeParse(playbook).success).toBe(true)
  })
})
