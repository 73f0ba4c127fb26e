import { type ToolAuditor } from '@claude-sessions/core/audit'
import { connectNotifiers, questionNotification, type DecisionQueue, type MessageService, type SessionService } from '@claude-sessions/core/services'
import { askedQuestions, telegramNotifier, type TelegramService } from '@claude-sessions/telegram'

export interface BridgeDeps {
  service: SessionService
  messages: MessageService
  audit: ToolAuditor
  decisions: DecisionQueue
  telegram: TelegramService
}

/**
 * Connects the sessions to Telegram (wiring only: which changes become notifications is the
 * notification policy's, in core). Topics follow the sessions' lives, the policy's notifications
 * and status-card updates go to the bot, the approval queue's held PermissionRequests are shown
 * with buttons (Allow / Deny, or an answer for AskUserQuestion), and messages sent from Telegram are
 * confirmed when delivered. Everything here only queues work for the bot: no hook waits on
 * Telegram (the held permission reply waits for a person). Returns the disconnection.
 */
export function bridgeTelegram({ service, messages, audit, decisions, telegram }: BridgeDeps): () => void {
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
        if (effect.type === 'state_changed' && effect.from === 'starting') telegram.onSessionStarted(session)
        else if (effect.type === 'stopped') telegram.onSessionStopped(session)
      }
    }),
    connectNotifiers({ service, audit, notifiers: [notifier] }),
    // the status card, once the hook's notifications are queued
    service.onEffects((session) => telegram.sessionChanged(session)),
    decisions.addChannel((decision) => {
      // questions it can't show as buttons are posted as text, and answered at the keyboard (or on the web)
      if (decision.kind === 'question' && askedQuestions(decision.toolInput) === null) {
        const text = questionNotification(decision.session, decision.toolInput)
        if (text !== null) notifier.notify(text)
        return null
      }
      return telegram.offerDecision(decision)
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
