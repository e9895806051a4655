import type { z } from 'zod'

import { findFilesStep } from './find-files.js'
import { openIssueStep } from './open-issue.js'
import { openPullRequestsStep } from './open-pull-requests.js'
import { reportStep } from './report.js'
import { pinStep } from './pin.js'
import { removeStep } from './remove.js'
import { scanStep } from './scan.js'
import type { StepDefinition } from './types.js'

export type { ActionOptions, ActionResult, Logger, RunInfo, RunOutcome, Skip, StepContext, StepDefinition, StepJournal, StepResult } from './types.js'
export { defineStep, isSkip, skip } from './types.js'

/**
 * The playbook's vocabulary: `uses:` name -> step. Built-in steps are added
 * here, one import each; nothing is registered that does not really work.
 */
export const steps: Map<string, StepDefinition> = new Map<string, StepDefinition>([
  [scanStep.name, scanStep as unknown as StepDefinition],
  [findFilesStep.name, findFilesStep as unknown as StepDefinition],
  [reportStep.name, reportStep as unknown as StepDefinition],
  [pinStep.name, pinStep as unknown as StepDefinition],
  [removeStep.name, removeStep as unknown as StepDefinition],
  [openPullRequestsStep.name, openPullRequestsStep as unknown as StepDefinition],
  [openIssueStep.name, openIssueStep as unknown as StepDefinition],
])

/** Add a step (tests, plugins). Replaces a step of the same name. */
export function registerStep<S extends z.ZodType>(definition: StepDefinition<S>): void {
  steps.set(definition.name, definition as unknown as StepDefinition)
}

/** Remove a step added by registerStep (tests). */
export function unregisterStep(name: string): void {
  steps.delete(name)
}

export function getStep(name: string): StepDefinition | undefined {
  return steps.get(name)
}
