import type { NewToolEvent, ToolAuditStore, ToolEvent, ToolEventFilter } from '../ports/tool-audit-store.js'

/** Whether `e` passes `filter`: the one definition both stores follow. */
export function matchesToolFilter(e: ToolEvent, f: ToolEventFilter): boolean {
  return (
    (f.sessionIds === undefined || f.sessionIds.includes(e.sessionId)) &&
    (f.toolName === undefined || e.toolName === f.toolName) &&
    (f.destructive === undefined || e.destructive === f.destructive) &&
    (f.sensitive === undefined || e.sensitive === f.sensitive) &&
    (f.denied !== true || e.decision === 'deny') &&
    (f.project === undefined || e.project === f.project) &&
    (f.since === undefined || e.at >= f.since) &&
    (f.until === undefined || e.at < f.until)
  )
}

export class InMemoryToolAuditStore implements ToolAuditStore {
  private events: ToolEvent[] = []
  private readonly keys = new Set<string>()
  private nextId = 1

  append(event: NewToolEvent): void {
    const { dedupeKey, ...rest } = event
    if (dedupeKey) {
      if (this.keys.has(dedupeKey)) return
      this.keys.add(dedupeKey)
    }
    this.events.push({ ...rest, id: this.nextId++ })
  }

  list(filter: ToolEventFilter = {}): ToolEvent[] {
    const matching = this.events.filter((e) => matchesToolFilter(e, filter))
    return filter.limit === undefined ? matching : matching.slice(-filter.limit)
  }

  deleteBefore(at: number): number {
    const before = this.events.length
    this.events = this.events.filter((e) => e.at >= at)
    return before - this.events.length
  }
}
