import { ASK_USER_QUESTION } from '@claude-sessions/core'
import { type ToolAuditor } from '@claude-sessions/core/audit'
import { connectNotifiers, questionNotification, type MessageService, type SessionService } from '@claude-sessions/core/services'
import { askedQuestions, telegramNotifier, type TelegramService } from '@claude-sessions/telegram'

export interface BridgeDeps {
  service: SessionService
  messages: MessageService
  audit: ToolAuditor
  telegram: TelegramService
}

/**
 * Connects the sessions to Telegram (wiring only: which changes become notifications is the
 * notification policy's, in core). Topics follow the sessions' lives, the policy's notifications
 * and status-card updates go to the bot, a PermissionRequest reply waits for a button press
 * (Allow / Deny, or an answer for AskUserQuestion), and messages sent from Telegram are
 * confirmed when delivered. Everything here only queues work for the bot: no hook waits on
 * Telegram (the held permission reply waits for a person). Returns the disconnection.
 */
export function bridgeTelegram({ service, messages, audit, telegram }: BridgeDeps): () => void {
  const notifier = telegramNotifier(telegram)
  const offs = [
    service.onChanged((session, change) => {
      if (change === 'created') telegram.onSessionStarted(session)
      else if (change === 'renamed') telegram.onSessionRenamed(session)
      telegram.sessionChanged(session)
    }),
    // the topic's life, before the notifications of the same hook
    service.onEffects((session, effects) => {
      for (const effect of effects) {
        if (effect.type === 'state_changed') {
          if (effect.from === 'starting') telegram.onSessionStarted(session)
          // the dialog closed without our answer: the person at the keyboard answered
          if (effect.from === 'waiting_permission' || effect.from === 'waiting_answer') telegram.approvalLapsed(session.id, 'terminal')
        } else if (effect.type === 'stopped') {
          telegram.approvalLapsed(session.id, 'gone')
          telegram.onSessionStopped(session)
        }
      }
    }),
    connectNotifiers({ service, audit, notifiers: [notifier] }),
    // the status card, once the hook's notifications are queued
    service.onEffects((session) => telegram.sessionChanged(session)),
    service.addHookHolder((session, event, reply, raw, signal) => {
      if (event.event !== 'PermissionRequest' || session.kind !== 'managed' || 'hookSpecificOutput' in reply) return null
      const payload = raw as { tool_input?: unknown; permission_suggestions?: unknown } | null
      if (event.toolName === ASK_USER_QUESTION) {
        // questions it can't show as buttons are posted as text, and answered at the keyboard
        if (askedQuestions(payload?.tool_input) !== null) return telegram.requestAnswer({ session, toolInput: payload!.tool_input }, signal)
        const text = questionNotification(session, payload?.tool_input)
        if (text !== null) notifier.notify(text)
        return null
      }
      return telegram.requestApproval(
        {
          session,
          toolName: event.toolName ?? 'tool',
          toolInput: payload?.tool_input ?? null,
          suggestions: Array.isArray(payload?.permission_suggestions) ? payload.permission_suggestions : [],
        },
        signal,
      )
    }),
    service.addHookReplier((session, event, _at, replay) => {
      // the card's current tool: once this hook is applied (its reducer runs after repliers)
      if (!replay && event.event === 'PreToolUse' && event.agentId === null) setImmediate(() => telegram.sessionChanged(session))
      return null
    }),
    messages.onDelivered((m) => telegram.messageDelivered(m.id)),
  ]
  return () => {
    for (const off of offs) off()
  }
}
