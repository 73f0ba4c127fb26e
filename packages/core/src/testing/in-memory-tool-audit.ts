import { SessionsError } from '../errors.js'
import type {
  NewToolEvent,
  ToolAuditStore,
  ToolEvent,
  ToolEventFilter,
  ToolStatsKey,
  ToolStatsRow,
} from '../ports/tool-audit-store.js'
import { matchesToolFilter } from '../audit/tool-filter.js'

export { matchesToolFilter }

const STATS_KEY: Record<ToolStatsKey, (e: ToolEvent) => string | null> = {
  tool: (e) => e.toolName,
  session: (e) => e.sessionId,
  category: (e) => e.category,
  project: (e) => e.project,
}

/** Most calls first, then most events, then key ascending (by code unit, like SQLite's BINARY), null last. */
function compareToolStats(a: ToolStatsRow, b: ToolStatsRow): number {
  if (a.calls !== b.calls) return b.calls - a.calls
  if (a.events !== b.events) return b.events - a.events
  if (a.key === b.key) return 0
  if (a.key === null) return 1
  if (b.key === null) return -1
  return a.key < b.key ? -1 : 1
}

/** Groups `events` by `by` into stats rows, ordered by `compareToolStats`. */
function toolStats(events: Iterable<ToolEvent>, by: ToolStatsKey): ToolStatsRow[] {
  const groups = new Map<string | null, ToolStatsRow>()
  for (const e of events) {
    const key = STATS_KEY[by](e)
    let row = groups.get(key)
    if (!row) {
      row = { key, calls: 0, events: 0, destructive: 0, sensitive: 0, denied: 0, failed: 0 }
      groups.set(key, row)
    }
    const call = e.event === 'PreToolUse'
    row.events++
    if (call) row.calls++
    if (call && e.destructive) row.destructive++
    if (call && e.sensitive) row.sensitive++
    if (e.decision === 'deny') row.denied++
    if (e.event === 'PostToolUseFailure') row.failed++
  }
  return [...groups.values()].sort(compareToolStats)
}

/** Refuses a `deleteBefore` limit that is not a non-negative integer (SQLite would read a negative one as "no limit"). */
function checkDeleteLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new SessionsError('invalid_input', `limit must be a non-negative integer, got ${limit}`)
  }
}

export class InMemoryToolAuditStore implements ToolAuditStore {
  private events: ToolEvent[] = []
  private readonly keys = new Set<string>()
  private nextId = 1

  /** A repeated dedupe key is dropped, but still uses up an id (as in the SQLite log). */
  append(event: NewToolEvent): ToolEvent {
    const { dedupeKey, ...rest } = event
    const stored: ToolEvent = { ...rest, id: this.nextId++ }
    if (dedupeKey) {
      if (this.keys.has(dedupeKey)) return stored
      this.keys.add(dedupeKey)
    }
    this.events.push({ ...stored })
    return stored
  }

  list(filter: ToolEventFilter = {}): ToolEvent[] {
    const matching = this.events.filter((e) => matchesToolFilter(e, filter)).map((e) => ({ ...e }))
    return filter.limit === undefined ? matching : matching.slice(-filter.limit)
  }

  stats(filter: ToolEventFilter, by: ToolStatsKey): ToolStatsRow[] {
    return toolStats(
      this.events.filter((e) => matchesToolFilter(e, filter)),
      by,
    )
  }

  deleteBefore(at: number, limit?: number): number {
    checkDeleteLimit(limit)
    const old = this.events.filter((e) => e.at < at).sort((a, b) => a.at - b.at || a.id - b.id)
    const doomed = new Set((limit === undefined ? old : old.slice(0, limit)).map((e) => e.id))
    this.events = this.events.filter((e) => !doomed.has(e.id))
    return doomed.size
  }
}
