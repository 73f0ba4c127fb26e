/**
 * Quiet hours end to end: the real server process with a `telegram:` section whose quiet hours
 * began this minute and end at the next minute boundary (UTC), the fake Bot API, real tmux, the
 * hook script and the fake Claude Code. Responses are held, then one digest arrives.
 */
import { FakeBotApi } from '@claude-sessions/telegram/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { stopClaudeWorld } from './support/claude-world.js'
import { startFakeWorld, type FakeWorld } from './support/fake-world.js'
import { runSm, runSmJson, type SessionJson, type SmApi, type SmServer } from './support/sm-harness.js'
import { telegramYaml } from './support/telegram-yaml.js'
import { privateSocket, waitFor } from './support/tmux-harness.js'

const CHAT = -1002222333444
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16)

describe('Telegram quiet hours (real server, fake agent)', { timeout: 150_000 }, () => {
  const socket = privateSocket('sm-e2e-tg-quiet')
  let world: FakeWorld | undefined
  let fake: FakeBotApi
  let server: SmServer
  let smEnv: Record<string, string>
  let api: SmApi
  let work: string
  /** When quiet hours end (a minute boundary at least 25 s away). */
  let quietEnd: number

  beforeAll(async () => {
    fake = await FakeBotApi.start()
    const now = Date.now()
    quietEnd = Math.ceil(now / 60_000) * 60_000
    if (quietEnd - now < 25_000) quietEnd += 60_000
    const quiet = `quiet_hours: { start: ${JSON.stringify(hhmm(now))}, end: ${JSON.stringify(hhmm(quietEnd))}, time_zone: UTC }`
    world = await startFakeWorld({ prefix: 'sm-e2e-tg-quiet', socket, config: () => ({ settleMs: 100, extraYaml: telegramYaml(fake, CHAT, [1], [quiet]) }) })
    ;({ work, server, smEnv, api } = world)
  }, 120_000)

  afterAll(async () => {
    await stopClaudeWorld(socket, { server, root: world?.root })
    await fake?.close()
  }, 120_000)

  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail') return
    console.error(`[tg-quiet] server log tail:\n${server.logTail()}`)
  })

  it('responses are held during quiet hours, then one digest with the latest response in full', async () => {
    const session = await runSmJson<SessionJson>(['new', work, '--no-attach', '--name', 'nightly', '--prompt', 'first job'], smEnv)
    const topic = await waitFor(() => [...fake.topics.values()].find((t) => t.name === `nightly [${session.id}]`), { message: 'topic' })
    const shown = () => fake.botMessages().filter((m) => m.threadId === topic.threadId && !m.pinned).map((m) => m.shown)
    await api.waitForState(session.id, 'idle', { timeoutMs: 15_000 })
    expect((await runSm(['send', 'nightly', 'second job'], smEnv)).status).toBe(0)
    await api.waitForEvents(session.id, (e) => e.event === 'Stop', 2)
    await new Promise((r) => setTimeout(r, 1500))
    expect(Date.now()).toBeLessThan(quietEnd)
    expect(shown().filter((t) => t.includes('echo:'))).toEqual([])

    const digest = await waitFor(() => shown().find((t) => t.startsWith('While you were away')), { message: 'the digest', timeoutMs: quietEnd - Date.now() + 20_000 })
    expect(Date.now()).toBeGreaterThanOrEqual(quietEnd)
    expect(digest).toContain('echo: first job')
    expect(digest).toContain('echo: second job')
    await waitFor(() => shown().includes('echo: second job'), { message: 'the latest response in full' })
    expect(shown().filter((t) => t.startsWith('While you were away'))).toHaveLength(1)
  })
})
