import { z } from 'zod'
import { SessionsError } from '../errors.js'
import { safeJsonStringify } from '../safe-json.js'

/** Hook events Claude Code fires (2.1.x). Unknown names are still accepted and stored. */
export const HOOK_EVENT_NAMES = [
  'SessionStart',
  'Setup',
  'UserPromptSubmit',
  'UserPromptExpansion',
  'PreToolUse',
  'PermissionRequest',
  'PermissionDenied',
  'PostToolUse',
  'PostToolUseFailure',
  'PostToolBatch',
  'Notification',
  'MessageDisplay',
  'SubagentStart',
  'SubagentStop',
  'TaskCreated',
  'TaskCompleted',
  'Stop',
  'StopFailure',
  'TeammateIdle',
  'InstructionsLoaded',
  'ConfigChange',
  'CwdChanged',
  'DirectoryAdded',
  'FileChanged',
  'WorktreeCreate',
  'WorktreeRemove',
  'PreCompact',
  'PostCompact',
  'PreModelSwitch',
  'PostModelSwitch',
  'Elicitation',
  'ElicitationResult',
  'SessionEnd',
] as const
export type KnownHookEventName = (typeof HOOK_EVENT_NAMES)[number]

export const EVENT_NAME_PATTERN = /^[A-Za-z]{1,64}$/

const str = z.string().optional()
const backgroundTask = z.object({ status: z.string().optional() }).passthrough()

/** The fields we read from a payload; everything else is kept verbatim in the raw JSON. */
export const hookPayloadSchema = z
  .object({
    session_id: z.string().min(1).max(200),
    transcript_path: str,
    cwd: str,
    hook_event_name: str,
    prompt_id: str,
    permission_mode: str,
    tool_name: str,
    tool_use_id: str,
    prompt: str,
    source: str,
    reason: str,
    model: str,
    message: str,
    notification_type: str,
    last_assistant_message: z.string().nullable().optional(),
    stop_hook_active: z.boolean().optional(),
    background_tasks: z.array(backgroundTask).optional(),
    error: z.unknown().optional(),
    agent_id: str,
    agent_type: str,
    to_model: str,
    new_cwd: str,
  })
  .passthrough()
export type HookPayload = z.infer<typeof hookPayloadSchema>

/** A hook event as the domain sees it: the parsed fields, flat. */
export interface HookEvent {
  kind: 'hook'
  event: string
  claudeSessionId: string
  cwd: string | null
  transcriptPath: string | null
  toolName: string | null
  toolUseId: string | null
  prompt: string | null
  source: string | null
  reason: string | null
  model: string | null
  notificationType: string | null
  message: string | null
  lastAssistantMessage: string | null
  stopHookActive: boolean
  /** Background tasks reported running by Stop / SubagentStop. */
  backgroundRunning: number
  error: string | null
  agentId: string | null
  /** Set by the server, not Claude: our reply to this Stop made Claude go on, so the turn goes on. */
  continued?: boolean
}

const errorText = (value: unknown): string | null => {
  if (value === undefined || value === null) return null
  return typeof value === 'string' ? value : (safeJsonStringify(value) ?? null)
}

/**
 * Validates a hook payload for `event`. Throws `invalid_input` with every problem listed.
 * The event name in the URL wins over `hook_event_name` in the body.
 */
export function parseHookEvent(event: string, payload: unknown): HookEvent {
  if (!EVENT_NAME_PATTERN.test(event)) {
    throw new SessionsError('invalid_input', `invalid hook event name '${event}'`)
  }
  const parsed = hookPayloadSchema.safeParse(payload)
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
      .join('; ')
    throw new SessionsError('invalid_input', `invalid ${event} payload: ${problems}`)
  }
  const p = parsed.data
  return {
    kind: 'hook',
    event,
    claudeSessionId: p.session_id,
    cwd: p.new_cwd ?? p.cwd ?? null,
    transcriptPath: p.transcript_path ?? null,
    toolName: p.tool_name ?? null,
    toolUseId: p.tool_use_id ?? null,
    prompt: p.prompt ?? null,
    source: p.source ?? null,
    reason: p.reason ?? null,
    model: p.model ?? p.to_model ?? null,
    notificationType: p.notification_type ?? null,
    message: p.message ?? null,
    lastAssistantMessage: p.last_assistant_message ?? null,
    stopHookActive: p.stop_hook_active ?? false,
    backgroundRunning: (p.background_tasks ?? []).filter(
      (t) => t.status === undefined || t.status === 'running' || t.status === 'pending',
    ).length,
    error: errorText(p.error),
    agentId: p.agent_id ?? null,
  }
}
