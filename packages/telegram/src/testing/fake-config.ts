import { resolveTelegramConfig, type TelegramConfig, type TelegramConfigInput } from '../config.js'
import type { FakeBotApi } from './fake-bot-api.js'

/**
 * A bot config for tests against `fake`: its root and token, short polling and request timeouts,
 * no throttling, a quick outbox backoff. `settings` names the chat and the users (and overrides).
 */
export function fakeBotConfig(fake: FakeBotApi, settings: Pick<TelegramConfigInput, 'chatId' | 'allowedUserIds'> & Partial<TelegramConfigInput>): TelegramConfig {
  return resolveTelegramConfig({
    token: fake.token,
    apiRoot: fake.apiRoot,
    throttle: false,
    pollTimeoutSeconds: 1,
    stallSeconds: 4,
    requestTimeoutSeconds: 5,
    maxFloodWaitSeconds: 5,
    ...settings,
    outbox: { baseBackoffMs: 50, maxBackoffMs: 400, stopGraceMs: 1_000, ...settings.outbox },
  })
}
