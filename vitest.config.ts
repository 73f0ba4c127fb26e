import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url))

// Unit and integration tests import workspace packages from source; e2e tests run the built apps.
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
  '@claude-sessions/telegram/testing/contract': src('./packages/telegram/src/testing/contract.ts'),
  '@claude-sessions/telegram/testing': src('./packages/telegram/src/testing/index.ts'),
  '@claude-sessions/telegram': src('./packages/telegram/src/index.ts'),
  '@claude-sessions/server': src('./apps/server/src/index.ts'),
}

/** Tests in the unit packages that import a built package or start a process: the integration project's. */
const BUILT_OR_SPAWNING = ['packages/core/src/package.test.ts', 'packages/telegram/src/lifecycle.test.ts']

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        // the pure and in-process tests: sources only (no build), no child processes
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/{core,api,store-sqlite,telegram}/src/**/*.test.ts', 'tooling/**/*.test.ts', 'apps/sm/src/**/*.unit.test.ts'],
          exclude: [...BUILT_OR_SPAWNING, '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        // tests that run other programs (tmux, git, the hook script, the sm binary, a built package) or whole servers
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['apps/*/src/**/*.test.ts', 'hooks/**/*.test.ts', 'packages/{tmux,workspace}/src/**/*.test.ts', ...BUILT_OR_SPAWNING],
          exclude: ['apps/sm/src/**/*.unit.test.ts', '**/node_modules/**'],
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
