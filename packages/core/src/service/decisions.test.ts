import { describe, expect, it } from 'vitest'
import { aSessionService } from '../testing/index.js'
import { DecisionQueue, describeEnd, type ChannelHold, type DecisionAnswer, type DecisionEnd, type DecisionEvent, type HeldDecision } from './decisions.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'
const DATABASE = { question: 'Which database?', header: 'DB', multiSelect: false, options: [{ label: 'Postgres', description: '' }, { label: 'SQLite', description: '' }] }

/** Timers that run only when the test says. */
function manualTimers() {
  const due: { ms: number; work: () => void; cancelled: boolean }[] = []
  return {
    timer: (ms: number, work: () => void) => {
      const t = { ms, work, cancelled: false }
      due.push(t)
      return { cancel: () => (t.cancelled = true) }
    },
    fireAll: () => {
      for (const t of due.splice(0)) if (!t.cancelled) t.work()
    },
  }
}

/** A channel that records what it was shown and how it ended; `answer` settles from the channel's side. */
function recordingChannel() {
  const shown: HeldDecision[] = []
  const ends: DecisionEnd[] = []
  let answerNext: ((a: DecisionAnswer | null) => void) | undefined
  const offer = (decision: HeldDecision): ChannelHold => {
    shown.push(decision)
    return { answer: new Promise((resolve) => (answerNext = resolve)), ended: (end) => ends.push(end) }
  }
  return { offer, shown, ends, press: (a: DecisionAnswer | null) => answerNext?.(a) }
}

async function setup(options: { answerable?: boolean; channel?: boolean } = {}) {
  const built = aSessionService()
  const { service, clock } = built
  const timers = manualTimers()
  const queue = new DecisionQueue({ clock, timer: timers.timer, waitMs: 120_000 })
  service.addHookHolder(queue.holder)
  const channel = recordingChannel()
  if (options.channel !== false) queue.addChannel(channel.offer)
  if (options.answerable === true) queue.acceptAnswers()
  const events: DecisionEvent[] = []
  queue.onEvent((e) => events.push(e))
  const s = await service.create({ workingDir: '/w', name: 'alpha' })
  const ask = (payload: Record<string, unknown>, signal: AbortSignal = new AbortController().signal) =>
    service.ingestHookHeld({ event: 'PermissionRequest', payload: { session_id: CLAUDE_ID, ...payload }, raw: '{}', managerId: s.id, token: 'token-1' }, signal)
  const bash = { tool_name: 'Bash', tool_input: { command: 'rm -rf build' }, permission_suggestions: [{ type: 'addRules', rules: [{ toolName: 'Bash' }] }] }
  return { ...built, queue, timers, channel, events, session: s, ask, bash }
}

