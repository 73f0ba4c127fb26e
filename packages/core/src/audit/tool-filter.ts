import type { ToolEvent, ToolEventFilter } from '../ports/tool-audit-store.js'

/** Whether `e` passes `filter`: the one definition every store and the live stream follow. */
export function matchesToolFilter(e: ToolEvent, f: ToolEventFilter): boolean {
  return (
    (f.sessionIds === undefined || f.sessionIds.includes(e.sessionId)) &&
    (f.toolUseId === undefined || e.toolUseId === f.toolUseId) &&
    (f.toolName === undefined || e.toolName === f.toolName) &&
    (f.destructive === undefined || e.destructive === f.destructive) &&
    (f.sensitive === undefined || e.sensitive === f.sensitive) &&
    (f.denied !== true || e.decision === 'deny') &&
    (f.project === undefined || e.project === f.project) &&
    (f.since === undefined || e.at >= f.since) &&
    (f.until === undefined || e.at < f.until)
  )
}
