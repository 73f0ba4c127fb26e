/**
 * Delivery of long texts with the real Claude Code (2.1.330) against the local Messages API stub:
 * the real server, the real `sm`, the real hook script, tmux on a private socket. The stub
 * records what the model got.
 *
 * What Claude Code itself does to a paste (observed, see specs/0004-delivery.md): a long paste
 * shows as `[Pasted text #1 +N lines]` and reaches the model wrapped in
 * `<pasted_content id="…">` tags; each tab becomes four spaces; trailing whitespace goes.
 * Everything else must arrive byte for byte, in ONE piece.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AnthropicStub, ReplyContext, StubReply, StubRequest } from './support/anthropic-stub.js'
import { reportFailure, startClaudeWorld, stopClaudeWorld } from './support/claude-world.js'
import { runSm, runSmJson, SmApi, type SessionJson, type SmServer } from './support/sm-harness.js'
import { capture, IDLE_INPUT_RE, privateSocket, sendText, sleep, tmux, waitFor } from './support/tmux-harness.js'

/** ~20 KB of hostile text: quotes, $(), backticks, newlines, tabs, unicode, a `;` at the end. */
function hostileText(bytes: number): string {
  const lines = [
    `it's "double" and 'single' quoted; $(rm -rf ~) \`id\` $HOME \${X} %s #{pane_id} \\n \\ back\\slash`,
    `\tindented with a tab\tand another\t|`,
    `unicode: ünïcödé ✓ 中文字符 emoji 😀👍🏽 👨‍👩‍👧 rtl עברית nbsp[\u00a0] combining e\u0301`,
    `<xml attr="v">&amp;</xml> {"json": [1, 2, {"k": "v"}]} -- --flag -l Enter C-c`,
    '',
    `    four spaces in front, trailing spaces inside: a  b   c`,
  ]
  let text = 'START of the long message\n'
  for (let i = 0; Buffer.byteLength(text) < bytes; i++) text += `${i}: ${lines[i % lines.length]}\n`
  return `${text}END of the long message;`
}

/** What the model must get for `text`: Claude's own changes only (tabs, trailing whitespace). */
const asClaudeSends = (text: string) => text.replace(/\t/g, '    ').replace(/\s+$/u, '')

const PASTE = /^\n\n<pasted_content id="([^"]+)">\n([\s\S]*)\n<\/pasted_content id="\1">\n$/

type Message = NonNullable<NonNullable<StubRequest['body']>['messages']>[number]

/** The text blocks of a user message, leaving out the `<system-reminder>` blocks Claude adds. */
const userBlocks = (m: Message): string[] =>
  typeof m.content === 'string' ? [m.content] : m.content.filter((c) => c.type === 'text').map((c) => String(c.text)).filter((t) => !t.startsWith('<system-reminder>'))

/** The text blocks of the newest user message of a request. */
const lastUserBlocks = (request: StubRequest): string[] => userBlocks([...request.body!.messages!].reverse().find((m) => m.role === 'user')!)

