// @claude-sessions/core/telegram/testing: in-memory Telegram stores and their contract suites (they need vitest).
export * from './testing/telegram.js'
