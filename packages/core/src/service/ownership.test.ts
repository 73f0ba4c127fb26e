import { describe, expect, it } from 'vitest'
import type { Session } from '../session/session.js'
import type { Actor } from '../session/tree.js'
import { aMessageService, aSessionService } from '../testing/service.js'

const CLAUDE = '0c2f7a55-1b0e-4f0a-9d51-7c1e3b9a4e21'

/**
 * A tree: `lead` (top level) has children `target` and `sibling`; `target` has `kid`;
 * `stranger` is another top-level session. Every terminal is the fake agent: what is typed and
 * submitted is its prompt.
 */
async function tree() {
  const built = aSessionService()
  const { service, mux } = built
  const { messages, messageStore } = aMessageService(service, built.clock)
  let n = 0
  const tokens = new Map<string, string>()
  const create = async (name: string, parentId?: string): Promise<Session> => {
    const s = await service.create({ workingDir: '/w', name, ...(parentId ? { parentId } : {}) })
    tokens.set(s.id, `token-${++n}`)
    return s
  }
  const lead = await create('lead')
  const target = await create('target', lead.id)
  const sibling = await create('sibling', lead.id)
  const kid = await create('kid', target.id)
  const stranger = await create('stranger')
  const hook = (s: Session, event: string, payload: Record<string, unknown> = {}) =>
    service.ingestHook({ event, payload: { session_id: CLAUDE, ...payload }, raw: '{}', managerId: s.id, token: tokens.get(s.id)! })
  mux.onSubmit = (name, text) => {
    const s = service.list().find((x) => x.tmuxSession === name)!
    hook(s, 'UserPromptSubmit', { prompt: text })
  }
  const as = (s: Session): Actor => ({ kind: 'session', id: s.id })
  const terminal = (s: Session) => mux.terminals.get(s.tmuxSession!)!
  return { ...built, messages, messageStore, lead, target, sibling, kid, stranger, hook, as, terminal }
}

