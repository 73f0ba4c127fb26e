import type { StoredEvent } from '../events/stored-event.js'

/**
 * Claude Code's own subagents and background tasks of a session (`sm subagents`), folded from
 * its stored hook events. Pure: the events come in, oldest first.
 *
 * - `SubagentStart {agent_id, agent_type}` starts one (again, when a finished one is resumed);
 * - `SubagentStop {agent_id, agent_type, last_assistant_message}` ends it;
 * - `SessionEnd`, and a `SessionStart` that is not a `/compact` or a resume, end every one still
 *   running (Claude's process or conversation is gone);
 * - `Stop {background_tasks: [{id, type, status, description, agent_type}]}`: what was still
 *   running when the turn ended; the newest Stop's list is reported as it was. Descriptions
 *   found there (and in SubagentStop's list) fill in the subagents'.
 */

export type SubagentState = 'running' | 'done'

export interface Subagent {
  /** Claude's `agent_id`. */
  id: string
  /** `agent_type`, e.g. `general-purpose`, `Explore`. */
  type: string | null
  state: SubagentState
  /** When it started; null when its SubagentStart is older than the events read. */
  startedAt: number | null
  endedAt: number | null
  /** The task's description, from a `background_tasks` list, when one named it. */
  description: string | null
  /** Its last message (from SubagentStop), cut to `SUBAGENT_MESSAGE_CHARS`. */
  lastMessage: string | null
}

export interface BackgroundTask {
  id: string
  /** `subagent`, or another kind of background work. */
  type: string | null
  /** As Claude reported it at that Stop, e.g. `running`. */
  status: string | null
  description: string | null
  agentType: string | null
}

export interface SubagentsView {
  /** In order of first appearance. */
  subagents: Subagent[]
  /** `background_tasks` of the newest Stop; null when no Stop was seen, or its payload was cut to the size cap. */
  backgroundTasks: BackgroundTask[] | null
  /** When that Stop happened; null when none was seen. */
  backgroundTasksAt: number | null
}

/** A subagent's last message is cut to this many characters. */
export const SUBAGENT_MESSAGE_CHARS = 300

type FoldableEvent = Pick<StoredEvent, 'event' | 'at' | 'raw' | 'rawSize'>

const RELEVANT = new Set(['SubagentStart', 'SubagentStop', 'Stop', 'SessionEnd', 'SessionStart'])

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

/** The payload, or null when it was cut to the cap or is not a JSON object. */
function payloadOf(e: FoldableEvent): Record<string, unknown> | null {
  if (e.raw.length < e.rawSize) return null
  try {
    const value: unknown = JSON.parse(e.raw)
    return isRecord(value) ? value : null
  } catch {
    return null
  }
}

function backgroundTasksOf(payload: Record<string, unknown>): BackgroundTask[] | null {
  const list = payload['background_tasks']
  if (!Array.isArray(list)) return null
  const tasks: BackgroundTask[] = []
  for (const item of list) {
    if (!isRecord(item)) continue
    const id = str(item['id'])
    if (id === null) continue
    tasks.push({ id, type: str(item['type']), status: str(item['status']), description: str(item['description']), agentType: str(item['agent_type']) })
  }
  return tasks
}

const cut = (text: string | null): string | null => (text === null || text.length <= SUBAGENT_MESSAGE_CHARS ? text : `${text.slice(0, SUBAGENT_MESSAGE_CHARS - 1)}…`)

export function foldSubagents(events: readonly FoldableEvent[]): SubagentsView {
  const byId = new Map<string, Subagent>()
  const descriptions = new Map<string, string>()
  let backgroundTasks: BackgroundTask[] | null = null
  let backgroundTasksAt: number | null = null
  const endAll = (at: number) => {
    for (const s of byId.values()) {
      if (s.state === 'running') Object.assign(s, { state: 'done', endedAt: at })
    }
  }
  for (const e of events) {
    if (!RELEVANT.has(e.event)) continue
    const payload = payloadOf(e)
    if (e.event === 'Stop') {
      backgroundTasksAt = e.at
      backgroundTasks = payload === null ? null : (backgroundTasksOf(payload) ?? [])
    }
    if (e.event === 'SessionEnd') endAll(e.at)
    if (payload === null) continue
    for (const task of backgroundTasksOf(payload) ?? []) if (task.description !== null) descriptions.set(task.id, task.description)
    if (e.event === 'SessionStart') {
      const source = str(payload['source'])
      if (source !== 'compact' && source !== 'resume') endAll(e.at)
    } else if (e.event === 'SubagentStart' || e.event === 'SubagentStop') {
      const id = str(payload['agent_id'])
      if (id === null) continue
      const type = str(payload['agent_type'])
      const known = byId.get(id)
      if (e.event === 'SubagentStart') {
        if (known) Object.assign(known, { state: 'running', endedAt: null, type: type ?? known.type })
        else byId.set(id, { id, type, state: 'running', startedAt: e.at, endedAt: null, description: null, lastMessage: null })
      } else {
        const lastMessage = cut(str(payload['last_assistant_message']))
        if (known) Object.assign(known, { state: 'done', endedAt: e.at, type: type ?? known.type, lastMessage: lastMessage ?? known.lastMessage })
        else byId.set(id, { id, type, state: 'done', startedAt: null, endedAt: e.at, description: null, lastMessage })
      }
    }
  }
  const subagents = [...byId.values()].map((s) => ({ ...s, description: descriptions.get(s.id) ?? null }))
  return { subagents, backgroundTasks, backgroundTasksAt }
}
