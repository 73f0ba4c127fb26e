/**
 * The usage ledger with the real Claude Code (2.1.330) against the local Messages API stub: a
 * managed session exports its OpenTelemetry logs to the server (the environment `sm new` gives
 * it), and each model request becomes one row with Claude Code's own tokens and cost.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ReplyContext, StubReply } from './support/anthropic-stub.js'
import { startClaudeWorld, stopClaudeWorld, type ClaudeWorld } from './support/claude-world.js'
import { runSmJson, SmApi, type SessionJson } from './support/sm-harness.js'
import { capture, privateSocket, waitFor } from './support/tmux-harness.js'

interface UsageJson {
  id: string
  own: { requests: number; inputTokens: number; outputTokens: number; costUsd: number }
  tree: { requests: number; costUsd: number }
}

describe('usage ledger with the real Claude Code', { timeout: 180_000 }, () => {
  const socket = privateSocket('sm-e2e-usage')
  let world: ClaudeWorld
  let api: SmApi
  let session: SessionJson | undefined

  const script = (ctx: ReplyContext): StubReply => ({ text: ctx.prompt.includes('USAGE') ? 'USAGE-DONE' : 'OK' })

  beforeAll(async () => {
    world = await startClaudeWorld({ prefix: 'sm-e2e-usage', socket, script, permissionMode: 'default' })
    api = new SmApi(() => world.server.url, world.dataDir)
  }, 120_000)

  afterAll(async () => {
    await stopClaudeWorld(socket, { server: world?.server, stub: world?.stub, root: world?.root })
  }, 120_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return
    if (session) console.error(`[usage] screen:\n${await capture(socket, `claude-${session.id}`).catch(String)}`)
    console.error(`[usage] server log tail:\n${world.server.logTail()}`)
  })

  it("each model request of a managed session arrives as one usage row, with Claude Code's own tokens and cost", async () => {
    session = await runSmJson<SessionJson>(['new', world.work, '--name', 'spender', '--prompt', 'USAGE please', '--no-attach', '--json'], world.smEnv)
    await api.waitForEvents(session.id, (e) => e.event === 'Stop' && e.payload?.['last_assistant_message'] === 'USAGE-DONE', 1, { timeoutMs: 60_000 })
    const main = world.stub.mainRequests().length
    expect(main).toBeGreaterThan(0)
    // the export is batched every second
    const usage = await waitFor(
      async () => {
        const u = await runSmJson<UsageJson>(['usage', session!.id, '--json'], world.smEnv)
        return u.own.requests >= main && u
      },
      { timeoutMs: 20_000, intervalMs: 250, message: 'usage rows' },
    )
    expect(usage.own.outputTokens).toBeGreaterThan(0)
    expect(usage.own.inputTokens).toBeGreaterThan(0)
    expect(usage.own.costUsd).toBeGreaterThan(0)
    expect(usage.tree).toEqual({ ...usage.own })
    // a second look a moment later: the exporter's batches and retries add nothing twice
    await new Promise((r) => setTimeout(r, 2_500))
    const again = await runSmJson<UsageJson>(['usage', session.id, '--json'], world.smEnv)
    // never more rows than model requests the stub answered (main turns and Claude Code's side calls)
    const served = world.stub.requests.filter((r) => ['main', 'title', 'quota', 'structured', 'side'].includes(r.kind)).length
    expect(again.own.requests).toBeGreaterThanOrEqual(usage.own.requests)
    expect(again.own.requests).toBeLessThanOrEqual(served)
  })
})
