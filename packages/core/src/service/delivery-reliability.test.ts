import { describe, expect, it } from 'vitest'
import { aMessageService, aSessionService } from '../testing/index.js'
import { ARGV_PROMPT_MAX_CHARS } from './session-service.js'
import { claudeNormalized, INPUT_HELD_REASON, promptMatches, unwrapPaste } from './deliver.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

function setup() {
  const parts = aSessionService({ deps: { hashToken: (t) => `hash:${t}` } })
  const hook = (id: string, event: string, payload: Record<string, unknown> = {}, token = 'token-1') =>
    parts.service.ingestHook({
      event,
      payload: { session_id: CLAUDE_ID, ...payload },
      raw: JSON.stringify({ session_id: CLAUDE_ID, ...payload }),
      managerId: id,
      token,
    })
  return { ...parts, hook }
}

/** What Claude Code 2.1.330 sent as the prompt for a long paste (observed with the real CLI). */
const wrapped = (content: string) => `\n\n<pasted_content id="4bdf">\n${content}\n</pasted_content id="4bdf">\n`

describe('promptMatches: the WHOLE text, normalised only as Claude Code changes it', () => {
  const long = `${'0123456789 "quote" $(x) `y` ✓ 🎉\n'.repeat(700)}the end`

  it('matches the same text, and a long paste as Claude wraps it', () => {
    expect(promptMatches('hello', 'hello')).toBe(true)
    expect(promptMatches(long, wrapped(long))).toBe(true)
    expect(unwrapPaste(wrapped(long))).toBe(long)
  })

  it('undoes what Claude does to a paste: tabs become four spaces, CR/CRLF become LF, trailing whitespace goes', () => {
    expect(claudeNormalized('a\tb\r\nc\rd  \n\n')).toBe('a    b\nc\nd')
    expect(promptMatches('a\tb\r\nc   \n', 'a    b\nc')).toBe(true)
    expect(promptMatches('line\tone\nline two\n', wrapped('line    one\nline two'))).toBe(true)
  })

  it('does not take a prefix, a cut-up text or a merged text for the whole', () => {
    expect(promptMatches(long, long.slice(0, 1000))).toBe(false)
    expect(promptMatches(long, `${long.slice(0, 500)}[Pasted text #1]${long.slice(500)}`)).toBe(false)
    expect(promptMatches(long, wrapped(long.slice(0, 200)))).toBe(false)
    expect(promptMatches('do it', 'someone typed this do it')).toBe(false)
    expect(promptMatches('   ', '')).toBe(false)
  })
})

describe('delivery never types into text someone is writing', () => {
  it('refuses while the input box holds text it did not type; nothing is typed; recheckHeld frees it once empty', async () => {
    const { service, mux, hook } = setup()
    const s = await service.create({ workingDir: '/w' })
    hook(s.id, 'SessionStart', { source: 'startup' })
    const terminal = mux.terminals.get(s.tmuxSession!)!
    mux.onSubmit = (_name, text) => hook(s.id, 'UserPromptSubmit', { prompt: text })
    terminal.input = 'half a thought of the person at the keyboard'
    await expect(service.input(s.id, 'our message')).rejects.toMatchObject({ code: 'delivery_failed', message: INPUT_HELD_REASON })
    expect(terminal.input).toBe('half a thought of the person at the keyboard')
    expect(terminal.keys).toEqual([])
    expect(service.heldInputs().map((h) => h.sessionId)).toEqual([s.id])
    expect(await service.recheckHeld()).toEqual([])

    terminal.input = '' // the person cleared the box (or submitted it)
    expect(await service.recheckHeld()).toEqual([s.id])
    expect(service.heldInputs()).toEqual([])
    const { result } = await service.input(s.id, 'our message')
    expect(result).toMatchObject({ delivered: true, confirmedBy: 'hook' })
    expect(terminal.submitted).toEqual(['our message'])
  })

  it('our own text left in the box (typed before a restart, never submitted) is submitted as it is, not typed again', async () => {
    const { service, mux, hook } = setup()
    const s = await service.create({ workingDir: '/w' })
    hook(s.id, 'SessionStart', { source: 'startup' })
    const terminal = mux.terminals.get(s.tmuxSession!)!
    mux.onSubmit = (_name, text) => hook(s.id, 'UserPromptSubmit', { prompt: text })
    // as the box shows it after a crash: wrapped, with the continuation indent
    terminal.input = '[sm from parent (ab12cd34)] run the\n  migrations   now'
    const { result } = await service.input(s.id, '[sm from parent (ab12cd34)] run the migrations now')
    expect(result).toMatchObject({ delivered: true })
    // submitted as it stood: nothing typed on top of it
    expect(terminal.submitted).toEqual(['[sm from parent (ab12cd34)] run the\n  migrations   now'])
    // a near miss is someone else's text
    terminal.input = '[sm from parent (ab12cd34)] run the migrations now!'
    await expect(service.input(s.id, '[sm from parent (ab12cd34)] run the migrations now')).rejects.toMatchObject({ message: INPUT_HELD_REASON })
  })

  it('a message sent meanwhile stays queued (not mixed in) and goes with the turn the person starts', async () => {
    const { service, mux, hook, clock } = setup()
    const s = await service.create({ workingDir: '/w' })
    hook(s.id, 'SessionStart', { source: 'startup' })
    const { messages, messageStore } = aMessageService(service, clock)
    const terminal = mux.terminals.get(s.tmuxSession!)!
    mux.onSubmit = (_name, text) => hook(s.id, 'UserPromptSubmit', { prompt: text })
    terminal.input = 'draft'
    const sent = await messages.send({ from: { kind: 'operator' }, to: s.id, text: 'from the operator' })
    expect(sent.status).toBe('queued')
    expect(terminal.input).toBe('draft')
    expect(terminal.submitted).toEqual([])
    expect(messageStore.get(sent.message.id)).toMatchObject({ status: 'queued' })
    // the person submits their own draft; at its Stop the queued message goes in the hook reply
    await mux.sendKey(s.tmuxSession!, 'Enter')
    expect(terminal.submitted).toEqual(['draft'])
    const reply = hook(s.id, 'Stop', { last_assistant_message: 'ok' })
    expect(JSON.stringify(reply)).toContain('from the operator')
    expect(messageStore.get(sent.message.id)).toMatchObject({ status: 'delivered', via: 'stop_hook' })
  })
})

