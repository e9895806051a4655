/**
 * pyproject.toml in all its dialects (PEP 621, PEP 735, PEP 518, Poetry,
 * PDM, uv, Hatch) and hatch.toml. Manifests count exact pins only; every
 * other constraint is reported as a range in the syntax it was written in.
 */
import type { Extraction, SourceFile } from '../types.js'
import { Collector, isTable, own, ownString, ownTable, parseTomlTable, rejectBinary, TomlLines, type Table } from './common.js'
import { isValidPypiName, normalizePypiName } from './names.js'
import { exactPin, exactVersion, looksLikeUrlOrPath, parseRequirement } from './pep508.js'

interface Context {
  out: Collector
  lines: TomlLines
  /** The project's own normalised name: `pkg[extra]` self-references are not dependencies. */
  self?: string
}

export function extractPyproject(file: SourceFile, kind: 'pyproject.toml' | 'hatch.toml'): Extraction {
  const out = new Collector(file.path)
  if (rejectBinary(file.content, out, kind)) return out.result(kind)
  const doc = parseTomlTable(file.content, out, kind)
  if (!doc) return out.result(kind)
  const lines = new TomlLines(file.content)

  if (kind === 'hatch.toml') {
    readHatch({ out, lines }, doc, '')
    return out.result(kind)
  }

  const project = ownTable(doc, 'project')
  const poetry = ownTable(ownTable(doc, 'tool'), 'poetry')
  const selfName = ownString(project, 'name') ?? ownString(poetry, 'name')
  const ctx: Context = { out, lines, self: selfName ? normalizePypiName(selfName) : undefined }

  readPep508List(ctx, own(ownTable(doc, 'build-system'), 'requires'), 'build-system', 'requires', false)
  readPep508List(ctx, own(project, 'dependencies'), 'project', 'dependencies', false)
  forEachEntry(ownTable(project, 'optional-dependencies'), (extra, list) =>
    readPep508List(ctx, list, 'project.optional-dependencies', extra, false),
  )
  // PEP 735 groups are development-time by definition; `{include-group = ...}` tables name no package.
  forEachEntry(ownTable(doc, 'dependency-groups'), (group, list) => readPep508List(ctx, list, 'dependency-groups', group, true))

  const tool = ownTable(doc, 'tool')
  if (poetry) readPoetry(ctx, poetry)
  const pdm = ownTable(tool, 'pdm')
  forEachEntry(ownTable(pdm, 'dev-dependencies'), (group, list) =>
    readPep508List(ctx, list, 'tool.pdm.dev-dependencies', group, true),
  )
  readPdmOverrides(ctx, ownTable(ownTable(pdm, 'resolution'), 'overrides'))
  const uv = ownTable(tool, 'uv')
  for (const key of ['dev-dependencies', 'constraint-dependencies', 'override-dependencies', 'build-constraint-dependencies']) {
    readPep508List(ctx, own(uv, key), 'tool.uv', key, key === 'dev-dependencies')
  }
  const hatch = ownTable(tool, 'hatch')
  if (hatch) readHatch(ctx, hatch, 'tool.hatch.')
  return out.result(kind)
}

/** Hatch environments (development tooling) and build-hook dependencies; `prefix` is '' in hatch.toml. */
function readHatch(ctx: Context, hatch: Table, prefix: string): void {
  forEachEntry(ownTable(hatch, 'envs'), (env, table) => {
    for (const key of ['dependencies', 'extra-dependencies']) readPep508List(ctx, own(table, key), `${prefix}envs.${env}`, key, true)
  })
  const build = ownTable(hatch, 'build')
  forEachEntry(ownTable(build, 'hooks'), (hook, table) =>
    readPep508List(ctx, own(table, 'dependencies'), `${prefix}build.hooks.${hook}`, 'dependencies', false),
  )
  forEachEntry(ownTable(build, 'targets'), (target, table) =>
    forEachEntry(ownTable(table, 'hooks'), (hook, hookTable) =>
      readPep508List(ctx, own(hookTable, 'dependencies'), `${prefix}build.targets.${target}.hooks.${hook}`, 'dependencies', false),
    ),
  )
}

/** A list of PEP 508 strings at `[table] key = [...]`. */
function readPep508List(ctx: Context, list: unknown, table: string, key: string, dev: boolean): void {
  if (list === undefined) return
  const start = ctx.lines.locate([...table.split('.'), key])
  if (!Array.isArray(list)) {
    ctx.out.error(`expected ${table}.${key} to be an array of requirement strings`, start)
    return
  }
  let cursor = start
  for (const item of list) {
    if (typeof item !== 'string') {
      if (!isTable(item)) ctx.out.error(`expected a requirement string in ${table}.${key}, found ${typeof item}`, start)
      continue
    }
    const text = item.trim()
    const written = /^[A-Za-z0-9._-]+/.exec(text)?.[0]
    const line = cursor !== undefined && written ? ctx.lines.itemLine(written, cursor) : undefined
    if (line !== undefined) cursor = line
    readPep508(ctx, text, line ?? start, dev)
  }
}

