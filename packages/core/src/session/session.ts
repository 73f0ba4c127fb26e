export const SESSION_STATES = [
  'starting',
  'idle',
  'working',
  'waiting_permission',
  'waiting_answer',
  'error',
  'stopped',
] as const
export type SessionState = (typeof SESSION_STATES)[number]

/** `managed`: started by us in tmux, typable. `external`: a plain `claude` that sends our hooks. */
export type SessionKind = 'managed' | 'external'

export interface Session {
  /** 8 hex chars for managed sessions; Claude's own session_id for external ones. */
  id: string
  kind: SessionKind
  name: string | null
  state: SessionState
  workingDir: string
  /** tmux session name (`claude-<id>`), null for external sessions. */
  tmuxSession: string | null
  /** Claude's current session_id (changes on /clear). */
  claudeSessionId: string | null
  model: string | null
  parentId: string | null
  createdAt: number
  lastActivityAt: number
  stoppedAt: number | null
  /** Tool of the last PreToolUse/PostToolUse seen. */
  lastTool: string | null
  /** `last_assistant_message` of the last Stop / StopFailure. */
  lastMessage: string | null
  /** Background tasks still running at the last Stop: the turn is not finished while > 0. */
  backgroundTasks: number
  /** Time of the last hook event (ms). */
  lastEventAt: number | null
  /** When the session entered its current state (ms): "waiting for 4 min". */
  stateSince: number
  /** The policy profile its tool calls are judged by; null: the default profile. */
  policy: string | null
  /** The prompt a parent spawned it with (`sm spawn`); null for sessions not spawned. */
  spawnPrompt: string | null
  /** What the session says it is doing (`sm task`). */
  currentTask: string | null
}

export const isLive = (s: Pick<Session, 'state'>): boolean => s.state !== 'stopped'

export const tmuxSessionName = (id: string): string => `claude-${id}`

/** A new session record: the identity fields given, everything else empty. */
export function newSession(
  fields: Pick<Session, 'id' | 'kind' | 'state' | 'workingDir' | 'tmuxSession' | 'createdAt'> &
    Partial<Pick<Session, 'name' | 'claudeSessionId' | 'model' | 'parentId' | 'policy' | 'spawnPrompt' | 'currentTask'>>,
): Session {
  return {
    name: null,
    claudeSessionId: null,
    model: null,
    parentId: null,
    lastActivityAt: fields.createdAt,
    stoppedAt: null,
    lastTool: null,
    lastMessage: null,
    backgroundTasks: 0,
    lastEventAt: null,
    stateSince: fields.createdAt,
    policy: null,
    spawnPrompt: null,
    currentTask: null,
    ...fields,
  }
}
