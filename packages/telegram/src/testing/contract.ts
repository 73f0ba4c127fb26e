// The behaviour every SessionControl must have (run against FakeControl and the server's); it
// imports vitest, so it has an entry of its own: `@claude-sessions/telegram/testing/contract`.
export { sessionControlContract } from './session-control-contract.js'
export type { SessionControlUnderTest } from './session-control-contract.js'