describe('ownership: only the parent or the operator drives a session', () => {
  it('raw input and keys: refused (403) for the session itself, its child, a sibling and a stranger; nothing reaches the terminal', async () => {
    const t = await tree()
    t.hook(t.target, 'SessionStart', { source: 'startup' })
    for (const caller of [t.target, t.kid, t.sibling, t.stranger]) {
      await expect(t.service.input(t.target.id, '/exit', t.as(caller))).rejects.toMatchObject({ code: 'forbidden' })
      for (const key of ['1', 'y', 'Enter', 'Escape'] as const) {
        await expect(t.service.sendKey(t.target.id, key, t.as(caller))).rejects.toMatchObject({ code: 'forbidden' })
      }
    }
    expect(t.terminal(t.target)).toMatchObject({ submitted: [], keys: [], input: '' })
    expect(t.service.resolve(t.target.id).state).toBe('idle')

    await t.service.input(t.target.id, 'from the parent', t.as(t.lead))
    await t.service.input(t.target.id, 'from the operator')
    await t.service.sendKey(t.target.id, '1', t.as(t.lead))
    expect(t.terminal(t.target).submitted).toEqual(['from the parent', 'from the operator'])
    expect(t.terminal(t.target).keys.at(-1)).toBe('1')
  })

  it("a slash command in a message acts only from the operator or the parent; anyone else's is typed as a message, sender named", async () => {
    const t = await tree()
    t.hook(t.target, 'SessionStart', { source: 'startup' })
    const sent: [Actor, string][] = [
      [t.as(t.sibling), '/exit'],
      [t.as(t.kid), '/clear'],
      [t.as(t.stranger), '/compact now'],
      [t.as(t.lead), '/compact please'],
      [{ kind: 'operator' }, '/cost'],
    ]
    for (const [from, text] of sent) {
      expect((await t.messages.send({ from, to: t.target.id, text })).status).toBe('delivered')
      // the fake agent took it as a prompt: its turn ends before the next message
      t.hook(t.target, 'Stop', {})
    }
    expect(t.terminal(t.target).submitted).toEqual([
      `[sm from sibling (${t.sibling.id})] /exit`,
      `[sm from kid (${t.kid.id})] /clear`,
      `[sm from stranger (${t.stranger.id})] /compact now`,
      '/compact please',
      '/cost',
    ])
    expect(t.messages.list({ recipientId: t.target.id }).map((m) => m.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered'])
  })

  it('urgent (it interrupts) only from the parent or the operator: anyone else is refused and nothing is stored', async () => {
    const t = await tree()
    t.hook(t.target, 'UserPromptSubmit', { prompt: 'work' })
    for (const caller of [t.kid, t.sibling, t.stranger]) {
      await expect(t.messages.send({ from: t.as(caller), to: t.target.id, text: 'stop', mode: 'urgent' })).rejects.toMatchObject({ code: 'forbidden' })
    }
    expect(t.messageStore.list({ recipientId: t.target.id })).toEqual([])
    expect(t.terminal(t.target).keys).toEqual([])
    expect(t.service.resolve(t.target.id).state).toBe('working')
    // important still reaches it, named
    const r = await t.messages.send({ from: t.as(t.sibling), to: t.target.id, text: 'fyi', mode: 'important' })
    expect(r.status).toBe('queued')
  })

  it('clear: refused for everyone but the parent and the operator, before anything is typed', async () => {
    const t = await tree()
    t.hook(t.target, 'SessionStart', { source: 'startup' })
    for (const caller of [t.target, t.kid, t.sibling, t.stranger]) {
      await expect(t.messages.clear(t.target.id, 'again', t.as(caller))).rejects.toMatchObject({ code: 'forbidden' })
    }
    expect(t.terminal(t.target)).toMatchObject({ submitted: [], keys: [] })
  })
})

describe('hooks that cannot be forged', () => {
  it("a token-less hook naming a managed session (its id or its Claude session id) is refused: it takes no message and moves no state, and nothing is recorded", async () => {
    const t = await tree()
    t.hook(t.target, 'UserPromptSubmit', { prompt: 'work' })
    await t.messages.send({ from: { kind: 'operator' }, to: t.target.id, text: 'for the target only' })
    const before = t.events.list(t.target.id).length
    const forged = (event: string, sessionId: string) =>
      t.service.ingestHook({ event, payload: { session_id: sessionId, stop_hook_active: false }, raw: '{}', managerId: null, token: null })
    for (const id of [t.target.id, CLAUDE]) {
      expect(() => forged('Stop', id)).toThrow(expect.objectContaining({ code: 'forbidden' }))
      expect(() => forged('SessionEnd', id)).toThrow(expect.objectContaining({ code: 'forbidden' }))
      expect(() => forged('PermissionRequest', id)).toThrow(expect.objectContaining({ code: 'forbidden' }))
    }
    expect(t.messages.list({ recipientId: t.target.id }).map((m) => m.status)).toEqual(['queued'])
    expect(t.service.resolve(t.target.id).state).toBe('working')
    expect(t.events.list(t.target.id)).toHaveLength(before)
    expect(t.service.list({ includeStopped: true }).filter((s) => s.kind === 'external')).toEqual([])
    // an event id the target's hook already used doesn't make a forged one look stored
    t.service.ingestHook({ event: 'Notification', payload: { session_id: CLAUDE }, raw: '{}', managerId: t.target.id, token: 'token-2', eventId: 'used-event-id-0001' })
    expect(() =>
      t.service.ingestHook({ event: 'Stop', payload: { session_id: t.target.id }, raw: '{}', managerId: null, token: null, eventId: 'used-event-id-0001' }),
    ).toThrow(expect.objectContaining({ code: 'forbidden' }))
    // the target's own hook gets its message
    expect(t.hook(t.target, 'Stop', {})).toEqual({ decision: 'block', reason: 'for the target only' })
  })

  it('an external session stays external and visible; X-SM-Session may not name it', async () => {
    const t = await tree()
    // an id X-SM-Session could name (a real Claude session id is a UUID, which it can't)
    const ext = 'abcdef12'
    t.service.ingestHook({ event: 'SessionStart', payload: { session_id: ext, source: 'startup' }, raw: '{}', managerId: null, token: null })
    expect(t.service.resolve(ext)).toMatchObject({ kind: 'external', state: 'idle' })
    expect(() => t.service.ingestHook({ event: 'SessionEnd', payload: { session_id: ext }, raw: '{}', managerId: ext, token: 'x', trusted: true })).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    )
    await expect(t.service.input(ext, 'hello')).rejects.toMatchObject({ code: 'not_typable' })
    await expect(t.messages.send({ from: { kind: 'operator' }, to: ext, text: 'hello' })).rejects.toMatchObject({ code: 'not_typable' })
  })
})
