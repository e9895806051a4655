/**
 * The remediation plan of one repository (CONVENTIONS 6): pure and
 * serialisable, so a dry run is printing it and applying it is replaying
 * its replacements. From the scan's findings, the advisory and the files the
 * scan read, it decides which manifest entries change and how, proves every
 * edit, and says which lockfiles must be regenerated with which command.
 * What it cannot do is a value (`skipped` with a reason), never a throw.
 */
import { createHash } from 'node:crypto'
import path from 'node:path/posix'

import { versionKits } from '../advisory/ecosystems.js'
import { isAffected, rangeIntervals, safeVersion } from '../advisory/match.js'
import type { Advisory } from '../advisory/types.js'
import { ecosystems } from '../ecosystems/index.js'
import { isRefusal, type Change, type Command, type EcosystemId, type PackageManager, type Replacement } from '../ecosystems/types.js'
import type { Finding } from '../scan/types.js'
import { replacementsBetween, unifiedDiff } from './diff.js'
import { prove, type EditMode } from './prove.js'
import { lockfileManager, relockCommand, type RelockOptions } from './relock.js'
import { DEFAULT_INDEX_URL, indexUrlOf, type FetchHashes, type ResolveActionSha } from './sources.js'

export const PLAN_SCHEMA = 'firebreak.remediation-plan/1'

/** One dependency entry changed in one file (the journal's `changes[]`). */
export interface PlannedChange {
  file: string
  name: string
  from: string
  /** Undefined when removed. */
  to?: string
}

export interface FileEdit {
  file: string
  ecosystem: EcosystemId
  /** sha256 of the content planned on: applying to anything else re-plans instead. */
  baseSha256: string
  /** On the content planned on, sorted, not overlapping. */
  replacements: Replacement[]
  description: string
  changes: PlannedChange[]
  diff: string
}

export interface RelockStep {
  lockfile: string
  manager: PackageManager
  /** The command, when the tool is available; else `missing` says what is needed. */
  command?: Command
  missing?: string
}

export interface Skipped {
  file: string
  name: string
  version: string
  reason: string
}

export interface RepoPlan {
  schema: typeof PLAN_SCHEMA
  repo: string
  advisories: string[]
  mode: EditMode
  /** `planned`: edits to make; `nothing`: nothing to edit (see `skipped`); `failed`: nothing may be written (see `failures`). */
  status: 'planned' | 'nothing' | 'failed'
  edits: FileEdit[]
  relock: RelockStep[]
  skipped: Skipped[]
  failures: { file: string; reason: string }[]
  /** Every edit's diff, in file order: what a dry run prints and what the commit holds (lockfiles aside). */
  diff: string
}

export interface PlanInput {
  repo: string
  findings: readonly Finding[]
  advisories: readonly Advisory[]
  mode: EditMode
  /** The version to pin to; default: the advisory's safe version. */
  to?: string
  /** Every file the scan read, by repository-relative path. */
  files: ReadonlyMap<string, string>
  /** pip's index when a requirements file names none (PIP_INDEX_URL, pip.conf). */
  pypiIndex?: string
}

