import { describe, expect, it } from 'vitest'
import type { Session } from '../session/session.js'
import { InMemoryMessageStore, InMemoryWatchStore } from '../testing/in-memory-messages.js'
import { aSessionService } from '../testing/service.js'
import { MessageService } from './message-service.js'

const CLAUDE = '6bf01783-816d-49d3-a354-25f1341e986b'

/** Timers run only when the test moves time on. */
class ManualTimers {
  private pending: { due: number; work: () => void }[] = []
  constructor(private readonly clock: { now(): number; advance(ms: number): void }) {}
  timer = (ms: number, work: () => void): void => {
    this.pending.push({ due: this.clock.now() + ms, work })
  }
  advance(ms: number): void {
    const until = this.clock.now() + ms
    for (;;) {
      const next = this.pending.filter((t) => t.due <= until).sort((a, b) => a.due - b.due)[0]
      if (!next) break
      this.pending.splice(this.pending.indexOf(next), 1)
      if (next.due > this.clock.now()) this.clock.advance(next.due - this.clock.now())
      next.work()
    }
    if (until > this.clock.now()) this.clock.advance(until - this.clock.now())
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20))

async function setup(config: Partial<ConstructorParameters<typeof MessageService>[0]['config']> = {}) {
  const built = aSessionService()
  const { service, mux, clock } = built
  const messages = new InMemoryMessageStore()
  const watches = new InMemoryWatchStore()
  const timers = new ManualTimers(clock)
  const make = () =>
    new MessageService({
      sessions: service,
      messages,
      watches,
      clock,
      timer: timers.timer,
      config: { maxStopBlocks: 2, fenceMs: 10_000, waitSettleMs: 2000, spawnWaitTimeoutMs: 3_600_000, ...config },
    })
  const svc = make()
  const tokens = new Map<string, string>()
  let n = 0
  const create = async (name: string, parentId?: string): Promise<Session> => {
    const s = await service.create({ workingDir: '/w', name, ...(parentId ? { parentId } : {}) })
    tokens.set(s.id, `token-${++n}`)
    return s
  }
  const hook = (s: Session, event: string, payload: Record<string, unknown> = {}, dedupeKey?: string) =>
    service.ingestHook({
      event,
      payload: { session_id: `${CLAUDE.slice(0, -8)}${s.id}`, ...payload },
      raw: '{}',
      managerId: s.id,
      token: tokens.get(s.id)!,
      ...(dedupeKey ? { dedupeKey, trusted: true } : {}),
    })
  // the fake agent: whatever is submitted becomes its prompt
  const byTerminal = (name: string) => service.list().find((s) => s.tmuxSession === name)!
  mux.onSubmit = (name, text) => {
    hook(byTerminal(name), 'UserPromptSubmit', { prompt: text })
  }
  const state = (s: Session) => service.resolve(s.id).state
  const submitted = (s: Session) => mux.terminals.get(s.tmuxSession!)!.submitted
  return { ...built, svc, make, messages, watches, timers, create, hook, state, submitted }
}

describe('MessageService: a person has control of the terminal (web dashboard)', () => {
  it('sequential to an idle session under control: queued, nothing typed; typed once control is given back', async () => {
    const { svc, service, create, hook, submitted } = await setup()
    const beta = await create('beta')
    hook(beta, 'SessionStart', { source: 'startup' })
    service.setHumanControl(beta.id, true)
    const r = await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'wait for them' })
    expect(r.status).toBe('queued')
    expect(submitted(beta)).toEqual([])
    await expect(service.input(beta.id, 'raw text')).rejects.toThrow(/a person has taken control/)
    expect(submitted(beta)).toEqual([])
    service.setHumanControl(beta.id, false)
    svc.retryQueued(beta.id)
    await settle()
    expect(submitted(beta)).toEqual(['wait for them'])
    expect(svc.list({ recipientId: beta.id }).map((m) => m.status)).toEqual(['delivered'])
  })

  it('a session may not take control of a terminal, its own included', async () => {
    const { service, create } = await setup()
    const beta = await create('beta')
    expect(() => service.setHumanControl(beta.id, true, { kind: 'session', id: beta.id })).toThrow(/only a person/)
    expect(service.underHumanControl(beta.id)).toBe(false)
  })
})

