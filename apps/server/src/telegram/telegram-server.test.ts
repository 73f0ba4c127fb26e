import { createClient } from '@claude-sessions/api/client'
import { NOTIFICATION_KINDS, resolveTelegramConfig, type NotificationKind } from '@claude-sessions/telegram'
import { FakeBotApi, type FakeUser } from '@claude-sessions/telegram/testing'
import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import type { Config, TelegramSettings } from '../config/schema.js'
import { startServer, type RunningServer } from '../start-server.js'
import { cleanup, HOOK, operatorClient, runHook, silentLog, testConfig, tmuxEnv, waitFor } from '../test-support.js'

const CHAT = -1009876543210
const ALICE: FakeUser = { id: 5151, username: 'alice' }
const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

const running: RunningServer[] = []
const configs: Config[] = []
const fakes: FakeBotApi[] = []

afterEach(async () => {
  for (const s of running.splice(0)) await s.close()
  for (const c of configs.splice(0)) cleanup(c)
  for (const f of fakes.splice(0)) await f.close()
})

function settings(fake: FakeBotApi, options: { approvalWaitSeconds?: number; off?: NotificationKind[] } = {}): TelegramSettings {
  const enabled = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, !(options.off ?? []).includes(k)])) as TelegramSettings['notify']['enabled']
  return {
    bot: resolveTelegramConfig({
      token: fake.token,
      chatId: CHAT,
      apiRoot: fake.apiRoot,
      allowedUserIds: [ALICE.id],
      throttle: false,
      pollTimeoutSeconds: 1,
      stallSeconds: 4,
      requestTimeoutSeconds: 5,
      approvalWaitSeconds: options.approvalWaitSeconds ?? 30,
    }),
    projects: [],
    notify: { enabled, quietHours: null },
  }
}

async function start(options: Parameters<typeof settings>[1] = {}) {
  const fake = await FakeBotApi.start()
  fakes.push(fake)
  const config = testConfig({ telegram: settings(fake, options) })
  configs.push(config)
  const server = await startServer(config, silentLog())
  running.push(server)
  return { fake, config, server, client: operatorClient(server, config) }
}

/** A managed session and the hook environment its terminal has; waits for its topic. */
async function managed(fake: FakeBotApi, config: Config, server: RunningServer, parent?: { id: string; token: string }) {
  const client = parent ? createClient({ baseUrl: server.url, token: parent.token, sessionId: parent.id }) : operatorClient(server, config)
  const { session } = parent ? await client.spawn({ prompt: 'child work' }) : await client.create({ workingDir: config.dataDir })
  const token = tmuxEnv(config, session.tmuxSession!, 'CLAUDE_SESSION_MANAGER_TOKEN')
  const env = { CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSIONS_DATA_DIR: config.dataDir, CLAUDE_SESSION_MANAGER_ID: session.id, CLAUDE_SESSION_MANAGER_TOKEN: token }
  const topic = await waitFor(() => [...fake.topics.values()].find((t) => t.name.endsWith(`[${session.id}]`)))
  return { session, env, token, thread: topic.threadId }
}

const shown = (fake: FakeBotApi, thread: number) => fake.botMessages().filter((m) => m.threadId === thread).map((m) => m.shown)
const payload = (extra: object) => ({ session_id: CLAUDE_ID, cwd: '/home/tester/project', ...extra })
const permission = (command: string) =>
  payload({
    tool_name: 'Bash',
    tool_input: { command, description: 'Remove build directory' },
    permission_suggestions: [{ type: 'addDirectories', directories: ['/home/tester/project/build'], destination: 'session' }],
  })

