import type { TelegramMessageKeys, TelegramMessageRef } from '@claude-sessions/core/telegram'
import type Database from 'better-sqlite3'
import { storeCall } from './sqlite-errors.js'

/**
 * TelegramMessageKeys on `telegram_message_keys` (the key is the primary key; a second `set`
 * replaces the row and its time). Unbuffered: a key is on disk when `set` returns, so an edit
 * queued by key finds its message after a restart.
 */
export class SqliteTelegramMessageKeys implements TelegramMessageKeys {
  private readonly upsert
  private readonly byKey
  private readonly deleteBefore
  private readonly deleteKey

  constructor(sqlite: Database.Database) {
    this.upsert = sqlite.prepare<{ key: string; chatId: number; messageId: number; at: number }>(
      `INSERT INTO telegram_message_keys (key, chat_id, message_id, created_at) VALUES (@key, @chatId, @messageId, @at)
       ON CONFLICT (key) DO UPDATE SET chat_id = excluded.chat_id, message_id = excluded.message_id, created_at = excluded.created_at`,
    )
    this.byKey = sqlite.prepare<[string], TelegramMessageRef>(
      `SELECT chat_id AS chatId, message_id AS messageId FROM telegram_message_keys WHERE key = ?`,
    )
    this.deleteKey = sqlite.prepare<[string], TelegramMessageRef>(
      `DELETE FROM telegram_message_keys WHERE key = ? RETURNING chat_id AS chatId, message_id AS messageId`,
    )
    this.deleteBefore = sqlite.prepare<[number]>(`DELETE FROM telegram_message_keys WHERE created_at < ?`)
  }

  set(key: string, ref: TelegramMessageRef, at: number): void {
    storeCall('record telegram message key', () => this.upsert.run({ key, chatId: ref.chatId, messageId: ref.messageId, at }))
  }

  get(key: string): TelegramMessageRef | undefined {
    return storeCall('read telegram message key', () => this.byKey.get(key))
  }

  take(key: string): TelegramMessageRef | undefined {
    return storeCall('take telegram message key', () => this.deleteKey.get(key))
  }

  prune(before: number): number {
    return storeCall('prune telegram message keys', () => this.deleteBefore.run(before).changes)
  }
}
