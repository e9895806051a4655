import Handlebars from 'handlebars'

import { InputError } from '../errors.js'
import { escapeMarkdown, markdownCode, markdownLink, safeUrl } from './escape.js'
import { progressChart } from './chart.js'

/**
 * The Handlebars environments reports are rendered in. Each is made with
 * `Handlebars.create()` and has its own helpers: nothing is registered
 * globally. Templates are compiled with `strict: true`, and the data is
 * wrapped so that a helper argument naming a field that does not exist fails
 * too (Handlebars' strict mode checks only plain `{{field}}` lookups); the
 * error names the field.
 *
 * Escaping is the format's, and it is the default:
 * - html: Handlebars' own HTML escaping of every `{{ }}`;
 * - md: every `{{ }}` is passed through the `md` helper (Markdown escaping),
 *   by rewriting the template before it is compiled. Helpers that build
 *   Markdown themselves (`code`, `link`) return SafeStrings, which pass.
 * `{{{ }}}` is the only way out; bundled templates never use it on data.
 */

export type TemplateFlavour = 'md' | 'html'

type Env = ReturnType<typeof Handlebars.create>
type Options = Handlebars.HelperOptions

const environments = new Map<TemplateFlavour, Env>()

export function environment(flavour: TemplateFlavour): Env {
  let env = environments.get(flavour)
  if (!env) {
    env = Handlebars.create()
    registerCommonHelpers(env)
    if (flavour === 'md') registerMarkdownHelpers(env)
    else registerHtmlHelpers(env)
    environments.set(flavour, env)
  }
  return env
}

/** Helpers take a trailing options argument; strip it. */
function args(list: unknown[]): unknown[] {
  return list.slice(0, -1)
}

