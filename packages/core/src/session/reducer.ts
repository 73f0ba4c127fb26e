import type { HookEvent } from '../events/hook-event.js'
import type { Session, SessionState } from './session.js'

/** Events that do not come from a hook: what the server itself observes. */
export type SystemEvent =
  /** The pane shows the idle input line (after our interrupt, or by the watchdog). */
  | { kind: 'pane_idle' }
  /** The tmux session is gone. */
  | { kind: 'tmux_gone' }
  /** We sent Escape. Changes nothing by itself: the state moves once the pane shows the idle input line (`pane_idle`). */
  | { kind: 'interrupted' }

export type SessionEvent = HookEvent | SystemEvent

export type Effect =
  | { type: 'state_changed'; from: SessionState; to: SessionState }
  /** A turn ended (Stop/StopFailure). `finished` is false while background tasks still run. */
  | { type: 'turn_ended'; finished: boolean; message: string | null; failed: boolean }
  /** Claude's session_id changed (after /clear or /resume); not emitted when it is first learnt. */
  | { type: 'claude_session_changed'; from: string | null; to: string }
  /** A prompt was submitted (typed, pasted or sent by us). Not emitted for Claude's own `<task-notification>` prompts. */
  | {
      type: 'prompt_submitted'
      prompt: string
      /** Set by the service: the prompt is one it typed (a message, a Telegram reply), not the person at the keyboard. */
      typedByManager?: boolean
    }
  | { type: 'stopped'; reason: string }

export interface Reduction {
  session: Session
  effects: Effect[]
}

/** The tool whose PreToolUse opens a question dialog. */
const ASK_TOOL = 'AskUserQuestion'

const TOOL_EVENTS = new Set(['PreToolUse', 'PostToolUse', 'PostToolUseFailure'])

/**
 * SessionEnd reasons that do not end our session: Claude keeps running and starts (or resumes)
 * another conversation in place, announced by a SessionStart with the new session_id.
 */
const CONTINUING_END_REASONS = new Set(['clear', 'resume', 'compact'])

/** A dialog is open: the main agent is blocked on the user. */
const WAITING_STATES = new Set<SessionState>(['waiting_permission', 'waiting_answer'])

/**
 * Claude Code queues a background subagent's result as a synthetic prompt. It starts a turn,
 * but nobody typed it.
 */
export const isTaskNotification = (prompt: string | null): boolean =>
  prompt !== null && prompt.trimStart().startsWith('<task-notification>')

/**
 * Claude Code sends `permission_prompt` ~6 s after a dialog opens. An open dialog blocks the
 * agent, so hooks stop meanwhile: a hook less than this long before the notification shows the
 * dialog was answered already (a quick "Yes", then the tool's PostToolUse) and it is stale.
 */
export const PERMISSION_PROMPT_QUIET_MS = 4000

function afterNotification(state: SessionState, type: string | null, quietMs: number): SessionState {
  // Notifications are not ordered with the turn's other hooks and arrive seconds late
  // (permission_prompt ~6 s, idle_prompt ~60 s): they only fill in what a lost hook
  // would have said, and never undo a newer state.
  switch (type) {
    case 'permission_prompt':
      return state === 'working' && quietMs >= PERMISSION_PROMPT_QUIET_MS ? 'waiting_permission' : state
    case 'elicitation_dialog':
      return state === 'working' ? 'waiting_answer' : state
    case 'idle_prompt':
      return state === 'working' || state === 'starting' ? 'idle' : state
    default:
      return state
  }
}

function nextStateForHook(state: SessionState, e: HookEvent, kind: Session['kind'], quietMs: number): SessionState {
  // A stopped session comes back only when a Claude process starts in it again
  // (claude relaunched in its terminal, `--resume`); late hooks of the old process don't revive it.
  if (state === 'stopped') return e.event === 'SessionStart' ? 'idle' : 'stopped'
  switch (e.event) {
    case 'SessionStart':
      // compact happens inside a conversation; it does not end a turn
      return e.source === 'compact' && state !== 'starting' ? state : 'idle'
    case 'SessionEnd':
      // an external session is keyed by Claude's session_id: after /clear or /resume the
      // conversation goes on under another id, so this one ends
      return kind === 'managed' && e.reason !== null && CONTINUING_END_REASONS.has(e.reason) ? state : 'stopped'
    case 'Stop':
      // a Stop we answered with a message (block) does not end the turn
      return e.continued === true ? 'working' : 'idle'
    case 'StopFailure':
      return 'error'
    case 'PermissionRequest':
      // AskUserQuestion goes through the permission flow too; its dialog is a question
      return e.toolName === ASK_TOOL ? 'waiting_answer' : 'waiting_permission'
    case 'Elicitation':
      return 'waiting_answer'
    case 'ElicitationResult':
      return state === 'waiting_answer' ? 'working' : state
    case 'Notification':
      return afterNotification(state, e.notificationType, quietMs)
    case 'UserPromptSubmit':
      // a task notification may be queued while a dialog is open; it does not answer it
      return isTaskNotification(e.prompt) && WAITING_STATES.has(state) ? state : 'working'
    case 'SubagentStart':
      // The main agent's Agent call was already seen (PreToolUse) unless a permission dialog
      // held it. A start seen while idle comes from a background subagent spawning its own.
      return state === 'working' || state === 'waiting_permission' ? 'working' : state
    default:
      break
  }
  if (TOOL_EVENTS.has(e.event)) {
    if (e.event === 'PreToolUse' && e.toolName === ASK_TOOL) return 'waiting_answer'
    // Tool calls of a subagent (agent_id set) say nothing about the main agent: a background
    // subagent keeps calling tools after the turn's Stop, and next to an open dialog. But a
    // subagent's tool that finishes while a permission dialog is shown ran because that dialog
    // (the subagent's own: the usual case) was approved: the session is working again.
    if (e.agentId !== null) return state === 'waiting_permission' && e.event !== 'PreToolUse' ? 'working' : state
    return 'working'
  }
  // MessageDisplay, PostToolBatch, SubagentStop, compaction, config and file events: no change
  // (they may land after Stop and must not make an idle session look busy).
  return state
}

