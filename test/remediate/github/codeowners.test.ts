import { describe, expect, it } from 'vitest'

import { ownersOf, parseCodeowners, reviewersFor } from '../../../src/sources/github/codeowners.js'

const CODEOWNERS = `# owners
*                 @acme/everyone
*.js              @js-owner
/build/logs/      @doctocat
docs/*            docs@example.com
apps/             @octocat
/docs/            @doctocat
/scripts/         @doctocat @octocat
**/logs           @octocat
/apps/github
\\#file_with_pound.rb @octocat
/packages/**/package.json @acme/node-team
`

describe('CODEOWNERS', () => {
  const rules = parseCodeowners(CODEOWNERS)

  it.each([
    ['README.md', ['@acme/everyone']],
    ['src/index.js', ['@js-owner']],
    ['build/logs/a/b.txt', ['@octocat']],
    ['build/logs/x.txt', ['@octocat']],
    ['docs/getting-started.md', ['@doctocat']],
    ['docs/build-app/troubleshooting.md', ['@doctocat']],
    ['apps/web/index.ts', ['@octocat']],
    ['deep/apps/web/index.ts', ['@octocat']],
    ['apps/github/x.ts', []],
    ['scripts/run.sh', ['@doctocat', '@octocat']],
    ['a/logs', ['@octocat']],
    ['#file_with_pound.rb', ['@octocat']],
    ['packages/a/b/package.json', ['@acme/node-team']],
    ['packages/package.json', ['@acme/node-team']],
  ])('%s is owned by %j (the last matching line wins)', (file, owners) => {
    expect(ownersOf(rules, file)).toEqual(owners)
  })

  it('turns owners into user and team reviewers, dropping e-mails and other organisations\' teams', () => {
    const more = parseCodeowners('* @other/team @acme/sec\nservices/ svc@example.com @alice\n')
    expect(reviewersFor(more, ['services/a/requirements.txt', 'package.json'], 'acme')).toEqual({ users: ['alice'], teams: ['sec'] })
  })

  it('matches `*` within one directory and `?` as one character', () => {
    const r = parseCodeowners('/src/*.txt @a\n/x?.md @b\n')
    expect(ownersOf(r, 'src/a.txt')).toEqual(['@a'])
    expect(ownersOf(r, 'src/d/a.txt')).toEqual([])
    expect(ownersOf(r, 'x1.md')).toEqual(['@b'])
    expect(ownersOf(r, 'x12.md')).toEqual([])
  })
})
