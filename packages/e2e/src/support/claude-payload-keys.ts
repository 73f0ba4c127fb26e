/**
 * The exact top-level keys of real Claude Code 2.1.330 hook payloads, one entry per recorded
 * fixture (`<Event>` or `<Event>.<variant>`), in the order the CLI writes them. Used to check
 * that the fake sends the same shapes, and that the installed CLI still does.
 */
export const REAL_PAYLOAD_KEYS = {
  'SessionStart.startup': ['session_id', 'transcript_path', 'cwd', 'hook_event_name', 'source', 'model'],
  'SessionStart.clear': ['session_id', 'transcript_path', 'cwd', 'hook_event_name', 'source'],
  'SessionEnd.clear': ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'hook_event_name', 'reason'],
  'SessionEnd.other': ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'hook_event_name', 'reason'],
  'SessionEnd.prompt_input_exit': ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'hook_event_name', 'reason'],
  UserPromptSubmit: ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'permission_mode', 'hook_event_name', 'prompt'],
  'PreToolUse.Bash': ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'permission_mode', 'effort', 'hook_event_name', 'tool_name', 'tool_input', 'tool_use_id'],
  'PermissionRequest.Bash': ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'permission_mode', 'effort', 'hook_event_name', 'tool_name', 'tool_input', 'permission_suggestions'],
  'PostToolUse.Bash': ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'permission_mode', 'effort', 'hook_event_name', 'tool_name', 'tool_input', 'tool_response', 'tool_use_id', 'duration_ms'],
  PostToolBatch: ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'permission_mode', 'effort', 'hook_event_name', 'tool_calls'],
  Stop: ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'permission_mode', 'effort', 'hook_event_name', 'stop_hook_active', 'last_assistant_message', 'background_tasks', 'session_crons'],
  'Stop.with-background-task': ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'permission_mode', 'effort', 'hook_event_name', 'stop_hook_active', 'last_assistant_message', 'background_tasks', 'session_crons'],
  StopFailure: ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'effort', 'hook_event_name', 'error', 'last_assistant_message'],
  'Notification.permission_prompt': ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'hook_event_name', 'message', 'notification_type'],
  'Notification.idle_prompt': ['session_id', 'transcript_path', 'cwd', 'hook_event_name', 'message', 'notification_type'],
  MessageDisplay: ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'hook_event_name', 'turn_id', 'message_id', 'index', 'final', 'delta'],
  SubagentStart: ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'agent_id', 'agent_type', 'hook_event_name'],
  SubagentStop: ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'permission_mode', 'agent_id', 'agent_type', 'effort', 'hook_event_name', 'stop_hook_active', 'agent_transcript_path', 'last_assistant_message', 'background_tasks', 'session_crons'],
} as const satisfies Record<string, readonly string[]>

export type PayloadVariant = keyof typeof REAL_PAYLOAD_KEYS

/** Sorted keys, for order-insensitive comparison. */
export const sortedKeys = (value: object): string[] => Object.keys(value).sort()
export const realKeys = (variant: PayloadVariant): string[] => [...REAL_PAYLOAD_KEYS[variant]].sort()
