/**
 * Child process for the signal test: registers the test-only steps, then runs
 * `firebreak run` with the arguments given, the way bin/run.js would.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import Run from '../../src/commands/run.js'
import { registerTestSteps } from '../runner/test-steps.js'

registerTestSteps()
await Run.run(process.argv.slice(2), join(dirname(fileURLToPath(import.meta.url)), '..', '..'))
