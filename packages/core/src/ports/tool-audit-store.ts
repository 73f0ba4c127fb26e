/** One tool call event of the audit (PreToolUse, PostToolUse, PermissionRequest, ...), redacted. */
export interface ToolEvent {
  id: number
  at: number
  sessionId: string
  sessionName: string | null
  parentId: string | null
  claudeSessionId: string
  agentId: string | null
  toolUseId: string | null
  cwd: string | null
  /** Git root name, else the last component of cwd. */
  project: string | null
  event: string
  toolName: string | null
  /** JSON text. */
  toolInput: string | null
  /** JSON text, cut to the configured size. */
  toolResponse: string | null
  /** Size of the response before it was cut. */
  toolResponseSize: number | null
  targetFile: string | null
  command: string | null
  exitCode: number | null
  error: string | null
  durationMs: number | null
  destructive: boolean
  category: string | null
  sensitive: boolean
  match: string | null
  /** Decision given in the hook reply: `allow` (a managed session's only-sm Bash call), `ask`, `deny` (policy or a workspace lock), or null (logged only). */
  decision: string | null
  /**
   * Who decided: `policy` (this server's policy or a workspace lock, in the hook reply); for a
   * `PermissionDecision` row, the approval queue's outcome: `web`, `telegram`, `terminal`,
   * `timeout` or `gone`; null when nobody did (logged only).
   */
  decidedBy: string | null
}

export type NewToolEvent = Omit<ToolEvent, 'id'> & { dedupeKey?: string | null }

export interface ToolEventFilter {
  sessionIds?: readonly string[]
  /** Events of one tool call (its PreToolUse, PostToolUse, PermissionRequest, ...). */
  toolUseId?: string
  toolName?: string
  destructive?: boolean
  sensitive?: boolean
  /** Only events whose decision was `deny`. */
  denied?: boolean
  project?: string
  /** Epoch ms, inclusive. */
  since?: number
  /** Epoch ms, exclusive. */
  until?: number
  /** The newest `limit` matching events (a positive integer); absent means all. */
  limit?: number
}

export const TOOL_STATS_KEYS = ['tool', 'session', 'category', 'project'] as const
export type ToolStatsKey = (typeof TOOL_STATS_KEYS)[number]

/** One group of `sm tools stats`. */
export interface ToolStatsRow {
  /** Tool name, session id, category or project; null for rows without one. */
  key: string | null
  /** Tool calls: PreToolUse events. */
  calls: number
  /** Every audit event of the group. */
  events: number
  /** PreToolUse events flagged destructive. */
  destructive: number
  /** PreToolUse events flagged sensitive. */
  sensitive: number
  /** Events whose decision was `deny`. */
  denied: number
  /** PostToolUseFailure events. */
  failed: number
}

/** The tool-use audit log. Writes may be batched; reads see every appended event. */
export interface ToolAuditStore {
  /** Stores the event (perhaps a moment later) and returns it with its id, assigned at once. */
  append(event: NewToolEvent): ToolEvent
  /** Matching events, oldest first. */
  list(filter?: ToolEventFilter): ToolEvent[]
  /** Matching events grouped by `by`, most calls first (then events, then key); `limit` is ignored. */
  stats(filter: ToolEventFilter, by: ToolStatsKey): ToolStatsRow[]
  /** Deletes events older than `at`, at most `limit` of them (the oldest) when given; returns how many. */
  deleteBefore(at: number, limit?: number): number
}
