import { describe, expect, it } from 'vitest'
import type { NewToolEvent, ToolAuditStore, ToolStatsRow } from '../ports/tool-audit-store.js'

export const aToolEvent = (overrides: Partial<NewToolEvent> = {}): NewToolEvent => ({
  at: 1_700_000_000_000,
  sessionId: 'a1b2c3d4',
  sessionName: 'alpha',
  parentId: null,
  claudeSessionId: 'c-1',
  agentId: null,
  toolUseId: 'toolu_1',
  cwd: '/home/tester/project',
  project: 'project',
  event: 'PreToolUse',
  toolName: 'Bash',
  toolInput: '{"command":"ls"}',
  toolResponse: null,
  toolResponseSize: null,
  targetFile: null,
  command: 'ls',
  exitCode: null,
  error: null,
  durationMs: null,
  destructive: false,
  category: null,
  sensitive: false,
  match: null,
  decision: null,
  decidedBy: null,
  ...overrides,
})

/** A stats row with every count 0 but those given. */
const aStatsRow = (key: string | null, counts: Partial<Omit<ToolStatsRow, 'key'>>): ToolStatsRow => ({
  key,
  calls: 0,
  events: 0,
  destructive: 0,
  sensitive: 0,
  denied: 0,
  failed: 0,
  ...counts,
})

/**
 * Three sessions' worth of audit rows. Flags on rows other than PreToolUse must not count as
 * destructive or sensitive calls; a deny counts on whatever row carries it.
 */
const statsFixture = (store: ToolAuditStore): void => {
  const s1 = { sessionId: 's1', toolName: 'Bash', project: 'p1' }
  const s2 = { sessionId: 's2', toolName: 'Read', project: 'p2' }
  const s3 = { sessionId: 's3', project: null }
  store.append(aToolEvent({ ...s1, at: 10, destructive: true, category: 'recursive_delete', decision: 'deny' }))
  store.append(aToolEvent({ ...s1, at: 11, event: 'PostToolUseFailure', destructive: true, category: 'recursive_delete' }))
  store.append(aToolEvent({ ...s1, at: 12 }))
  store.append(aToolEvent({ ...s1, at: 13, event: 'PostToolUse' }))
  store.append(aToolEvent({ ...s2, at: 20, sensitive: true }))
  store.append(aToolEvent({ ...s2, at: 21, event: 'PostToolUse', sensitive: true }))
  store.append(aToolEvent({ ...s2, at: 22, event: 'PermissionRequest', decision: 'deny' }))
  store.append(aToolEvent({ ...s3, at: 30, event: 'SubagentStart', toolName: null, toolUseId: null }))
  store.append(aToolEvent({ ...s3, at: 31, toolName: 'Edit', sensitive: true, category: 'sensitive_file' }))
}

