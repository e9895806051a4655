/**
 * Applying a plan to one local repository: branch, edit, relock, prove,
 * commit, in a temporary worktree. Idempotent: the plan is made against the
 * branch's own tip, so a re-run over a branch that already holds the fix finds
 * nothing to do and makes no second commit. Pushing and pull requests build
 * on the value this returns.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { isAffected } from '../advisory/match.js'
import type { Advisory } from '../advisory/types.js'
import { ecosystems } from '../ecosystems/index.js'
import type { Finding } from '../scan/types.js'
import { changedFiles, commitFiles, defaultBranch, dropCreatedBranch, ensureBranch, isGitRepo, openRepo, openWorktree, showFile, type Repo } from '../git/branch.js'
import { applyReplacements } from './diff.js'
import { planRepo, sha256, type PlanDeps, type PlannedChange, type RepoPlan } from './plan.js'
import type { EditMode } from './prove.js'
import { readText, relockCommand, runRelock, TOOL_NAMES } from './relock.js'

/** The journal value of one repository's pin/remove (the report reads these names). */
export interface RemediationValue {
  branch: string
  /** The branch's tip after this run (the earlier commit on an idempotent re-run). */
  commit: string
  files: string[]
  changes: PlannedChange[]
  relock: { tool: string; ok: boolean; message: string }
  /** Set when the branch does not fully remove the exposure (a lockfile left to regenerate, a finding skipped). */
  notRemediated?: string
}

export interface RemediateOptions {
  dir: string
  repo: string
  branch: string
  runId: string
  mode: EditMode
  findings: readonly Finding[]
  /** Every file the scan read in this repository. */
  files: readonly string[]
  advisories: readonly Advisory[]
  to?: string
  message?: string
  signoff?: boolean
  pypiIndex?: string
  deps?: PlanDeps
  /** Regenerate lockfiles (default true). Off, the repository is left not remediated with the reason. */
  relock?: boolean
  signal?: AbortSignal
}

/** Reads the scanned files from `ref` (git) — what is committed, not what is in the working tree. */
export async function readFiles(repo: Repo, ref: string, files: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const file of files) {
    const content = await showFile(repo, ref, file)
    if (content !== undefined) out.set(file, content)
  }
  return out
}

/** Reads the scanned files from the working tree (a directory that is not a git repository: plan only). */
export function readWorkingFiles(dir: string, files: readonly string[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const file of files) {
    try {
      out.set(file, readFileSync(path.join(dir, file), 'utf8'))
    } catch {
      // gone since the scan: the plan reports it
    }
  }
  return out
}

/** The plan for one repository, against its default branch (or the working tree when it is not a git repository). */
export async function planLocal(options: RemediateOptions): Promise<RepoPlan> {
  let files: Map<string, string>
  if (await isGitRepo(options.dir)) {
    const repo = openRepo(options.dir)
    const base = await defaultBranch(repo)
    files = await readFiles(repo, base, options.files)
  } else files = readWorkingFiles(options.dir, options.files)
  return planRepo({ repo: options.repo, findings: options.findings, advisories: options.advisories, mode: options.mode, to: options.to, files, pypiIndex: options.pypiIndex }, options.deps)
}

export function defaultMessage(plan: RepoPlan): string {
  const changes = plan.edits.flatMap((e) => e.changes)
  const names = [...new Set(changes.map((c) => c.name))]
  const to = [...new Set(changes.map((c) => c.to).filter(Boolean))]
  const subject = plan.mode === 'remove' ? `Remove ${names.join(', ')}` : `Pin ${names.join(', ')}${to.length === 1 ? ` to ${to[0]}` : ''}`
  const body = plan.edits.map((e) => `- ${e.file}: ${e.description}`)
  return `${subject} (${plan.advisories.join(', ')})\n\n${body.join('\n')}`
}

