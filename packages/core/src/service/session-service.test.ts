import { describe, expect, it } from 'vitest'
import { aSessionService } from '../testing/index.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

function setup() {
  const { service, sessions, events, mux, clock } = aSessionService({
    config: {
      agentCommand: ['claude', '--verbose'],
      env: { CLAUDE_SESSIONS_URL: 'http://127.0.0.1:1' },
      unsetEnv: ['CLAUDECODE'],
      rawEventCap: 64,
      delivery: { settleMs: 10, confirmMs: 1000, pollMs: 50, hookGraceMs: 100 },
      interruptSettleMs: 2000,
    },
    deps: { hashToken: (t) => `hash:${t}` },
  })
  const hook = (id: string, event: string, payload: Record<string, unknown> = {}, token = 'token-1') =>
    service.ingestHook({
      event,
      payload: { session_id: CLAUDE_ID, ...payload },
      raw: JSON.stringify({ session_id: CLAUDE_ID, ...payload }),
      managerId: id,
      token,
    })
  return { sessions, events, mux, clock, service, hook }
}

describe('SessionService', () => {
  it('creates a managed session: terminal with identity env, agent argv with model and prompt', async () => {
    const { service, mux, sessions } = setup()
    const s = await service.create({ workingDir: '/work', name: 'alpha', model: 'opus', prompt: 'do; $(x) "it"' })
    expect(s).toMatchObject({ id: '00000001', name: 'alpha', state: 'starting', tmuxSession: 'claude-00000001' })
    const t = mux.terminals.get('claude-00000001')!
    expect(t.options.command).toEqual(['claude', '--verbose', '--model', 'opus', '--', 'do; $(x) "it"'])
    expect(t.options.env).toMatchObject({
      CLAUDE_SESSION_MANAGER_ID: '00000001',
      CLAUDE_SESSION_MANAGER_TOKEN: 'token-1',
      CLAUDE_SESSIONS_URL: 'http://127.0.0.1:1',
    })
    expect(t.options.unsetEnv).toEqual(['CLAUDECODE'])
    expect(t.label).toBe('alpha 00000001')
    expect(sessions.tokenHash('00000001')).toBe('hash:token-1')
  })

  it('ends the options before the prompt: a prompt that looks like an option is only text', async () => {
    const { service, mux } = setup()
    for (const prompt of ['--version', '--settings={"disableAllHooks":true}', '--dangerously-skip-permissions', '-p x', '--', '-']) {
      const s = await service.create({ workingDir: '/w', prompt })
      expect(mux.terminals.get(s.tmuxSession!)!.options.command).toEqual(['claude', '--verbose', '--', prompt])
    }
  })

  it('refuses a model that could be read as an option (or is no model name) before anything starts', async () => {
    const { service, mux } = setup()
    for (const model of ['--dangerously-skip-permissions', '-x', '--settings={"disableAllHooks":true}', '', 'two words', 'a\nb']) {
      await expect(service.create({ workingDir: '/w', model })).rejects.toMatchObject({ code: 'invalid_input' })
    }
    expect(mux.terminals.size).toBe(0)
    expect(service.list()).toHaveLength(0)
    for (const model of ['opus', 'claude-opus-4-1[1m]', 'claude-3-5-sonnet-v2@20241022', 'arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-x']) {
      const s = await service.create({ workingDir: '/w', model })
      expect(mux.terminals.get(s.tmuxSession!)!.options.command).toEqual(['claude', '--verbose', '--model', model])
    }
  })

  it('refuses a bad name, a missing directory and a duplicate name without side effects', async () => {
    const { service, mux } = setup()
    await expect(service.create({ workingDir: '/w', name: 'bad name' })).rejects.toMatchObject({ code: 'invalid_name' })
    await expect(service.create({ workingDir: 'relative' })).rejects.toMatchObject({ code: 'invalid_input' })
    await service.create({ workingDir: '/w', name: 'dup' })
    await expect(service.create({ workingDir: '/w', name: 'dup' })).rejects.toMatchObject({ code: 'name_taken' })
    expect(mux.terminals.size).toBe(1)
    expect(service.list()).toHaveLength(1)
  })

  it('moves state from hooks and stores every event with a capped raw payload', async () => {
    const { service, hook, events } = setup()
    const s = await service.create({ workingDir: '/w' })
    hook(s.id, 'SessionStart', { source: 'startup', model: 'claude-opus' })
    expect(service.resolve(s.id)).toMatchObject({ state: 'idle', claudeSessionId: CLAUDE_ID, model: 'claude-opus' })
    hook(s.id, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 't1', tool_input: { command: 'x'.repeat(200) } })
    expect(service.resolve(s.id)).toMatchObject({ state: 'working', lastTool: 'Bash' })
    hook(s.id, 'Stop', { last_assistant_message: 'done' })
    expect(service.resolve(s.id)).toMatchObject({ state: 'idle', lastMessage: 'done' })
    const stored = events.list(s.id)
    expect(stored.map((e) => e.event)).toEqual(['SessionStart', 'PreToolUse', 'Stop'])
    expect(stored[1]!.raw).toHaveLength(64)
    expect(stored[1]!.rawSize).toBeGreaterThan(200)
  })

  it('rejects hooks with a wrong token or unknown session and records nothing', async () => {
    const { service, hook, events } = setup()
    const s = await service.create({ workingDir: '/w' })
    expect(() => hook(s.id, 'Stop', {}, 'wrong')).toThrow(expect.objectContaining({ code: 'unauthorized' }))
    expect(() => hook('0000ffff', 'Stop')).toThrow(expect.objectContaining({ code: 'session_not_found' }))
    expect(() => hook('../etc', 'Stop')).toThrow(expect.objectContaining({ code: 'invalid_input' }))
    expect(() => hook(s.id, 'Stop', { session_id: 42 })).toThrow(expect.objectContaining({ code: 'invalid_input' }))
    expect(events.count()).toBe(0)
    expect(service.resolve(s.id).state).toBe('starting')
  })

  it('keys sessions without our id by Claude session_id as external, and ends them on /clear', () => {
    const { service } = setup()
    const ext = (event: string, payload: Record<string, unknown>) =>
      service.ingestHook({ event, payload, raw: '{}', managerId: null, token: null })
    ext('SessionStart', { session_id: 'c-old', source: 'startup', cwd: '/repo' })
    expect(service.resolve('c-old')).toMatchObject({ kind: 'external', state: 'idle', workingDir: '/repo' })
    ext('SessionEnd', { session_id: 'c-old', reason: 'clear' })
    ext('SessionStart', { session_id: 'c-new', source: 'clear' })
    expect(service.resolve('c-old').state).toBe('stopped')
    expect(service.resolve('c-new').state).toBe('idle')
    return expect(service.input('c-new', 'hi')).rejects.toMatchObject({ code: 'not_typable' })
  })

  it('imports a spooled event once by its dedupe key, without a token', async () => {
    const { service, events } = setup()
    const s = await service.create({ workingDir: '/w' })
    const spooled = {
      event: 'Stop',
      payload: { session_id: CLAUDE_ID, last_assistant_message: 'x' },
      raw: '{}',
      managerId: s.id,
      token: null,
      trusted: true,
      dedupeKey: 'spool:1.json',
    }
    service.ingestHook(spooled)
    service.ingestHook(spooled)
    expect(events.count()).toBe(1)
  })

  it('delivers text confirmed by the UserPromptSubmit hook', async () => {
    const { service, mux, hook } = setup()
    const s = await service.create({ workingDir: '/w' })
    mux.onSubmit = (_name, text) => hook(s.id, 'UserPromptSubmit', { prompt: text })
    const text = `a;b $(c) 'q' "d" \`e\` é ✓\nline2`
    const { result, session } = await service.input(s.id, text)
    expect(result).toEqual({ delivered: true, confirmedBy: 'hook', attempts: 1, confirmedAt: expect.any(Number) })
    expect(session.state).toBe('working')
    expect(mux.terminals.get(s.tmuxSession!)!.submitted).toEqual([text])
  })

  it('retries Enter once, then fails with delivery_failed', async () => {
    const { service, mux } = setup()
    const s = await service.create({ workingDir: '/w' })
    mux.swallowEnter = true
    await expect(service.input(s.id, 'hello')).rejects.toMatchObject({ code: 'delivery_failed' })
    expect(mux.terminals.get(s.tmuxSession!)!.keys).toEqual(['Enter', 'Enter'])
  })

  it('serializes concurrent sends to one session', async () => {
    const { service, mux } = setup()
    const s = await service.create({ workingDir: '/w' })
    const results = await Promise.all(['one', 'two', 'three'].map((t) => service.input(s.id, t)))
    expect(results.every((r) => r.result.delivered)).toBe(true)
    expect(mux.terminals.get(s.tmuxSession!)!.submitted).toEqual(['one', 'two', 'three'])
  })

  it('returns to idle after Escape when the screen shows the input line', async () => {
    const { service, hook } = setup()
    const s = await service.create({ workingDir: '/w' })
    hook(s.id, 'UserPromptSubmit', { prompt: 'go' })
    expect(service.resolve(s.id).state).toBe('working')
    const after = await service.sendKey(s.id, 'Escape')
    expect(after.state).toBe('idle')
  })

  it('kills: terminal gone and session stopped; stopped sessions refuse input', async () => {
    const { service, mux } = setup()
    const s = await service.create({ workingDir: '/w', name: 'k' })
    const killed = await service.kill('k')
    expect(killed.state).toBe('stopped')
    expect(mux.terminals.size).toBe(0)
    await expect(service.input(s.id, 'x')).rejects.toMatchObject({ code: 'session_stopped' })
  })

  it('reconciles: stops sessions whose terminal is gone, idles stale working ones, adopts unknown terminals', async () => {
    const { service, mux, hook, clock } = setup()
    const gone = await service.create({ workingDir: '/w' })
    const stale = await service.create({ workingDir: '/w' })
    hook(stale.id, 'UserPromptSubmit', { prompt: 'x' }, 'token-2')
    await mux.kill(gone.tmuxSession!)
    await mux.create({ name: 'claude-abcdef12', cwd: '/w', env: {}, unsetEnv: [], command: ['claude'] })
    await mux.create({ name: 'other', cwd: '/w', env: {}, unsetEnv: [], command: ['sh'] })
    clock.advance(30_000)
    const r = await service.reconcile({ adopt: true })
    expect(r).toEqual({ stopped: [gone.id], idled: [stale.id], adopted: ['abcdef12'] })
    expect(service.resolve('abcdef12')).toMatchObject({ kind: 'managed', state: 'idle' })
  })

  it("an adopted terminal (its record lost) keeps its token: its hooks are accepted, another token's are not", async () => {
    const { service, mux, hook } = setup()
    await mux.create({ name: 'claude-abcdef12', cwd: '/w', env: { CLAUDE_SESSION_MANAGER_TOKEN: 'kept-token' }, unsetEnv: [], command: ['claude'] })
    expect((await service.reconcile({ adopt: true })).adopted).toEqual(['abcdef12'])
    hook('abcdef12', 'UserPromptSubmit', { prompt: 'still here' }, 'kept-token')
    expect(service.resolve('abcdef12').state).toBe('working')
    expect(() => hook('abcdef12', 'Stop', {}, 'token-9')).toThrow()
    expect(service.resolve('abcdef12').state).toBe('working')
  })

  it('renames with validation and shows the name in the status bar', async () => {
    const { service, mux } = setup()
    const s = await service.create({ workingDir: '/w' })
    await expect(service.rename(s.id, 'no spaces')).rejects.toMatchObject({ code: 'invalid_name' })
    await service.rename(s.id.slice(0, 6), 'renamed')
    expect(service.resolve('renamed').id).toBe(s.id)
    expect(mux.terminals.get(s.tmuxSession!)!.label).toBe('renamed 00000001')
  })
})

