/**
 * Child process for the kill/resume tests: `node --import tsx child-run.ts OPTIONS_JSON`.
 * Registers the test-only steps, then starts (or resumes) a run.
 */
import { startRun } from '../../src/runner/run.js'
import { registerTestSteps } from './test-steps.js'

registerTestSteps()
const options = JSON.parse(process.argv[2] ?? '{}')
const result = await startRun(options)
process.stdout.write(JSON.stringify({ id: result.id, state: result.state }) + '\n')
