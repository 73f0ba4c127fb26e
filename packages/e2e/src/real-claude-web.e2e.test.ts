/**
 * The web dashboard's approval queue with the real Claude Code (2.1.330) against the local
 * Messages API stub: the real server process with its web listener, `sm`, the hook script
 * installed by `sm hooks install`, tmux on a private socket, real Chromium. Claude runs in the
 * default permission mode, so a shell command opens the permission dialog — and the person allows
 * it from the page; a question Claude asks is answered there too.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ReplyContext, StubReply } from './support/anthropic-stub.js'
import { launchBrowser, type TestBrowser } from './support/browser.js'
import { startClaudeWorld, stopClaudeWorld, type ClaudeWorld } from './support/claude-world.js'
import { runSmJson, SmApi, type SessionJson } from './support/sm-harness.js'
import { capture, privateSocket, waitFor } from './support/tmux-harness.js'

const COLOR = { question: 'Which color?', header: 'Color', multiSelect: false, options: [{ label: 'Red', description: 'warm' }, { label: 'Blue', description: 'cool' }] }

describe('web dashboard with the real Claude Code', { timeout: 180_000 }, () => {
  const socket = privateSocket('sm-e2e-web-real')
  let world: ClaudeWorld
  let api: SmApi
  let browser: TestBrowser
  let page: Page
  let session: SessionJson | undefined

  const script = (ctx: ReplyContext): StubReply => {
    if (ctx.prompt.includes('WEB-WRITE')) {
      if (ctx.promptTurns === 0) return { text: 'Writing the file.', toolUse: { name: 'Bash', input: { command: 'echo hi > web.txt', description: 'Write web.txt' } } }
      return { text: `WEB-WRITE-DONE error=${ctx.toolResults[0]?.is_error ?? 'none'}` }
    }
    if (ctx.prompt.includes('WEB-ASK')) {
      if (ctx.promptTurns === 0) return { text: 'Asking.', toolUse: { name: 'AskUserQuestion', input: { questions: [COLOR] } } }
      return { text: `WEB-ASK-DONE ${ctx.toolResults[0]?.content ?? 'no result'}` }
    }
    return { text: 'OK' }
  }

  beforeAll(async () => {
    world = await startClaudeWorld({ prefix: 'sm-e2e-web-real', socket, script, permissionMode: 'default' })
    api = new SmApi(() => world.server.url, world.dataDir)
    browser = await launchBrowser()
    page = await (await browser.context()).newPage()
    await page.goto(await api.webLogin())
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await stopClaudeWorld(socket, { server: world?.server, stub: world?.stub, root: world?.root })
  }, 120_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return
    if (session) console.error(`[web-real] screen:\n${await capture(socket, `claude-${session.id}`).catch(String)}`)
    console.error(`[web-real] server log tail:\n${world.server.logTail()}`)
  })

  it('a Bash permission dialog is allowed from the page: the command runs, Claude gets its result, the page says who decided', async () => {
    session = await runSmJson<SessionJson>(['new', world.work, '--name', 'web-real', '--prompt', 'WEB-WRITE please', '--no-attach', '--json'], world.smEnv)
    const queue = page.getByRole('region', { name: 'Waiting for you' })
    const request = queue.getByRole('listitem', { name: 'Permission: Bash for web-real' })
    await request.waitFor({ timeout: 60_000 })
    expect(await request.textContent()).toContain('echo hi > web.txt')
    await request.getByRole('button', { name: 'Allow', exact: true }).click()
    await waitFor(() => world.stub.requests.some((r) => JSON.stringify(r.body?.messages ?? []).includes('WEB-WRITE-DONE')) || existsSync(join(world.work, 'web.txt')), { timeoutMs: 60_000, message: 'the command ran' })
    await api.waitForState(session.id, 'idle', { timeoutMs: 60_000 })
    expect(existsSync(join(world.work, 'web.txt'))).toBe(true)
    expect((await api.session(session.id)).state).toBe('idle')
    expect(await api.events(session.id).then((events) => events.some((e) => e.event === 'PostToolUse' && e.toolName === 'Bash'))).toBe(true)
    await queue.getByRole('status').filter({ hasText: 'Allowed by the operator (web)' }).waitFor()
    // the audit keeps the decision and where it came from
    const decided = await waitFor(async () => (await api.tools(session!.id)).find((t) => t.event === 'PermissionDecision'))
    expect(decided).toMatchObject({ toolName: 'Bash', command: 'echo hi > web.txt', decision: 'allow', decidedBy: 'web' })
  })

  it('an AskUserQuestion answered in the page reaches Claude, and the dialog closes', async () => {
    await api.waitForState(session!.id, 'idle', { timeoutMs: 30_000 })
    expect((await runSmJson<{ status: string }>(['send', session!.id, 'WEB-ASK pick one', '--json'], world.smEnv)).status).toBe('delivered')
    const request = page.getByRole('region', { name: 'Waiting for you' }).getByRole('listitem', { name: 'Question for web-real' })
    await request.waitFor({ timeout: 60_000 })
    await request.getByRole('radio', { name: /Blue/ }).check()
    await request.getByRole('button', { name: 'Answer' }).click()
    await waitFor(() => world.stub.requests.some((r) => JSON.stringify(r.body?.messages ?? []).includes('Which color?') && JSON.stringify(r.body?.messages ?? []).includes('Blue')), {
      timeoutMs: 60_000,
      message: 'Claude got the answer',
    })
    const [stop] = await api.waitForEvents(session!.id, (e) => e.event === 'Stop' && String(e.payload?.['last_assistant_message'] ?? '').startsWith('WEB-ASK-DONE'), 1, { timeoutMs: 60_000 })
    expect(String(stop!.payload?.['last_assistant_message'])).toContain('"Which color?"="Blue"')
    await page.getByRole('region', { name: 'Waiting for you' }).getByRole('status').filter({ hasText: 'Answered by the operator (web)' }).waitFor()
    expect(await capture(socket, `claude-${session!.id}`)).not.toContain('Enter to select')
  })
})
