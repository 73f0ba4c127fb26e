import { addUsage, ZERO_USAGE, type UsageTotals } from '../ports/usage-store.js'
import { descendantsOf } from '../session/tree.js'

/**
 * Each session's own totals and its subtree's (itself and every descendant), each session counted
 * exactly once: a parent id that is missing, or a cycle, never counts a session twice.
 */
export function rollUp(
  sessions: readonly { id: string; parentId: string | null }[],
  own: ReadonlyMap<string, UsageTotals>,
): Map<string, { own: UsageTotals; tree: UsageTotals }> {
  const out = new Map<string, { own: UsageTotals; tree: UsageTotals }>()
  for (const s of sessions) {
    const mine = own.get(s.id) ?? ZERO_USAGE
    // descendantsOf never returns the root, nor one session twice (cycles included)
    const tree = descendantsOf(s.id, sessions).reduce((sum, d) => (d.id === s.id ? sum : addUsage(sum, own.get(d.id) ?? ZERO_USAGE)), mine)
    out.set(s.id, { own: mine, tree })
  }
  return out
}
