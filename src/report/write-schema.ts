/** Writes templates/report.schema.json from the view model's zod schema (`npx tsx src/report/write-schema.ts`). */
import { writeFileSync } from 'node:fs'
import path from 'node:path'

import { TEMPLATES_DIR } from './render.js'
import { reportJsonSchemaText } from './types.js'

const file = path.join(TEMPLATES_DIR, 'report.schema.json')
writeFileSync(file, reportJsonSchemaText())
process.stdout.write(`wrote ${file}\n`)