function registerCommonHelpers(env: Env): void {
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b)
  env.registerHelper('ne', (a: unknown, b: unknown) => a !== b)
  env.registerHelper('gt', (a: number, b: number) => a > b)
  env.registerHelper('and', (...list: unknown[]) => args(list).every(Boolean))
  env.registerHelper('or', (...list: unknown[]) => args(list).some(Boolean))
  env.registerHelper('not', (a: unknown) => !a || (Array.isArray(a) && a.length === 0))
  env.registerHelper('len', (a: unknown) => (Array.isArray(a) ? a.length : typeof a === 'string' ? a.length : 0))
  env.registerHelper('inc', (n: number) => Number(n) + 1)
  env.registerHelper('plural', (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`)
  env.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : ''))
  env.registerHelper('concat', (...list: unknown[]) => args(list).map((v) => String(v ?? '')).join(''))
  env.registerHelper('upper', (s: unknown) => String(s ?? '').toUpperCase())
  env.registerHelper('short', (s: unknown, n: unknown) => {
    const str = String(s ?? '')
    const max = typeof n === 'number' ? n : 12
    return str.length > max ? str.slice(0, max) : str
  })
  env.registerHelper('date', (iso: unknown) => formatDate(iso))
  env.registerHelper('time', (iso: unknown) => (typeof iso === 'string' && iso.length >= 19 ? iso.slice(11, 19) : String(iso ?? '')))
  env.registerHelper('duration', (from: unknown, to: unknown) => formatDuration(from, to))
  env.registerHelper('percent', (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '–'))
  env.registerHelper('withdrawnOr', (value: unknown, fallback: unknown) => value ?? fallback)
}

function registerMarkdownHelpers(env: Env): void {
  const safe = (s: string): Handlebars.SafeString => new env.SafeString(s)
  env.registerHelper('md', (value: unknown) => (value instanceof env.SafeString ? value : escapeMarkdown(value)))
  env.registerHelper('code', (value: unknown) => safe(markdownCode(value)))
  env.registerHelper('link', (url: unknown, label: unknown, options?: Options) => safe(markdownLink(url, options === undefined ? undefined : label)))
  env.registerHelper('codeList', (list: unknown, sep: unknown) => safe((Array.isArray(list) ? list : []).map((v) => markdownCode(v)).join(typeof sep === 'string' ? sep : ', ')))
  env.registerHelper('mdList', (list: unknown, sep: unknown) => safe((Array.isArray(list) ? list : []).map((v) => escapeMarkdown(v)).join(typeof sep === 'string' ? sep : ', ')))
}

function registerHtmlHelpers(env: Env): void {
  env.registerHelper('href', (url: unknown) => safeUrl(url) ?? '#')
  // Built from numbers only (see chart.ts): no data string reaches the markup.
  env.registerHelper('chart', (summary: unknown) => new env.SafeString(progressChart(summary)))
}

export function formatDate(iso: unknown): string {
  if (typeof iso !== 'string' || iso === '') return '–'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
}

export function formatDuration(from: unknown, to: unknown): string {
  if (typeof from !== 'string' || typeof to !== 'string') return '–'
  const ms = new Date(to).getTime() - new Date(from).getTime()
  if (!Number.isFinite(ms) || ms < 0) return '–'
  if (ms < 1000) return `${ms} ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/** Wraps every `{{ }}` of a Markdown template in the `md` helper, so escaping cannot be forgotten. */
function escapeByDefault(program: hbs.AST.Program): hbs.AST.Program {
  const visit = (node: hbs.AST.Node | null | undefined): void => {
    if (!node) return
    switch (node.type) {
      case 'Program':
        for (const child of (node as hbs.AST.Program).body) visit(child)
        break
      case 'BlockStatement':
      case 'DecoratorBlock':
      case 'PartialBlockStatement': {
        const block = node as hbs.AST.BlockStatement
        visit(block.program)
        visit(block.inverse)
        break
      }
      case 'MustacheStatement': {
        const m = node as hbs.AST.MustacheStatement
        const path = m.path as hbs.AST.PathExpression
        if (!m.escaped || (path.type === 'PathExpression' && path.original === 'md')) break
        const inner: hbs.AST.Expression =
          m.params.length > 0 || (m.hash && m.hash.pairs.length > 0)
            ? ({ type: 'SubExpression', path: m.path, params: m.params, hash: m.hash, loc: m.loc } as hbs.AST.SubExpression)
            : m.path
        const md = { type: 'PathExpression', data: false, depth: 0, parts: ['md'], original: 'md', loc: m.loc } as hbs.AST.PathExpression
        Object.assign(m, { path: md, params: [inner], hash: undefined })
        break
      }
      default:
        break
    }
  }
  visit(program)
  return program
}

/** Raised when a template refers to a field that the view does not have. */
export class MissingFieldError extends Error {
  readonly field: string
  constructor(field: string) {
    super(`"${field}" is not a field of the report view`)
    this.field = field
  }
}

/** Property names JavaScript and Handlebars probe on any object; never a template's field. */
const PROBED = new Set(['then', 'toJSON', 'constructor', 'toString', 'valueOf', 'toHTML', 'inspect', 'nodeType', '$$typeof', '__proto__', 'length'])

/** Wraps the view so that reading a field it does not have throws, naming the field with its path. */
export function strictView<T>(value: T, at = ''): T {
  if (typeof value !== 'object' || value === null) return value
  return new Proxy(value as object, {
    get(target, prop, receiver) {
      const got = Reflect.get(target, prop, receiver)
      if (typeof prop === 'symbol') return got
      if (PROBED.has(prop) || prop in target) return strictView(got, Array.isArray(target) ? `${at}[${prop}]` : at ? `${at}.${prop}` : prop)
      throw new MissingFieldError(at ? `${at}.${prop}` : prop)
    },
  }) as T
}

export interface CompiledTemplate {
  (context: unknown): string
}

/** Compiles a template for its flavour; `name` (a file) is used in errors. */
export function compileTemplate(source: string, flavour: TemplateFlavour, name: string): CompiledTemplate {
  const env = environment(flavour)
  let template: Handlebars.TemplateDelegate
  let ast: hbs.AST.Program
  try {
    ast = env.parse(source, { srcName: name })
    template = env.compile(flavour === 'md' ? escapeByDefault(ast) : ast, { strict: true, noEscape: flavour === 'md' })
  } catch (error) {
    throw templateError(error, name)
  }
  return (context: unknown) => {
    try {
      return template(strictView(context), { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false })
    } catch (error) {
      throw templateError(error, name, ast)
    }
  }
}

/** Where a template first uses `field` (its last segment), for an error raised at run time without a position. */
function locate(ast: hbs.AST.Program, field: string): { line: number; column: number } | undefined {
  const last = field.replace(/\[\d+\]/g, '').split('.').pop()
  let found: { line: number; column: number } | undefined
  const visit = (node: unknown): void => {
    if (found || typeof node !== 'object' || node === null) return
    const n = node as { type?: string; parts?: string[]; loc?: hbs.AST.SourceLocation }
    if (n.type === 'PathExpression' && last !== undefined && n.parts?.includes(last) && n.loc) {
      found = { line: n.loc.start.line, column: n.loc.start.column }
      return
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'loc') continue
      if (Array.isArray(value)) value.forEach(visit)
      else visit(value)
    }
  }
  visit(ast)
  return found
}

function templateError(error: unknown, file: string, ast?: hbs.AST.Program): InputError {
  const e = error as Error & { lineNumber?: number; column?: number; hash?: { loc?: { first_line?: number; first_column?: number } } }
  let message = e.message
  let line = e.lineNumber ?? e.hash?.loc?.first_line
  let column = e.column ?? e.hash?.loc?.first_column
  const missing = /^"([^"]+)" not defined in/.exec(message)
  if (missing) message = `"${missing[1]}" is not a field of the report view`
  if (error instanceof MissingFieldError && ast && line === undefined) {
    const where = locate(ast, error.field)
    line = where?.line
    column = where?.column
  }
  const parse = /^Parse error on line (\d+):/.exec(message)
  if (parse) {
    line ??= Number(parse[1])
    message = `parse error: ${message.split('\n').pop()}`
  }
  // Handlebars appends " - line:col" to runtime messages and a code frame to parse errors.
  message = message.replace(/ - \d+:\d+$/, '').split('\n')[0] as string
  return new InputError(`template: ${message}`, {
    file,
    line,
    column: column === undefined ? undefined : column + 1,
    suggestion: 'the fields a template can use are described in templates/report.schema.json',
    cause: error,
  })
}
