import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { ToolEvent } from '../ports/tool-audit-store.js'
import { aSessionService } from '../testing/service.js'
import { InMemoryToolAuditStore } from '../testing/in-memory-tool-audit.js'
import { ToolAuditor } from './auditor.js'
import { BUILTIN_PROFILES } from './policy.js'

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/payloads/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>

async function setup() {
  const store = new InMemoryToolAuditStore()
  const audit = new ToolAuditor({
    store,
    projectOf: (cwd) => (cwd === null ? null : cwd.split('/').at(-1)!),
    config: { responseCap: 100, home: '/home/tester', policies: { profiles: { ...BUILTIN_PROFILES, asker: { sensitive: 'ask' }, smask: { sm_commands: 'ask' } } } },
  })
  const { service, clock } = aSessionService({ deps: { audit } })
  const open = await service.create({ workingDir: '/home/tester/project', name: 'open' })
  const strict = await service.create({ workingDir: '/home/tester/project', name: 'guarded', policy: 'strict' })
  const hook = (sessionId: string, name: string, overrides: Record<string, unknown> = {}, dedupeKey?: string) => {
    const [event] = name.split('.')
    const payload = { ...fixture(name), ...overrides }
    return service.ingestHook({ event: event!, payload, raw: JSON.stringify(payload), managerId: sessionId, token: `token-${sessionId === open.id ? 1 : 2}`, dedupeKey })
  }
  return { store, audit, service, clock, open, strict, hook }
}

