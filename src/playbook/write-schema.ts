/**
 * `npm run schema`: regenerate playbooks/playbook.schema.json from the zod
 * schema. test/playbook/schema.test.ts fails when the committed file is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { playbookJsonSchemaText } from './schema.js'

export const schemaFile = resolve(dirname(fileURLToPath(import.meta.url)), '../../playbooks/playbook.schema.json')

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(dirname(schemaFile), { recursive: true })
  writeFileSync(schemaFile, playbookJsonSchemaText())
  process.stdout.write(`wrote ${schemaFile}\n`)
}
