import type { Clock } from '@claude-sessions/core'
import type { TelegramStores } from '@claude-sessions/core/telegram'
import { inMemoryTelegramStores } from '@claude-sessions/core/telegram/testing'
import { afterEach } from 'vitest'
import type { TelegramConfig, TelegramConfigInput } from './config.js'
import type { TelegramLogger } from './transport/logger.js'
import { TelegramService, type TelegramServiceDeps } from './telegram-service.js'
import { FAKE_TOKEN, FakeBotApi, type FakeTime, type FakeUser } from './testing/fake-bot-api.js'
import { fakeBotConfig } from './testing/fake-config.js'

export const CHAT = -1001000000001
export const ALICE: FakeUser = { id: 111, username: 'alice' }
export const MALLORY: FakeUser = { id: 666, username: 'mallory' }

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error'
  msg: string
  obj: Record<string, unknown>
}

/** Keeps every log line, for assertions. */
export class MemoryLogger implements TelegramLogger {
  readonly lines: LogLine[] = []
  debug(obj: object, msg: string) {
    this.lines.push({ level: 'debug', msg, obj: obj as Record<string, unknown> })
  }
  info(obj: object, msg: string) {
    this.lines.push({ level: 'info', msg, obj: obj as Record<string, unknown> })
  }
  warn(obj: object, msg: string) {
    this.lines.push({ level: 'warn', msg, obj: obj as Record<string, unknown> })
  }
  error(obj: object, msg: string) {
    this.lines.push({ level: 'error', msg, obj: obj as Record<string, unknown> })
  }
  /** Lines whose message contains `part`. */
  find(part: string): LogLine[] {
    return this.lines.filter((l) => l.msg.includes(part))
  }
  /** Everything logged, as one string (to look for secrets in). */
  dump(): string {
    return JSON.stringify(this.lines)
  }
}

/** Config for tests: the fake's root and token, short timeouts, no throttling, Alice allowed. */
export function testConfig(fake: FakeBotApi, overrides: Partial<TelegramConfigInput> = {}): TelegramConfig {
  return fakeBotConfig(fake, { chatId: CHAT, allowedUserIds: [ALICE.id], ...overrides })
}

/**
 * Fakes, stores and services for one test file: everything a test makes is stopped, closed and
 * removed after it, services first.
 */
export function useTelegram() {
  const services: TelegramService[] = []
  const fakes: FakeBotApi[] = []
  // what a restarted server finds at a path: the same stores (SQLite's are held to the same contract in store-sqlite)
  const saved = new Map<string, TelegramStores>()
  let paths = 0
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop()
    for (const f of fakes.splice(0)) await f.close()
    saved.clear()
  })
  return {
    /** A fake Bot API; on `time` when given (idle long polls end as it moves), else on real time. */
    async fake(time?: FakeTime): Promise<FakeBotApi> {
      const fake = await FakeBotApi.start(FAKE_TOKEN, time)
      fakes.push(fake)
      return fake
    },
    /** A fresh place for stores. */
    storePath(): string {
      return `stores-${++paths}`
    },
    /** The stores at `path` (made if missing), as a server that (re)starts there opens them. */
    storesAt(path: string): { telegram: TelegramStores; close(): void } {
      let telegram = saved.get(path)
      if (telegram === undefined) saved.set(path, (telegram = inMemoryTelegramStores()))
      return { telegram, close: () => undefined }
    },
    memoryStores(): TelegramStores {
      return inMemoryTelegramStores()
    },
    service(
      config: TelegramConfig,
      telegramStores: TelegramStores,
      logger: TelegramLogger = new MemoryLogger(),
      clock?: Clock,
      more: Pick<TelegramServiceDeps, 'pollerTime'> = {},
    ): TelegramService {
      const service = new TelegramService({ config, stores: telegramStores, logger, ...(clock ? { clock } : {}), ...more })
      services.push(service)
      return service
    },
  }
}

/** Real time, plus whatever the test has skipped ahead. */
export class SkippingClock implements Clock {
  private skipped = 0
  now(): number {
    return Date.now() + this.skipped
  }
  skip(ms: number): void {
    this.skipped += ms
  }
  sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms))
  }
}

/** Polls `check` until it returns something truthy. */
export async function eventually<T>(check: () => T, timeoutMs = 8_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
