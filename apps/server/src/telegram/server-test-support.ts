/** Helpers for the server's Telegram tests: a server with the fake Bot API, managed sessions and their hook environment. */
import { createClient } from '@claude-sessions/api/client'
import { NOTIFICATION_KINDS, type NotificationKind } from '@claude-sessions/core'
import { fakeBotConfig, FakeBotApi, type FakeUser } from '@claude-sessions/telegram/testing'
import { afterEach } from 'vitest'
import type { Config, TelegramSettings } from '../config/schema.js'
import { startServer, type RunningServer } from '../start-server.js'
import { cleanup, operatorClient, silentLog, testConfig, tmuxEnv, waitFor } from '../test-support.js'

export const CHAT = -1009876543210
export const ALICE: FakeUser = { id: 5151, username: 'alice' }
export const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

export const running: RunningServer[] = []
export const configs: Config[] = []
const fakes: FakeBotApi[] = []

/** Stops what the test started (call once per test file). */
export function cleanUpAfterEach(): void {
  afterEach(async () => {
    for (const s of running.splice(0)) await s.close()
    for (const c of configs.splice(0)) cleanup(c)
    for (const f of fakes.splice(0)) await f.close()
  })
}

export function settings(fake: FakeBotApi, options: { approvalWaitSeconds?: number; off?: NotificationKind[] } = {}): TelegramSettings {
  const enabled = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, !(options.off ?? []).includes(k)])) as TelegramSettings['notify']['enabled']
  return {
    bot: fakeBotConfig(fake, { chatId: CHAT, allowedUserIds: [ALICE.id], approvalWaitSeconds: options.approvalWaitSeconds ?? 30 }),
    projects: [],
    notify: { enabled, quietHours: null },
  }
}

/** A server with Telegram against a fresh fake Bot API. */
export async function start(options: Parameters<typeof settings>[1] = {}) {
  const fake = await FakeBotApi.start()
  fakes.push(fake)
  const config = testConfig({ telegram: settings(fake, options) })
  configs.push(config)
  const server = await startServer(config, silentLog())
  running.push(server)
  return { fake, config, server, client: operatorClient(server, config) }
}

/** A managed session and the hook environment its terminal has; waits for its topic. */
export async function managed(fake: FakeBotApi, config: Config, server: RunningServer, parent?: { id: string; token: string }) {
  const client = parent ? createClient({ baseUrl: server.url, token: parent.token, sessionId: parent.id }) : operatorClient(server, config)
  const { session } = parent ? await client.spawn({ prompt: 'child work' }) : await client.create({ workingDir: config.dataDir })
  const token = tmuxEnv(config, session.tmuxSession!, 'CLAUDE_SESSION_MANAGER_TOKEN')
  const env = { CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSIONS_DATA_DIR: config.dataDir, CLAUDE_SESSION_MANAGER_ID: session.id, CLAUDE_SESSION_MANAGER_TOKEN: token }
  const topic = await waitFor(() => [...fake.topics.values()].find((t) => t.name.endsWith(`[${session.id}]`)))
  return { session, env, token, thread: topic.threadId }
}

export const shown = (fake: FakeBotApi, thread: number) => fake.botMessages().filter((m) => m.threadId === thread).map((m) => m.shown)
export const payload = (extra: object) => ({ session_id: CLAUDE_ID, cwd: '/home/tester/project', ...extra })
export const permission = (command: string) =>
  payload({
    tool_name: 'Bash',
    tool_input: { command, description: 'Remove build directory' },
    permission_suggestions: [{ type: 'addDirectories', directories: ['/home/tester/project/build'], destination: 'session' }],
  })
