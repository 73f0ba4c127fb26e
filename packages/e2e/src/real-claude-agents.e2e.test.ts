/**
 * Agents and messages end to end with the real Claude Code (2.1.330) against the local Messages
 * API stub: the real server process, the real `sm` (on the agents' PATH, so the model's Bash tool
 * calls run it with the session's CLAUDE_SESSION_MANAGER_ID/TOKEN), the hook script installed by
 * `sm hooks install`, tmux on a private socket, Claude in `--permission-mode bypassPermissions`
 * (tools run without a dialog; 2.1.330's auto mode wants a server-side safety check the stub
 * does not have, and stops the turn on the first Bash call).
 *
 * One tree of agents: `parent` (started by the operator) spawns `kid` with `--wait 5` and gets
 * its completion message; it spawns `kid2`, which may not kill its sibling; `kid` spawns `gk`,
 * and `parent` kills `kid --tree`. One more session, `worker`, receives messages in each delivery
 * mode while it works in a slow tool, is cleared with a prompt, and gets a message that was
 * queued when the server was killed with -9.
 *
 * How a message is seen reaching the model (shared/claude-code/DELIVERY.md): a Stop block reply
 * is a user message `Stop hook feedback:\n<text>` in the next request; a tool hook's
 * additionalContext a system entry `PostToolUse:Bash hook additional context: <text>` after the
 * tool's result; a typed message a new prompt (and a UserPromptSubmit event).
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AnthropicStub, ReplyContext, StubReply, StubRequest } from './support/anthropic-stub.js'
import { startClaudeWorld, stopClaudeWorld } from './support/claude-world.js'
import { runSm, runSmJson, SM_BIN, SmApi, startSmServer, type EventJson, type SessionJson, type SmServer } from './support/sm-harness.js'
import { capture, hasSession, privateSocket, shellQuote, sleep, waitFor } from './support/tmux-harness.js'

/** A Bash call that takes `seconds` and succeeds (so PostToolUse, not PostToolUseFailure, follows). 2.1.330 refuses `sleep N`. */
const slow = (seconds: number) => `timeout ${seconds} tail -f /dev/null || true`

type Content = string | Array<Record<string, unknown>> | undefined

/** All the text of a message's content: text blocks and tool results. */
function textOf(content: Content): string {
  if (content === undefined) return ''
  if (typeof content === 'string') return content
  return content
    .map((b) => (b.type === 'text' ? String(b.text ?? '') : b.type === 'tool_result' ? textOf(b.content as Content) : ''))
    .join('\n')
}

/** The request's messages as role + text. */
const entries = (r: StubRequest) => (r.body?.messages ?? []).map((m) => ({ role: m.role, text: textOf(m.content) }))

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim()

