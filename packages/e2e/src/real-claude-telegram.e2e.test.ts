/**
 * Telegram end to end with the real Claude Code (2.1.330) against the local Messages API stub and
 * a fake Bot API on 127.0.0.1: the real server process, `sm`, the hook script installed by
 * `sm hooks install`, tmux on a private socket. Claude runs in the default permission mode, so a
 * shell command opens the permission dialog — and the person allows it from the phone.
 */
import { FakeBotApi, type FakeUser } from '@claude-sessions/telegram/testing'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AnthropicStub, ReplyContext, StubReply } from './support/anthropic-stub.js'
import { startClaudeWorld, stopClaudeWorld } from './support/claude-world.js'
import { runSmJson, SmApi, type SessionJson, type SmServer } from './support/sm-harness.js'
import { telegramYaml } from './support/telegram-yaml.js'
import { capture, privateSocket, waitFor } from './support/tmux-harness.js'

const CHAT = -1005555555555
const ALICE: FakeUser = { id: 9001, username: 'alice' }
const COLOR = { question: 'Which color?', header: 'Color', multiSelect: false, options: [{ label: 'Red', description: 'warm' }, { label: 'Blue', description: 'cool' }] }

describe('Telegram with the real Claude Code', { timeout: 180_000 }, () => {
  const socket = privateSocket('sm-e2e-tg-real')
  let root: string
  let work: string
  let dataDir: string
  let stub: AnthropicStub
  let server: SmServer
  let api: SmApi
  let smEnv: Record<string, string>
  let fake: FakeBotApi
  let session: SessionJson | undefined

  const script = (ctx: ReplyContext): StubReply => {
    if (ctx.prompt.includes('TG-WRITE')) {
      if (ctx.promptTurns === 0) return { text: 'Writing the file.', toolUse: { name: 'Bash', input: { command: 'echo hi > out.txt', description: 'Write out.txt' } } }
      const result = ctx.toolResults[0]
      return { text: `TG-WRITE-DONE error=${result?.is_error ?? 'none'}` }
    }
    if (ctx.prompt.includes('TG-REPLY')) return { text: 'TG-REPLY-SEEN' }
    if (ctx.prompt.includes('TG-ASK')) {
      if (ctx.promptTurns === 0) return { text: 'Asking.', toolUse: { name: 'AskUserQuestion', input: { questions: [COLOR] } } }
      return { text: `TG-ASK-DONE ${ctx.toolResults[0]?.content ?? 'no result'}` }
    }
    return { text: 'OK' }
  }
  const inThread = (thread: number) => fake.botMessages().filter((m) => m.chatId === CHAT && m.threadId === thread)

  beforeAll(async () => {
    fake = await FakeBotApi.start()
    const world = await startClaudeWorld({
      prefix: 'sm-e2e-tg-real',
      socket,
      script,
      permissionMode: 'default',
      extraYaml: telegramYaml(fake, CHAT, [ALICE.id]),
    })
    ;({ root, work, dataDir, stub, server, smEnv } = world)
    api = new SmApi(() => server.url, dataDir)
  }, 120_000)

  afterAll(async () => {
    await stopClaudeWorld(socket, { server, stub, root })
    await fake?.close()
  }, 120_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return
    if (session) console.error(`[tg-real] screen:\n${await capture(socket, `claude-${session.id}`).catch(String)}`)
    console.error(`[tg-real] server log tail:\n${server.logTail()}`)
    console.error(`[tg-real] Bot API calls:\n${fake.actions().slice(-20).map((c) => `${c.method} ${JSON.stringify(c.params).slice(0, 200)}`).join('\n')}`)
  })

  it('one topic; a permission dialog is allowed from Telegram, the command runs, and the answer is posted', async () => {
    session = await runSmJson<SessionJson>(['new', work, '--name', 'tg-real', '--prompt', 'TG-WRITE please', '--no-attach', '--json'], smEnv)
    const topic = await waitFor(() => [...fake.topics.values()].find((t) => t.name === `tg-real [${session!.id}]`), { message: 'topic', timeoutMs: 30_000 })
    const ask = await waitFor(() => inThread(topic.threadId).find((m) => (m.buttons?.length ?? 0) > 0), { message: 'permission buttons', timeoutMs: 60_000 })
    expect(ask.shown).toContain('echo hi > out.txt')
    fake.pressButton(ALICE, CHAT, ask.messageId, ask.buttons!.flat().find((b) => b.text === 'Allow')!.data)
    await waitFor(() => inThread(topic.threadId).some((m) => m.shown === 'TG-WRITE-DONE error=false' || m.shown.startsWith('TG-WRITE-DONE')), { message: 'the answer', timeoutMs: 60_000 })
    expect(inThread(topic.threadId).find((m) => m.shown.startsWith('TG-WRITE-DONE'))!.shown).toBe('TG-WRITE-DONE error=false')
    expect(existsSync(join(work, 'out.txt'))).toBe(true)
    await waitFor(() => fake.messages.get(ask.messageId)!.shown.includes('Allowed by @alice'), { message: 'edited' })
    expect(fake.callsTo('createForumTopic')).toHaveLength(1)
  })

  it('a reply in the topic reaches Claude as a prompt and is confirmed', async () => {
    await api.waitForState(session!.id, 'idle', { timeoutMs: 30_000 })
    const topic = [...fake.topics.values()].find((t) => t.name === `tg-real [${session!.id}]`)!
    const update = fake.sendText(ALICE, CHAT, 'TG-REPLY from the phone', topic.threadId)
    await waitFor(() => inThread(topic.threadId).some((m) => m.shown === 'TG-REPLY-SEEN'), { message: 'the answer to the reply', timeoutMs: 60_000 })
    await waitFor(() => fake.callsTo('setMessageReaction').some((c) => c.params.message_id === fake.messageIdOf(update)), { message: 'reaction' })
    expect(stub.requests.some((r) => JSON.stringify(r.body?.messages ?? []).includes('TG-REPLY from the phone'))).toBe(true)
  })

  it('an AskUserQuestion is answered with a button: Claude gets the answer and the dialog closes', async () => {
    await api.waitForState(session!.id, 'idle', { timeoutMs: 30_000 })
    const topic = [...fake.topics.values()].find((t) => t.name === `tg-real [${session!.id}]`)!
    fake.sendText(ALICE, CHAT, 'TG-ASK pick one', topic.threadId)
    const ask = await waitFor(() => inThread(topic.threadId).find((m) => m.shown.startsWith('Question\n') && (m.buttons?.length ?? 0) > 0), { message: 'question buttons', timeoutMs: 60_000 })
    expect(ask.shown).toContain('Color: Which color?\n1. Red — warm\n2. Blue — cool')
    fake.pressButton(ALICE, CHAT, ask.messageId, ask.buttons!.flat().find((b) => b.text === 'Blue')!.data)
    const done = await waitFor(() => inThread(topic.threadId).find((m) => m.shown.startsWith('TG-ASK-DONE')), { message: 'the answer', timeoutMs: 60_000 })
    expect(done.shown).toContain('"Which color?"="Blue"')
    await waitFor(() => fake.messages.get(ask.messageId)!.shown.endsWith('Answered by @alice'), { message: 'edited' })
    await api.waitForState(session!.id, 'idle', { timeoutMs: 30_000 })
    expect(await capture(socket, `claude-${session!.id}`)).not.toContain('Enter to select')
  })
})