describe('Telegram in the server: notifications from hooks', () => {
  it('AskUserQuestion, a destructive command, StopFailure and a child finishing are posted; idle_prompt and turned-off kinds are not', async () => {
    const { fake, config, server } = await start({ off: ['typed_prompt'] })
    const parent = await managed(fake, config, server)
    await runHook('SessionStart', payload({ source: 'startup' }), parent.env)
    const question = {
      questions: [{ question: 'Which database?', header: 'DB', multiSelect: false, options: [{ label: 'Postgres', description: '' }, { label: 'SQLite', description: '' }] }],
    }
    await runHook('PreToolUse', payload({ tool_name: 'AskUserQuestion', tool_input: question, tool_use_id: 'toolu_q' }), parent.env)
    await waitFor(() => shown(fake, parent.thread).find((t) => t.startsWith('Question') && t.includes('Which database?\n1. Postgres\n2. SQLite')))
    await runHook('PreToolUse', payload({ tool_name: 'Bash', tool_input: { command: 'rm -rf ./build' }, tool_use_id: 'toolu_rm' }), parent.env)
    await waitFor(() => shown(fake, parent.thread).find((t) => t === 'Flagged destructive: Bash\nrm -rf ./build'))
    // the pinned card follows the current tool (edited in place, at most every few seconds)
    await waitFor(() => fake.botMessages().find((m) => m.threadId === parent.thread && m.pinned && m.shown.includes('Tool: Bash')), 15_000)
    await runHook('StopFailure', payload({ error: 'rate_limit', error_details: 'API Error: 429' }), parent.env)
    await waitFor(() => shown(fake, parent.thread).find((t) => t.startsWith('Error: the turn failed')))
    await runHook('Notification', payload({ message: 'Claude is waiting for your input', notification_type: 'idle_prompt' }), parent.env)
    await runHook('UserPromptSubmit', payload({ prompt: 'typed, but typed_prompt is off' }), parent.env)

    const child = await managed(fake, config, server, { id: parent.session.id, token: parent.token })
    await runHook('SessionStart', payload({ source: 'startup', session_id: 'c-2' }), child.env)
    await runHook('UserPromptSubmit', payload({ prompt: 'child work', session_id: 'c-2' }), child.env)
    await runHook('Stop', payload({ session_id: 'c-2', last_assistant_message: 'child result: 3 files changed', stop_hook_active: false }), child.env)
    await waitFor(() => shown(fake, parent.thread).find((t) => t.startsWith(`Child ${child.session.id}`) || t.includes(`[${child.session.id}] finished`)))
    expect(shown(fake, parent.thread).find((t) => t.includes('finished'))).toContain('child result: 3 files changed')
    expect(shown(fake, child.thread)).toContain('child result: 3 files changed')
    expect(shown(fake, parent.thread).some((t) => t.includes('waiting for your input') || t.includes('typed_prompt is off'))).toBe(false)
  })
})

