import type { Notifier } from '@claude-sessions/core'
import type { TelegramService } from './telegram-service.js'

/**
 * Telegram as one of the notification policy's notifiers: a response is posted as plain text,
 * split as needed; every other kind as a bold title over its body, in the session's topic
 * (filtered by kind and held in quiet hours as configured). Never throws.
 */
export function telegramNotifier(telegram: TelegramService): Notifier {
  return {
    notify(n) {
      if (n.kind === 'turn_ended') telegram.notifyTurnEnded(n.session, n.body)
      else telegram.notify(n.session, n.kind, n.title, n.body)
    },
  }
}