function reduceHook(session: Session, e: HookEvent, now: number): Reduction {
  if (session.state === 'stopped' && e.event !== 'SessionStart') {
    // the event is logged by the caller; the registry only notes that something arrived
    return { session: { ...session, lastEventAt: now }, effects: [] }
  }
  const effects: Effect[] = []
  const quietMs = now - (session.lastEventAt ?? session.lastActivityAt)
  const state = nextStateForHook(session.state, e, session.kind, quietMs)
  const next: Session = { ...session, state, lastActivityAt: now, lastEventAt: now, stateSince: state !== session.state ? now : session.stateSince }

  if (e.event === 'SessionStart' && e.claudeSessionId !== session.claudeSessionId) {
    if (session.claudeSessionId !== null) {
      effects.push({ type: 'claude_session_changed', from: session.claudeSessionId, to: e.claudeSessionId })
    }
    next.claudeSessionId = e.claudeSessionId
  } else if (next.claudeSessionId === null) {
    next.claudeSessionId = e.claudeSessionId
  }
  if (e.event === 'SessionStart' && e.source === 'startup') next.backgroundTasks = 0
  if (e.model !== null && (e.event === 'SessionStart' || e.event === 'PostModelSwitch')) next.model = e.model
  if (e.event === 'CwdChanged' && e.cwd !== null) next.workingDir = e.cwd
  if ((e.event === 'PreToolUse' || e.event === 'PostToolUse') && e.toolName !== null) next.lastTool = e.toolName
  if (e.event === 'UserPromptSubmit' && e.prompt !== null && !isTaskNotification(e.prompt)) {
    effects.push({ type: 'prompt_submitted', prompt: e.prompt })
  }
  if (e.event === 'Stop' || e.event === 'StopFailure') {
    next.lastMessage = e.lastAssistantMessage ?? session.lastMessage
    next.backgroundTasks = e.backgroundRunning
    if (e.continued !== true) effects.push({
      type: 'turn_ended',
      finished: e.backgroundRunning === 0,
      message: e.lastAssistantMessage,
      failed: e.event === 'StopFailure',
    })
  }
  if (state === 'stopped') {
    next.stoppedAt = now
    next.backgroundTasks = 0
    effects.push({ type: 'stopped', reason: e.reason ?? e.event })
  } else {
    next.stoppedAt = null
  }
  if (state !== session.state) effects.unshift({ type: 'state_changed', from: session.state, to: state })
  return { session: next, effects }
}

/** States the idle input line on screen proves wrong: no hook fires after Escape or a "No". */
const PANE_IDLE_ENDS = new Set<SessionState>(['starting', 'working', 'waiting_permission', 'waiting_answer'])

function reduceSystem(session: Session, e: SystemEvent, now: number): Reduction {
  let state = session.state
  if (e.kind === 'tmux_gone') state = 'stopped'
  else if (e.kind === 'pane_idle' && PANE_IDLE_ENDS.has(state)) state = 'idle'
  if (state === session.state) return { session, effects: [] }
  const next: Session = { ...session, state, lastActivityAt: now, stateSince: now }
  const effects: Effect[] = [{ type: 'state_changed', from: session.state, to: state }]
  if (state === 'stopped') {
    next.stoppedAt = now
    next.backgroundTasks = 0
    effects.push({ type: 'stopped', reason: 'tmux session gone' })
  }
  return { session: next, effects }
}

/**
 * The session state machine: pure, deterministic, fed by hook events and by what the
 * server observes. See specs/0002-session-state.md.
 *
 * - `starting` → `idle` on SessionStart; `idle` ↔ `working` on UserPromptSubmit / tool
 *   events / SubagentStart and Stop; `waiting_permission` on PermissionRequest (or a
 *   `permission_prompt` notification while working), `waiting_answer` on AskUserQuestion or an
 *   MCP elicitation, both left by the next tool event; `error` on StopFailure; `stopped` on
 *   SessionEnd (for a managed session, not when the reason is clear, resume or compact) or when
 *   the terminal is gone.
 * - Hooks of subagents (agent_id set) and late hooks (MessageDisplay, PostToolBatch,
 *   SubagentStop, notifications) never make an idle session working.
 * - A stopped session ignores everything but a SessionStart, which revives it.
 */
export function reduce(session: Session, event: SessionEvent, now: number): Reduction {
  return event.kind === 'hook' ? reduceHook(session, event, now) : reduceSystem(session, event, now)
}
