import { describe, expect, it } from 'vitest'
import { aMessageService, aSessionService } from '../testing/index.js'
import type { HookReply } from './session-service.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

function setup() {
  const built = aSessionService({ deps: { hashToken: (t) => `hash:${t}` } })
  const input = (id: string, event: string, payload: Record<string, unknown> = {}) => ({
    event,
    payload: { session_id: CLAUDE_ID, ...payload },
    raw: JSON.stringify({ session_id: CLAUDE_ID, ...payload }),
    managerId: id,
    token: 'token-1',
  })
  return { ...built, input }
}

const permission = { tool_name: 'Bash', tool_input: { command: 'rm -rf build' }, permission_suggestions: [] }

describe('hook holders (replies a person decides)', () => {
  it('holds a PermissionRequest reply until the holder decides, merged with the reply made so far', async () => {
    const { service, input } = setup()
    const s = await service.create({ workingDir: '/w' })
    const seen: string[] = []
    let decide!: (reply: HookReply) => void
    service.addHookHolder((session, event, reply, payload) => {
      expect(payload).toMatchObject({ session_id: CLAUDE_ID })
      seen.push(`${session.id}:${event.event}:${JSON.stringify(reply)}`)
      return event.event === 'PermissionRequest' ? new Promise((resolve) => (decide = resolve)) : null
    })
    expect(service.ingestHookHeld(input(s.id, 'Stop', { last_assistant_message: 'x' }), new AbortController().signal)).toEqual({})
    const held = service.ingestHookHeld(input(s.id, 'PermissionRequest', permission), new AbortController().signal)
    expect(held).toBeInstanceOf(Promise)
    // the registry moved on already: the session waits for permission while the reply is held
    expect(service.resolve(s.id).state).toBe('waiting_permission')
    decide({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } })
    await expect(held).resolves.toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } })
    expect(seen).toEqual([`${s.id}:Stop:{}`, `${s.id}:PermissionRequest:{}`])
  })

  it('never holds a replayed (spooled) event, and ingestHook never waits', async () => {
    const { service, input } = setup()
    const s = await service.create({ workingDir: '/w' })
    let asked = 0
    service.addHookHolder(() => {
      asked++
      return new Promise(() => undefined)
    })
    expect(service.ingestHookHeld({ ...input(s.id, 'PermissionRequest', permission), dedupeKey: 'k1', trusted: true }, new AbortController().signal)).toEqual({})
    expect(service.ingestHook(input(s.id, 'PermissionRequest', permission))).toEqual({})
    expect(asked).toBe(0)
  })

  it('a removed holder is not asked', async () => {
    const { service, input } = setup()
    const s = await service.create({ workingDir: '/w' })
    const off = service.addHookHolder(() => new Promise(() => undefined))
    off()
    expect(service.ingestHookHeld(input(s.id, 'PermissionRequest', permission), new AbortController().signal)).toEqual({})
  })
})

describe('change listeners and typed prompts', () => {
  it('reports created, renamed and task changes', async () => {
    const { service } = setup()
    const changes: string[] = []
    service.onChanged((session, change) => changes.push(`${change}:${session.name ?? '-'}:${session.currentTask ?? '-'}`))
    const s = await service.create({ workingDir: '/w', name: 'one' })
    await service.rename(s.id, 'two')
    service.setTask(s.id, 'fixing')
    expect(changes).toEqual(['created:one:-', 'renamed:two:-', 'task:two:fixing'])
  })

  it('marks a prompt the service typed as typedByManager, and one from the keyboard not', async () => {
    const { service, input, mux } = setup()
    const s = await service.create({ workingDir: '/w' })
    service.ingestHook(input(s.id, 'SessionStart', { source: 'startup' }))
    const prompts: { prompt: string; typedByManager: boolean | undefined }[] = []
    service.onEffects((_session, effects) => {
      for (const e of effects) if (e.type === 'prompt_submitted') prompts.push({ prompt: e.prompt, typedByManager: e.typedByManager })
    })
    service.ingestHook(input(s.id, 'UserPromptSubmit', { prompt: 'typed by hand' }))
    service.ingestHook(input(s.id, 'Stop', { last_assistant_message: 'ok' }))
    mux.onSubmit = (_name, text) => void service.ingestHook(input(s.id, 'UserPromptSubmit', { prompt: text }))
    await service.input(s.id, 'from the phone')
    expect(prompts).toEqual([
      { prompt: 'typed by hand', typedByManager: false },
      { prompt: 'from the phone', typedByManager: true },
    ])
  })
})

describe('delivered listeners', () => {
  it('tells each listener about a message as a hook carries it', async () => {
    const { service, input, clock } = setup()
    const { messages } = aMessageService(service, clock)
    const s = await service.create({ workingDir: '/w' })
    service.ingestHook(input(s.id, 'SessionStart', { source: 'startup' }))
    service.ingestHook(input(s.id, 'UserPromptSubmit', { prompt: 'work' }))
    const delivered: string[] = []
    messages.onDelivered((m) => delivered.push(`${m.id}:${m.status}:${m.via}`))
    const sent = await messages.send({ from: { kind: 'operator' }, to: s.id, text: 'also this' })
    expect(sent.status).toBe('queued')
    const reply = service.ingestHook(input(s.id, 'Stop', { last_assistant_message: 'done' }))
    expect(reply).toMatchObject({ decision: 'block' })
    expect(delivered).toEqual([`${sent.message.id}:delivered:stop_hook`])
  })
})

describe('the watchdog and a session being created', () => {
  it('does not stop a session whose terminal is still being started', async () => {
    const { service, mux } = setup()
    const create = mux.create.bind(mux)
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    mux.create = async (options) => {
      await gate
      return create(options)
    }
    const creating = service.create({ workingDir: '/w', name: 'slow' })
    await Promise.resolve()
    const during = await service.reconcile()
    expect(during.stopped).toEqual([])
    release()
    const s = await creating
    expect(service.resolve(s.id).state).toBe('starting')
    // once started, a terminal that is gone is noticed as before
    await mux.kill(s.tmuxSession!)
    expect((await service.reconcile()).stopped).toEqual([s.id])
  })
})
