import { z } from 'zod'

/**
 * The playbook language. This schema is the documentation: every field has a
 * description, and playbooks/playbook.schema.json is generated from it
 * (`npm run schema`) for editors.
 */

const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/

export const InputTypeSchema = z.enum(['string', 'number', 'boolean', 'list']).describe('Type of the value: string (default), number, boolean, or list (comma-separated on the command line).')

export const InputSchema = z
  .strictObject({
    description: z.string().optional().describe('What the input is for; shown by `firebreak playbook validate` and in errors.'),
    required: z.boolean().optional().describe('The run refuses to start without it (unless it has a default).'),
    default: z
      .union([z.string(), z.number(), z.boolean(), z.array(z.string())])
      .optional()
      .describe('Value used when the input is not given.'),
    type: InputTypeSchema.optional(),
  })
  .describe('One input of the playbook, given as `--input name=value`.')

/** A whole value given as one expression (`${{ inputs.repos }}`), evaluated when the run starts. */
const expression = z.string().regex(/^\s*\$\{\{[\s\S]*\}\}\s*$/, 'expected a list, or one ${{ }} expression giving a list')
const listOrExpression = z.union([z.array(z.string()), expression])

export const RepoSelectionSchema = z
  .strictObject({
    org: z.string().optional().describe('GitHub organisation whose repositories are read.'),
    user: z.string().optional().describe('GitHub user whose repositories are read (instead of an organisation).'),
    include: listOrExpression.optional().describe('Globs on `owner/name`; only matching repositories are read.'),
    exclude: listOrExpression.optional().describe('Globs on `owner/name`; matching repositories are skipped.'),
    topics: listOrExpression.optional().describe('Only repositories that have all of these topics.'),
    language: z.string().optional().describe('Only repositories whose primary language is this one.'),
    visibility: z.enum(['all', 'public', 'private', 'internal']).optional().describe('Only repositories of this visibility (default all).'),
    archived: z.boolean().optional().describe('Include archived repositories (default false).'),
    forks: z.boolean().optional().describe('Include forks (default false).'),
    'pushed-since': z.string().optional().describe('Only repositories pushed to since this date (ISO 8601, e.g. 2025-01-01) or for this long (e.g. 90d).'),
    dirs: listOrExpression.optional().describe('Local directories, each read as one repository (no GitHub access).'),
    from: z.string().optional().describe('A file listing repository URLs or owner/name, one per line.'),
    ref: z.string().optional().describe('Branch, tag or commit to read (default: each repository\'s default branch).'),
  })
  .refine((r) => !(r.org !== undefined && r.user !== undefined), { message: 'give either org or user, not both' })
  .describe('Which repositories the playbook acts on.')

export const StepSchema = z
  .strictObject({
    id: z
      .string()
      .regex(identifier, 'an id is letters, digits, _ and -, starting with a letter or _')
      .describe('Unique id of the step; expressions refer to it as `steps.<id>`, and the journal records progress by it.'),
    name: z.string().optional().describe('Human-readable name shown in progress and reports.'),
    uses: z.string().min(1).describe('The step to run: a built-in step name (e.g. scan).'),
    with: z.record(z.string(), z.unknown()).optional().describe('Arguments of the step, checked against the step\'s own schema; values may hold `${{ }}` expressions.'),
    if: z
      .union([z.string(), z.boolean()])
      .optional()
      .describe('Run the step only when this expression is true (with or without `${{ }}`). Without a status function (success(), failure(), always(), cancelled()) it applies only when all earlier steps succeeded.'),
    'continue-on-error': z.boolean().optional().describe('A failure of this step does not fail the run.'),
    'timeout-minutes': z.number().positive().optional().describe('Cancel the step after this many minutes; it then fails.'),
  })
  .describe('One step of the playbook.')

export const PlaybookSchema = z
  .strictObject({
    name: z.string().min(1).describe('Name of the playbook, recorded in every run.'),
    description: z.string().optional().describe('What the playbook is for.'),
    inputs: z
      .record(z.string().regex(identifier, 'an input name is letters, digits, _ and -'), InputSchema)
      .optional()
      .describe('Values given at run time (`--input name=value`), referred to as `inputs.<name>`.'),
    repos: RepoSelectionSchema.optional(),
    env: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'))
      .optional()
      .describe('The only environment variables the playbook may read, as `env.<NAME>`. Values of names containing TOKEN, SECRET, PASSWORD or KEY are redacted.'),
    steps: z.array(StepSchema).min(1).describe('The steps, run in order.'),
  })
  .describe('A firebreak playbook: what to do about a compromised package, step by step.')

export type Playbook = z.output<typeof PlaybookSchema>
export type PlaybookStep = z.output<typeof StepSchema>
export type PlaybookInput = z.output<typeof InputSchema>
export type InputType = z.output<typeof InputTypeSchema>
export type RepoSelection = z.output<typeof RepoSelectionSchema>

/** The JSON Schema written to playbooks/playbook.schema.json. */
export function playbookJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PlaybookSchema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>
  return {
    $schema: schema.$schema,
    title: 'firebreak playbook',
    ...schema,
  }
}

/** The exact text of playbooks/playbook.schema.json. */
export function playbookJsonSchemaText(): string {
  return JSON.stringify(playbookJsonSchema(), null, 2) + '\n'
}
