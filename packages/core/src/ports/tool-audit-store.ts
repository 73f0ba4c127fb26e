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
  /** Policy decision given in the hook reply: `ask`, `deny`, or null (logged only). */
  decision: string | null
}

export type NewToolEvent = Omit<ToolEvent, 'id'> & { dedupeKey?: string | null }

export interface ToolEventFilter {
  sessionIds?: readonly string[]
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

/** The tool-use audit log. Writes may be batched; reads see every appended event. */
export interface ToolAuditStore {
  append(event: NewToolEvent): void
  /** Matching events, oldest first. */
  list(filter?: ToolEventFilter): ToolEvent[]
  /** Deletes events older than `at`; returns how many. */
  deleteBefore(at: number): number
}