function readPep508(ctx: Context, text: string, line: number | undefined, dev: boolean): void {
  // pdm writes editable and path entries (`-e file:///${PROJECT_ROOT}/x`) in the same lists.
  if (text.startsWith('-') || looksLikeUrlOrPath(text)) return
  const parsed = parseRequirement(text)
  if (!parsed.ok) {
    ctx.out.error(`invalid requirement: ${parsed.error}`, line)
    return
  }
  const req = parsed.requirement
  if (req.url !== undefined) return
  if (ctx.self !== undefined && normalizePypiName(req.name) === ctx.self) return
  const version = exactPin(req.clauses)
  if (version !== undefined) ctx.out.addPackage({ name: req.name, version, line, direct: true, dev })
  else ctx.out.addRange(req.name, req.specifier, line, dev)
}

function readPoetry(ctx: Context, poetry: Table): void {
  readPoetryTable(ctx, ownTable(poetry, 'dependencies'), 'tool.poetry.dependencies', false)
  readPoetryTable(ctx, ownTable(poetry, 'dev-dependencies'), 'tool.poetry.dev-dependencies', true)
  // Every group but `main` is a development group (poetry installs them only on request).
  forEachEntry(ownTable(poetry, 'group'), (group, table) =>
    readPoetryTable(ctx, ownTable(table, 'dependencies'), `tool.poetry.group.${group}.dependencies`, group !== 'main'),
  )
}

function readPoetryTable(ctx: Context, deps: Table | undefined, path: string, dev: boolean): void {
  if (!deps) return
  for (const [name, value] of Object.entries(deps)) {
    if (normalizePypiName(name) === 'python') continue
    const line = ctx.lines.locate([...path.split('.'), name]) ?? ctx.lines.locate(path.split('.'))
    if (!isValidPypiName(name)) {
      ctx.out.error(`invalid package name '${name}' in ${path}`, line)
      continue
    }
    if (ctx.self !== undefined && normalizePypiName(name) === ctx.self) continue
    // A list is poetry's "multiple constraints" form: each element is read on its own.
    for (const entry of Array.isArray(value) ? value : [value]) readPoetryConstraint(ctx, name, entry, line, dev)
  }
}

function readPoetryConstraint(ctx: Context, name: string, value: unknown, line: number | undefined, dev: boolean): void {
  let constraint: string | undefined
  if (typeof value === 'string') constraint = value
  else if (isTable(value)) {
    // git, path, url and file dependencies are not resolved from a registry.
    if (['git', 'path', 'url', 'file'].some((k) => own(value, k) !== undefined)) return
    constraint = ownString(value, 'version')
  }
  if (constraint === undefined) return
  const version = poetryExact(constraint)
  if (version !== undefined) ctx.out.addPackage({ name, version, line, direct: true, dev })
  else ctx.out.addRange(name, constraint.trim(), line, dev)
}

/** Poetry's exact forms: `1.2.3`, `=1.2.3`, `==1.2.3`. */
function poetryExact(constraint: string): string | undefined {
  const m = /^(?:={1,2})?\s*([^\s=<>!~^*,|]+)$/.exec(constraint.trim())
  return m?.[1] ? exactVersion(m[1]) : undefined
}

/** PDM overrides: a bare version is exact, as PDM reads it; URLs are not registry versions. */
function readPdmOverrides(ctx: Context, overrides: Table | undefined): void {
  if (!overrides) return
  for (const [name, value] of Object.entries(overrides)) {
    if (typeof value !== 'string') continue
    const line = ctx.lines.locate(['tool', 'pdm', 'resolution', 'overrides', name])
    const text = value.trim()
    if (looksLikeUrlOrPath(text) || !isValidPypiName(name)) continue
    const bare = exactVersion(text)
    const parsed = bare === undefined ? parseRequirement(`${name} ${text}`) : undefined
    const version = bare ?? (parsed?.ok ? exactPin(parsed.requirement.clauses) : undefined)
    if (version !== undefined) ctx.out.addPackage({ name, version, line, direct: true, dev: false })
    else ctx.out.addRange(name, text, line, false)
  }
}

function forEachEntry(table: Table | undefined, fn: (key: string, value: unknown) => void): void {
  if (!table) return
  for (const [key, value] of Object.entries(table)) fn(key, value)
}
