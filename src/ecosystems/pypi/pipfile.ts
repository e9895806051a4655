/**
 * Pipfile (pipenv's manifest). Every table except `source`, `requires`,
 * `pipenv` and `scripts` is a package category, custom ones included. A value
 * is a pin only as `"==X"` or `{version = "==X"}`; git, path, file and
 * editable entries are not from a registry.
 */
import type { Extraction, SourceFile } from '../types.js'
import { Collector, isTable, own, ownString, parseTomlTable, rejectBinary, TomlLines } from './common.js'
import { isValidPypiName } from './names.js'
import { exactVersion } from './pep508.js'

const NOT_CATEGORIES = new Set(['source', 'requires', 'pipenv', 'scripts'])
const NOT_REGISTRY = ['git', 'hg', 'svn', 'bzr', 'path', 'file', 'editable']

export function extractPipfile(file: SourceFile): Extraction {
  const out = new Collector(file.path)
  if (rejectBinary(file.content, out, 'a Pipfile')) return out.result('Pipfile')
  const doc = parseTomlTable(file.content, out, 'a Pipfile')
  if (!doc) return out.result('Pipfile')
  const lines = new TomlLines(file.content)

  for (const [category, table] of Object.entries(doc)) {
    if (NOT_CATEGORIES.has(category) || !isTable(table)) continue
    const dev = category === 'dev-packages'
    for (const [key, value] of Object.entries(table)) {
      const line = lines.locate([category, key]) ?? lines.locate([category])
      // `"splinter[django]"`: extras in the key are not part of the name.
      const name = key.replace(/\s*\[.*$/, '').trim()
      if (!isValidPypiName(name)) {
        out.error(`invalid package name '${key}' in [${category}]`, line)
        continue
      }
      let spec: string | undefined
      if (typeof value === 'string') spec = value
      else if (isTable(value)) {
        if (NOT_REGISTRY.some((k) => own(value, k) !== undefined && own(value, k) !== false)) continue
        // No version means any version, as pipenv reads it.
        spec = ownString(value, 'version') ?? '*'
      } else {
        out.error(`expected a version string or a table for '${key}' in [${category}]`, line)
        continue
      }
      const pinned = /^==\s*([^=].*)$/.exec(spec.trim())?.[1]
      const version = pinned !== undefined ? exactVersion(pinned) : undefined
      if (version !== undefined) out.addPackage({ name, version, line, direct: true, dev })
      else out.addRange(name, spec.trim(), line, dev)
    }
  }
  return out.result('Pipfile')
}