describe('ToolAuditor through SessionService.ingestHook', () => {
  it('records every tool event with the session, project and classification; no decision under the default profile', async () => {
    const { audit, open, hook } = await setup()
    expect(hook(open.id, 'PreToolUse.Bash')).toEqual({})
    hook(open.id, 'PostToolUse.Bash')
    hook(open.id, 'Stop')
    const rows = audit.list()
    expect(rows.map((r) => r.event)).toEqual(['PreToolUse', 'PostToolUse'])
    expect(rows[0]).toMatchObject({ sessionId: open.id, sessionName: 'open', project: 'project', toolName: 'Bash', command: 'rm -rf ./build', destructive: true, category: 'recursive_delete', decision: null })
    expect(rows[1]!.toolUseId).toBe(rows[0]!.toolUseId)
  })

  it('under strict, the PreToolUse reply denies with the category and matched text, and the row records it', async () => {
    const { audit, strict, hook } = await setup()
    const reply = hook(strict.id, 'PreToolUse.Bash')
    expect(reply).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: "claude-sessions policy 'strict' blocked: recursive_delete: rm -rf ./build",
      },
    })
    expect(audit.list({ denied: true })).toHaveLength(1)
    expect(audit.list({ denied: true })[0]!.decidedBy).toBe('policy')
    // a harmless command passes with no decision
    expect(hook(strict.id, 'PreToolUse.Bash', { tool_input: { command: 'ls -la' }, tool_use_id: 'toolu_x' })).toEqual({})
  })

  it("a held request's end is one PermissionDecision row: the tool, its classification, the decision and who decided", async () => {
    const { audit, open } = await setup()
    audit.recordDecision(open, { toolName: 'Bash', toolInput: { command: 'rm -rf ./build' } }, { decision: 'allow', decidedBy: 'web' }, 5_000)
    audit.recordDecision(open, { toolName: 'Bash', toolInput: { command: 'ls' } }, { decision: null, decidedBy: 'terminal' }, 6_000)
    expect(audit.list().map((r) => [r.event, r.command, r.destructive, r.decision, r.decidedBy, r.at])).toEqual([
      ['PermissionDecision', 'rm -rf ./build', true, 'allow', 'web', 5_000],
      ['PermissionDecision', 'ls', false, null, 'terminal', 6_000],
    ])
    expect(audit.list()[0]).toMatchObject({ sessionId: open.id, project: 'project', category: 'recursive_delete' })
  })

  it('asks for a sensitive Read under strict', async () => {
    const { strict, hook } = await setup()
    const reply = hook(strict.id, 'PreToolUse.Read', { tool_input: { file_path: '/home/tester/project/.env' } }) as { hookSpecificOutput: Record<string, string> }
    expect(reply.hookSpecificOutput['permissionDecision']).toBe('ask')
    expect(reply.hookSpecificOutput['permissionDecisionReason']).toContain('.env')
  })

  it('a spooled PreToolUse (past, the server was down) is recorded without a decision', async () => {
    const { audit, strict, hook } = await setup()
    expect(hook(strict.id, 'PreToolUse.Bash', {}, 'spool-1')).toEqual({})
    expect(audit.list()[0]).toMatchObject({ destructive: true, decision: null })
  })

  it('duration from Pre→Post by tool_use_id when the payload has no duration_ms, also after a restart (from the store)', async () => {
    const { audit, store, open, hook, clock } = await setup()
    hook(open.id, 'PreToolUse.Bash', { tool_use_id: 'toolu_a' })
    clock.advance(250)
    const { duration_ms: _d, ...post } = fixture('PostToolUse.Bash')
    hook(open.id, 'PostToolUse.Bash', { ...post, tool_use_id: 'toolu_a', duration_ms: undefined })
    expect(audit.list({ toolUseId: 'toolu_a' }).map((r) => r.durationMs)).toEqual([null, 250])

    // a second auditor (a restarted server) finds the PreToolUse in the store
    const again = new ToolAuditor({ store, projectOf: () => null, config: { responseCap: 100, policies: { profiles: BUILTIN_PROFILES } } })
    hook(open.id, 'PreToolUse.Bash', { tool_use_id: 'toolu_b' })
    const session = { ...open }
    const { parseHookEvent } = await import('../events/hook-event.js')
    const payload = { ...post, tool_use_id: 'toolu_b' }
    delete (payload as Record<string, unknown>)['duration_ms']
    audit.drain()
    again.record(session, parseHookEvent('PostToolUse', payload), payload, clock.now() + 40)
    again.drain()
    expect(audit.list({ toolUseId: 'toolu_b' }).at(-1)!.durationMs).toBe(40)
  })

  it('keeps duration_ms from the payload when present', async () => {
    const { audit, open, hook } = await setup()
    hook(open.id, 'PostToolUseFailure.Bash')
    expect(audit.list()[0]).toMatchObject({ event: 'PostToolUseFailure', durationMs: 190, exitCode: 2 })
  })

  it('publishes every row to onRecorded and only destructive/sensitive calls to onFlagged', async () => {
    const { audit, open, hook } = await setup()
    const recorded: ToolEvent[] = []
    const flagged: ToolEvent[] = []
    audit.onRecorded((e) => recorded.push(e))
    const stop = audit.onFlagged((e) => flagged.push(e))
    hook(open.id, 'PreToolUse.Bash')
    hook(open.id, 'PreToolUse.Bash', { tool_input: { command: 'ls' }, tool_use_id: 'toolu_ls' })
    hook(open.id, 'PreToolUse.Read', { tool_input: { file_path: '~/.ssh/id_rsa' } })
    audit.drain()
    expect(recorded).toHaveLength(3)
    expect(recorded.every((e) => e.id > 0)).toBe(true)
    expect(flagged.map((e) => [e.toolName, e.destructive, e.sensitive])).toEqual([
      ['Bash', true, false],
      ['Read', false, true],
    ])
    stop()
    hook(open.id, 'PreToolUse.Bash')
    audit.drain()
    expect(flagged).toHaveLength(2)
  })

  it("children inherit the parent's profile; a looser one is refused; an unknown one is refused", async () => {
    const { service, strict, open } = await setup()
    const child = await service.create({ workingDir: '/w', parentId: strict.id })
    expect(child.policy).toBe('strict')
    await expect(service.create({ workingDir: '/w', parentId: strict.id, policy: 'log' })).rejects.toThrow('less strict')
    await expect(service.create({ workingDir: '/w', policy: 'nope' })).rejects.toThrow("no policy profile 'nope'")
    expect((await service.create({ workingDir: '/w', parentId: open.id, policy: 'asker' })).policy).toBe('asker')
  })

  it('bad input: unknown tools, missing tool_use_id, binary-ish strings and a 5 MB response are stored, cut and never crash', async () => {
    const { audit, open, hook } = await setup()
    hook(open.id, 'PreToolUse.Bash', { tool_name: 'FrobnicateTool', tool_input: { weird: [1, { x: null }] }, tool_use_id: undefined })
    hook(open.id, 'PreToolUse.Bash', { tool_input: { command: 'echo \u0000\u0001\uFFFD\uD800 done' } })
    hook(open.id, 'PostToolUse.Bash', { tool_response: { stdout: 'x'.repeat(5 * 1024 * 1024) } })
    hook(open.id, 'PreToolUse.Bash', { tool_input: 'not an object' })
    const rows = audit.list()
    expect(rows).toHaveLength(4)
    expect(rows[0]).toMatchObject({ toolName: 'FrobnicateTool', toolUseId: null, destructive: false })
    expect(rows[1]!.command).toContain('done')
    expect(rows[2]!.toolResponse!.length).toBeLessThanOrEqual(100)
    expect(rows[2]!.toolResponseSize).toBeGreaterThan(5 * 1024 * 1024)
    expect(rows[3]).toMatchObject({ command: null, destructive: false })
  })

  it('records after the reply when nothing is to be decided; a decision first records what was queued before it', async () => {
    const { audit, store, open, strict, hook } = await setup()
    hook(open.id, 'PreToolUse.Bash', { tool_use_id: 'q1' })
    hook(open.id, 'PostToolUse.Bash', { tool_use_id: 'q1' })
    expect(store.list()).toEqual([])
    // strict decides at once, so the earlier events go first, in order
    hook(strict.id, 'PreToolUse.Bash', { tool_use_id: 'q2' })
    expect(store.list().map((r) => r.toolUseId)).toEqual(['q1', 'q1', 'q2'])
    hook(open.id, 'PreToolUse.Bash', { tool_use_id: 'q3' })
    await Promise.resolve()
    expect(store.list().map((r) => r.toolUseId)).toEqual(['q1', 'q1', 'q2', 'q3'])
    expect(audit.list()).toHaveLength(4)
  })

  it('a tool_input nested 20 000 deep, a failing row and a throwing listener never escape the deferred drain', async () => {
    const store = new InMemoryToolAuditStore()
    const errors: unknown[] = []
    let deferred: (() => void)[] = []
    const audit = new ToolAuditor({
      store,
      defer: (work) => deferred.push(work),
      onError: (error) => errors.push(error),
      projectOf: () => null,
      config: { responseCap: 100, policies: { profiles: BUILTIN_PROFILES } },
    })
    const { service } = aSessionService({ deps: { audit } })
    const open = await service.create({ workingDir: '/home/tester/project', name: 'open' })
    let deep: unknown = 'leaf'
    for (let i = 0; i < 20_000; i++) deep = { a: deep }
    const hook = (payload: Record<string, unknown>) =>
      service.ingestHook({ event: 'PreToolUse', payload: { ...fixture('PreToolUse.Bash'), ...payload }, raw: '{}', managerId: open.id, token: 'token-1' })
    hook({ tool_input: deep, tool_use_id: 'deep' })
    const append = store.append.bind(store)
    store.append = (event) => {
      if (event.toolUseId === 'bad') throw new Error('disk full')
      return append(event)
    }
    hook({ tool_use_id: 'bad' })
    hook({ tool_use_id: 'after' })
    audit.onRecorded(() => {
      throw new Error('listener broke')
    })
    const runAll = () => {
      const work = deferred
      deferred = []
      for (const w of work) w()
    }
    expect(runAll).not.toThrow()
    expect(store.list().map((r) => r.toolUseId)).toEqual(['deep', 'after'])
    expect(store.list()[0]!.toolInput).toContain('[too deep]')
    expect(errors.map((e) => (e as Error).message)).toEqual(['listener broke', 'disk full', 'listener broke'])
  })
})

