// Test support for end-to-end tests: a Messages API stub, a throwaway Claude home, the real and
// the fake Claude Code binaries, real payload shapes, and tmux helpers.
export * from './anthropic-stub.js'
export * from './claude-home.js'
export * from './claude-payload-keys.js'
export * from './tmux-harness.js'
export * from './sm-harness.js'
export * from './claude-world.js'
