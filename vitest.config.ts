import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url))

// Unit and adapter tests import workspace packages from source; e2e tests run the built apps.
const alias = {
  '@claude-sessions/core/telegram/testing': src('./packages/core/src/telegram-testing.ts'),
  '@claude-sessions/core/telegram': src('./packages/core/src/telegram.ts'),
  '@claude-sessions/core/testing': src('./packages/core/src/testing/index.ts'),
  '@claude-sessions/core/audit': src('./packages/core/src/audit/index.ts'),
  '@claude-sessions/core/services': src('./packages/core/src/services.ts'),
  '@claude-sessions/core': src('./packages/core/src/index.ts'),
  '@claude-sessions/tmux': src('./packages/tmux/src/index.ts'),
  '@claude-sessions/workspace': src('./packages/workspace/src/index.ts'),
  '@claude-sessions/store-sqlite': src('./packages/store-sqlite/src/index.ts'),
  '@claude-sessions/api/client': src('./packages/api/src/client.ts'),
  '@claude-sessions/api/node': src('./packages/api/src/node-transport.ts'),
  '@claude-sessions/api': src('./packages/api/src/index.ts'),
  '@claude-sessions/telegram/testing': src('./packages/telegram/src/testing/index.ts'),
  '@claude-sessions/telegram': src('./packages/telegram/src/index.ts'),
  '@claude-sessions/server': src('./apps/server/src/index.ts'),
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'hooks/**/*.test.ts', 'tooling/**/*.test.ts'],
          exclude: ['packages/e2e/**', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['packages/e2e/src/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
