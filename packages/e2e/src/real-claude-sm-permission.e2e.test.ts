/**
 * sm coordination commands without a person at the keyboard (spec 0007, "sm commands"), with the
 * real Claude Code (2.1.330) in its DEFAULT permission mode, where every Bash call otherwise opens
 * a permission dialog. The real server, the real `sm` on the agents' PATH, the hook script
 * installed by `sm hooks install`, tmux on a private socket, the Messages API stub.
 *
 * - `parent` runs `sm spawn …`, then `sm send kid … && sm wait kid 30`, then `sm children`: each
 *   PreToolUse is answered `allow`, so no dialog opens (no PermissionRequest, never
 *   `waiting_permission`), the commands run, and each audit row records `allow`.
 * - `piped` runs `sm ls | cat`: not only sm, so no pass: Claude Code asks (the control: the
 *   dialog does open in this mode).
 * - `careful`, under a profile with `sm_commands: ask`, runs `sm ls`: the reply is `ask`, the
 *   dialog opens, and the row records `ask`.
 */
import type { ToolEventDto } from '@claude-sessions/api/client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AnthropicStub, ReplyContext, StubReply } from './support/anthropic-stub.js'
import { startClaudeWorld, stopClaudeWorld } from './support/claude-world.js'
import { runSmJson, SmApi, type EventJson, type SessionJson, type SmServer } from './support/sm-harness.js'
import { capture, privateSocket, sleep } from './support/tmux-harness.js'

const SPAWN = 'sm spawn "SM-KID-TASK: say hello" --name kid --json'
const SEND_WAIT = 'sm send kid "SM-KID-NOTE: thanks" && sm wait kid 30'
const CHILDREN = 'sm children --json'

