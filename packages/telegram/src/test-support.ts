import type { Clock, TelegramStores } from '@claude-sessions/core'
import { inMemoryTelegramStores } from '@claude-sessions/core/testing'
import { openSqliteStore, type SqliteStore } from '@claude-sessions/store-sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { TelegramConfig, TelegramConfigInput } from './config.js'
import type { TelegramLogger } from './logger.js'
import { TelegramService } from './service.js'
import { FakeBotApi, type FakeUser } from './testing/fake-bot-api.js'
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
  const stores: SqliteStore[] = []
  const fakes: FakeBotApi[] = []
  const dirs: string[] = []
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop()
    for (const s of stores.splice(0)) s.close()
    for (const f of fakes.splice(0)) await f.close()
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  return {
    async fake(): Promise<FakeBotApi> {
      const fake = await FakeBotApi.start()
      fakes.push(fake)
      return fake
    },
    /** A fresh SQLite file path in a temp dir. */
    dbPath(): string {
      const dir = mkdtempSync(join(tmpdir(), 'sm-telegram-'))
      dirs.push(dir)
      return join(dir, 'sessions.db')
    },
    /** The store at `path` (made if missing); no checkpoint worker. */
    sqlite(path: string): SqliteStore {
      const store = openSqliteStore({ path, checkpointIntervalMs: 0 })
      stores.push(store)
      return store
    },
    memoryStores(): TelegramStores {
      return inMemoryTelegramStores()
    },
    service(config: TelegramConfig, telegramStores: TelegramStores, logger: TelegramLogger = new MemoryLogger(), clock?: Clock): TelegramService {
      const service = new TelegramService({ config, stores: telegramStores, logger, ...(clock ? { clock } : {}) })
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