describe('sm coordination commands (spec 0007, "sm commands")', () => {
  const bash = (command: string, id = `toolu_${Math.random().toString(36).slice(2)}`) => ({ tool_input: { command, description: 'coordinate' }, tool_use_id: id })
  const decisionOf = (reply: unknown) => (reply as { hookSpecificOutput?: Record<string, string> }).hookSpecificOutput

  it('a managed session gets allow for a Bash call of only sm commands, with the reason; the row records allow', async () => {
    const { audit, open, hook } = await setup()
    const reply = hook(open.id, 'PreToolUse.Bash', bash('sm spawn "CHILD-TASK: say hello" --name kid && sm wait kid 60', 'toolu_sm'))
    expect(reply).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'allow',
        permissionDecisionReason: "claude-sessions policy 'default' allows sm coordination commands: sm spawn, sm wait",
      },
    })
    // judged at once (the reply carries it), so the row is there already
    expect(audit.list({ toolUseId: 'toolu_sm' })[0]).toMatchObject({ command: 'sm spawn "CHILD-TASK: say hello" --name kid && sm wait kid 60', destructive: false, decision: 'allow' })
    // strict profiles allow them too
    const { strict } = await setup()
    expect(decisionOf(hook(strict.id, 'PreToolUse.Bash', bash('sm send kid hi')))?.['permissionDecision']).toBe('allow')
  })

  it('sm_commands: ask answers ask (a person confirms, in any permission mode); a child of such a parent may not choose a profile that allows', async () => {
    const { audit, service } = await setup()
    const careful = await service.create({ workingDir: '/home/tester/project', name: 'careful', policy: 'smask' })
    const payload = { ...fixture('PreToolUse.Bash'), ...bash('sm send kid hi', 'toolu_ask') }
    const reply = decisionOf(service.ingestHook({ event: 'PreToolUse', payload, raw: '{}', managerId: careful.id, token: 'token-3' }))
    expect(reply).toMatchObject({ permissionDecision: 'ask', permissionDecisionReason: "claude-sessions policy 'smask' asks before sm coordination commands: sm send" })
    expect(audit.list({ toolUseId: 'toolu_ask' })[0]!.decision).toBe('ask')
    await expect(service.create({ workingDir: '/w', parentId: careful.id, policy: 'default' })).rejects.toThrow('less strict')
    expect((await service.create({ workingDir: '/w', parentId: careful.id })).policy).toBe('smask')
  })

  it('no pass for anything else: a compound with another command is classified as usual (deny under strict, nothing under default)', async () => {
    const { audit, open, strict, hook } = await setup()
    expect(hook(open.id, 'PreToolUse.Bash', bash('sm send x hi; rm -rf /', 'toolu_c1'))).toEqual({})
    expect(hook(open.id, 'PreToolUse.Bash', bash('sm ls | sh', 'toolu_c2'))).toEqual({})
    expect(hook(open.id, 'PreToolUse.Bash', bash('sm send x "$(cat ~/.ssh/id_rsa)"', 'toolu_c3'))).toEqual({})
    expect(hook(open.id, 'PreToolUse.Bash', bash('sm ls > /etc/passwd', 'toolu_c4'))).toEqual({})
    expect(decisionOf(hook(strict.id, 'PreToolUse.Bash', bash('sm send x hi; rm -rf /', 'toolu_c5')))).toMatchObject({ permissionDecision: 'deny' })
    const rows = audit.list()
    expect(rows.map((r) => [r.toolUseId, r.decision])).toEqual([
      ['toolu_c1', null],
      ['toolu_c2', null],
      ['toolu_c3', null],
      ['toolu_c4', null],
      ['toolu_c5', 'deny'],
    ])
    expect(rows[0]).toMatchObject({ destructive: true, category: 'recursive_delete' })
  })

  it('a destructive or sensitive verdict wins: no allow even when every command is sm', async () => {
    const store = new InMemoryToolAuditStore()
    const audit = new ToolAuditor({ store, projectOf: () => null, config: { responseCap: 100, policies: { profiles: BUILTIN_PROFILES } } })
    const { service } = aSessionService({ deps: { audit } })
    const open = await service.create({ workingDir: '/home/tester/project', name: 'open' })
    const { parseHookEvent } = await import('../events/hook-event.js')
    const payload = { ...fixture('PreToolUse.Bash'), ...bash('sm send kid hi', 'toolu_v') }
    // a verdict the classifier would not give for sm: as if a rule flagged it
    const cached = (audit as unknown as { verdicts: Map<string, unknown> }).verdicts
    cached.set(`Bash\0/home/tester/project\0${JSON.stringify(payload.tool_input)}`, { destructive: true, category: 'recursive_delete', sensitive: false, match: 'sm', reasons: [] })
    expect(audit.record(open, parseHookEvent('PreToolUse', payload), payload, 1)).toBeNull()
    expect(store.list()[0]).toMatchObject({ destructive: true, decision: null })
  })

  it('external sessions and spooled events get no pass; other tools neither', async () => {
    const { audit, service, open, hook } = await setup()
    const payload = { ...fixture('PreToolUse.Bash'), ...bash('sm ls', 'toolu_ext'), session_id: 'external-claude-1' }
    expect(service.ingestHook({ event: 'PreToolUse', payload, raw: '{}', managerId: null, token: null })).toEqual({})
    expect(hook(open.id, 'PreToolUse.Bash', bash('sm ls', 'toolu_spool'), 'spool-sm')).toEqual({})
    expect(hook(open.id, 'PreToolUse.Read', { tool_input: { file_path: 'sm ls' }, tool_use_id: 'toolu_read' })).toEqual({})
    expect(audit.list().map((r) => [r.toolUseId, r.decision])).toEqual([
      ['toolu_ext', null],
      ['toolu_spool', null],
      ['toolu_read', null],
    ])
  })

  it("another replier's decision (a workspace lock's deny) is recorded with the row, and the stricter decision is the reply", async () => {
    const { audit, open, strict } = await setup()
    const { parseHookEvent } = await import('../events/hook-event.js')
    const lockDeny = { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'claude-sessions: locked by holder' } }
    const edit = (id: string) => ({ ...fixture('PreToolUse.Bash'), tool_name: 'Edit', tool_input: { file_path: '/home/tester/project/src/a.ts', old_string: 'a', new_string: 'b' }, tool_use_id: id })
    // default profile: nothing of its own to say, recorded after the reply, with the lock's deny
    const p1 = edit('toolu_l1')
    expect(audit.record(open, parseHookEvent('PreToolUse', p1), p1, 1, null, lockDeny)).toBeNull()
    // strict and sensitive-ask vs the lock's deny: deny stands
    const p2 = { ...edit('toolu_l2'), tool_input: { file_path: '/home/tester/project/.env', old_string: 'a', new_string: 'b' } }
    expect(audit.record(strict, parseHookEvent('PreToolUse', p2), p2, 2, null, lockDeny)).toEqual(lockDeny)
    // the sm allow never outlasts another's deny
    const p3 = { ...fixture('PreToolUse.Bash'), ...bash('sm ls', 'toolu_l3') }
    expect(decisionOf(audit.record(open, parseHookEvent('PreToolUse', p3), p3, 3, null, lockDeny))).toMatchObject({ permissionDecision: 'deny' })
    // a spooled event is past: no decision, whatever was replied
    const p4 = edit('toolu_l4')
    audit.record(open, parseHookEvent('PreToolUse', p4), p4, 4, 'spool-l4', lockDeny)
    expect(audit.list().map((r) => [r.toolUseId, r.decision])).toEqual([
      ['toolu_l1', 'deny'],
      ['toolu_l2', 'deny'],
      ['toolu_l3', 'deny'],
      ['toolu_l4', null],
    ])
    expect(audit.list({ denied: true })).toHaveLength(3)
  })
})