describe('long first prompts', () => {
  it('a prompt over the command-line limit is not put in argv but pasted once the input box shows', async () => {
    const { service, mux, hook } = setup()
    const prompt = `${'long prompt with "quotes" $(x) `b` ✓\n'.repeat(1000)}end`
    expect(prompt.length).toBeGreaterThan(ARGV_PROMPT_MAX_CHARS)
    mux.onSubmit = (name, text) => hook(name.replace('claude-', ''), 'UserPromptSubmit', { prompt: text })
    const s = await service.create({ workingDir: '/w', prompt })
    const t = mux.terminals.get(s.tmuxSession!)!
    expect(t.options.command).toEqual(['claude'])
    expect(t.submitted).toEqual([prompt])
    expect(s.state).toBe('working')
  })

  it('a short prompt still goes in argv', async () => {
    const { service, mux } = setup()
    const s = await service.create({ workingDir: '/w', prompt: 'x'.repeat(ARGV_PROMPT_MAX_CHARS) })
    expect(mux.terminals.get(s.tmuxSession!)!.options.command).toEqual(['claude', '--', 'x'.repeat(ARGV_PROMPT_MAX_CHARS)])
    expect(mux.terminals.get(s.tmuxSession!)!.submitted).toEqual([])
  })

  it('a long prompt that cannot be delivered fails the create with the session id in the message', async () => {
    const { service, mux } = setup()
    mux.swallowEnter = true
    await expect(service.create({ workingDir: '/w', prompt: 'y'.repeat(5000) })).rejects.toMatchObject({
      code: 'delivery_failed',
      message: expect.stringContaining('session 00000001 started, but its first prompt was not delivered'),
    })
  })
})

describe('agent exit and the watchdog', () => {
  it('agentExited stops a session at once when its terminal is gone, and leaves one whose terminal is still there', async () => {
    const { service, mux } = setup()
    const a = await service.create({ workingDir: '/w' })
    const b = await service.create({ workingDir: '/w' })
    expect(service.watchedAgents()).toEqual([
      { sessionId: a.id, terminal: a.tmuxSession },
      { sessionId: b.id, terminal: b.tmuxSession },
    ])
    await mux.kill(a.tmuxSession!)
    expect((await service.agentExited(a.id))?.state).toBe('stopped')
    expect(await service.agentExited(b.id)).toBeNull()
    expect(service.resolve(b.id).state).toBe('starting')
    expect(await service.agentExited(a.id)).toBeNull() // already stopped
    expect(service.watchedAgents().map((w) => w.sessionId)).toEqual([b.id])
  })

  it('the watchdog does not idle a session that never sent SessionStart, even when its screen shows the idle box', async () => {
    const { service, clock, hook } = setup()
    const silent = await service.create({ workingDir: '/w' })
    const working = await service.create({ workingDir: '/w' })
    hook(working.id, 'UserPromptSubmit', { prompt: 'x' }, 'token-2')
    clock.advance(60_000)
    expect((await service.reconcile()).idled).toEqual([working.id])
    expect(service.resolve(silent.id).state).toBe('starting')
  })
})