describe('long texts through the real Claude Code', { timeout: 180_000 }, () => {
  const socket = privateSocket('sm-e2e-real-delivery')
  let root: string
  let work: string
  let dataDir: string
  let stub: AnthropicStub
  let server: SmServer
  let api: SmApi
  let smEnv: Record<string, string>
  let session: SessionJson | undefined
  const answer = (ctx: ReplyContext): StubReply => ({ text: `GOT ${ctx.prompt.length} chars` })

  beforeAll(async () => {
    const world = await startClaudeWorld({ prefix: 'sm-e2e-real-delivery', socket, script: answer, permissionMode: 'default' })
    ;({ root, work, dataDir, stub, server, smEnv } = world)
    api = new SmApi(() => server.url, dataDir)
  }, 120_000)

  afterAll(() => stopClaudeWorld(socket, { server, stub, root }), 120_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await reportFailure('real-claude-delivery', socket, server, session ? [session] : [])
  }, 60_000)

  it('sm send of 20 KB: one paste, submitted whole, byte-identical at the model (but for what Claude itself changes)', async () => {
    session = await runSmJson<SessionJson>(['new', work, '--name', 'long', '--no-attach', '--json'], smEnv)
    await api.waitForState(session.id, 'idle', { timeoutMs: 60_000 })
    await waitFor(async () => IDLE_INPUT_RE.test(await capture(socket, `claude-${session!.id}`)), { timeoutMs: 30_000, message: 'input box' })
    const text = hostileText(20 * 1024)
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(20 * 1024)
    const requestsBefore = stub.mainRequests().length
    const started = Date.now()
    const sent = await runSm(['send', 'long', '-', '--json'], smEnv, { input: text })
    expect(sent.status, sent.stderr).toBe(0)
    expect(JSON.parse(sent.stdout)).toMatchObject({ session: session.id, status: 'delivered', via: 'typed' })
    console.info(`[real-claude-delivery] 20 KB sm send confirmed after ${Date.now() - started} ms`)

    // the prompt hook carried the whole text, in one prompt
    const [ups] = await api.waitForEvents(session.id, (e) => e.event === 'UserPromptSubmit')
    const prompt = String(ups!.payload!.prompt)
    const hooked = PASTE.exec(prompt)
    expect(hooked, prompt.slice(0, 300)).not.toBeNull()
    expect(hooked![2]).toBe(asClaudeSends(text))

    // one model request, whose user message is that one paste: byte for byte
    await api.waitForEvents(session.id, (e) => e.event === 'Stop', 1, { timeoutMs: 60_000 })
    const mine = stub.mainRequests().slice(requestsBefore)
    expect(mine).toHaveLength(1)
    // the model got the prompt as one block (besides Claude's own system reminders)
    const blocks = lastUserBlocks(mine[0]!)
    expect(blocks).toEqual([prompt])
    const model = PASTE.exec(blocks[0]!)!
    expect(model[2]).toBe(asClaudeSends(text))
    expect(blocks[0]!.match(/<pasted_content/g)).toHaveLength(1)
    expect(blocks[0]).not.toContain('[Pasted text')
    await api.waitForState(session.id, 'idle')
  })

  it('sm send into a box where a person is typing: nothing is typed; the message waits (queued) and goes with the turn they start', async () => {
    const terminal = `claude-${session!.id}`
    await waitFor(async () => IDLE_INPUT_RE.test(await capture(socket, terminal)), { timeoutMs: 30_000, message: 'input box' })
    const draft = 'a draft the person is still writing'
    await sendText(socket, terminal, draft)
    await waitFor(async () => (await capture(socket, terminal)).includes(`❯\u00a0${draft}`), { message: 'the draft in the box' })
    const sent = await runSm(['send', 'long', 'MESSAGE-FROM-SM', '--json'], smEnv)
    expect(sent.status, sent.stderr).toBe(0)
    const result = JSON.parse(sent.stdout) as { status: string; id: number }
    expect(result.status).toBe('queued')
    const screen = await capture(socket, terminal)
    expect(screen).toContain(`❯\u00a0${draft}`)
    expect(screen).not.toContain('MESSAGE-FROM-SM')
    expect((await api.messages(session!.id)).find((m) => m.text === 'MESSAGE-FROM-SM')?.status).toBe('queued')

    // the person submits their draft: it reaches the model alone; the message rides on its Stop
    const requestsBefore = stub.mainRequests().length
    await sleep(200)
    await runSm(['key', 'long', 'Enter'], smEnv)
    await waitFor(async () => (await api.messages(session!.id)).find((m) => m.text === 'MESSAGE-FROM-SM')?.status === 'delivered', { timeoutMs: 60_000, message: 'message delivered' })
    // the draft went alone, untouched; the message came after it (Stop hook feedback), never inside it
    const carried = await waitFor(() => stub.mainRequests().slice(requestsBefore).find((r) => lastUserBlocks(r).some((b) => b.includes('MESSAGE-FROM-SM'))), { timeoutMs: 30_000, message: 'the message at the model' })
    const first = stub.mainRequests()[requestsBefore]!
    expect(lastUserBlocks(first)).toEqual([draft])
    expect(carried).not.toBe(first)
    await api.waitForState(session!.id, 'idle', { timeoutMs: 60_000 })
  })

  it('sm new --prompt of 30 KB (over the ~16 KB a tmux command holds): the session starts and the model gets the whole prompt', async () => {
    const prompt = hostileText(30 * 1024)
    const requestsBefore = stub.mainRequests().length
    const started = Date.now()
    const created = await runSm(['new', work, '--name', 'longstart', '--prompt', prompt, '--no-attach', '--json'], smEnv)
    expect(created.status, created.stderr).toBe(0)
    session = JSON.parse(created.stdout) as SessionJson
    expect(session.name).toBe('longstart')
    await api.waitForEvents(session.id, (e) => e.event === 'Stop', 1, { timeoutMs: 60_000 })
    console.info(`[real-claude-delivery] 30 KB first prompt: sm new to Stop ${Date.now() - started} ms`)
    const mine = stub.mainRequests().slice(requestsBefore).filter((r) => r.sessionId === stub.mainRequests().at(-1)!.sessionId)
    expect(mine).toHaveLength(1)
    const blocks = lastUserBlocks(mine[0]!)
    expect(blocks).toHaveLength(1)
    const model = PASTE.exec(blocks[0]!)
    expect(model, blocks[0]!.slice(0, 200)).not.toBeNull()
    expect(model![2]).toBe(asClaudeSends(prompt))
    const [ups] = await api.waitForEvents(session.id, (e) => e.event === 'UserPromptSubmit')
    expect(PASTE.exec(String(ups!.payload!.prompt))![2]).toBe(asClaudeSends(prompt))
  })

  it('kill -9 of the Claude process: the session is stopped within a second, not at the next watchdog tick', async () => {
    session = await runSmJson<SessionJson>(['new', work, '--name', 'doomed', '--no-attach', '--json'], smEnv)
    await api.waitForState(session.id, 'idle', { timeoutMs: 60_000 })
    // the pane's process is Claude Code itself (the launcher execs it)
    const { stdout } = await tmux(socket, ['display-message', '-p', '-t', `claude-${session.id}`, '#{pane_pid}'])
    const pid = Number(stdout.trim())
    expect(pid).toBeGreaterThan(1)
    const killedAt = Date.now()
    process.kill(pid, 'SIGKILL')
    await api.waitForState(session.id, 'stopped', { timeoutMs: 5_000, intervalMs: 20 })
    const noticed = Date.now() - killedAt
    console.info(`[real-claude-delivery] kill -9 of Claude Code: session stopped after ${noticed} ms`)
    // the watchdog runs every 10 s here: only the exit watch can have been this quick
    expect(noticed).toBeLessThan(1500)
  })
})
