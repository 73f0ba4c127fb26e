/**
 * A message being typed when the server dies: the real server process (killed with -9 after the
 * text is in the agent's input box and before Enter), the fake agent in tmux, the real hook
 * script. The restarted server finds its own text still in the box and submits it: the agent
 * gets the message exactly once.
 */
import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { reportFailure, stopClaudeWorld } from './support/claude-world.js'
import { startFakeWorld, type FakeWorld } from './support/fake-world.js'
import { runSm, startSmServer, type SessionJson } from './support/sm-harness.js'
import { capture, privateSocket, waitFor } from './support/tmux-harness.js'

/** settle_ms: the pause between the paste and Enter, long enough to kill the server inside it. */
const SETTLE_MS = 4000

describe('a message being typed at a restart', () => {
  const socket = privateSocket('sm-e2e-msg-restart')
  let world: FakeWorld

  beforeAll(async () => {
    world = await startFakeWorld({ prefix: 'sm-e2e-msg-restart', socket, config: () => ({ settleMs: SETTLE_MS }) })
  }, 120_000)

  afterAll(() => stopClaudeWorld(socket, { server: world?.server, root: world?.root }), 120_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await reportFailure('msg-restart', socket, world.server)
  })

  it('kill -9 between the paste and Enter: after the restart it is submitted once, never typed twice', async () => {
    const created = await runSm(['new', world.work, '--name', 'typist', '--no-attach', '--json'], world.smEnv)
    expect(created.status, created.stderr).toBe(0)
    const session = JSON.parse(created.stdout) as SessionJson
    await world.api.waitForState(session.id, 'idle', { timeoutMs: 30_000 })

    const text = 'MESSAGE-AT-RESTART please run the migrations'
    // `sm send` waits for the delivery; the server dies while it waits
    const sending = runSm(['send', 'typist', text, '--json'], world.smEnv, { timeoutMs: 30_000 })
    const terminal = `claude-${session.id}`
    await waitFor(async () => (await capture(socket, terminal)).includes('MESSAGE-AT-RESTART'), { timeoutMs: 10_000, intervalMs: 50, message: 'text in the box' })
    const port = world.server.port
    await world.server.kill9()
    expect((await sending).status).not.toBe(0)
    // the box still holds the text, not submitted
    expect(await capture(socket, terminal)).toContain('MESSAGE-AT-RESTART')

    world.server = await startSmServer({ env: world.serverEnv, dataDir: world.dataDir, socket, configPath: world.configPath, port })
    await waitFor(async () => (await world.api.messages(session.id)).find((m) => m.text === text)?.status === 'delivered', {
      timeoutMs: 30_000,
      message: 'message delivered after the restart',
    })
    await world.api.waitForState(session.id, 'idle', { timeoutMs: 30_000 })
    const prompts = (await world.api.events(session.id)).filter((e) => e.event === 'UserPromptSubmit').map((e) => String(e.payload!.prompt))
    expect(prompts.filter((p) => p.includes('MESSAGE-AT-RESTART'))).toEqual([text])
    // what the agent itself saw submitted: once
    const submitted = readFileSync(world.fakeLog, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type?: string; prompt?: string })
      .filter((e) => e.type === 'prompt' && e.prompt?.includes('MESSAGE-AT-RESTART'))
    expect(submitted.map((e) => e.prompt)).toEqual([text])
  })
})
