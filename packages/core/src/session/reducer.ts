import type { HookEvent } from '../events/hook-event.js'
import type { Session, SessionState } from './session.js'

/** Events that do not come from a hook: what the server itself observes. */
export type SystemEvent =
  /** The pane shows the idle input line (after our interrupt, or by the watchdog). */
  | { kind: 'pane_idle' }
  /** The tmux session is gone. */
  | { kind: 'tmux_gone' }
  /** We sent Escape. */
  | { kind: 'interrupted' }

export type SessionEvent = HookEvent | SystemEvent

export type Effect =
  | { type: 'state_changed'; from: SessionState; to: SessionState }
  /** A turn ended (Stop/StopFailure). `finished` is false while background tasks still run. */
  | { type: 'turn_ended'; finished: boolean; message: string | null; failed: boolean }
  /** Claude's session_id changed (after /clear). */
  | { type: 'claude_session_changed'; from: string | null; to: string }
  | { type: 'prompt_submitted'; prompt: string }
  | { type: 'stopped'; reason: string }

export interface Reduction {
  session: Session
  effects: Effect[]
}

const WORKING_EVENTS = new Set([
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'SubagentStart',
])

/** SessionEnd reasons that do not end our session: Claude starts a new conversation in place. */
const CONTINUING_END_REASONS = new Set(['clear', 'compact'])

function nextStateForHook(state: SessionState, e: HookEvent): SessionState {
  if (state === 'stopped') return e.event === 'SessionStart' ? 'idle' : 'stopped'
  switch (e.event) {
    case 'SessionStart':
      // compact happens inside a conversation; it does not end a turn
      return e.source === 'compact' && state !== 'starting' ? state : 'idle'
    case 'Stop':
      return 'idle'
    case 'StopFailure':
      return 'error'
    case 'PermissionRequest':
      return 'waiting_permission'
    case 'PreToolUse':
      return e.toolName === 'AskUserQuestion' ? 'waiting_answer' : 'working'
    case 'Notification':
      if (e.notificationType === 'permission_prompt') return 'waiting_permission'
      if (e.notificationType === 'idle_prompt' && state === 'working') return 'idle'
      return state
    case 'SessionEnd':
      return e.reason !== null && CONTINUING_END_REASONS.has(e.reason) ? state : 'stopped'
    default:
      return WORKING_EVENTS.has(e.event) ? 'working' : state
  }
}

function reduceHook(session: Session, e: HookEvent, now: number): Reduction {
  const effects: Effect[] = []
  const state = nextStateForHook(session.state, e)
  const next: Session = { ...session, state, lastActivityAt: now, lastEventAt: now }

  if (e.event === 'SessionStart' && e.claudeSessionId !== session.claudeSessionId) {
    effects.push({ type: 'claude_session_changed', from: session.claudeSessionId, to: e.claudeSessionId })
    next.claudeSessionId = e.claudeSessionId
  } else if (next.claudeSessionId === null) {
    next.claudeSessionId = e.claudeSessionId
  }
  if (e.model !== null && (e.event === 'SessionStart' || e.event === 'PostModelSwitch')) next.model = e.model
  if (e.event === 'CwdChanged' && e.cwd !== null) next.workingDir = e.cwd
  if ((e.event === 'PreToolUse' || e.event === 'PostToolUse') && e.toolName !== null) next.lastTool = e.toolName
  if (e.event === 'UserPromptSubmit' && e.prompt !== null) {
    effects.push({ type: 'prompt_submitted', prompt: e.prompt })
  }
  if (e.event === 'Stop' || e.event === 'StopFailure') {
    next.lastMessage = e.lastAssistantMessage ?? session.lastMessage
    next.backgroundTasks = e.backgroundRunning
    effects.push({
      type: 'turn_ended',
      finished: e.backgroundRunning === 0,
      message: e.lastAssistantMessage,
      failed: e.event === 'StopFailure',
    })
  }
  if (state === 'stopped' && session.state !== 'stopped') {
    next.stoppedAt = now
    effects.push({ type: 'stopped', reason: e.reason ?? e.event })
  } else if (state !== 'stopped') {
    next.stoppedAt = null
  }
  if (state !== session.state) effects.unshift({ type: 'state_changed', from: session.state, to: state })
  return { session: next, effects }
}

function reduceSystem(session: Session, e: SystemEvent, now: number): Reduction {
  let state = session.state
  if (e.kind === 'tmux_gone') state = 'stopped'
  else if (e.kind === 'pane_idle' && (state === 'working' || state === 'waiting_permission' || state === 'waiting_answer' || state === 'starting')) state = 'idle'
  if (state === session.state) return { session, effects: [] }
  const next: Session = { ...session, state, lastActivityAt: now }
  const effects: Effect[] = [{ type: 'state_changed', from: session.state, to: state }]
  if (state === 'stopped') {
    next.stoppedAt = now
    effects.push({ type: 'stopped', reason: 'tmux session gone' })
  }
  return { session: next, effects }
}

/**
 * The session state machine: pure, deterministic, fed by hook events and by what the
 * server observes. See specs/0002-session-state.md.
 */
export function reduce(session: Session, event: SessionEvent, now: number): Reduction {
  return event.kind === 'hook' ? reduceHook(session, event, now) : reduceSystem(session, event, now)
}