describe('sm coordination commands need no permission dialog (real Claude Code, default mode)', { timeout: 240_000 }, () => {
  const socket = privateSocket('sm-e2e-smperm')
  let root: string
  let work: string
  let dataDir: string
  let stub: AnthropicStub
  let server: SmServer
  let api: SmApi
  let smEnv: Record<string, string>
  const sessions: Record<string, string> = {}
  /** The result of each Bash call of the parent, by its command. */
  const results: Record<string, { content: string; isError: boolean }> = {}

  const bash = (command: string): StubReply => ({ text: `Running ${command}`, toolUse: { name: 'Bash', input: { command, description: 'coordinate the agents' } } })

  function script(ctx: ReplyContext): StubReply {
    const p = ctx.prompt
    if (p.includes('[sm] child kid')) return { text: 'ACK-CHILD' }
    if (p.includes('SM-KID-NOTE')) return { text: 'KID-NOTE-SEEN' }
    if (p.includes('SM-KID-TASK')) return { text: 'KID-DONE: hello' }
    if (p.includes('SM-COORD')) {
      // one Bash call per model turn; each result kept for the test
      const steps = [SPAWN, SEND_WAIT, CHILDREN]
      const last = ctx.toolResults[0]
      if (ctx.promptTurns > 0 && last) results[steps[ctx.promptTurns - 1]!] = { content: last.content, isError: last.is_error }
      const next = steps[ctx.promptTurns]
      return next !== undefined ? bash(next) : { text: `SM-COORD-DONE errors=${Object.values(results).filter((r) => r.isError).length}` }
    }
    if (p.includes('SM-PIPED')) return ctx.promptTurns === 0 ? bash('sm ls | cat') : { text: 'SM-PIPED-DONE' }
    if (p.includes('SM-CAREFUL')) return ctx.promptTurns === 0 ? bash('sm ls') : { text: 'SM-CAREFUL-DONE' }
    return { text: 'OK' }
  }

  const tools = async (session: string): Promise<ToolEventDto[]> => (await runSmJson<{ tools: ToolEventDto[] }>(['tools', '--session', session], smEnv)).tools
  const start = async (name: string, prompt: string, policy?: string) => {
    const s = await runSmJson<SessionJson>(['new', work, '--name', name, '--prompt', prompt, '--no-attach', ...(policy ? ['--policy', policy] : [])], smEnv)
    sessions[name] = s.id
    return s
  }
  const stopWith = (ref: string, prefix: string) =>
    api.waitForEvents(ref, (e) => e.event === 'Stop' && String(e.payload?.last_assistant_message ?? '').startsWith(prefix), 1, { timeoutMs: 90_000 })
  const ofType = (list: EventJson[], name: string) => list.filter((e) => e.event === name)

  beforeAll(async () => {
    const world = await startClaudeWorld({
      prefix: 'sm-e2e-smperm',
      socket,
      script,
      permissionMode: 'default',
      smOnPath: true,
      extraYaml: 'policy:\n  profiles:\n    careful: { sm_commands: ask }\n',
    })
    ;({ root, work, dataDir, stub, server, smEnv } = world)
    api = new SmApi(() => server.url, dataDir)
  }, 120_000)

  afterAll(() => stopClaudeWorld(socket, { server, stub, root }), 120_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return
    for (const [name, id] of Object.entries(sessions)) {
      const list = await api.events(id).catch(() => [] as EventJson[])
      console.error(`[smperm-e2e] ${name} ${id}:\n${await capture(socket, `claude-${id}`).catch(String)}\nevents: ${list.map((e) => e.event).join(', ')}`)
    }
    console.error(`[smperm-e2e] server log tail:\n${server.logTail()}`)
  })

  it('a parent runs sm spawn, sm send && sm wait, sm children with no dialog: never waiting_permission, each row records allow', async () => {
    const parent = await start('parent', 'SM-COORD please')
    // the parent's state, sampled all along
    const states = new Set<string>()
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        states.add((await api.session(parent.id)).state)
        await sleep(100)
      }
    })()
    try {
      const [stop] = await stopWith(parent.id, 'SM-COORD-DONE')
      expect(stop!.payload!.last_assistant_message, JSON.stringify(results, null, 1)).toBe('SM-COORD-DONE errors=0')
    } finally {
      sampling = false
      await sampler
    }
    expect([...states]).not.toContain('waiting_permission')
    const events = await api.events(parent.id)
    expect(ofType(events, 'PermissionRequest')).toEqual([])
    expect(ofType(events, 'Notification').filter((e) => e.payload?.notification_type === 'permission_prompt')).toEqual([])
    expect(ofType(events, 'PostToolUse')).toHaveLength(3)

    // the commands really ran: the child exists, got the note, and is listed
    const kid = JSON.parse(results[SPAWN]!.content) as SessionJson
    expect(kid).toMatchObject({ name: 'kid', parentId: parent.id })
    sessions.kid = kid.id
    await stopWith(kid.id, 'KID-NOTE-SEEN')
    expect((JSON.parse(results[CHILDREN]!.content) as { id: string }[]).map((c) => c.id)).toEqual([kid.id])
    // `sm wait` pays off: the parent is told the child is done (one message), and answers it, still with no dialog
    await stopWith(parent.id, 'ACK-CHILD')
    const told = ofType(await api.events(parent.id), 'UserPromptSubmit').filter((e) => String(e.payload?.prompt ?? '').includes('[sm] child kid'))
    expect(told).toHaveLength(1)
    expect(ofType(await api.events(parent.id), 'PermissionRequest')).toEqual([])

    const rows = (await tools(parent.id)).filter((r) => r.event === 'PreToolUse')
    expect(rows.map((r) => [r.command, r.decision])).toEqual([
      [SPAWN, 'allow'],
      [SEND_WAIT, 'allow'],
      [CHILDREN, 'allow'],
    ])
    // the child (also a managed session, in default mode) never needed a person either
    expect(ofType(await api.events(kid.id), 'PermissionRequest')).toEqual([])
  })

  it('control: `sm ls | cat` is not only sm, so Claude Code asks (the dialog opens; no decision recorded)', async () => {
    const piped = await start('piped', 'SM-PIPED now')
    await api.waitForState(piped.id, 'waiting_permission', { timeoutMs: 60_000 })
    expect(ofType(await api.events(piped.id), 'PermissionRequest')).toHaveLength(1)
    const [pre] = (await tools(piped.id)).filter((r) => r.event === 'PreToolUse')
    expect(pre).toMatchObject({ command: 'sm ls | cat', decision: null })
    // a person answers Yes; the turn ends
    await api.key(piped.id, '1')
    await stopWith(piped.id, 'SM-PIPED-DONE')
  })

  it('sm_commands: ask: `sm ls` gets ask, the dialog opens, the row records ask', async () => {
    const careful = await start('careful', 'SM-CAREFUL now', 'careful')
    expect(careful.policy).toBe('careful')
    await api.waitForState(careful.id, 'waiting_permission', { timeoutMs: 60_000 })
    const screen = await capture(socket, `claude-${careful.id}`)
    // the reason is shown in the dialog (wrapped in a box: compare without blanks and borders)
    expect(screen.replace(/[\s│]+/g, '')).toContain("policy'careful'asksbeforesmcoordinationcommands")
    const [pre] = (await tools(careful.id)).filter((r) => r.event === 'PreToolUse')
    expect(pre).toMatchObject({ command: 'sm ls', decision: 'ask' })
    await api.key(careful.id, '1')
    await stopWith(careful.id, 'SM-CAREFUL-DONE')
  })
})
