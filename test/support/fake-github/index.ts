export { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions, type Faults } from './server.js'
export type { FakeOwnerSpec, FakeRepoSpec } from './git-store.js'
export { matchOperation, OpenApiValidator, skeleton } from './openapi.js'
export { FAKE_USER, type FakeIssue, type FakePull } from './collab.js'
