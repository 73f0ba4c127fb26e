import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'tsup'

const src = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url))

/** Workspace packages are bundled from source, so the CLI builds without their dist. */
const alias = {
  '@claude-sessions/core': src('packages/core/src/index.ts'),
  '@claude-sessions/tmux': src('packages/tmux/src/index.ts'),
  '@claude-sessions/store-sqlite': src('packages/store-sqlite/src/index.ts'),
  '@claude-sessions/api/client': src('packages/api/src/client.ts'),
  '@claude-sessions/api': src('packages/api/src/index.ts'),
  '@claude-sessions/server': src('apps/server/src/index.ts'),
}

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

// One bundle for the CLI; rarely used commands and the server are split into chunks loaded on demand.
export default defineConfig({
  entry: { sm: 'src/sm.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  bundle: true,
  splitting: true,
  clean: true,
  dts: false,
  minify: false,
  noExternal: [/^@claude-sessions\//, 'yargs', 'hono', '@hono/node-server', 'pino', 'yaml', 'zod', 'drizzle-orm'],
  external: ['better-sqlite3'],
  define: { __SM_VERSION__: JSON.stringify(version) },
  esbuildOptions(options) {
    options.alias = alias
  },
  banner: { js: "import { createRequire as __smCreateRequire } from 'node:module'; const require = __smCreateRequire(import.meta.url);" },
})
