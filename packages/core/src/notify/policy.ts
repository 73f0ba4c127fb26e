import { askUserQuestionText } from '../events/ask-user-question.js'
import type { HookEvent } from '../events/hook-event.js'
import type { ToolEvent } from '../ports/tool-audit-store.js'
import type { Effect, SessionEvent } from '../session/reducer.js'
import type { Session } from '../session/session.js'
import type { Notification } from './notification.js'

const firstLine = (text: string, max = 200): string => {
  const line = text.trim().split('\n', 1)[0] ?? ''
  return line.length > max ? `${line.slice(0, max)}…` : line
}

const label = (s: Pick<Session, 'id' | 'name'>) => `${s.name ?? s.id} [${s.id}]`

/**
 * The notifications a hook's effects make: a turn's response (or its error), a child's
 * completion (to its parent, found by `sessionOf`), and a prompt typed at the keyboard — not one
 * typed by the manager (`sm send`, Telegram) nor the spawn prompt itself.
 */
export function notificationsOfEffects(
  session: Session,
  effects: readonly Effect[],
  event: SessionEvent,
  sessionOf: (id: string) => Session | undefined,
): Notification[] {
  const out: Notification[] = []
  for (const effect of effects) {
    if (effect.type === 'turn_ended') {
      if (effect.failed) {
        out.push({ kind: 'error', session, title: 'Error: the turn failed', body: effect.message ?? (event as HookEvent).error ?? 'StopFailure' })
      } else if (effect.message !== null) {
        out.push({ kind: 'turn_ended', session, title: 'Response', body: effect.message })
      }
      if (effect.finished && !effect.failed && session.parentId !== null) {
        const parent = sessionOf(session.parentId)
        if (parent) out.push({ kind: 'child_done', session: parent, title: `Child ${label(session)} finished`, body: firstLine(effect.message ?? '') })
      }
    } else if (effect.type === 'prompt_submitted') {
      if (effect.typedByManager !== true && session.spawnPrompt !== effect.prompt) {
        out.push({ kind: 'typed_prompt', session, title: 'Typed in the terminal', body: effect.prompt })
      }
    }
  }
  return out
}

/** A flagged tool call (destructive or sensitive) announced when it is about to run: its PreToolUse only. */
export function flaggedNotification(event: ToolEvent, session: Session): Notification | null {
  if (event.event !== 'PreToolUse') return null
  const what = [event.destructive ? 'destructive' : null, event.sensitive ? 'sensitive' : null].filter(Boolean).join(', ')
  const decision = event.decision === null ? '' : ` (${event.decision})`
  return { kind: 'flagged', session, title: `Flagged ${what}: ${event.toolName ?? 'tool'}${decision}`, body: event.command ?? event.targetFile ?? event.toolInput ?? '' }
}

/** An AskUserQuestion put to a person as text (where it can't be answered with buttons); null when the input holds no question. */
export function questionNotification(session: Session, toolInput: unknown): Notification | null {
  const text = askUserQuestionText(toolInput)
  return text === null ? null : { kind: 'question', session, title: 'Question', body: text }
}