describe('SessionService agent command', () => {
  it('refuses to create a session when the agent program is missing, leaving nothing behind', async () => {
    const { service, sessions, mux } = aSessionService({ deps: { commandAvailable: (c) => c !== 'claude' } })
    await expect(service.create({ workingDir: '/w' })).rejects.toMatchObject({
      code: 'multiplexer_failed',
      message: expect.stringContaining("agent command 'claude' not found"),
    })
    expect(sessions.list({ includeStopped: true })).toEqual([])
    expect(mux.terminals.size).toBe(0)
  })
})

describe('SessionService: states no hook reports', () => {
  it('after "No" in a permission dialog, the idle input line returns the session to idle', async () => {
    const { service, hook, mux } = setup()
    const s = await service.create({ workingDir: '/w' })
    hook(s.id, 'PreToolUse', { tool_name: 'Bash' })
    hook(s.id, 'PermissionRequest', { tool_name: 'Bash' })
    expect(service.resolve(s.id).state).toBe('waiting_permission')
    const after = await service.sendKey(s.id, '3')
    expect(after.state).toBe('idle')
    expect(mux.terminals.get(s.tmuxSession!)!.keys).toEqual(['3'])
  })

  it('a key that is not an answer does not watch the screen', async () => {
    const { service, hook } = setup()
    const s = await service.create({ workingDir: '/w' })
    hook(s.id, 'UserPromptSubmit', { prompt: 'x' })
    expect((await service.sendKey(s.id, 'y')).state).toBe('working')
  })

  it('the watchdog idles a session left waiting for permission whose screen shows the input line', async () => {
    const { service, hook, clock } = setup()
    const s = await service.create({ workingDir: '/w' })
    hook(s.id, 'PermissionRequest', { tool_name: 'Bash' })
    clock.advance(30_000)
    expect((await service.reconcile()).idled).toEqual([s.id])
  })

  it('typing into a session just started waits for its input line (SessionStart comes before it)', async () => {
    const { service, mux, clock, hook } = setup()
    const s = await service.create({ workingDir: '/w' })
    hook(s.id, 'SessionStart', { source: 'startup' })
    expect(service.resolve(s.id).state).toBe('idle')
    const terminal = mux.terminals.get(s.tmuxSession!)!
    terminal.screen = 'Loading…'
    const started = clock.now()
    const sleep = clock.sleep.bind(clock)
    clock.sleep = async (ms: number) => {
      await sleep(ms)
      if (clock.now() - started >= 1000) terminal.screen = null // the agent has drawn its input box
    }
    const { result } = await service.input(s.id, 'hello')
    expect(result.delivered).toBe(true)
    expect(terminal.submitted).toEqual(['hello'])
    expect(clock.now() - started).toBeGreaterThanOrEqual(1000)
  })

  it('gives up on a session that never shows an input line', async () => {
    const { service, mux } = setup()
    const s = await service.create({ workingDir: '/w' })
    mux.terminals.get(s.tmuxSession!)!.screen = 'Loading…'
    await expect(service.input(s.id, 'hello')).rejects.toMatchObject({ code: 'delivery_failed' })
  })
})

