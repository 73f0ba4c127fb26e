import { describe, expect, it } from 'vitest'
import type { NewToolEvent, ToolAuditStore } from '../ports/tool-audit-store.js'

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
  ...overrides,
})

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
  })
}