describe('Telegram in the server: permission approval holds the hook reply', () => {
  it('Always allow answers with the suggested permission update; other hooks are answered meanwhile', async () => {
    const { fake, config, server } = await start()
    const { env, thread } = await managed(fake, config, server)
    const other = await managed(fake, config, server)
    const hook = runHook('PermissionRequest', permission('rm -rf ./build'), env)
    const ask = await waitFor(() => fake.botMessages().find((m) => m.threadId === thread && (m.buttons?.length ?? 0) > 0))
    // a held reply holds nothing else
    const started = Date.now()
    expect((await runHook('PreToolUse', payload({ tool_name: 'Read', tool_input: { file_path: 'a' }, tool_use_id: 't1' }), other.env)).status).toBe(0)
    expect(Date.now() - started).toBeLessThan(2000)
    fake.pressButton(ALICE, CHAT, ask.messageId, ask.buttons!.flat().find((b) => b.text === 'Always allow')!.data)
    const done = await hook
    expect(done.status).toBe(0)
    expect(JSON.parse(done.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PermissionRequest',
        decision: { behavior: 'allow', updatedPermissions: [{ type: 'addDirectories', directories: ['/home/tester/project/build'], destination: 'session' }] },
      },
    })
    await waitFor(() => fake.messages.get(ask.messageId)!.shown.includes('Always allowed by @alice'))
  })

  it('no press within approval_wait_seconds: the reply adds nothing (the terminal dialog stays) and the message says so', async () => {
    const { fake, config, server } = await start({ approvalWaitSeconds: 1 })
    const { env, thread } = await managed(fake, config, server)
    const started = Date.now()
    const done = await runHook('PermissionRequest', permission('make deploy'), env)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(done.status).toBe(0)
    expect(JSON.parse(done.stdout)).toEqual({})
    const ask = fake.botMessages().find((m) => m.threadId === thread && m.shown.includes('make deploy'))!
    await waitFor(() => fake.messages.get(ask.messageId)!.shown.includes('No answer within 1 s'))
    // a press after that changes nothing
    const answered = fake.callsTo('answerCallbackQuery').length
    fake.pressButton(ALICE, CHAT, ask.messageId, 'p:zzzz:a')
    await waitFor(() => fake.callsTo('answerCallbackQuery').length > answered)
    expect(fake.callsTo('answerCallbackQuery').at(-1)!.params.text).toBe('Already answered.')
  })

  it('the hook gives up (its process ends): the request stops waiting and the message says so', async () => {
    const { fake, config, server } = await start()
    const { env, thread } = await managed(fake, config, server)
    // its own process group: the script and its curl end together, as when Claude Code kills a hook
    const child = spawn('sh', [HOOK, 'PermissionRequest'], { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env }, detached: true, stdio: ['pipe', 'ignore', 'ignore'] })
    child.stdin.end(JSON.stringify(permission('terraform destroy')))
    const ask = await waitFor(() => fake.botMessages().find((m) => m.threadId === thread && m.shown.includes('terraform destroy')))
    process.kill(-child.pid!, 'SIGKILL')
    await waitFor(() => fake.messages.get(ask.messageId)!.shown.includes('No longer waiting'))
  })
})

describe('/telegram: pairing, status, unpairing', () => {
  it('gives the operator a one-time code that pairs a user once; status lists them; unpair revokes them; a session is refused; without Telegram it is 503', async () => {
    const { fake, config, server, client } = await start()
    const { code, expiresAt } = await client.telegramPair()
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/)
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000)
    const { session, token } = await managed(fake, config, server)
    const asSession = createClient({ baseUrl: server.url, token, sessionId: session.id })
    await expect(asSession.telegramPair()).rejects.toMatchObject({ status: 403, code: 'forbidden' })

    // the code pairs a user; the status lists them; unpairing revokes them
    const BOB: FakeUser = { id: 6262, username: 'bob' }
    fake.sendText(BOB, BOB.id, `/pair ${code}`)
    await waitFor(() => fake.botMessages().find((m) => m.chatId === BOB.id && m.shown.startsWith('Paired')))
    const status = await client.telegramStatus()
    expect(status).toMatchObject({ chatId: CHAT, configuredUserIds: [ALICE.id], approvalsWaiting: 0 })
    expect(status.pairedUsers).toEqual([{ userId: BOB.id, username: 'bob', addedAt: expect.any(String) }])
    expect(status.topics).toMatchObject({ open: 1 })
    await expect(client.telegramUnpair(String(ALICE.id))).rejects.toMatchObject({ status: 400, message: expect.stringContaining('allowed by the config') })
    await expect(client.telegramUnpair('not-a-user')).rejects.toMatchObject({ status: 400 })
    await expect(asSession.telegramUnpair(String(BOB.id))).rejects.toMatchObject({ status: 403 })
    expect(await client.telegramUnpair(String(BOB.id))).toEqual({ userId: BOB.id, removed: true })
    await expect(client.telegramUnpair(String(BOB.id))).rejects.toMatchObject({ status: 404 })
    const before = fake.actions().length
    fake.sendText(BOB, BOB.id, '/list')
    await waitFor(() => fake.pendingUpdates() === 0)
    await new Promise((r) => setTimeout(r, 300))
    expect(fake.actions().slice(before).filter((c) => c.params.chat_id === BOB.id)).toEqual([])

    const plain = testConfig()
    configs.push(plain)
    const off = await startServer(plain, silentLog())
    running.push(off)
    await expect(operatorClient(off, plain).telegramPair()).rejects.toMatchObject({ status: 503, code: 'unavailable' })
  })
})
