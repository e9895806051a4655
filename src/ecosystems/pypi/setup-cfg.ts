/**
 * setup.cfg, read as setuptools reads it: configparser syntax (`key = value`
 * or `key: value`, indented continuation lines, `#`/`;` comment lines, no
 * inline comments), then requirement lists split one per line, or on `;`
 * when the whole list is on the key's own line. Keys: `[options]`
 * install_requires, setup_requires, tests_require; every key of
 * `[options.extras_require]`; `[metadata]` requires-dist.
 */
import type { Extraction, SourceFile } from '../types.js'
import { Collector, rejectBinary } from './common.js'
import { exactPin, looksLikeUrlOrPath, parseRequirement } from './pep508.js'

interface Value {
  section: string
  key: string
  indent: number
  parts: { text: string; line: number }[]
}

export function extractSetupCfg(file: SourceFile): Extraction {
  const out = new Collector(file.path)
  if (rejectBinary(file.content, out, 'a setup.cfg')) return out.result('setup.cfg')
  for (const value of readIni(file.content, out)) {
    const key = value.key.toLowerCase().replace(/-/g, '_')
    const wanted =
      (value.section === 'options' && ['install_requires', 'setup_requires', 'tests_require'].includes(key)) ||
      value.section === 'options.extras_require' ||
      (value.section === 'metadata' && key === 'requires_dist')
    if (!wanted) continue
    const dev = value.section === 'options' && key === 'tests_require'
    for (const { text, line } of splitList(value)) readOne(out, text, line, dev)
  }
  return out.result('setup.cfg')
}

function readOne(out: Collector, text: string, line: number, dev: boolean): void {
  if (text.startsWith('#') || looksLikeUrlOrPath(text)) return
  const parsed = parseRequirement(text)
  if (!parsed.ok) {
    out.error(`invalid requirement: ${parsed.error}`, line)
    return
  }
  const req = parsed.requirement
  if (req.url !== undefined) return
  const version = exactPin(req.clauses)
  if (version !== undefined) out.addPackage({ name: req.name, version, line, direct: true, dev })
  else out.addRange(req.name, req.specifier, line, dev)
}

/** setuptools' _parse_list: lines when the value spans lines, else `;`-separated chunks. */
function splitList(value: Value): { text: string; line: number }[] {
  const parts = value.parts.filter((p) => p.text.trim() !== '')
  // configparser drops trailing blank lines: the value is one line when only the key's own line has text.
  if (parts.length === 1 && value.parts[0]?.text.trim() !== '') {
    const only = parts[0] as { text: string; line: number }
    // `file:` reads requirements from another file, which is scanned on its own.
    if (only.text.trim().startsWith('file:')) return []
    return only.text
      .split(';')
      .map((t) => ({ text: t.trim(), line: only.line }))
      .filter((t) => t.text)
  }
  return parts.map((p) => ({ text: p.text.trim(), line: p.line }))
}

/** configparser's grammar, reduced to what setup.cfg needs. */
function readIni(content: string, out: Collector): Value[] {
  const values: Value[] = []
  let section = ''
  let current: Value | undefined
  const lines = content.split(/\r\n|\n|\r/)
  lines.forEach((raw, i) => {
    const line = i + 1
    const stripped = raw.trim()
    if (stripped.startsWith('#') || stripped.startsWith(';')) return
    const indent = raw.length - raw.trimStart().length
    if (!stripped) {
      if (current) current.parts.push({ text: '', line })
      return
    }
    if (current && indent > current.indent) {
      current.parts.push({ text: stripped, line })
      return
    }
    const header = /^\[([^\]]+)\]/.exec(stripped)
    if (header?.[1]) {
      section = header[1].trim()
      current = undefined
      return
    }
    const option = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(stripped)
    if (!option?.[1]) {
      out.error(`expected '[section]' or 'key = value' (setup.cfg is an INI file), found '${stripped.slice(0, 60)}'`, line)
      current = undefined
      return
    }
    current = { section, key: option[1], indent, parts: [{ text: option[2] ?? '', line }] }
    values.push(current)
  })
  return values
}
