import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The project's lint on a text placed at `filePath`, without type information (the layer rules need none). */
async function lint(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: [
      {
        files: ['**/*.ts', '**/*.tsx'],
        languageOptions: { parserOptions: { project: null } },
        rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
      },
    ],
  })
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${filePath}` })
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`)
}

describe('pnpm lint keeps the layers', () => {
  it('a core file importing node:fs is rejected (core does no I/O)', async () => {
    const messages = await lint('packages/core/src/probe.ts', "import { readFileSync } from 'node:fs'\nexport const read = () => readFileSync('x')\n")
    expect(messages).toEqual([expect.stringMatching(/^no-restricted-imports: .*core does no I\/O/)])
  })

  it('core importing an adapter or an app is rejected; its tests may use node:* modules', async () => {
    expect(await lint('packages/core/src/probe.ts', "export { openSqliteStore } from '@claude-sessions/store-sqlite'\n")).toEqual([
      expect.stringMatching(/core imports no adapter and no app/),
    ])
    expect(await lint('packages/core/src/probe.test.ts', "import { readFileSync } from 'node:fs'\nexport const read = () => readFileSync('x')\n")).toEqual([])
  })

  it('an adapter importing another adapter is rejected; core is fine', async () => {
    expect(await lint('packages/telegram/src/probe.ts', "export { openSqliteStore } from '@claude-sessions/store-sqlite'\n")).toEqual([
      expect.stringMatching(/an adapter \(telegram\) imports no other adapter/),
    ])
    expect(await lint('packages/tmux/src/probe.ts', "export { SessionsError } from '@claude-sessions/core'\n")).toEqual([])
  })

  it("an app reaching into a package's src is rejected: public entry points only", async () => {
    expect(await lint('apps/server/src/probe.ts', "export { ToolBroadcast } from '@claude-sessions/api/src/tool-broadcast.js'\n")).toEqual([
      expect.stringMatching(/public entry point/),
    ])
  })

  it('the API client (browsers too) importing node:http is rejected; its node transport may', async () => {
    expect(await lint('packages/api/src/client.ts', "import { request } from 'node:http'\nexport const r = request\n")).toEqual([expect.stringMatching(/runs in browsers too/)])
    expect(await lint('packages/api/src/node-transport.ts', "import { request } from 'node:http'\nexport const r = request\n")).toEqual([])
  })

  it('the web page importing node:*, the server side of the API or an adapter is rejected; the API client is fine', async () => {
    expect(await lint('apps/web/src/probe.tsx', "import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n")).toEqual([expect.stringMatching(/runs in a browser/)])
    expect(await lint('apps/web/src/probe.ts', "import { createApp } from '@claude-sessions/api'\nexport const r = createApp\n")).toEqual([expect.stringMatching(/browser-safe/)])
    expect(await lint('apps/web/src/probe.ts', "import { openSqliteStore } from '@claude-sessions/store-sqlite'\nexport const r = openSqliteStore\n")).toEqual([expect.stringMatching(/through @claude-sessions\/api\/client/)])
    expect(await lint('apps/web/src/probe.ts', "import { createClient } from '@claude-sessions/api/client'\nexport const r = createClient\n")).toEqual([])
  })

  it('process.env outside config loading is rejected; the config modules may read it', async () => {
    expect(await lint('apps/server/src/probe.ts', 'export const home = process.env.HOME\n')).toEqual([expect.stringMatching(/^no-restricted-properties: /)])
    expect(await lint('apps/server/src/config/probe.ts', 'export const home = process.env.HOME\n')).toEqual([])
    expect(await lint('apps/sm/src/env.ts', 'export const home = process.env.HOME\n')).toEqual([])
  })
})