describe('MessageService: delivery modes', () => {
  it('sequential to an idle session: typed at once with the sender named, delivered', async () => {
    const { svc, create, hook, submitted } = await setup()
    const alpha = await create('alpha')
    const beta = await create('beta')
    hook(beta, 'SessionStart', { source: 'startup' })
    const r = await svc.send({ from: { kind: 'session', id: alpha.id }, to: 'beta', text: 'hello there' })
    expect(r).toMatchObject({ status: 'delivered', message: { status: 'delivered', via: 'typed', senderName: 'alpha' } })
    expect(submitted(beta)).toEqual([`[sm from alpha (${alpha.id})] hello there`])
  })

  it("sequential to a working session: queued, then carried by its next Stop's reply (block); the turn goes on; delivered once", async () => {
    const { svc, create, hook, state, submitted } = await setup()
    const beta = await create('beta')
    hook(beta, 'UserPromptSubmit', { prompt: 'work' })
    const first = await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'one' })
    const second = await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'two' })
    expect([first.status, second.status]).toEqual(['queued', 'queued'])
    expect(hook(beta, 'Stop', { last_assistant_message: 'done' })).toEqual({ decision: 'block', reason: 'one\n\ntwo' })
    expect(state(beta)).toBe('working')
    expect(svc.list({ recipientId: beta.id }).map((m) => [m.status, m.via])).toEqual([
      ['delivered', 'stop_hook'],
      ['delivered', 'stop_hook'],
    ])
    // the continued turn ends with nothing more for it: never held back
    expect(hook(beta, 'Stop', { stop_hook_active: true, last_assistant_message: 'done again' })).toEqual({})
    expect(state(beta)).toBe('idle')
    expect(submitted(beta)).toEqual([])
  })

  it('the Stop of a typed prompt handled before the typing call returns: the typed one is still delivered first', async () => {
    const { svc, create, hook, clock, mux } = await setup()
    const beta = await create('beta')
    hook(beta, 'SessionStart', { source: 'startup' })
    const agent = mux.onSubmit
    const sends: Promise<unknown>[] = []
    mux.onSubmit = (name, text) => {
      agent(name, text)
      if (text !== 'alpha') return
      // while the typist still waits to see its confirmation, two more are stored and the turn ends
      clock.advance(5)
      sends.push(svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'beta' }))
      sends.push(svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'gamma' }))
      clock.advance(5)
      hook(beta, 'Stop', { last_assistant_message: 'echo: alpha' })
    }
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'alpha' })
    await Promise.all(sends)
    const delivered = svc.list({ recipientId: beta.id })
    expect(delivered.map((m) => [m.text, m.status, m.via])).toEqual([
      ['alpha', 'delivered', 'typed'],
      ['beta', 'delivered', 'stop_hook'],
      ['gamma', 'delivered', 'stop_hook'],
    ])
    const times = delivered.map((m) => m.deliveredAt!)
    expect(times).toEqual([...times].sort((x, y) => x - y))
    expect(times[0]).toBeLessThan(times[1]!)
  })

  it('important reaches a working session in the next tool hook reply; sequential ones wait for the Stop', async () => {
    const { svc, create, hook } = await setup()
    const beta = await create('beta')
    hook(beta, 'UserPromptSubmit', { prompt: 'work' })
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'later' })
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'now please', mode: 'important' })
    expect(hook(beta, 'PreToolUse', { tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 't1' })).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: 'now please' },
    })
    // a subagent's tool call replies to the subagent: nothing for it
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'again', mode: 'important' })
    expect(hook(beta, 'PostToolUse', { tool_name: 'Bash', tool_use_id: 't9', agent_id: 'sub-1' })).toEqual({})
    expect(hook(beta, 'PostToolUse', { tool_name: 'Bash', tool_use_id: 't1' })).toMatchObject({ hookSpecificOutput: { additionalContext: 'again' } })
    expect(hook(beta, 'Stop', {})).toEqual({ decision: 'block', reason: 'later' })
  })

  it('at most maxStopBlocks continuations in a row; the rest is typed once the session is idle', async () => {
    const { svc, create, hook, state, submitted } = await setup({ maxStopBlocks: 1 })
    const beta = await create('beta')
    hook(beta, 'UserPromptSubmit', { prompt: 'work' })
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'first' })
    expect(hook(beta, 'Stop', {})).toEqual({ decision: 'block', reason: 'first' })
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'second' })
    expect(hook(beta, 'Stop', { stop_hook_active: true })).toEqual({})
    expect(state(beta)).not.toBe('stopped')
    await settle()
    expect(submitted(beta)).toEqual(['second'])
    // a Stop that no hook continued (stop_hook_active false) starts a new chain
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'third' })
    expect(hook(beta, 'Stop', { stop_hook_active: false })).toEqual({ decision: 'block', reason: 'third' })
  })

  it('a slash command is never put in a hook reply: it is typed alone when the session is idle', async () => {
    const { svc, create, hook, submitted } = await setup()
    const beta = await create('beta')
    hook(beta, 'UserPromptSubmit', { prompt: 'work' })
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: '/compact' })
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'after it', mode: 'important' })
    expect(hook(beta, 'PreToolUse', { tool_name: 'Read', tool_use_id: 't1' })).toMatchObject({ hookSpecificOutput: { additionalContext: 'after it' } })
    expect(hook(beta, 'Stop', {})).toEqual({})
    await settle()
    expect(submitted(beta)).toEqual(['/compact'])
  })

  it('urgent interrupts a working session (Escape), then types', async () => {
    const { svc, create, hook, mux, submitted } = await setup()
    const beta = await create('beta')
    hook(beta, 'UserPromptSubmit', { prompt: 'long work' })
    const r = await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'stop that', mode: 'urgent' })
    expect(r).toMatchObject({ status: 'delivered', message: { via: 'interrupt' } })
    expect(mux.terminals.get(beta.tmuxSession!)!.keys[0]).toBe('Escape')
    expect(submitted(beta)).toEqual(['stop that'])
  })

  it('a spooled Stop (replayed after a restart) never carries messages', async () => {
    const { svc, create, hook } = await setup()
    const beta = await create('beta')
    hook(beta, 'UserPromptSubmit', { prompt: 'work' })
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'hold on' })
    expect(hook(beta, 'Stop', {}, 'spool-1')).toEqual({})
    expect(svc.list({ recipientId: beta.id })[0]!.status).not.toBe('failed')
  })

  it('queued messages of a session that stops fail, and the sending session is told', async () => {
    const { svc, create, hook, service, submitted } = await setup()
    const alpha = await create('alpha')
    const beta = await create('beta')
    hook(alpha, 'SessionStart', { source: 'startup' })
    hook(beta, 'UserPromptSubmit', { prompt: 'work' })
    await svc.send({ from: { kind: 'session', id: alpha.id }, to: beta.id, text: 'you there?' })
    await service.kill(beta.id)
    await settle()
    expect(svc.list({ recipientId: beta.id })[0]).toMatchObject({ status: 'failed', error: 'session stopped' })
    expect(submitted(alpha)).toEqual([`[sm] message to beta (${beta.id}) failed: the session stopped before it was delivered`])
  })

  it('bad input: empty, too long, to yourself, to a stopped or unknown session: clear errors, nothing stored', async () => {
    const { svc, create, service } = await setup()
    const alpha = await create('alpha')
    const gone = await create('gone')
    await service.kill(gone.id)
    const from = { kind: 'session', id: alpha.id } as const
    await expect(svc.send({ from, to: 'alpha', text: 'x' })).rejects.toMatchObject({ code: 'invalid_input', message: "can't send a message to yourself" })
    await expect(svc.send({ from, to: 'gone', text: 'x' })).rejects.toMatchObject({ code: 'session_stopped' })
    await expect(svc.send({ from, to: 'nobody', text: 'x' })).rejects.toMatchObject({ code: 'session_not_found' })
    await expect(svc.send({ from: { kind: 'operator' }, to: 'alpha', text: '  ' })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(svc.send({ from: { kind: 'operator' }, to: 'alpha', text: 'x'.repeat(1_000_000) })).rejects.toMatchObject({ code: 'payload_too_large' })
    expect(svc.list()).toEqual([])
  })

  it('after a restart, an idle session gets what was queued for it, once', async () => {
    const { svc, make, create, hook, submitted, messages } = await setup()
    const beta = await create('beta')
    hook(beta, 'UserPromptSubmit', { prompt: 'work' })
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'pending' })
    // the server dies; the session's turn ends meanwhile (its Stop spooled, imported on start)
    svc.dispose()
    hook(beta, 'Stop', {}, 'spool-2')
    const again = make()
    again.resume()
    await settle()
    expect(submitted(beta)).toEqual(['pending'])
    expect(messages.list().map((m) => m.status)).toEqual(['delivered'])
  })
})