describe('DecisionQueue: the one approval queue', () => {
  it('holds a managed PermissionRequest, shows it to every channel, and the first answer (the web) wins', async () => {
    const { queue, channel, events, ask, bash } = await setup({ answerable: true })
    const held = ask(bash) as Promise<unknown>
    expect(held).toBeInstanceOf(Promise)
    expect(queue.list()).toMatchObject([{ id: 'd1', kind: 'permission', toolName: 'Bash', toolInput: { command: 'rm -rf build' } }])
    expect(channel.shown).toHaveLength(1)
    expect(queue.answer('d1', { verdict: 'allow', who: 'operator', channel: 'web' })).toBe(true)
    expect(await held).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } })
    expect(channel.ends).toMatchObject([{ by: 'web', verdict: 'allow', who: 'operator' }])
    // the same request answered again, from Telegram: too late
    expect(queue.answer('d1', { verdict: 'deny', who: '@alice', channel: 'telegram' })).toBe(false)
    channel.press({ verdict: 'deny', who: '@alice', channel: 'telegram' })
    expect(events.map((e) => e.type)).toEqual(['opened', 'ended'])
    expect(queue.waiting).toBe(0)
  })

  it("a channel's own answer (a Telegram press) settles the hook for everyone", async () => {
    const { channel, events, ask, bash } = await setup()
    const held = ask(bash) as Promise<unknown>
    channel.press({ verdict: 'deny', who: '@alice', channel: 'telegram' })
    expect(await held).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'Denied from Telegram by @alice' } } })
    expect(events.at(-1)).toMatchObject({ type: 'ended', end: { by: 'telegram', verdict: 'deny', who: '@alice' } })
    expect(describeEnd((events.at(-1) as { end: DecisionEnd }).end, 120_000)).toBe('Denied by @alice (Telegram)')
  })

  it('a channel giving up (its own wait) leaves the request to the others', async () => {
    const { queue, channel, ask, bash } = await setup({ answerable: true })
    const held = ask(bash) as Promise<unknown>
    channel.press(null)
    await Promise.resolve()
    expect(queue.waiting).toBe(1)
    queue.answer('d1', { verdict: 'always', who: 'operator', channel: 'web' })
    expect(await held).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow', updatedPermissions: [{ type: 'addRules', rules: [{ toolName: 'Bash' }] }] } } })
  })

  it('Always allow needs suggestions; an answer of the wrong kind changes nothing', async () => {
    const { queue, ask, bash } = await setup({ answerable: true })
    void ask({ ...bash, permission_suggestions: [] })
    expect(queue.answer('d1', { verdict: 'always', who: 'operator', channel: 'web' })).toBe(false)
    expect(queue.answer('d1', { verdict: 'answer', who: 'operator', channel: 'web', answers: { x: 'y' } })).toBe(false)
    expect(queue.answer('nope', { verdict: 'allow', who: 'operator', channel: 'web' })).toBe(false)
    expect(queue.waiting).toBe(1)
  })

  it('a question is answered with the answers in updatedInput; allow alone is refused for it', async () => {
    const { queue, ask } = await setup({ answerable: true })
    const held = ask({ tool_name: 'AskUserQuestion', tool_input: { questions: [DATABASE] } }) as Promise<unknown>
    expect(queue.list()[0]).toMatchObject({ kind: 'question', questions: [{ question: 'Which database?' }] })
    expect(queue.answer('d1', { verdict: 'allow', who: 'operator', channel: 'web' })).toBe(false)
    expect(queue.answer('d1', { verdict: 'answer', who: 'operator', channel: 'web', answers: {} })).toBe(false)
    expect(queue.answer('d1', { verdict: 'answer', who: 'operator', channel: 'web', answers: { 'Which database?': ' ' } })).toBe(false)
    expect(queue.answer('d1', { verdict: 'answer', who: 'operator', channel: 'web', answers: { 'Which database?': 'SQLite', 'Other?': 'x' } })).toBe(false)
    expect(queue.answer('d1', { verdict: 'answer', who: 'operator', channel: 'web', answers: { 'Which database?': 'SQLite' } })).toBe(true)
    expect(await held).toEqual({
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow', updatedInput: { questions: [DATABASE], answers: { 'Which database?': 'SQLite' } } } },
    })
  })

  it('a question that cannot be answered as choices is offered (for its text) but not held', async () => {
    const { queue, channel, ask } = await setup({ answerable: true })
    const reply = ask({ tool_name: 'AskUserQuestion', tool_input: { questions: [{ question: 'Anything?', options: [] }] } })
    expect(reply).toEqual({})
    expect(channel.shown).toMatchObject([{ kind: 'question', questions: null }])
    expect(channel.ends).toMatchObject([{ by: 'gone' }])
    expect(queue.waiting).toBe(0)
  })

  it.each([
    ['the keyboard answered (terminal)', (q: DecisionQueue, id: string) => q.sessionEnded(id, 'terminal'), 'terminal'],
    ['the session stopped', (q: DecisionQueue, id: string) => q.sessionEnded(id, 'gone'), 'gone'],
    ['the server stops', (q: DecisionQueue) => q.stop(), 'gone'],
  ])('%s: the hook gets no decision, and every channel is told', async (_, end, by) => {
    const { queue, channel, ask, bash, session } = await setup()
    const held = ask(bash) as Promise<unknown>
    end(queue, session.id)
    expect(await held).toEqual({})
    expect(channel.ends).toMatchObject([{ by }])
  })

  it('the wait runs out: no decision (the dialog stays), said as a timeout', async () => {
    const { timers, channel, ask, bash } = await setup()
    const held = ask(bash) as Promise<unknown>
    timers.fireAll()
    expect(await held).toEqual({})
    expect(channel.ends).toMatchObject([{ by: 'timeout' }])
    expect(describeEnd(channel.ends[0]!, 120_000)).toBe('No answer within 120 s: answer in the terminal.')
  })

  it('the hook gives up (its request closed): gone', async () => {
    const { channel, ask, bash } = await setup()
    const abort = new AbortController()
    const held = ask(bash, abort.signal) as Promise<unknown>
    abort.abort()
    expect(await held).toEqual({})
    expect(channel.ends).toMatchObject([{ by: 'gone' }])
  })

  it('nobody to answer (no channel shows it, the web is off): not held at all', async () => {
    const { queue, ask, bash } = await setup({ channel: false })
    expect(ask(bash)).toEqual({})
    expect(queue.waiting).toBe(0)
  })

  it('external sessions are not held (their dialog is answered at their own keyboard)', async () => {
    const { queue, service, bash } = await setup({ answerable: true })
    const external = service.ingestHookHeld({ event: 'PermissionRequest', payload: { session_id: 'ext-1', ...bash }, raw: '{}', managerId: null, token: null }, new AbortController().signal)
    expect(external).toEqual({})
    expect(queue.waiting).toBe(0)
  })
})
