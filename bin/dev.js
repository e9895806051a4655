#!/usr/bin/env node
import { readFileSync } from 'node:fs'

// Runs the TypeScript sources through tsx, with no build, from any directory.
import { register } from 'tsx/esm/api'

register()
const { execute } = await import('@oclif/core')

// oclif would load the commands listed in the last build's oclif.manifest.json
// from dist/, and fails to register tsx a second time, so the command folder is
// given as the sources and the manifest is set aside: oclif ignores a manifest
// of another version.
const root = new URL('..', import.meta.url).pathname
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
pjson.oclif.commands = './src/commands'
pjson.version = `0.0.0-dev.${pjson.version}`
const emitWarning = process.emitWarning.bind(process)
process.emitWarning = (warning, ...rest) => (String(warning).startsWith('Mismatched version in') ? undefined : emitWarning(warning, ...rest))

await execute({ development: true, dir: import.meta.url, loadOptions: { root, pjson } })