export interface PlanDeps {
  fetchHashes?: FetchHashes
  resolveActionSha?: ResolveActionSha
  relock?: RelockOptions
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

interface Target {
  file: string
  change: Change
  ecosystem: EcosystemId
}

const MANIFEST_FOR: Partial<Record<PackageManager, string>> = { poetry: 'pyproject.toml', uv: 'pyproject.toml', pdm: 'pyproject.toml', pipenv: 'Pipfile' }

function key(ecosystem: EcosystemId, name: string): string {
  return `${ecosystem}\u0000${ecosystems[ecosystem].versions.normaliseName(name).toLowerCase()}`
}

/** The advisory's affected ranges, in the ecosystem's own syntax (for edits that must exclude them). */
function affectedRanges(advisory: Advisory, ecosystem: EcosystemId, name: string): string[] {
  const kit = versionKits[ecosystem]
  const norm = kit.versioning.normaliseName(name)
  const out: string[] = []
  for (const entry of advisory.affected.filter((a) => a.ecosystemId === ecosystem && a.normalisedName === norm)) {
    out.push(...(entry.specifiers ?? []))
    for (const range of entry.ranges) {
      if (range.type === 'GIT') continue
      for (const i of rangeIntervals(kit, range)) {
        const sep = ecosystem === 'PyPI' ? ',' : ' '
        const parts = [i.lo === undefined ? (ecosystem === 'PyPI' ? '>=0' : '>=0.0.0-0') : `>=${i.lo}`, i.hi === undefined ? undefined : `${i.hiInclusive ? '<=' : '<'}${i.hi}`]
        out.push(parts.filter(Boolean).join(sep))
      }
    }
  }
  return [...new Set(out)]
}

function listedVersions(advisory: Advisory, ecosystem: EcosystemId, name: string): string[] {
  const norm = versionKits[ecosystem].versioning.normaliseName(name)
  return advisory.affected.filter((a) => a.ecosystemId === ecosystem && a.normalisedName === norm).flatMap((a) => a.versions)
}

/**
 * `to` is one version for every package, or `name=version` pairs (comma or
 * space separated) when one run pins several packages.
 */
export function targetFor(to: string | undefined, ecosystem: EcosystemId, name: string): string | undefined {
  if (!to || !to.includes('=')) return to
  const norm = versionKits[ecosystem].versioning.normaliseName(name)
  for (const pair of to.split(/[,\s]+/)) {
    const at = pair.lastIndexOf('=')
    if (at <= 0) continue
    if (versionKits[ecosystem].versioning.normaliseName(pair.slice(0, at)) === norm) return pair.slice(at + 1)
  }
  return undefined
}

/** The safe version: the playbook's `to`, else the advisory's first fixed release above what was found. */
function targetVersion(input: PlanInput, advisory: Advisory, ecosystem: EcosystemId, name: string, findings: Finding[]): string | undefined {
  const given = targetFor(input.to, ecosystem, name)
  if (given) return given
  const kit = versionKits[ecosystem]
  const found = findings.filter((f) => f.certainty === 'resolved').map((f) => f.version)
  const probes = found.length > 0 ? found : listedVersions(advisory, ecosystem, name).filter((v) => kit.versioning.isValid(v))
  const safe = probes.map((v) => safeVersion(advisory, ecosystem, name, v)).filter((v): v is string => v !== undefined)
  return safe.sort((a, b) => kit.versioning.compare(b, a))[0]
}

function under(dir: string, file: string): boolean {
  return dir === '.' || file.startsWith(`${dir}/`)
}

function declares(ecosystem: EcosystemId, file: string, content: string, name: string): { direct: boolean; any: boolean } {
  const x = ecosystems[ecosystem].extract({ path: file, content })
  const norm = ecosystems[ecosystem].versions.normaliseName(name)
  const all = [...x.packages, ...x.ranges].filter((p) => ecosystems[ecosystem].versions.normaliseName(p.name) === norm)
  return { direct: all.length > 0, any: all.length > 0 }
}

/** npm's direct sections only (an override naming the package is not a direct dependency). */
function npmDirect(content: string, name: string): boolean {
  try {
    const data = JSON.parse(content) as Record<string, Record<string, unknown> | undefined>
    return ['dependencies', 'devDependencies', 'optionalDependencies'].some((s) => typeof data[s]?.[name] === 'string')
  } catch {
    return false
  }
}

export async function planRepo(input: PlanInput, deps: PlanDeps = {}): Promise<RepoPlan> {
  const plan: RepoPlan = { schema: PLAN_SCHEMA, repo: input.repo, advisories: input.advisories.map((a) => a.id), mode: input.mode, status: 'nothing', edits: [], relock: [], skipped: [], failures: [], diff: '' }
  const ids = new Set(plan.advisories)
  const groups = new Map<string, Finding[]>()
  for (const f of input.findings) {
    if (!ids.has(f.advisory)) continue
    const k = key(f.ecosystem, f.name)
    groups.set(k, [...(groups.get(k) ?? []), f])
  }
  const targets: Target[] = []
  const lockfiles = new Map<string, PackageManager>()
  const skip = (f: Finding, reason: string) => plan.skipped.push({ file: f.file, name: f.name, version: f.version, reason })

  for (const findings of groups.values()) {
    const first = findings[0]!
    const { ecosystem, name } = first
    const advisory = input.advisories.find((a) => a.id === first.advisory)!
    let to = ''
    if (input.mode === 'pin') {
      const target = targetVersion(input, advisory, ecosystem, name, findings)
      if (!target) {
        findings.forEach((f) => skip(f, 'no safe version known: give `to`'))
        continue
      }
      const decision = isAffected(advisory, ecosystem, name, target)
      if (decision.affected || decision.unsupported) {
        findings.forEach((f) => skip(f, `the version to pin to, ${target}, is ${decision.affected ? 'itself affected' : `not known to be safe (${decision.unsupported})`}`))
        continue
      }
      to = target
    }
    const resolved = findings.filter((f) => f.certainty === 'resolved').map((f) => f.version)
    const change: Change = {
      name,
      to,
      affected: [...new Set([...listedVersions(advisory, ecosystem, name), ...resolved])],
      affectedRanges: affectedRanges(advisory, ecosystem, name),
      found: [...new Set(findings.map((f) => f.version))],
    }
    const add = (file: string, c: Change) => {
      const existing = targets.find((t) => t.file === file && key(ecosystem, t.change.name) === key(ecosystem, name))
      if (existing) {
        if (c.override && !existing.change.override) existing.change = c
        return
      }
      targets.push({ file, change: c, ecosystem })
    }

    if (ecosystem === 'GitHub Actions') {
      if (input.mode === 'remove') {
        findings.forEach((f) => skip(f, 'an action cannot be removed automatically; replace it by hand'))
        continue
      }
      const tag = !/^v/i.test(to) && findings.some((f) => /^v\d/i.test(f.version)) ? `v${to}` : to
      let sha: string
      try {
        if (!deps.resolveActionSha) throw new Error('no way to resolve action tags was given')
        sha = (await deps.resolveActionSha(name, tag)).toLowerCase()
      } catch (error) {
        findings.forEach((f) => plan.failures.push({ file: f.file, reason: `could not resolve ${name}@${tag} to a commit: ${(error as Error).message}` }))
        continue
      }
      // A tag moved onto a malicious commit (tj-actions/changed-files) is never trusted.
      if (isAffected(advisory, ecosystem, name, sha).affected) {
        findings.forEach((f) => plan.failures.push({ file: f.file, reason: `${name}@${tag} now points to ${sha}, a commit the advisory lists: the tag moved; give a verified SHA` }))
        continue
      }
      for (const f of findings) add(f.file, { ...change, to: tag, sha })
      continue
    }

    for (const f of findings) {
      const base = path.basename(f.file)
      const manager = lockfileManager(f.file, input.files.get(f.file))
      if (!manager) {
        if (base === 'setup.cfg' || base === 'pnpm-workspace.yaml') skip(f, `${base} is not edited by firebreak yet; change it by hand`)
        else add(f.file, change)
        continue
      }
      const dir = path.dirname(f.file)
      lockfiles.set(f.file, manager)
      if (ecosystem === 'npm') {
        const root = path.join(dir, 'package.json')
        const manifests = [...input.files.keys()].filter((p) => path.basename(p) === 'package.json' && under(dir, p))
        if (input.mode === 'remove' && !f.direct) {
          skip(f, `${name} is a transitive dependency in ${f.file}: it cannot be removed, only pinned`)
          continue
        }
        for (const manifest of manifests) {
          const transitive = !f.direct && manifest === root && input.mode === 'pin'
          add(manifest, transitive ? { ...change, override: manager, overrideReference: manager === 'npm' && npmDirect(input.files.get(root) ?? '', name) } : change)
        }
        if (manifests.length === 0) skip(f, `no package.json beside ${f.file}`)
        continue
      }
      const manifestName = MANIFEST_FOR[manager]
      const manifest = manifestName ? path.join(dir, manifestName) : undefined
      const content = manifest ? input.files.get(manifest) : undefined
      if (!manifest || content === undefined || !declares(ecosystem, manifest, content, name).any) {
        skip(f, `${name} is not declared in ${manifest ?? 'a manifest'} (a transitive dependency of ${f.file}): add a constraint by hand and regenerate ${base}`)
        continue
      }
      add(manifest, change)
    }
  }

  await applyTargets(input, deps, targets, plan)

  // Lockfiles beside the edited manifests are regenerated by their own tool.
  const editedDirs = new Set(plan.edits.map((e) => path.dirname(e.file)))
  for (const [lockfile, manager] of lockfiles) {
    const dir = path.dirname(lockfile)
    if (![...editedDirs].some((d) => under(dir, `${d}/x`) || d === dir)) continue
    const r = relockCommand(manager, dir, deps.relock, (p) => input.files.get(p))
    plan.relock.push(r.ok ? { lockfile, manager, command: r.command } : { lockfile, manager, missing: r.reason })
  }
  plan.edits.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  plan.diff = plan.edits.map((e) => e.diff).join('')
  plan.status = plan.failures.length > 0 ? 'failed' : plan.edits.length > 0 ? 'planned' : 'nothing'
  return plan
}

async function applyTargets(input: PlanInput, deps: PlanDeps, targets: Target[], plan: RepoPlan): Promise<void> {
  const current = new Map<string, string>()
  const changes = new Map<string, PlannedChange[]>()
  const descriptions = new Map<string, string[]>()
  const ecosystemOf = new Map<string, EcosystemId>()
  for (const t of targets) {
    const original = input.files.get(t.file)
    if (original === undefined) {
      plan.failures.push({ file: t.file, reason: 'the file was not read by the scan' })
      continue
    }
    const content = current.get(t.file) ?? original
    const ecosystem = ecosystems[t.ecosystem]
    let change = t.change
    if (t.ecosystem === 'PyPI' && input.mode === 'pin' && /--hash[=\s]/.test(content)) {
      const index = indexUrlOf(content) ?? input.pypiIndex ?? DEFAULT_INDEX_URL
      try {
        if (!deps.fetchHashes) throw new Error('no way to fetch hashes was given')
        change = { ...change, hashes: await deps.fetchHashes(change.name, change.to, index) }
      } catch (error) {
        plan.failures.push({ file: t.file, reason: `hashes of ${change.name}==${change.to} could not be fetched from ${index}: ${(error as Error).message}` })
        continue
      }
    }
    const edit = input.mode === 'pin' ? ecosystem.pin?.({ path: t.file, content }, change) : ecosystem.remove?.({ path: t.file, content }, change)
    if (edit === undefined) continue
    if (isRefusal(edit)) {
      plan.failures.push({ file: t.file, reason: edit.refused })
      continue
    }
    const proof = prove(ecosystem, { path: t.file, content }, edit, change, input.mode)
    if (!proof.ok) {
      plan.failures.push({ file: t.file, reason: `the edit was refused: ${proof.reason}` })
      continue
    }
    current.set(t.file, proof.content)
    ecosystemOf.set(t.file, t.ecosystem)
    changes.set(t.file, [...(changes.get(t.file) ?? []), ...edit.changes.map((c) => ({ file: t.file, ...c }))])
    descriptions.set(t.file, [...(descriptions.get(t.file) ?? []), edit.description])
  }
  for (const [file, after] of current) {
    const before = input.files.get(file)!
    plan.edits.push({
      file,
      ecosystem: ecosystemOf.get(file)!,
      baseSha256: sha256(before),
      replacements: replacementsBetween(before, after),
      description: descriptions.get(file)!.join('; '),
      changes: changes.get(file)!,
      diff: unifiedDiff(file, before, after),
    })
  }
}

/** One paragraph per repository for the dry run: what would change, how the lockfiles would be regenerated, what is left. */
export function formatPlan(plan: RepoPlan): string {
  const lines = [`${plan.repo}: ${plan.status}`]
  for (const e of plan.edits) lines.push(`  edit ${e.file}: ${e.description}`)
  for (const r of plan.relock) lines.push(r.command ? `  relock ${r.lockfile}: ${[path.basename(r.command.command), ...r.command.args].join(' ')}` : `  relock ${r.lockfile}: ${r.missing}`)
  for (const s of plan.skipped) lines.push(`  skipped ${s.file} ${s.name}@${s.version}: ${s.reason}`)
  for (const f of plan.failures) lines.push(`  failed ${f.file}: ${f.reason}`)
  return lines.join('\n') + (plan.diff ? `\n\n${plan.diff}` : '\n')
}