describe('MessageService: typing failures', () => {
  it('a message whose typing fails stays queued (the sender is told queued, never an error) and goes with the next Stop', async () => {
    const { svc, create, hook, mux } = await setup()
    const beta = await create('beta')
    hook(beta, 'SessionStart', { source: 'startup' })
    // the screen shows a dialog the hooks have not told of yet: typing is refused
    mux.terminals.get(beta.tmuxSession!)!.screen = ' Do you want to proceed?\n ❯ 1. Yes\n   2. No\n'
    const r = await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'later then' })
    expect(r.status).toBe('queued')
    hook(beta, 'UserPromptSubmit', { prompt: 'something' })
    expect(hook(beta, 'Stop', {})).toEqual({ decision: 'block', reason: 'later then' })
  })
})

describe('MessageService: watches', () => {
  it('spawn --wait: the parent gets "[sm] child <name> (<id>) completed: <message>" once the child stays quiet', async () => {
    const { svc, create, hook, submitted, timers } = await setup()
    const parent = await create('parent')
    hook(parent, 'SessionStart', { source: 'startup' })
    const child = await create('kid', parent.id)
    svc.watch(parent.id, child.id, 5000, 3_600_000)
    hook(child, 'UserPromptSubmit', { prompt: 'task' })
    hook(child, 'Stop', { last_assistant_message: 'All 12 tests pass. '.repeat(30) })
    timers.advance(4000)
    expect(submitted(parent)).toEqual([])
    timers.advance(1000)
    await settle()
    expect(submitted(parent)).toEqual([`[sm] child kid (${child.id}) completed: ${'All 12 tests pass. '.repeat(30).slice(0, 300)}`])
    timers.advance(3_600_000)
    await settle()
    expect(submitted(parent)).toHaveLength(1)
  })

  it('a new turn within the quiet time restarts the wait; background tasks keep it open', async () => {
    const { svc, create, hook, submitted, timers } = await setup()
    const parent = await create('parent')
    hook(parent, 'SessionStart', { source: 'startup' })
    const child = await create('kid', parent.id)
    svc.watch(parent.id, child.id, 5000, 3_600_000)
    hook(child, 'UserPromptSubmit', { prompt: 'task' })
    hook(child, 'Stop', { last_assistant_message: 'first', background_tasks: [{ id: 'b1', status: 'running' }] })
    timers.advance(6000)
    hook(child, 'UserPromptSubmit', { prompt: 'more' })
    timers.advance(3000)
    hook(child, 'Stop', { last_assistant_message: 'second' })
    timers.advance(3000)
    hook(child, 'UserPromptSubmit', { prompt: 'yet more' })
    hook(child, 'Stop', { last_assistant_message: 'third' })
    timers.advance(5000)
    await settle()
    expect(submitted(parent)).toEqual([`[sm] child kid (${child.id}) completed: third`])
  })

  it('exits and timeouts each send one message', async () => {
    const { svc, create, hook, submitted, timers, service } = await setup()
    const watcher = await create('watcher')
    hook(watcher, 'SessionStart', { source: 'startup' })
    const busy = await create('busy')
    const doomed = await create('doomed')
    hook(busy, 'UserPromptSubmit', { prompt: 'forever' })
    svc.watch(watcher.id, busy.id, 2000, 30_000)
    svc.watch(watcher.id, doomed.id, 2000, 30_000)
    await service.kill(doomed.id)
    await settle()
    timers.advance(30_000)
    await settle()
    // the first message started a turn of the watcher: the second comes with its Stop
    expect(submitted(watcher)).toEqual([`[sm wait] doomed (${doomed.id}) exited`])
    expect(hook(watcher, 'Stop', {})).toEqual({ decision: 'block', reason: '[sm wait] busy still busy after 30s' })
  })

  it("the Stop and SessionStart of sm clear don't count as finished; the prompt is typed after the clear", async () => {
    const { svc, create, hook, submitted, timers, mux, service } = await setup()
    const parent = await create('parent')
    hook(parent, 'SessionStart', { source: 'startup' })
    const child = await create('kid', parent.id)
    hook(child, 'UserPromptSubmit', { prompt: 'task' })
    svc.watch(parent.id, child.id, 1000, 3_600_000)
    // the fake agent: /clear ends the turn and starts a new conversation
    mux.onSubmit = (name, text) => {
      const s = service.list().find((x) => x.tmuxSession === name)!
      if (text === '/clear') {
        hook(s, 'Stop', { last_assistant_message: 'interrupted' })
        hook(s, 'SessionEnd', { reason: 'clear' })
        service.ingestHook({ event: 'SessionStart', payload: { session_id: 'fresh-claude-id', source: 'clear' }, raw: '{}', managerId: s.id, token: 'token-2' })
      } else hook(s, 'UserPromptSubmit', { prompt: text })
    }
    const cleared = await svc.clear(child.id, 'start over', { kind: 'session', id: parent.id })
    expect(cleared.claudeSessionId).toBe('fresh-claude-id')
    expect(submitted(child)).toEqual(['/clear', 'start over'])
    timers.advance(5000)
    await settle()
    expect(submitted(parent)).toEqual([])
    await expect(svc.clear(parent.id, undefined, { kind: 'session', id: child.id })).rejects.toMatchObject({ code: 'forbidden' })
  })
})

