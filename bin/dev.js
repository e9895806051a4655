#!/usr/bin/env -S node --import tsx
import { readFileSync } from 'node:fs'

import { execute } from '@oclif/core'

// Runs the TypeScript sources through tsx with no build. The command folder is
// given as the sources because oclif fails to register tsx a second time.
const root = new URL('..', import.meta.url).pathname
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
pjson.oclif.commands = './src/commands'

await execute({ development: true, dir: import.meta.url, loadOptions: { root, pjson } })