/** The behaviour every ToolAuditStore must have. */
export function toolAuditContract(label: string, make: () => ToolAuditStore | Promise<ToolAuditStore>): void {
  describe(`${label} (tool audit contract)`, () => {
    it('appends and reads back every field, oldest first', async () => {
      const store = await make()
      const full = aToolEvent({ exitCode: 2, error: 'boom ✓', durationMs: 12, destructive: true, category: 'recursive_delete', sensitive: true, match: 'rm -rf /', decision: 'deny', toolResponse: '{"x":1}', toolResponseSize: 7 })
      store.append(full)
      store.append(aToolEvent({ at: full.at + 1, event: 'PostToolUse' }))
      const [first, second] = store.list()
      expect(first).toEqual({ ...full, id: first!.id })
      expect(second!.event).toBe('PostToolUse')
      expect(second!.id).toBeGreaterThan(first!.id)
    })

    it('filters by session, tool, flags, decision, project and time; limit keeps the newest', async () => {
      const store = await make()
      store.append(aToolEvent({ at: 1, sessionId: 's1', toolName: 'Bash', destructive: true, category: 'git_history', project: 'p1' }))
      store.append(aToolEvent({ at: 2, sessionId: 's2', toolName: 'Read', sensitive: true, match: '.env', project: 'p2' }))
      store.append(aToolEvent({ at: 3, sessionId: 's1', toolName: 'Bash', decision: 'deny', project: 'p1' }))
      store.append(aToolEvent({ at: 4, sessionId: 's3', toolName: 'Edit', project: 'p2' }))
      const ats = (f: Parameters<ToolAuditStore['list']>[0]) => store.list(f).map((e) => e.at)
      expect(ats({ sessionIds: ['s1'] })).toEqual([1, 3])
      expect(ats({ sessionIds: ['s2', 's3'] })).toEqual([2, 4])
      expect(ats({ toolName: 'Bash' })).toEqual([1, 3])
      expect(ats({ destructive: true })).toEqual([1])
      expect(ats({ sensitive: true })).toEqual([2])
      expect(ats({ denied: true })).toEqual([3])
      expect(ats({ project: 'p2' })).toEqual([2, 4])
      expect(ats({ since: 2, until: 4 })).toEqual([2, 3])
      expect(ats({ limit: 2 })).toEqual([3, 4])
      expect(ats({ sessionIds: [] })).toEqual([])
    })

    it('records an event with a dedupe key once', async () => {
      const store = await make()
      store.append(aToolEvent({ dedupeKey: 'spool:1' }))
      store.append(aToolEvent({ dedupeKey: 'spool:1' }))
      store.append(aToolEvent({ dedupeKey: null }))
      expect(store.list()).toHaveLength(2)
    })

    it('deletes events older than a time', async () => {
      const store = await make()
      for (const at of [1, 2, 3]) store.append(aToolEvent({ at }))
      expect(store.deleteBefore(3)).toBe(2)
      expect(store.list().map((e) => e.at)).toEqual([3])
    })

    it('returns each appended event with its id at once; ids increase and list shows the same ids', async () => {
      const store = await make()
      const first = store.append(aToolEvent({ at: 5 }))
      expect(first).toEqual({ ...aToolEvent({ at: 5 }), id: first.id })
      expect(Number.isInteger(first.id) && first.id > 0).toBe(true)
      const second = store.append(aToolEvent({ at: 6, event: 'PostToolUse', dedupeKey: 'spool:9' }))
      expect(second).not.toHaveProperty('dedupeKey')
      store.append(aToolEvent({ at: 7, dedupeKey: 'spool:9' }))
      const third = store.append(aToolEvent({ at: 1, toolUseId: 'toolu_2' }))
      expect(second.id).toBeGreaterThan(first.id)
      expect(third.id).toBeGreaterThan(second.id)
      expect(store.list()).toEqual([first, second, third])
    })

    it('filters by tool use id: the events of one tool call', async () => {
      const store = await make()
      store.append(aToolEvent({ at: 1, toolUseId: 'toolu_a' }))
      store.append(aToolEvent({ at: 2, toolUseId: 'toolu_b' }))
      store.append(aToolEvent({ at: 3, toolUseId: 'toolu_a', event: 'PostToolUse' }))
      store.append(aToolEvent({ at: 4, toolUseId: null, event: 'SubagentStart' }))
      const ats = (f: Parameters<ToolAuditStore['list']>[0]) => store.list(f).map((e) => e.at)
      expect(ats({ toolUseId: 'toolu_a' })).toEqual([1, 3])
      expect(ats({ toolUseId: 'toolu_a', since: 2 })).toEqual([3])
      expect(ats({ toolUseId: 'toolu_b', toolName: 'Read' })).toEqual([])
      expect(ats({ toolUseId: 'toolu_c' })).toEqual([])
    })

    it('counts calls, events, flags, denials and failures per tool, most calls first, no tool last', async () => {
      const store = await make()
      statsFixture(store)
      expect(store.stats({}, 'tool')).toEqual([
        aStatsRow('Bash', { calls: 2, events: 4, destructive: 1, denied: 1, failed: 1 }),
        aStatsRow('Read', { calls: 1, events: 3, sensitive: 1, denied: 1 }),
        aStatsRow('Edit', { calls: 1, events: 1, sensitive: 1 }),
        aStatsRow(null, { events: 1 }),
      ])
    })

    it('groups stats by session, category and project, a null group ranked by its counts', async () => {
      const store = await make()
      statsFixture(store)
      expect(store.stats({}, 'session')).toEqual([
        aStatsRow('s1', { calls: 2, events: 4, destructive: 1, denied: 1, failed: 1 }),
        aStatsRow('s2', { calls: 1, events: 3, sensitive: 1, denied: 1 }),
        aStatsRow('s3', { calls: 1, events: 2, sensitive: 1 }),
      ])
      expect(store.stats({}, 'category')).toEqual([
        aStatsRow(null, { calls: 2, events: 6, sensitive: 1, denied: 1 }),
        aStatsRow('recursive_delete', { calls: 1, events: 2, destructive: 1, denied: 1, failed: 1 }),
        aStatsRow('sensitive_file', { calls: 1, events: 1, sensitive: 1 }),
      ])
      expect(store.stats({}, 'project')).toEqual([
        aStatsRow('p1', { calls: 2, events: 4, destructive: 1, denied: 1, failed: 1 }),
        aStatsRow('p2', { calls: 1, events: 3, sensitive: 1, denied: 1 }),
        aStatsRow(null, { calls: 1, events: 2, sensitive: 1 }),
      ])
    })

    it('breaks stats ties by key, byte order, null last', async () => {
      const store = await make()
      for (const toolName of ['b', null, 'a', 'B']) store.append(aToolEvent({ toolName }))
      store.append(aToolEvent({ toolName: 'z', event: 'PostToolUse' }))
      store.append(aToolEvent({ toolName: 'y', event: 'PostToolUse' }))
      expect(store.stats({}, 'tool').map((r) => r.key)).toEqual(['B', 'a', 'b', null, 'y', 'z'])
    })

    it('applies the filter to stats, all but its limit', async () => {
      const store = await make()
      statsFixture(store)
      expect(store.stats({ since: 20, until: 31 }, 'session')).toEqual([
        aStatsRow('s2', { calls: 1, events: 3, sensitive: 1, denied: 1 }),
        aStatsRow('s3', { events: 1 }),
      ])
      expect(store.stats({ sessionIds: ['s1', 's3'] }, 'project')).toEqual([
        aStatsRow('p1', { calls: 2, events: 4, destructive: 1, denied: 1, failed: 1 }),
        aStatsRow(null, { calls: 1, events: 2, sensitive: 1 }),
      ])
      expect(store.stats({ denied: true }, 'tool')).toEqual([
        aStatsRow('Bash', { calls: 1, events: 1, destructive: 1, denied: 1 }),
        aStatsRow('Read', { events: 1, denied: 1 }),
      ])
      expect(store.stats({ limit: 1 }, 'session').map((r) => r.key)).toEqual(['s1', 's2', 's3'])
      expect(store.stats({ sessionIds: [] }, 'tool')).toEqual([])
      expect(store.stats({ project: 'nowhere' }, 'tool')).toEqual([])
    })

    it('deletes at most `limit` events before a time, the oldest first, and returns how many', async () => {
      const store = await make()
      for (const at of [3, 1, 2, 6, 1, 4]) store.append(aToolEvent({ at, toolUseId: `t${at}` }))
      const [, firstAt1, , , secondAt1] = store.list()
      expect(store.deleteBefore(5, 1)).toBe(1)
      expect(store.list().map((e) => e.id)).not.toContain(firstAt1!.id)
      expect(store.list().map((e) => e.id)).toContain(secondAt1!.id)
      expect(store.deleteBefore(5, 2)).toBe(2)
      expect(store.list().map((e) => e.at)).toEqual([3, 6, 4])
      expect(store.deleteBefore(5, 0)).toBe(0)
      expect(store.deleteBefore(5, 10)).toBe(2)
      expect(store.list().map((e) => e.at)).toEqual([6])
      expect(store.deleteBefore(5, 10)).toBe(0)
    })

    it('refuses a delete limit that is not a non-negative integer, deleting nothing', async () => {
      const store = await make()
      store.append(aToolEvent({ at: 1 }))
      for (const limit of [-1, 1.5, Number.NaN]) {
        expect(() => store.deleteBefore(5, limit)).toThrow(expect.objectContaining({ code: 'invalid_input' }))
      }
      expect(store.list()).toHaveLength(1)
    })
  })
}