/** Throws with the reason when the repository cannot be remediated (the step records it as failed). */
export async function remediateRepo(options: RemediateOptions): Promise<RemediationValue | { skip: true; reason: string }> {
  if (!(await isGitRepo(options.dir))) throw new Error(`${options.dir} is not a git repository: firebreak commits on a branch`)
  const repo = openRepo(options.dir)
  const base = await defaultBranch(repo)
  const state = await ensureBranch(repo, options.branch, base, options.runId)
  if (state.status === 'foreign') throw new Error(state.reason)
  const files = await readFiles(repo, state.head, options.files)
  const plan = await planRepo({ repo: options.repo, findings: options.findings, advisories: options.advisories, mode: options.mode, to: options.to, files, pypiIndex: options.pypiIndex }, options.deps)
  const unfixed = plan.skipped.map((s) => `${s.file}: ${s.reason}`)
  if (plan.status === 'failed') {
    if (state.status === 'created') await dropCreatedBranch(repo, options.branch)
    throw new Error(plan.failures.map((f) => `${f.file}: ${f.reason}`).join('; '))
  }
  if (plan.edits.length === 0) {
    if (state.status === 'exists' && state.head !== state.base) {
      // An earlier run already committed the fix: nothing new, no second commit.
      return { branch: options.branch, commit: state.head, files: await changedFiles(repo, state.base, state.head), changes: [], relock: { tool: '', ok: true, message: 'already on the branch' }, ...(unfixed.length ? { notRemediated: unfixed.join('; ') } : {}) }
    }
    if (state.status === 'created') await dropCreatedBranch(repo, options.branch)
    return { skip: true, reason: unfixed.length ? unfixed.join('; ') : 'nothing to change' }
  }

  const tree = await openWorktree(repo, options.branch)
  try {
    const written: string[] = []
    for (const edit of plan.edits) {
      const file = path.join(tree.dir, edit.file)
      const current = readFileSync(file, 'utf8')
      if (sha256(current) !== edit.baseSha256) throw new Error(`${edit.file} changed since it was planned; run again`)
      writeFileSync(file, applyReplacements(current, edit.replacements))
      written.push(edit.file)
    }
    const relocks: { tool: string; ok: boolean; message: string }[] = []
    for (const step of plan.relock) {
      options.signal?.throwIfAborted()
      if (!step.command || options.relock === false) {
        const why = options.relock === false ? ' (lockfile regeneration was turned off)' : ''
        relocks.push({ tool: TOOL_NAMES[step.manager], ok: false, message: (step.command ? undefined : step.missing) ?? `${step.lockfile} needs regenerating with ${TOOL_NAMES[step.manager]}${why}` })
        continue
      }
      // Decided again on the branch's own files: the scan reads no .yarnrc.yml, and a refusal (plugins) must hold here too.
      const again = relockCommand(step.manager, path.posix.dirname(step.lockfile), options.deps?.relock, (p) => readText(path.join(tree.dir, p)))
      if (!again.ok) {
        relocks.push({ tool: TOOL_NAMES[step.manager], ok: false, message: again.reason })
        continue
      }
      const lockfile = path.join(tree.dir, step.lockfile)
      const before = readText(lockfile)
      const result = await runRelock(again.command, tree.dir, { signal: options.signal })
      const after = readText(lockfile)
      if (!result.ok) {
        // A tool that failed half-way may have left a partial lockfile: it is never committed.
        relocks.push(result)
        continue
      }
      if (after === undefined) {
        relocks.push({ tool: result.tool, ok: false, message: `${path.basename(again.command.command)} finished but left no ${step.lockfile}` })
        continue
      }
      const still = stillAffected(step.lockfile, after, options)
      if (still) relocks.push({ tool: result.tool, ok: false, message: `the regenerated ${step.lockfile} still resolves ${still}` })
      else relocks.push(result)
      if (after !== before) written.push(step.lockfile)
    }
    const failedRelocks = relocks.filter((r) => !r.ok).map((r) => r.message)
    const commit = await commitFiles(tree, [...new Set(written)], {
      message: options.message ?? defaultMessage(plan),
      runId: options.runId,
      advisory: plan.advisories[0],
      signoff: options.signoff,
    })
    const notRemediated = [...failedRelocks, ...unfixed]
    return {
      branch: options.branch,
      commit: commit ?? state.head,
      files: [...new Set(written)],
      changes: plan.edits.flatMap((e) => e.changes),
      relock: relocks.length === 0 ? { tool: '', ok: true, message: 'no lockfile to regenerate' } : { tool: [...new Set(relocks.map((r) => r.tool))].join(', '), ok: failedRelocks.length === 0, message: relocks.map((r) => r.message).join('; ') },
      ...(notRemediated.length ? { notRemediated: notRemediated.join('; ') } : {}),
    }
  } finally {
    await tree.remove()
  }
}

/** `name@version` of an affected entry the lockfile still resolves, if any. */
function stillAffected(file: string, content: string, options: RemediateOptions): string | undefined {
  const names = new Set(options.findings.map((f) => f.name))
  for (const ecosystem of Object.values(ecosystems)) {
    if (!ecosystem.matches(file)) continue
    for (const p of ecosystem.extract({ path: file, content }).packages) {
      if (!names.has(p.name)) continue
      if (options.advisories.some((a) => isAffected(a, ecosystem.id, p.name, p.version).affected)) return `${p.name}@${p.version}`
    }
  }
  return undefined
}
