import { SessionsError } from '../errors.js'
import { isLive, type Session } from './session.js'

/** Who asks: the operator (outside any session) or a managed session. */
export type Actor = { kind: 'operator' } | { kind: 'session'; id: string }

export const OPERATOR: Actor = { kind: 'operator' }

export interface SpawnLimits {
  /** Levels below a top-level session (a child is depth 1). */
  maxDepth: number
  /** Live children of one parent. */
  maxChildren: number
  /** Live sessions in all. */
  maxSessions: number
}

/** How many parents a session has. */
export function depthOf(session: Session, byId: (id: string) => Session | undefined): number {
  let depth = 0
  const seen = new Set([session.id])
  for (let p = session.parentId; p !== null; ) {
    const parent = byId(p)
    if (!parent || seen.has(parent.id)) break
    seen.add(parent.id)
    depth++
    p = parent.parentId
  }
  return depth
}

/** Refuses a new session that would break a limit; `parent` null for a top-level session. */
export function checkSpawnLimits(parent: Session | null, all: readonly Session[], limits: SpawnLimits): void {
  const live = all.filter(isLive)
  if (live.length >= limits.maxSessions) {
    throw new SessionsError('limit_reached', `${live.length} sessions are live, the limit is ${limits.maxSessions} (limits.max_sessions)`)
  }
  if (parent === null) return
  const byId = (id: string) => all.find((s) => s.id === id)
  const depth = depthOf(parent, byId) + 1
  if (depth > limits.maxDepth) {
    throw new SessionsError('limit_reached', `a child of ${parent.id} would be at depth ${depth}; the limit is ${limits.maxDepth} (limits.max_depth)`)
  }
  const children = live.filter((s) => s.parentId === parent.id).length
  if (children >= limits.maxChildren) {
    throw new SessionsError('limit_reached', `${parent.id} has ${children} live children; the limit is ${limits.maxChildren} (limits.max_children)`)
  }
}

export type ControlAction = 'kill' | 'clear' | 'rename' | 'interrupt'

/**
 * Whether `actor` may kill, clear, rename or interrupt `target`: the operator and the target's
 * parent may (`--tree` kills the subtree through its root). A session may only rename itself
 * (`sm name <name>`).
 */
export function mayControl(actor: Actor, target: Session, what: ControlAction): boolean {
  return actor.kind === 'operator' || target.parentId === actor.id || (what === 'rename' && target.id === actor.id)
}

export function assertMayControl(actor: Actor, target: Session, what: ControlAction): void {
  if (!mayControl(actor, target, what)) {
    const who = actor.kind === 'session' ? `session ${actor.id}` : 'the operator'
    throw new SessionsError('forbidden', `${who} may not ${what} ${target.name ?? target.id}: only its parent${target.parentId ? ` (${target.parentId})` : ''} or the operator may`)
  }
}

/** `sm children --status`: the states a person thinks in. */
export const CHILD_STATUSES = ['running', 'idle', 'completed', 'error', 'stopped', 'all'] as const
export type ChildStatus = Exclude<(typeof CHILD_STATUSES)[number], 'all'>

export function childStatus(s: Session): ChildStatus {
  switch (s.state) {
    case 'stopped':
      return 'stopped'
    case 'error':
      return 'error'
    case 'idle':
      // idle after a finished turn is done work; idle before any turn is waiting for work
      return s.lastMessage !== null && s.backgroundTasks === 0 ? 'completed' : 'idle'
    default:
      return 'running'
  }
}

/** Descendants of `rootId` (not the root), parents before children. */
export function descendantsOf<T extends Pick<Session, 'id' | 'parentId'>>(rootId: string, all: readonly T[]): T[] {
  const out: T[] = []
  const ids = new Set([rootId])
  for (let i = -1; i < out.length; i++) {
    const parentId = i < 0 ? rootId : out[i]!.id
    for (const s of all) {
      if (s.parentId === parentId && !ids.has(s.id)) {
        ids.add(s.id)
        out.push(s)
      }
    }
  }
  return out
}
