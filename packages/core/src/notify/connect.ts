import type { ToolAuditor } from '../audit/auditor.js'
import { ASK_USER_QUESTION } from '../events/ask-user-question.js'
import type { SessionService } from '../service/session-service.js'
import type { Notification, Notifier } from './notification.js'
import { flaggedNotification, notificationsOfEffects, questionNotification } from './policy.js'

export interface NotifyDeps {
  service: SessionService
  audit: ToolAuditor
  notifiers: readonly Notifier[]
}

/**
 * Sends what the notification policy (policy.ts) makes of the sessions' changes to every
 * notifier: a hook's effects, flagged tool calls, and an external session's AskUserQuestion (a
 * managed session's question comes with its PermissionRequest, which a notifier may hold for an
 * answer). Returns the disconnection.
 */
export function connectNotifiers({ service, audit, notifiers }: NotifyDeps): () => void {
  const send = (n: Notification | null): void => {
    if (n === null) return
    for (const notifier of notifiers) notifier.notify(n)
  }
  const sessionOf = (id: string) => service.list({ includeStopped: true }).find((s) => s.id === id)
  const offs = [
    service.onEffects((session, effects, event) => {
      for (const n of notificationsOfEffects(session, effects, event, (id) => service.list().find((s) => s.id === id))) send(n)
    }),
    service.addHookReplier((session, event, _at, replay, payload) => {
      if (!replay && event.event === 'PreToolUse' && event.toolName === ASK_USER_QUESTION && session.kind !== 'managed') {
        send(questionNotification(session, (payload as { tool_input?: unknown } | null)?.tool_input))
      }
      return null
    }),
    audit.onFlagged((e) => {
      const session = sessionOf(e.sessionId)
      if (session !== undefined) send(flaggedNotification(e, session))
    }),
  ]
  return () => {
    for (const off of offs) off()
  }
}
