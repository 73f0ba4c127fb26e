import { defineConfig } from 'drizzle-kit'

// `pnpm db:generate --name <what_changed>` writes a migration into drizzle/,
// then `pnpm gen:migrations` embeds drizzle/ into src/generated/migrations.ts.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/schema.ts',
  out: './drizzle',
})
