import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Options } from 'tsup'

const src = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url))

/** Workspace packages are bundled from source, so the CLI builds without their dist. */
const alias = {
  '@claude-sessions/core/telegram/testing': src('packages/core/src/telegram-testing.ts'),
  '@claude-sessions/core/telegram': src('packages/core/src/telegram.ts'),
  '@claude-sessions/core/testing': src('packages/core/src/testing/index.ts'),
  '@claude-sessions/core/audit': src('packages/core/src/audit/index.ts'),
  '@claude-sessions/core/services': src('packages/core/src/services.ts'),
  '@claude-sessions/core': src('packages/core/src/index.ts'),
  '@claude-sessions/tmux': src('packages/tmux/src/index.ts'),
  '@claude-sessions/workspace': src('packages/workspace/src/index.ts'),
  '@claude-sessions/store-sqlite': src('packages/store-sqlite/src/index.ts'),
  '@claude-sessions/api/client': src('packages/api/src/client.ts'),
  '@claude-sessions/api/node': src('packages/api/src/node-transport.ts'),
  '@claude-sessions/api': src('packages/api/src/index.ts'),
  '@claude-sessions/telegram': src('packages/telegram/src/index.ts'),
  '@claude-sessions/server': src('apps/server/src/index.ts'),
}

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

const common: Options = {
  target: 'node20',
  platform: 'node',
  bundle: true,
  clean: false,
  dts: false,
  minify: false,
  define: { __SM_VERSION__: JSON.stringify(version) },
  esbuildOptions(options) {
    options.alias = alias
  },
}

export default defineConfig([
  // dist/sm.cjs: the entry. One CommonJS file (no ESM loader work at start-up) holding the hot
  // commands and the HTTP client; `import('./cli.js')` loads the rest.
  {
    ...common,
    entry: { sm: 'src/sm.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    splitting: false,
    external: ['./cli.js', 'yaml'],
  },
  // dist/cli.js and chunks: the full CLI (yargs), each command and the server loaded on demand.
  {
    ...common,
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    splitting: true,
    noExternal: [/^@claude-sessions\//, /^@grammyjs\//, 'grammy', 'yargs', 'hono', '@hono/node-server', 'pino', 'yaml', 'zod', 'drizzle-orm', 'ws'],
    // native modules (and ws's optional native helpers) are loaded from node_modules at run time
    external: ['better-sqlite3', 'node-pty', 'bufferutil', 'utf-8-validate'],
    banner: { js: "import { createRequire as __smCreateRequire } from 'node:module'; const require = __smCreateRequire(import.meta.url);" },
  },
])