describe('SessionService: a fresh session showing a dialog', () => {
  it('refuses typing at once instead of waiting for an input line', async () => {
    const { service, mux, clock } = aSessionService({ config: { startWaitMs: 30_000 } })
    const s = await service.create({ workingDir: '/w' })
    mux.terminals.get(s.tmuxSession!)!.screen = ' Do you want to proceed?\n ❯ 1. Yes\n   3. No\n\n Esc to cancel · Tab to amend\n'
    const started = clock.now()
    await expect(service.input(s.id, 'not now')).rejects.toMatchObject({ code: 'delivery_failed', message: expect.stringContaining('dialog') })
    expect(clock.now() - started).toBeLessThan(1000)
  })
})

describe('SessionService: answering Yes', () => {
  it('is not taken for "No" when the idle line shows for a moment before the tool hook lands', async () => {
    const { service, hook, clock } = setup()
    const s = await service.create({ workingDir: '/w' })
    hook(s.id, 'PreToolUse', { tool_name: 'Bash' })
    hook(s.id, 'PermissionRequest', { tool_name: 'Bash' })
    const started = clock.now()
    const sleep = clock.sleep.bind(clock)
    let fired = false
    clock.sleep = async (ms: number) => {
      await sleep(ms)
      if (!fired && clock.now() - started >= 400) {
        fired = true
        hook(s.id, 'PostToolUse', { tool_name: 'Bash' }) // the fake screen showed the idle line all along
      }
    }
    const after = await service.sendKey(s.id, '1')
    expect(after.state).toBe('working')
  })
})

describe('SessionService.subtree', () => {
  it('returns the session and every descendant at any depth, stopped ones too, parents first', async () => {
    const { service } = aSessionService()
    const root = await service.create({ workingDir: '/w', name: 'root' })
    const a = await service.create({ workingDir: '/w', parentId: root.id })
    const b = await service.create({ workingDir: '/w', parentId: root.id })
    const a1 = await service.create({ workingDir: '/w', parentId: a.id })
    const other = await service.create({ workingDir: '/w' })
    await service.kill(b.id)
    expect(service.subtree('root').map((s) => s.id)).toEqual([root.id, a.id, b.id, a1.id])
    expect(service.subtree(a.id).map((s) => s.id)).toEqual([a.id, a1.id])
    expect(service.subtree(other.id).map((s) => s.id)).toEqual([other.id])
  })
})
