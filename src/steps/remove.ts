import { z } from 'zod'

import { runRemediation } from './pin.js'
import { defineStep } from './types.js'

const With = z.strictObject({
  branch: z.string().optional().describe('Branch to commit on, from the default branch (default firebreak/<advisory-id>).'),
  signoff: z.boolean().optional().describe('Add a Signed-off-by trailer to the commit.'),
  registry: z.string().optional().describe('npm registry for lockfile regeneration; default: the repository\'s own configuration.'),
  message: z.string().optional().describe('Commit message (firebreak adds its trailers).'),
})

export const removeStep = defineStep({
  name: 'remove',
  description: 'Remove the affected package from every manifest section and workspace, on a branch in each affected repository, and regenerate the lockfile.',
  with: With,
  outputs: {
    remediated: 'Number of repositories whose branch removes the package.',
    'not-remediated': 'Number of repositories with a branch that does not fully remove it, or with nothing that could be changed.',
    failed: 'Number of repositories where nothing was written.',
    branches: 'Names of the branches committed to, comma-separated.',
  },
  writes: true,
  run: (ctx, input) => runRemediation(ctx, input, 'remove'),
})
