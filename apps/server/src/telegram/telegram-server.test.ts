import { createClient } from '@claude-sessions/api/client'
import { spawn } from 'node:child_process'
import type { FakeUser } from '@claude-sessions/telegram/testing'
import { describe, expect, it } from 'vitest'
import { startServer } from '../start-server.js'
import { HOOK, operatorClient, runHook, silentLog, testConfig, waitFor } from '../test-support.js'
import { ALICE, CHAT, cleanUpAfterEach, configs, managed, payload, permission, running, shown, start } from './server-test-support.js'

cleanUpAfterEach()

describe('Telegram in the server: notifications from hooks', () => {
  it('a destructive command, StopFailure and a child finishing are posted; idle_prompt and turned-off kinds are not', async () => {
    const { fake, config, server } = await start({ off: ['typed_prompt'] })
    const parent = await managed(fake, config, server)
    await runHook('SessionStart', payload({ source: 'startup' }), parent.env)
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
