import { Args, Flags } from '@oclif/core'

import { type Advisory, formatAdvisory, loadAdvisory, type AdvisoryRef, userEcosystemId } from '../../advisory/index.js'
import { BaseCommand } from '../../cli/base-command.js'
import { UsageError } from '../../errors.js'

export default class Show extends BaseCommand<typeof Show> {
  static override summary = 'Print an advisory as firebreak reads it.'

  static override description = `Loads an advisory and prints it normalised: id, aliases, summary, and for each package its ecosystem, name, affected versions and ranges, and fixed versions. Records of one incident (a MAL and a GHSA record naming each other) are shown as one advisory.

REF is an OSV JSON file, a directory of OSV records (such as a checkout of ossf/malicious-packages; give --package and --ecosystem to look one package up, or nothing to list every record), an OSV id (MAL-…, PYSEC-…, OSV-…) fetched from the OSV API, or a GHSA id fetched from GitHub's advisory database (with a token) or the OSV API. Without REF, --package, --ecosystem and --affected describe an advisory inline.

With --json, prints {"schema": "firebreak.advisory/1", "advisories": [...]}, each advisory in firebreak's OSV-based model.`

  static override examples = [
    {
      description: 'Show an OSV record from a file.',
      command: '<%= config.bin %> <%= command.id %> test/fixtures/advisories/MAL-2025-46969.json',
    },
    {
      description: 'Fetch a record from the OSV API and print it as JSON.',
      command: '<%= config.bin %> <%= command.id %> MAL-2025-47141 --json',
    },
    {
      description: 'Fetch a GitHub advisory (uses GITHUB_TOKEN when set).',
      command: '<%= config.bin %> <%= command.id %> GHSA-mrrh-fwg8-r2c3',
    },
    {
      description: 'Look one package up in a checkout of ossf/malicious-packages.',
      command: '<%= config.bin %> <%= command.id %> ~/src/malicious-packages --ecosystem npm --package chalk',
    },
    {
      description: 'Describe an advisory inline, before any record exists.',
      command: '<%= config.bin %> <%= command.id %> --ecosystem npm --package chalk --affected 5.6.1',
    },
  ]

  static override args = {
    ref: Args.string({
      description: 'OSV file, directory of OSV records, OSV id (MAL-…, PYSEC-…) or GHSA id. Omit it to describe an advisory inline.',
      required: false,
    }),
  }

  static override flags = {
    'osv-api-url': Flags.string({
      description: 'Base URL of the OSV API, for OSV and GHSA ids.',
      default: 'https://api.osv.dev',
    }),
    'api-url': Flags.string({
      description: "Base URL of GitHub's REST API, for GHSA ids (GitHub Enterprise: https://HOST/api/v3).",
      default: 'https://api.github.com',
    }),
    token: Flags.string({
      description: 'GitHub token for GHSA ids (optional; GitHub is then asked before the OSV API).',
      env: 'GITHUB_TOKEN',
    }),
    package: Flags.string({
      description: 'Package name: with --ecosystem and --affected, an inline advisory; with a directory REF, the package to look up.',
    }),
    ecosystem: Flags.string({
      description: 'Ecosystem of --package: npm, pypi or actions.',
    }),
    affected: Flags.string({
      description:
        'Affected versions for an inline advisory: the ecosystem\'s own range syntax (">=5.6.1 <5.6.2", "==2.0.1", "1.0.1 || 1.0.2") or a comma list of exact versions.',
      dependsOn: ['package', 'ecosystem'],
    }),
  }

  public async run(): Promise<{ schema: 'firebreak.advisory/1'; advisories: Advisory[] }> {
    const { ref } = this.args
    const flags = this.flags
    let target: AdvisoryRef
    let pkg: { ecosystem: ReturnType<typeof userEcosystemId> & string; name: string } | undefined
    if (ref === undefined) {
      if (flags.affected === undefined || flags.package === undefined || flags.ecosystem === undefined) {
        throw new UsageError('expected an advisory REF, or --package, --ecosystem and --affected for an inline advisory', 'firebreak advisory show MAL-2025-46969')
      }
      target = { package: flags.package, ecosystem: flags.ecosystem, affected: flags.affected }
    } else {
      if (flags.affected !== undefined) throw new UsageError('--affected describes an inline advisory; give it without REF')
      target = ref
      if (flags.package !== undefined || flags.ecosystem !== undefined) {
        const ecosystem = userEcosystemId(flags.ecosystem ?? '')
        if (!ecosystem || flags.package === undefined) throw new UsageError('--package and --ecosystem (npm, pypi or actions) go together')
        pkg = { ecosystem, name: flags.package }
      }
    }
    const advisories = await loadAdvisory(target, {
      osvApiUrl: flags['osv-api-url'],
      apiUrl: flags['api-url'],
      token: flags.token,
      package: pkg,
      all: pkg === undefined,
    })
    if (!this.jsonEnabled()) {
      if (advisories.length === 0) this.note('no advisories found')
      this.log(advisories.map(formatAdvisory).join('\n\n'))
    }
    return { schema: 'firebreak.advisory/1', advisories }
  }
}
