import { SessionsError } from '@claude-sessions/core'
import { describe, expect, it } from 'vitest'
import { TELEGRAM_DEFAULTS, TOKEN_ENV, resolveTelegramConfig } from './config.js'

const TOKEN = '123456:AAH-secret_part_of_the_token'

describe('resolveTelegramConfig', () => {
  it('fills in the defaults: nobody allowed, close on stop, 120 s approvals, 30 s polls, throttled', () => {
    const c = resolveTelegramConfig({ token: TOKEN, chatId: -1001 })
    expect(c).toEqual({ ...TELEGRAM_DEFAULTS, token: TOKEN, chatId: -1001 })
    expect(c).toMatchObject({ allowedUserIds: [], topicOnStop: 'close', approvalWaitSeconds: 120, apiRoot: 'https://api.telegram.org', throttle: true })
    expect(c.pairing.codeTtlSeconds).toBe(600)
  })

  it('takes the token from the environment, which wins over the file', () => {
    expect(resolveTelegramConfig({ chatId: -1001 }, { [TOKEN_ENV]: TOKEN }).token).toBe(TOKEN)
    expect(resolveTelegramConfig({ chatId: -1001, token: '1:from-file-xx' }, { [TOKEN_ENV]: TOKEN }).token).toBe(TOKEN)
  })

  it('merges nested options', () => {
    const c = resolveTelegramConfig({ token: TOKEN, chatId: -1001, outbox: { maxAttempts: 3 }, pairing: { maxAttempts: 2 } })
    expect(c.outbox).toEqual({ ...TELEGRAM_DEFAULTS.outbox, maxAttempts: 3 })
    expect(c.pairing).toEqual({ ...TELEGRAM_DEFAULTS.pairing, maxAttempts: 2 })
  })

  it('reports every problem at once, without the token', () => {
    let error: unknown
    try {
      resolveTelegramConfig({
        token: 'not a token but secret',
        chatId: 0,
        allowedUserIds: [-5],
        apiRoot: 'http://127.0.0.1:1/',
        topicOnStop: 'archive' as never,
        pollTimeoutSeconds: 30,
        stallSeconds: 10,
        outbox: { concurrency: 0 },
      })
    } catch (err) {
      error = err
    }
    expect(SessionsError.is(error, 'invalid_input')).toBe(true)
    const message = (error as Error).message
    for (const part of ['token is not a bot token', 'chat_id', 'allowed_user_ids: -5', 'api_root', 'topic_on_stop', 'stall_seconds', 'outbox.concurrency']) {
      expect(message).toContain(part)
    }
    expect(message).not.toContain('secret')
    expect(() => resolveTelegramConfig({ chatId: -1001 })).toThrow(/token is missing/)
  })
})