describe('MessageService: a clear that fails leaves nothing to reject later', () => {
  /** Records every unhandled rejection while `run` goes on, and a macrotask after it. */
  async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
    const seen: unknown[] = []
    const listener = (reason: unknown) => seen.push(reason)
    process.on('unhandledRejection', listener)
    try {
      await run()
      await settle()
    } finally {
      process.off('unhandledRejection', listener)
    }
    return seen
  }

  it('typing /clear fails (no input line): clear rejects at once, the fence lifts, and nothing rejects when fenceMs passes', async () => {
    const { svc, create, hook, mux, timers, submitted } = await setup()
    const beta = await create('beta')
    hook(beta, 'SessionStart', { source: 'startup' })
    mux.terminals.get(beta.tmuxSession!)!.screen = 'a dialog, no input line'
    const seen = await unhandledDuring(async () => {
      await expect(svc.clear(beta.id, 'again')).rejects.toMatchObject({ code: 'delivery_failed' })
      timers.advance(10_001)
    })
    expect(seen).toEqual([])
    // not fenced: a message goes as usual once the screen is back
    mux.terminals.get(beta.tmuxSession!)!.screen = null
    await svc.send({ from: { kind: 'operator' }, to: beta.id, text: 'after the failed clear' })
    expect(submitted(beta)).toEqual(['after the failed clear'])
  })

  it('typing /clear takes longer than fenceMs: clear fails with delivery_failed and no rejection goes unobserved meanwhile', async () => {
    const { svc, create, hook, mux, timers } = await setup()
    const beta = await create('beta')
    hook(beta, 'SessionStart', { source: 'startup' })
    const typeText = mux.typeText.bind(mux)
    mux.typeText = async (name, text) => {
      // the fence runs out while the keys are still going in
      timers.advance(11_000)
      await settle()
      return typeText(name, text)
    }
    mux.onSubmit = () => undefined
    mux.terminals.get(beta.tmuxSession!)!.screen = null
    const seen = await unhandledDuring(async () => {
      await expect(svc.clear(beta.id, undefined)).rejects.toThrow('no SessionStart (clear) within 10 s')
    })
    expect(seen).toEqual([])
  })
})
