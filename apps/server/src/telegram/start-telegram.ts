import type { ToolAuditor } from '@claude-sessions/core/audit'
import type { DecisionQueue, MessageService, SessionService, SummaryService } from '@claude-sessions/core/services'
import type { SqliteStore } from '@claude-sessions/store-sqlite'
import { TelegramService } from '@claude-sessions/telegram'
import type { TelegramSettings } from '../config/schema.js'
import type { Logger } from '../logger.js'
import { bridgeTelegram } from './bridge.js'
import { sessionControl } from './session-control.js'

export interface StartTelegramDeps {
  store: SqliteStore
  service: SessionService
  messages: MessageService
  summaries: SummaryService
  audit: ToolAuditor
  decisions: DecisionQueue
  log: Logger
}

export interface RunningTelegram {
  service: TelegramService
  stop(): Promise<void>
}

/**
 * The Telegram bot, started. Call it only while holding the single-instance lock, with the
 * store open and the spool imported. Live managed sessions get their topic (made once ever).
 * `stop()` disconnects it from the sessions, then stops polling and the outbox.
 */
export function startTelegram(settings: TelegramSettings, deps: StartTelegramDeps): RunningTelegram {
  const { store, service, messages, summaries, audit, decisions, log } = deps
  const telegram = new TelegramService({
    config: settings.bot,
    stores: store.telegram,
    logger: log.child({ component: 'telegram' }),
    control: sessionControl({ service, messages, summaries, audit, projects: settings.projects }),
    notify: settings.notify,
  })
  const disconnect = bridgeTelegram({ service, messages, audit, decisions, telegram })
  telegram.start()
  for (const session of service.list()) {
    if (session.kind === 'managed') telegram.onSessionStarted(session)
  }
  log.info({ chatId: settings.bot.chatId, allowed: settings.bot.allowedUserIds.length, apiRoot: settings.bot.apiRoot }, 'telegram started')
  return {
    service: telegram,
    async stop() {
      disconnect()
      await telegram.stop()
    },
  }
}
