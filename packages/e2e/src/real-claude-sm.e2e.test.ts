/**
 * End to end with the real Claude Code (2.1.330) against the local Messages API stub: the real
 * server process, the real `sm`, the real hook script installed with `sm hooks install`, tmux on
 * a private socket. One managed session goes through a whole life: a first prompt given as an
 * argument, a typed prompt, a permission dialog, an interrupted tool, /clear, a server crash and
 * restart, and kill.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { AnthropicStub, ReplyContext, StubReply } from './support/anthropic-stub.js'
import { startClaudeWorld, stopClaudeWorld } from './support/claude-world.js'
import { runSm, runSmJson, SmApi, startSmServer, type EventJson, type SessionJson, type SmServer } from './support/sm-harness.js'
import { capture, hasSession, IDLE_INPUT_RE, privateSocket, sleep, typeAndSubmit, waitFor } from './support/tmux-harness.js'

const DIALOG = 'Do you want to proceed?'
/** Runs 30 s. */
const SLOW_COMMAND = 'timeout 30 tail -f /dev/null'

const lastLine = (text: string): string => text.trim().split('\n').at(-1)!.trim()

describe('sm end to end with the real Claude Code', { timeout: 120_000 }, () => {
  const socket = privateSocket('sm-e2e-real-sm')
  let root: string
  let work: string
  let dataDir: string
  let configPath: string
  let serverEnv: Record<string, string>
  let stub: AnthropicStub
  let server: SmServer
  let api: SmApi
  let smEnv: Record<string, string>
  let session: SessionJson
  /**
   * `REAL-ANSWER to <the prompt's last line>`: after /clear, the CLI sends the next prompt with a
   * `<local-command-caveat>` block about /clear in front of it.
   */
  const answer = (ctx: ReplyContext): StubReply => ({ text: `REAL-ANSWER to ${lastLine(ctx.prompt)}` })
  /** The stub's answer to each main request; set by a test, reset before each. */
  let script: (ctx: ReplyContext) => StubReply | undefined = answer

  const sm = (args: string[], input?: string) => runSm(args, smEnv, input === undefined ? {} : { input })
  const terminal = () => `claude-${session.id}`
  const screen = () => capture(socket, terminal())
  const events = () => api.events(session.id)
  const ofType = (list: EventJson[], name: string) => list.filter((e) => e.event === name)
  const idleScreen = async () => {
    const text = await screen()
    return IDLE_INPUT_RE.test(text) && !text.includes('esc to interrupt') && !text.includes(DIALOG)
  }

  /**
   * Approves the open permission dialog with `sm key <s> 1`. The real dialog may drop a key sent
   * the instant it is drawn: settle first, and press once more if the tool does not start.
   */
  async function approve(started: () => Promise<boolean>): Promise<void> {
    await waitFor(async () => (await screen()).includes(DIALOG), { timeoutMs: 30_000, message: 'permission dialog' })
    await sleep(300)
    for (let attempt = 1; attempt <= 2; attempt++) {
      const r = await sm(['key', session.id, '1', '--json'])
      // `sm key <s> 1` must work; if it doesn't (reported as a failure), press through the API so the rest still runs
      expect.soft(r.status, `sm key ${session.id} 1: ${r.stderr.trim()}`).toBe(0)
      if (r.status !== 0) await api.key(session.id, '1')
      const ok = await waitFor(started, { timeoutMs: 3000 }).catch(() => false)
      if (ok) return
    }
    throw new Error('the permission dialog did not take the key')
  }

  beforeAll(async () => {
    const world = await startClaudeWorld({ prefix: 'sm-e2e-real-sm', socket, script: (ctx) => script(ctx), permissionMode: 'default' })
    ;({ root, work, dataDir, configPath, serverEnv, stub, server, smEnv } = world)
    api = new SmApi(() => server.url, dataDir)
    const home = join(root, 'home')
    expect((await runSm(['hooks', 'status', '--settings', join(home, '.claude', 'settings.json')], smEnv)).status).toBe(0)
  }, 120_000)

  afterAll(() => stopClaudeWorld(socket, { server, stub, root }), 120_000)

  beforeEach(() => {
    script = answer
  })

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !session) return
    const text = await screen().catch((err: unknown) => String(err))
    const names = (await events().catch(() => [] as EventJson[])).map((e) => e.event).join(', ')
    console.error(`[real-claude-sm] screen at failure:\n${text}\nevents: ${names}\nserver log tail:\n${server.logTail()}`)
  }, 120_000)

  it('sm new --prompt: SessionStart, UserPromptSubmit, Stop recorded; working then idle; sm last is the stub answer', async () => {
    // the first answer takes a moment, so that the working state can be seen
    script = (ctx) => ({ ...answer(ctx), delayMs: 1500 })
    const started = Date.now()
    session = await runSmJson<SessionJson>(['new', work, '--name', 'real', '--prompt', 'list the files please', '--no-attach'], smEnv)
    expect(session).toMatchObject({ name: 'real', state: 'starting', workingDir: work })
    await api.waitForState(session.id, 'working', { timeoutMs: 60_000 })
    const idle = await api.waitForState(session.id, 'idle', { timeoutMs: 60_000 })
    console.info(`[real-claude-sm] sm new --prompt to idle: ${Date.now() - started} ms`)
    script = answer

    const list = await runSmJson<EventJson[]>(['events', session.id], smEnv)
    const names = list.map((e) => e.event)
    expect(names).toContain('SessionStart')
    expect(names.indexOf('SessionStart')).toBeLessThan(names.indexOf('UserPromptSubmit'))
    expect(names.indexOf('UserPromptSubmit')).toBeLessThan(names.indexOf('Stop'))
    const start = ofType(list, 'SessionStart')[0]!
    expect(start.payload).toMatchObject({ source: 'startup', cwd: work })
    expect(ofType(list, 'UserPromptSubmit').map((e) => e.payload!.prompt)).toEqual(['list the files please'])
    expect(ofType(list, 'Stop').at(-1)!.payload).toMatchObject({ last_assistant_message: 'REAL-ANSWER to list the files please' })
    expect(idle.claudeSessionId).toBe(start.claudeSessionId)
    // the stub saw the same Claude session
    expect(stub.mainRequests().at(-1)!.sessionId).toBe(start.claudeSessionId)

    const last = await sm(['last', 'real'])
    expect(last.status).toBe(0)
    expect(last.stdout).toBe('REAL-ANSWER to list the files please\n')
    const t = server.transitions(session.id)
    expect(t[0]).toBe('starting')
    expect(t).toContain('working')
    expect(t.at(-1)).toBe('idle')
    await waitFor(idleScreen, { message: 'idle screen' })
  })

  it('sm send: a second prompt is delivered, confirmed by the UserPromptSubmit hook', async () => {
    const text = `second prompt: it's "quoted" $(not run) ünïcödé ✓`
    const sent = await sm(['send', 'real', text, '--json'])
    expect(sent.status, sent.stderr).toBe(0)
    expect(JSON.parse(sent.stdout)).toMatchObject({ session: session.id, status: 'delivered', mode: 'sequential', via: 'typed' })
    const ups = await api.waitForEvents(session.id, (e) => e.event === 'UserPromptSubmit' && e.payload?.prompt === text)
    expect(ups).toHaveLength(1)
    await api.waitForEvents(session.id, (e) => e.event === 'Stop' && e.payload?.last_assistant_message === `REAL-ANSWER to ${text}`, 1, { timeoutMs: 60_000 })
    await api.waitForState(session.id, 'idle')
    expect((await sm(['last', 'real'])).stdout).toBe(`REAL-ANSWER to ${text}\n`)
    await waitFor(idleScreen, { message: 'idle screen' })
  })

  it('a Bash tool use in --permission-mode default: waiting_permission from PermissionRequest; sm key 1 runs it', async () => {
    script = (ctx) =>
      ctx.promptTurns === 0
        ? { text: 'Creating the marker.', toolUse: { name: 'Bash', input: { command: 'touch ./approved-by-sm.txt', description: 'Create a marker file' } } }
        : { text: `TOOL-DONE: ${ctx.toolResults[0]?.content ?? 'no result'}` }
    const sent = await sm(['send', 'real', 'create the marker file', '--json'])
    expect(sent.status, sent.stderr).toBe(0)
    const waiting = await api.waitForState(session.id, 'waiting_permission', { timeoutMs: 60_000 })
    expect(waiting.lastTool).toBe('Bash')
    const [request] = await api.waitForEvents(session.id, (e) => e.event === 'PermissionRequest')
    expect(request).toMatchObject({ toolName: 'Bash' })
    expect(request!.payload).toMatchObject({ tool_input: { command: 'touch ./approved-by-sm.txt' }, permission_mode: 'default' })
    expect(existsSync(join(work, 'approved-by-sm.txt'))).toBe(false)

    const posts = async () => ofType(await events(), 'PostToolUse').length
    const postsBefore = await posts()
    await approve(async () => (await posts()) > postsBefore)
    await api.waitForEvents(session.id, (e) => e.event === 'Stop' && String(e.payload?.last_assistant_message).startsWith('TOOL-DONE'), 1, { timeoutMs: 60_000 })
    await api.waitForState(session.id, 'idle')
    expect(existsSync(join(work, 'approved-by-sm.txt'))).toBe(true)
    const t = server.transitions(session.id)
    expect(t.slice(t.lastIndexOf('waiting_permission'))).toEqual(['waiting_permission', 'working', 'idle'])
    await waitFor(idleScreen, { message: 'idle screen' })
  })

  it('sm interrupt during a slow tool (Bash for 30 s, approved with sm key 1) → idle', async () => {
    // Claude Code 2.1.330 refuses `sleep N` (also chained) itself, before any hook, with a
    // tool_use_error ("Blocked: sleep 30 ... use Monitor / run_in_background"): wait another way.
    script = (ctx) =>
      ctx.promptTurns === 0
        ? { text: 'Waiting a while.', toolUse: { name: 'Bash', input: { command: SLOW_COMMAND, description: 'Wait thirty seconds' } } }
        : { text: 'SHOULD-NOT-BE-REACHED' }
    const sent = await sm(['send', 'real', 'wait for thirty seconds', '--json'])
    expect(sent.status, sent.stderr).toBe(0)
    const [request] = await api.waitForEvents(session.id, (e) => e.event === 'PermissionRequest' && e.payload?.tool_input !== undefined && (e.payload.tool_input as { command?: string }).command === SLOW_COMMAND, 1, { timeoutMs: 60_000 })
    expect(request).toMatchObject({ toolName: 'Bash' })
    await api.waitForState(session.id, 'waiting_permission')
    // approved: the dialog is gone and the tool runs (the footer says esc to interrupt)
    await approve(async () => {
      const text = await screen()
      return !text.includes(DIALOG) && text.includes('esc to interrupt')
    })
    await sleep(500)
    const stopsBefore = ofType(await events(), 'Stop').length
    const started = Date.now()
    const interrupted = await sm(['interrupt', 'real', '--json'])
    expect(interrupted.status, interrupted.stderr).toBe(0)
    console.info(`[real-claude-sm] sm interrupt returned after ${Date.now() - started} ms: ${JSON.parse(interrupted.stdout).state}`)
    await api.waitForState(session.id, 'idle', { timeoutMs: 10_000 })
    await waitFor(idleScreen, { message: 'idle screen after interrupt' })
    // the late hooks of the interrupted tool (if any) must not leave the session looking busy
    await sleep(2000)
    expect((await api.session(session.id)).state).toBe('idle')
    expect(ofType(await events(), 'Stop')).toHaveLength(stopsBefore)
    expect(stub.mainRequests().some((r) => r.reply?.text === 'SHOULD-NOT-BE-REACHED')).toBe(false)
  })

  it('/clear via sm send: same session, a new Claude session_id (SessionStart source clear)', async () => {
    const before = await api.session(session.id)
    const sent = await sm(['send', 'real', '/clear', '--json'])
    expect(sent.status, sent.stderr).toBe(0)
    expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'delivered', via: 'typed' })
    const [start] = await api.waitForEvents(session.id, (e) => e.event === 'SessionStart' && e.payload?.source === 'clear', 1, { timeoutMs: 30_000 })
    const end = ofType(await events(), 'SessionEnd').at(-1)!
    expect(end.payload).toMatchObject({ reason: 'clear' })
    expect(end.claudeSessionId).toBe(before.claudeSessionId)
    const after = await api.waitForState(session.id, 'idle')
    expect(after.id).toBe(session.id)
    expect(after.claudeSessionId).toBe(start!.claudeSessionId)
    expect(after.claudeSessionId).not.toBe(before.claudeSessionId)
    expect(ofType(await events(), 'UserPromptSubmit').map((e) => e.payload!.prompt)).not.toContain('/clear')
    await waitFor(idleScreen, { message: 'idle screen after /clear' })
    // the next prompt goes to the new Claude session
    const next = await sm(['send', 'real', 'after the clear', '--json'])
    expect(JSON.parse(next.stdout)).toMatchObject({ status: 'delivered', via: 'typed' })
    const [ups] = await api.waitForEvents(session.id, (e) => e.event === 'UserPromptSubmit' && e.payload?.prompt === 'after the clear')
    expect(ups!.claudeSessionId).toBe(after.claudeSessionId)
    await api.waitForEvents(session.id, (e) => e.event === 'Stop' && e.payload?.last_assistant_message === 'REAL-ANSWER to after the clear', 1, { timeoutMs: 60_000 })
    await waitFor(idleScreen, { message: 'idle screen' })
  })

  it('the server killed with -9 and restarted mid-session: the session is re-adopted, spooled hooks imported once, later events recorded', async () => {
    const spool = join(dataDir, 'spool')
    const spooled = () => (existsSync(spool) ? readdirSync(spool).filter((f) => f.endsWith('.json')) : [])
    const port = server.port
    await server.kill9()
    expect((await sm(['ls'])).status).toBe(2)

    // typed by a person while the server is down: the hooks spool
    await typeAndSubmit(socket, terminal(), 'typed while the server was down')
    await waitFor(() => spooled().some((f) => f.includes(`-Stop-${session.id}.json`)), { timeoutMs: 60_000, message: 'Stop spooled' })
    expect(spooled().filter((f) => f.includes(`-UserPromptSubmit-${session.id}.json`))).toHaveLength(1)

    server = await startSmServer({ env: serverEnv, dataDir, socket, configPath, port })
    const adopted = await api.waitForState(session.id, 'idle', { timeoutMs: 15_000 })
    expect(adopted).toMatchObject({ id: session.id, name: 'real', tmuxSession: terminal() })
    expect(spooled()).toEqual([])
    const list = await events()
    expect(ofType(list, 'UserPromptSubmit').filter((e) => e.payload?.prompt === 'typed while the server was down')).toHaveLength(1)
    expect(ofType(list, 'Stop').filter((e) => e.payload?.last_assistant_message === 'REAL-ANSWER to typed while the server was down')).toHaveLength(1)
    expect((await sm(['last', 'real'])).stdout).toBe('REAL-ANSWER to typed while the server was down\n')

    await waitFor(idleScreen, { message: 'idle screen' })
    const sent = await sm(['send', 'real', 'after the restart', '--json'])
    expect(sent.status, sent.stderr).toBe(0)
    expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'delivered', via: 'typed' })
    await api.waitForEvents(session.id, (e) => e.event === 'Stop' && e.payload?.last_assistant_message === 'REAL-ANSWER to after the restart', 1, { timeoutMs: 60_000 })
    await api.waitForState(session.id, 'idle')
    expect(ofType(await events(), 'UserPromptSubmit').filter((e) => e.payload?.prompt === 'typed while the server was down')).toHaveLength(1)
  })

  it('sm send right after sm new (the agent still starting) is delivered once the agent is ready', async () => {
    // what a script does: create, then talk to it at once
    const fresh = await runSmJson<SessionJson>(['new', work, '--name', 'eager', '--no-attach'], smEnv)
    try {
      const started = Date.now()
      const sent = await sm(['send', fresh.id, 'hello right away', '--json'])
      console.info(`[real-claude-sm] sm send right after sm new: exit ${sent.status} after ${Date.now() - started} ms ${sent.stderr.trim()}`)
      expect(sent.status, sent.stderr).toBe(0)
      expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'delivered', via: 'typed' })
      await api.waitForEvents(fresh.id, (e) => e.event === 'Stop' && e.payload?.last_assistant_message === 'REAL-ANSWER to hello right away', 1, { timeoutMs: 60_000 })
    } finally {
      await sm(['kill', fresh.id])
    }
  })

  it('sm kill → stopped; the tmux session is gone', async () => {
    const killed = await sm(['kill', 'real', '--json'])
    expect(killed.status, killed.stderr).toBe(0)
    expect(JSON.parse(killed.stdout)).toMatchObject({ id: session.id, state: 'stopped' })
    expect(await hasSession(socket, terminal())).toBe(false)
    expect((await runSmJson<SessionJson[]>(['ls'], smEnv)).map((s) => s.id)).not.toContain(session.id)
    await api.waitForEvents(session.id, (e) => e.event === 'SessionEnd' && e.payload?.reason === 'other', 1, { timeoutMs: 20_000 })
    expect((await api.session(session.id)).state).toBe('stopped')
  })
})