describe('agents and messages with the real Claude Code', { timeout: 150_000 }, () => {
  const socket = privateSocket('sm-e2e-agents')
  let root: string
  let work: string
  let dataDir: string
  let configPath: string
  let serverEnv: Record<string, string>
  let stub: AnthropicStub
  let server: SmServer
  let api: SmApi
  let smEnv: Record<string, string>
  /** Our sessions by role, once known. */
  const ids: Record<string, string> = {}
  /** What each scripted Bash call returned, by the marker of its prompt. */
  const toolOutput: Record<string, { content: string; isError: boolean }> = {}
  /** How often a prompt with the marker got its first model turn (one per delivery of it as a prompt or a Stop feedback). */
  const firstTurns: Record<string, number> = {}

  const bash = (command: string, description: string): StubReply => ({ text: `Running: ${description}`, toolUse: { name: 'Bash', input: { command, description } } })

  /** The whole agent team's model: a reply chosen by the marker in the latest prompt. */
  function script(ctx: ReplyContext): StubReply {
    const p = ctx.prompt
    const first = ctx.promptTurns === 0
    /** A turn that runs one Bash command, then answers `${done} error=..: <output>`. */
    const toolTurn = (marker: string, command: string, done: string): StubReply => {
      if (first) return bash(command, marker.toLowerCase())
      const r = ctx.toolResults[0]
      if (r) toolOutput[marker] = { content: r.content, isError: r.is_error }
      return { text: `${done} error=${r?.is_error ?? 'none'}: ${oneLine(r?.content ?? 'no result').slice(0, 400)}` }
    }
    const seen = (marker: string): void => {
      if (first) firstTurns[marker] = (firstTurns[marker] ?? 0) + 1
    }
    // most specific first: a completion message quotes the child's answer
    if (p.includes('[sm] child kid (')) {
      seen('COMPLETION')
      return { text: 'ACK-COMPLETION' }
    }
    if (p.includes('SPAWN-FIRST-CHILD')) return toolTurn('SPAWN-FIRST-CHILD', `sm spawn "CHILD-TASK: say hello" --wait 5 --json --name kid`, 'PARENT-SPAWNED')
    if (p.includes('GRANDCHILD-TASK')) return { text: 'GK-READY' }
    if (p.includes('CHILD-TASK')) return { text: 'CHILD-DONE: hello from the kid' }
    if (p.includes('SPAWN-SECOND-CHILD')) return toolTurn('SPAWN-SECOND-CHILD', `sm spawn "SECOND-TASK: stand by" --json --name kid2`, 'PARENT-SPAWNED-2')
    if (p.includes('SECOND-TASK')) return { text: 'KID2-READY' }
    if (p.includes('KILL-YOUR-SIBLING')) return toolTurn('KILL-YOUR-SIBLING', `sm kill ${ids.kid} --json`, 'SIBLING-KILL')
    if (p.includes('SPAWN-GRANDCHILD')) return toolTurn('SPAWN-GRANDCHILD', `sm spawn "GRANDCHILD-TASK: nap" --json --name gk`, 'KID-SPAWNED-GK')
    if (p.includes('KILL-KID-TREE')) return toolTurn('KILL-KID-TREE', `sm kill ${ids.kid} --tree --json`, 'TREE-KILLED')
    if (p.includes('LOCK-FIRST')) return toolTurn('LOCK-FIRST', 'sm lock "LOCK-TASK-A: refactor auth"', 'LOCKED-A')
    if (p.includes('LOCK-SECOND')) return toolTurn('LOCK-SECOND', 'sm lock "LOCK-TASK-B: also auth"', 'LOCKED-B')
    if (p.includes('SEQ-NOTE')) {
      seen('SEQ-NOTE')
      return { text: 'SEQ-NOTE-SEEN' }
    }
    if (p.includes('SEQ-SLOW-WORK')) return first ? bash(slow(6), 'wait six seconds') : { text: 'SEQ-SLOW-DONE' }
    if (p.includes('IMP-SLOW-WORK')) {
      if (first) return bash(slow(6), 'wait six seconds')
      return { text: `IMP-AFTER-TOOL seen=${entries(ctx.request).some((e) => e.text.includes('IMP-NOTE'))}` }
    }
    if (p.includes('URG-NOTE')) {
      seen('URG-NOTE')
      return { text: 'URG-SEEN' }
    }
    if (p.includes('URG-SLOW-WORK')) return first ? bash(slow(30), 'wait thirty seconds') : { text: 'SHOULD-NOT-BE-REACHED' }
    if (p.includes('CLEAR-PROMPT')) {
      seen('CLEAR-PROMPT')
      return { text: 'CLEARED-ANSWER' }
    }
    if (p.includes('CRASH-NOTE')) {
      seen('CRASH-NOTE')
      return { text: 'CRASH-NOTE-SEEN' }
    }
    if (p.includes('CRASH-SLOW-WORK')) return first ? bash(slow(6), 'wait six seconds') : { text: 'CRASH-SLOW-DONE' }
    return { text: 'OK' }
  }

  const sm = (args: string[]) => runSm(args, smEnv)
  const events = (ref: string) => api.events(ref)
  const ofType = (list: EventJson[], name: string) => list.filter((e) => e.event === name)
  const stopWith = (ref: string, prefix: string, timeoutMs = 60_000) =>
    api.waitForEvents(ref, (e) => e.event === 'Stop' && String(e.payload?.last_assistant_message ?? '').startsWith(prefix), 1, { timeoutMs })
  const promptsOf = async (ref: string, needle: string) => ofType(await events(ref), 'UserPromptSubmit').filter((e) => String(e.payload?.prompt ?? '').includes(needle))
  /** Waits for the PreToolUse of `command`, and a moment more (its reply is out: the tool runs). */
  const toolStarted = async (ref: string, command: string) => {
    await api.waitForEvents(ref, (e) => e.event === 'PreToolUse' && (e.payload?.tool_input as { command?: string } | undefined)?.command === command, 1, { timeoutMs: 60_000 })
    await sleep(700)
  }
  const sendJson = async (args: string[]) => {
    const r = await sm(['send', ...args, '--json'])
    expect(r.status, `sm send ${args.join(' ')}: ${r.stderr}`).toBe(0)
    return JSON.parse(r.stdout) as { session: string; message: number; status: string; mode: string; via: string | null }
  }
  const messageById = async (ref: string, id: number) => (await api.messages(ref)).find((m) => m.id === id)
  /** Main requests whose conversation holds a user or system entry containing `needle`. */
  const requestsWith = (needle: string) => stub.mainRequests().filter((r) => entries(r).some((e) => e.text.includes(needle)))

  beforeAll(async () => {
    const world = await startClaudeWorld({
      prefix: 'sm-e2e-agents',
      socket,
      script,
      permissionMode: 'bypassPermissions',
      // `sm` for the agents' Bash tool: the real CLI, on the PATH the server (so tmux, so Claude) has
      prepare: ({ root }) => {
        const bin = join(root, 'bin')
        mkdirSync(bin)
        writeFileSync(join(bin, 'sm'), `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(SM_BIN)} "$@"\n`)
        chmodSync(join(bin, 'sm'), 0o755)
      },
      path: (root) => [join(root, 'bin')],
    })
    ;({ root, work, dataDir, configPath, serverEnv, stub, server, smEnv } = world)
    api = new SmApi(() => server.url, dataDir)
    // the message tests' recipient starts now, while the agent tests run
    ids.worker = (await runSmJson<SessionJson>(['new', work, '--name', 'worker', '--no-attach'], smEnv)).id
  }, 120_000)

  afterAll(() => stopClaudeWorld(socket, { server, stub, root }), 120_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return
    for (const [role, id] of Object.entries(ids)) {
      const screen = await capture(socket, `claude-${id}`).catch((err: unknown) => `(no screen: ${String(err)})`)
      const list = await events(id).catch(() => [] as EventJson[])
      const msgs = await api.messages(id).catch(() => [])
      console.error(
        `[agents-e2e] ${role} ${id}: state ${(await api.session(id).catch(() => null))?.state}\nscreen:\n${screen}\nevents: ${list.map((e) => e.event).join(', ')}\nmessages: ${JSON.stringify(msgs)}`,
      )
    }
    const requests = stub.mainRequests().slice(-6).map((r) => ({ seq: r.seq, session: r.sessionId, tail: entries(r).slice(-4).map((e) => ({ role: e.role, text: e.text.slice(-600) })), reply: r.reply }))
    console.error(`[agents-e2e] last main requests: ${JSON.stringify(requests, null, 1)}`)
    console.error(`[agents-e2e] server log tail:\n${server.log().split('\n').slice(-40).join('\n')}\n${server.stderr().split('\n').slice(-10).join('\n')}`)
  }, 60_000)

  it('a parent whose turn runs `sm spawn ... --wait 5 --json` gets its child\'s completion message once, typed when idle, after 5 s of quiet', async () => {
    const started = Date.now()
    const parent = await runSmJson<SessionJson>(['new', work, '--name', 'parent', '--prompt', 'SPAWN-FIRST-CHILD now', '--no-attach'], smEnv)
    ids.parent = parent.id
    await stopWith(parent.id, 'PARENT-SPAWNED')
    const spawned = toolOutput['SPAWN-FIRST-CHILD']!
    expect(spawned.isError, spawned.content).toBe(false)
    const kid = JSON.parse(spawned.content) as SessionJson
    expect(kid).toMatchObject({ name: 'kid', parentId: parent.id, spawnPrompt: 'CHILD-TASK: say hello' })
    ids.kid = kid.id

    const [kidStop] = await stopWith(kid.id, 'CHILD-DONE')
    const completion = `[sm] child kid (${kid.id}) completed: CHILD-DONE: hello from the kid`
    const [typed] = await api.waitForEvents(parent.id, (e) => e.event === 'UserPromptSubmit' && String(e.payload?.prompt ?? '').includes('[sm] child kid'), 1, { timeoutMs: 60_000 })
    expect(typed!.payload!.prompt).toBe(completion)
    // the quiet period: not before 5 s after the child's Stop
    expect(Date.parse(typed!.at) - Date.parse(kidStop!.at)).toBeGreaterThanOrEqual(4800)
    await stopWith(parent.id, 'ACK-COMPLETION')
    await api.waitForState(parent.id, 'idle')
    await sleep(3000)
    // once: one prompt, one model turn on it, one stored message, delivered by typing
    expect(await promptsOf(parent.id, '[sm] child kid')).toHaveLength(1)
    expect(firstTurns.COMPLETION).toBe(1)
    const notes = (await api.messages(parent.id)).filter((m) => m.text.startsWith('[sm] child kid'))
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatchObject({ text: completion, status: 'delivered', via: 'typed', senderId: null, mode: 'important' })
    // the model got it as a user prompt
    expect(stub.mainRequests().filter((r) => entries(r).at(-1)?.role === 'user' && entries(r).at(-1)?.text === completion)).toHaveLength(1)
    const children = await runSmJson<{ id: string; status: string }[]>(['children', parent.id], smEnv)
    expect(children.map((c) => [c.id, c.status])).toEqual([[kid.id, 'completed']])
    console.info(`[agents-e2e] spawn --wait round trip: ${Date.now() - started} ms`)
  })

  it('a sibling may not kill: kid2\'s `sm kill kid` is refused (exit 1, "only its parent"), kid lives on', async () => {
    const sent = await sendJson([ids.parent!, 'SPAWN-SECOND-CHILD please'])
    expect(sent).toMatchObject({ status: 'delivered', via: 'typed' })
    await stopWith(ids.parent!, 'PARENT-SPAWNED-2')
    const kid2 = JSON.parse(toolOutput['SPAWN-SECOND-CHILD']!.content) as SessionJson
    expect(kid2).toMatchObject({ name: 'kid2', parentId: ids.parent })
    ids.kid2 = kid2.id
    await stopWith(kid2.id, 'KID2-READY')
    await api.waitForState(kid2.id, 'idle')

    expect(await sendJson([kid2.id, 'KILL-YOUR-SIBLING now'])).toMatchObject({ status: 'delivered' })
    const [stop] = await stopWith(kid2.id, 'SIBLING-KILL')
    const out = toolOutput['KILL-YOUR-SIBLING']!
    expect(out.isError, String(stop!.payload!.last_assistant_message)).toBe(true)
    expect(out.content).toContain(`session ${kid2.id} may not kill kid: only its parent (${ids.parent}) or the operator may`)
    expect((await api.session(ids.kid!)).state).toBe('idle')
    expect(await hasSession(socket, `claude-${ids.kid}`)).toBe(true)
  })

  it('`sm kill <kid> --tree` run by the parent stops kid and its own child gk, children first; the sibling lives on', async () => {
    expect(await sendJson([ids.kid!, 'SPAWN-GRANDCHILD please'])).toMatchObject({ status: 'delivered' })
    await stopWith(ids.kid!, 'KID-SPAWNED-GK')
    const gk = JSON.parse(toolOutput['SPAWN-GRANDCHILD']!.content) as SessionJson
    expect(gk).toMatchObject({ name: 'gk', parentId: ids.kid })
    ids.gk = gk.id
    await stopWith(gk.id, 'GK-READY')
    const tree = await runSmJson<{ id: string; depth: number }[]>(['children', ids.parent!, '--recursive'], smEnv)
    expect(Object.fromEntries(tree.map((c) => [c.id, c.depth]))).toEqual({ [ids.kid!]: 1, [gk.id]: 2, [ids.kid2!]: 1 })

    expect(await sendJson([ids.parent!, 'KILL-KID-TREE now'])).toMatchObject({ status: 'delivered' })
    await stopWith(ids.parent!, 'TREE-KILLED')
    const out = toolOutput['KILL-KID-TREE']!
    expect(out.isError, out.content).toBe(false)
    const killed = JSON.parse(out.content) as SessionJson[]
    expect(killed.map((s) => [s.id, s.state])).toEqual([
      [gk.id, 'stopped'],
      [ids.kid, 'stopped'],
    ])
    for (const id of [gk.id, ids.kid!]) {
      expect((await api.session(id)).state).toBe('stopped')
      expect(await hasSession(socket, `claude-${id}`)).toBe(false)
    }
    expect((await api.session(ids.kid2!)).state).toBe('idle')
    expect((await api.session(ids.parent!)).state).not.toBe('stopped')
    const left = await runSmJson<{ id: string; status: string }[]>(['children', ids.parent!, '--status', 'all'], smEnv)
    expect(Object.fromEntries(left.map((c) => [c.id, c.status]))).toEqual({ [ids.kid!]: 'stopped', [ids.kid2!]: 'completed' })
  })

  it('sequential: sent while the recipient works in a slow tool, it is queued, then delivered with its Stop (Stop hook feedback), once', async () => {
    const w = ids.worker!
    await api.waitForState(w, 'idle', { timeoutMs: 60_000 })
    expect(await sendJson([w, 'SEQ-SLOW-WORK please'])).toMatchObject({ status: 'delivered' })
    await toolStarted(w, slow(6))
    const note = 'SEQ-NOTE: also look at the docs'
    const sent = await sendJson([w, note])
    expect(sent).toMatchObject({ session: w, status: 'queued', mode: 'sequential', via: null })
    expect((await api.session(w)).state).toBe('working')

    await stopWith(w, 'SEQ-NOTE-SEEN')
    await api.waitForState(w, 'idle')
    await sleep(3000)
    expect(await messageById(w, sent.message)).toMatchObject({ status: 'delivered', via: 'stop_hook' })
    // not mid-turn: the request after the tool's result does not have it
    const afterTool = stub.mainRequests().find((r) => r.reply?.text === 'SEQ-SLOW-DONE')!
    expect(entries(afterTool).some((e) => e.text.includes('SEQ-NOTE'))).toBe(false)
    // after the Stop: a user message, once, in the next request; never typed
    const last = requestsWith('SEQ-NOTE').at(-1)!
    expect(entries(last).filter((e) => e.role === 'user' && e.text.includes('SEQ-NOTE'))).toEqual([{ role: 'user', text: `Stop hook feedback:\n${note}` }])
    expect(firstTurns['SEQ-NOTE']).toBe(1)
    expect(await promptsOf(w, 'SEQ-NOTE')).toEqual([])
    const stops = ofType(await events(w), 'Stop').map((e) => e.payload?.last_assistant_message)
    expect(stops.slice(-2)).toEqual(['SEQ-SLOW-DONE', 'SEQ-NOTE-SEEN'])
  })

  it('important: sent during a slow tool, it reaches the model before the turn ends (PostToolUse context in the next request), once', async () => {
    const w = ids.worker!
    expect(await sendJson([w, 'IMP-SLOW-WORK please'])).toMatchObject({ status: 'delivered' })
    await toolStarted(w, slow(6))
    const note = 'IMP-NOTE: stop after this step'
    const sent = await sendJson([w, note, '--important'])
    expect(sent).toMatchObject({ status: 'queued', mode: 'important' })

    const [stop] = await stopWith(w, 'IMP-AFTER-TOOL')
    expect(stop!.payload!.last_assistant_message).toBe('IMP-AFTER-TOOL seen=true')
    await api.waitForState(w, 'idle')
    await sleep(2000)
    expect(await messageById(w, sent.message)).toMatchObject({ status: 'delivered', via: 'tool_hook' })
    const afterTool = stub.mainRequests().find((r) => r.reply?.text === 'IMP-AFTER-TOOL seen=true')!
    const tail = entries(afterTool).slice(-3)
    // the tool's result, then the system entry carrying the message
    expect(tail.map((e) => e.role)).toEqual(['assistant', 'user', 'system'])
    expect(tail[2]!.text).toContain(`PostToolUse:Bash hook additional context: ${note}`)
    // once: the turn ended at its first Stop; no Stop feedback, no typed prompt
    const hits = stub.mainRequests().flatMap((r) => entries(r).filter((e) => e.text.includes('IMP-NOTE')).map(() => r.seq))
    expect(new Set(hits).size).toBe(1)
    expect(await promptsOf(w, 'IMP-NOTE')).toEqual([])
    expect(ofType(await events(w), 'Stop').at(-1)!.payload!.last_assistant_message).toBe('IMP-AFTER-TOOL seen=true')
  })

  it('urgent: interrupts a slow tool (30 s) and is delivered as the next prompt', async () => {
    const w = ids.worker!
    expect(await sendJson([w, 'URG-SLOW-WORK please'])).toMatchObject({ status: 'delivered' })
    await toolStarted(w, slow(30))
    const started = Date.now()
    const note = 'URG-NOTE: drop that and answer'
    const sent = await sendJson([w, note, '--urgent'])
    console.info(`[agents-e2e] sm send --urgent returned after ${Date.now() - started} ms`)
    expect(sent).toMatchObject({ status: 'delivered', mode: 'urgent', via: 'interrupt' })
    await stopWith(w, 'URG-SEEN', 30_000)
    expect(Date.now() - started).toBeLessThan(25_000)
    await api.waitForState(w, 'idle')
    await sleep(2000)
    expect((await promptsOf(w, 'URG-NOTE')).map((e) => e.payload!.prompt)).toEqual([note])
    expect(firstTurns['URG-NOTE']).toBe(1)
    expect(stub.mainRequests().some((r) => r.reply?.text === 'SHOULD-NOT-BE-REACHED')).toBe(false)
    expect(await messageById(w, sent.message)).toMatchObject({ status: 'delivered', via: 'interrupt' })
  })

  it('sm clear with a prompt: a fresh Claude session gets the prompt, without the old conversation', async () => {
    const w = ids.worker!
    const before = await api.session(w)
    const cleared = await sm(['clear', w, 'CLEAR-PROMPT: start over', '--json'])
    expect(cleared.status, cleared.stderr).toBe(0)
    expect(JSON.parse(cleared.stdout)).toMatchObject({ id: w })
    const [start] = await api.waitForEvents(w, (e) => e.event === 'SessionStart' && e.payload?.source === 'clear', 1, { timeoutMs: 30_000 })
    await stopWith(w, 'CLEARED-ANSWER')
    const after = await api.waitForState(w, 'idle')
    expect(after.claudeSessionId).toBe(start!.claudeSessionId)
    expect(after.claudeSessionId).not.toBe(before.claudeSessionId)
    const ups = await promptsOf(w, 'CLEAR-PROMPT')
    expect(ups).toHaveLength(1)
    expect(ups[0]!.claudeSessionId).toBe(after.claudeSessionId)
    expect(firstTurns['CLEAR-PROMPT']).toBe(1)
    const request = stub.mainRequests().find((r) => r.reply?.text === 'CLEARED-ANSWER')!
    expect(request.sessionId).toBe(after.claudeSessionId)
    expect(entries(request).some((e) => /SEQ-SLOW-WORK|IMP-NOTE|URG-NOTE/.test(e.text))).toBe(false)
    expect(ofType(await events(w), 'UserPromptSubmit').map((e) => e.payload!.prompt)).not.toContain('/clear')
  })

  it('a message queued, the server killed with -9 (the Stop spooled meanwhile), restarted: delivered once', async () => {
    const w = ids.worker!
    expect(await sendJson([w, 'CRASH-SLOW-WORK please'])).toMatchObject({ status: 'delivered' })
    await toolStarted(w, slow(6))
    const note = 'CRASH-NOTE: survive the crash'
    const sent = await sendJson([w, note])
    expect(sent).toMatchObject({ status: 'queued', mode: 'sequential' })

    const port = server.port
    await server.kill9()
    const spool = join(dataDir, 'spool')
    const spooled = () => (existsSync(spool) ? readdirSync(spool).filter((f) => f.endsWith('.json')) : [])
    // the turn ends while the server is down: its Stop goes to the spool, unanswered
    await sleep(500)
    await waitFor(() => spooled().some((f) => f.includes(`-Stop-${w}.json`)), { timeoutMs: 60_000, message: 'Stop spooled' })
    await sleep(500)

    server = await startSmServer({ env: serverEnv, dataDir, socket, configPath, port })
    const [typed] = await api.waitForEvents(w, (e) => e.event === 'UserPromptSubmit' && String(e.payload?.prompt ?? '').includes('CRASH-NOTE'), 1, { timeoutMs: 30_000 })
    expect(typed!.payload!.prompt).toBe(note)
    await stopWith(w, 'CRASH-NOTE-SEEN')
    await api.waitForState(w, 'idle')
    await sleep(3000)
    expect(await promptsOf(w, 'CRASH-NOTE')).toHaveLength(1)
    expect(firstTurns['CRASH-NOTE']).toBe(1)
    expect(await messageById(w, sent.message)).toMatchObject({ status: 'delivered', via: 'typed' })
    expect(requestsWith('Stop hook feedback:\nCRASH-NOTE')).toEqual([])
    expect(spooled()).toEqual([])
  })

  it('sm lock contention between two sessions: the first holds the checkout, the second is refused naming the holder', async () => {
    execFileSync('git', ['init', '-q', work])
    const first = await sendJson([ids.parent!, 'LOCK-FIRST now'])
    expect(first.status).toBe('delivered')
    await stopWith(ids.parent!, 'LOCKED-A')
    expect(toolOutput['LOCK-FIRST']).toMatchObject({ isError: false })
    await api.waitForState(ids.parent!, 'idle')
    await sendJson([ids.worker!, 'LOCK-SECOND now'])
    await stopWith(ids.worker!, 'LOCKED-B')
    // exit 1 from the Bash tool: an error result naming the holder and its task
    expect(toolOutput['LOCK-SECOND']!.isError).toBe(true)
    expect(toolOutput['LOCK-SECOND']!.content).toContain(ids.parent!)
    expect(toolOutput['LOCK-SECOND']!.content).toContain('LOCK-TASK-A')
    const lock = JSON.parse(readFileSync(join(work, '.claude', 'workspace.lock'), 'utf8')) as { session: string; task: string }
    expect(lock).toMatchObject({ session: ids.parent!, task: 'LOCK-TASK-A: refactor auth' })
  })
})
