import type { HookEvent } from '../events/hook-event.js'
import type { NewToolEvent } from '../ports/tool-audit-store.js'
import type { Session } from '../session/session.js'
import { classifyToolUse, type Verdict } from './classify.js'
import { safeJsonStringify } from '../safe-json.js'
import { redactedPrefix, redactSecrets } from './redact.js'

/** The hook events the tool audit records. */
export const TOOL_AUDIT_EVENTS: ReadonlySet<string> = new Set([
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'PermissionRequest',
  'SubagentStart',
  'SubagentStop',
])

export interface ToolEventOptions {
  /** Stored tool responses are cut to this many characters (the size before is kept). */
  responseCap: number
  /** Extra redaction patterns from config. */
  redact?: readonly RegExp[]
  /** The project: git root name, else the last component of cwd (found by the caller). */
  project: string | null
  home?: string | undefined
  /** The verdict when the caller has classified the call already. */
  verdict?: Verdict | null
}

const asRecord = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {})
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** The classifier's verdict for the events that carry a tool call about to run, else null. */
export function verdictOf(hook: HookEvent, toolInput: unknown, home?: string): Verdict | null {
  if (hook.toolName === null || (hook.event !== 'PreToolUse' && hook.event !== 'PermissionRequest')) return null
  return classifyToolUse(hook.toolName, toolInput, { ...(hook.cwd ? { cwd: hook.cwd } : {}), ...(home ? { home } : {}) })
}

/**
 * The audit row of a tool hook event: classified (Pre/Permission), redacted, response cut to
 * the cap. Returns null for events the audit doesn't record. Pure.
 */
export function toolEventFrom(session: Session, hook: HookEvent, payload: unknown, at: number, options: ToolEventOptions): NewToolEvent | null {
  if (!TOOL_AUDIT_EVENTS.has(hook.event)) return null
  const p = asRecord(payload)
  const input = asRecord(p.tool_input)
  const clean = (text: string | null): string | null => (text === null ? null : redactSecrets(text, options.redact).text)
  const verdict = options.verdict !== undefined ? options.verdict : verdictOf(hook, p.tool_input, options.home)
  const response = p.tool_response === undefined ? null : (safeJsonStringify(p.tool_response) ?? null)
  const error = hook.event === 'PostToolUseFailure' ? hook.error : null
  const exitFromError = error !== null ? /Exit code (\d+)/.exec(error) : null
  const exitCode = hook.event === 'PostToolUse' && hook.toolName === 'Bash' ? 0 : exitFromError ? Number(exitFromError[1]) : null
  const duration = typeof p.duration_ms === 'number' ? Math.round(p.duration_ms) : null
  return {
    at,
    sessionId: session.id,
    sessionName: session.name,
    parentId: session.parentId,
    claudeSessionId: hook.claudeSessionId,
    agentId: hook.agentId,
    toolUseId: hook.toolUseId,
    cwd: hook.cwd,
    project: options.project,
    event: hook.event,
    toolName: hook.toolName,
    toolInput: p.tool_input === undefined ? null : clean(safeJsonStringify(p.tool_input) ?? null),
    toolResponse: response === null ? null : redactedPrefix(response, options.responseCap, options.redact),
    toolResponseSize: response === null ? null : response.length,
    targetFile: str(input.file_path) ?? str(input.notebook_path) ?? str(input.path),
    command: clean(str(input.command)),
    exitCode,
    error: clean(error),
    durationMs: duration,
    destructive: verdict?.destructive ?? false,
    category: verdict?.category ?? null,
    sensitive: verdict?.sensitive ?? false,
    match: clean(verdict?.match ?? null),
    decision: null,
    decidedBy: null,
  }
}
