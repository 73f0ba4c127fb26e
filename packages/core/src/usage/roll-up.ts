import { addUsage, ZERO_USAGE, type UsageTotals } from '../ports/usage-store.js'

/**
 * Each session's own totals and its subtree's (itself and every descendant), each session counted
 * exactly once: a parent id that is missing, or a cycle, never counts a session twice.
 */
export function rollUp(
  sessions: readonly { id: string; parentId: string | null }[],
  own: ReadonlyMap<string, UsageTotals>,
): Map<string, { own: UsageTotals; tree: UsageTotals }> {
  const children = new Map<string, string[]>()
  const ids = new Set(sessions.map((s) => s.id))
  for (const s of sessions) {
    if (s.parentId !== null && ids.has(s.parentId)) children.set(s.parentId, [...(children.get(s.parentId) ?? []), s.id])
  }
  const out = new Map<string, { own: UsageTotals; tree: UsageTotals }>()
  for (const s of sessions) {
    let tree = ZERO_USAGE
    const seen = new Set<string>()
    const stack = [s.id]
    while (stack.length > 0) {
      const id = stack.pop()!
      if (seen.has(id)) continue
      seen.add(id)
      tree = addUsage(tree, own.get(id) ?? ZERO_USAGE)
      stack.push(...(children.get(id) ?? []))
    }
    out.set(s.id, { own: own.get(s.id) ?? ZERO_USAGE, tree })
  }
  return out
}
