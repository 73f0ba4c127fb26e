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
    config: { responseCap: 100, home: '/home/tester', policies: { profiles: { ...BUILTIN_PROFILES, asker: { sensitive: 'ask' } } } },
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
    // a harmless command passes with no decision
    expect(hook(strict.id, 'PreToolUse.Bash', { tool_input: { command: 'ls -la' }, tool_use_id: 'toolu_x' })).toEqual({})
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
