// The project's lint: the layers of ARCHITECTURE.md, and promises that are never left floating.
// Type-aware (typescript-eslint's project service reads each package's tsconfig).
import { fileURLToPath } from 'node:url'
import tseslint from 'typescript-eslint'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

const ADAPTERS = ['api', 'store-sqlite', 'telegram', 'tmux', 'workspace']
const adapter = (name) => `@claude-sessions/${name}`
/** Deep imports into a package (its src or dist) instead of its public entry points. */
const deep = { group: ['@claude-sessions/*/src/*', '@claude-sessions/*/dist/*', '@claude-sessions/*/src', '@claude-sessions/*/dist'], message: 'import a package by its public entry point' }

const nodeBuiltins = { group: ['node:*'], message: 'core does no I/O: no node:* modules (ports in core, adapters elsewhere)' }
const appsAndAdapters = {
  group: [...ADAPTERS.flatMap((a) => [adapter(a), `${adapter(a)}/*`]), '@claude-sessions/server', '@claude-sessions/server/*', '@claude-sessions/sm', '@claude-sessions/sm/*'],
  message: 'core imports no adapter and no app',
}

/** An adapter imports core (and its own files), never another adapter or an app. */
const adapterRules = (self) => ({
  files: [`packages/${self}/src/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          deep,
          {
            group: [...ADAPTERS.filter((a) => a !== self).flatMap((a) => [adapter(a), `${adapter(a)}/*`]), '@claude-sessions/server', '@claude-sessions/server/*', '@claude-sessions/sm', '@claude-sessions/sm/*'],
            message: `an adapter (${self}) imports no other adapter and no app`,
          },
        ],
      },
    ],
  },
})

export default tseslint.config(
  {
    // the sources of the packages and apps (build and tool configs aside)
    ignores: ['**/dist/**', '**/node_modules/**', '**/fixtures/**', 'bench/**', 'hooks/**', '.bench/**', '**/*.js', '**/*.mjs', '**/*.cjs', '**/*.config.ts', 'vitest.config.ts', 'tooling/**'],
  },
  {
    files: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts', 'apps/web/src/**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        project: ['packages/*/tsconfig.json', 'packages/core/tsconfig.test.json', 'apps/*/tsconfig.json'],
        tsconfigRootDir: ROOT,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      'no-control-regex': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      'no-restricted-imports': ['error', { patterns: [deep] }],
      // configuration is read in one place per app and handed down
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read the environment in config loading only (apps/server/src/config, apps/sm/src/env.ts) and pass it down' }],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deep, nodeBuiltins, appsAndAdapters] }] },
  },
  {
    files: ['packages/core/src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deep, appsAndAdapters] }] },
  },
  ...ADAPTERS.map(adapterRules),
  {
    // the API client runs in browsers too (the dashboard): no Node modules in what it loads
    files: ['packages/api/src/{client,fetch-transport,transport,sse,api-error,dto,json-depth}.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [deep, { group: ['node:*'], message: 'the API client runs in browsers too: no node:* modules (node:http lives in node-transport.ts)' }, { group: ['@claude-sessions/*', '!@claude-sessions/core'], message: 'the API client imports core types only' }] },
      ],
    },
  },
  {
    // the dashboard's page runs in a browser: the API client and preact, nothing of Node or the server
    files: ['apps/web/src/**/*.ts', 'apps/web/src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            deep,
            { group: ['node:*'], message: 'the page runs in a browser: no node:* modules' },
            { group: ['@claude-sessions/*', '!@claude-sessions/api', '!@claude-sessions/core'], message: 'the page talks to the server through @claude-sessions/api/client' },
          ],
          paths: [{ name: '@claude-sessions/api', message: 'the page imports @claude-sessions/api/client (browser-safe), not the server side of the API' }],
        },
      ],
    },
  },
  {
    // where the environment is read: config loading, and tests and their harnesses
    files: ['apps/server/src/config/**/*.ts', 'apps/sm/src/env.ts', '**/*.test.ts', '**/test-support.ts', 'packages/e2e/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
)
