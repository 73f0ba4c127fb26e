import type { TelegramMessageKeys, TelegramMessageRef } from '@claude-sessions/core/telegram'
import { eq, lt, sql } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { telegramMessageKeys as keys } from './schema.js'
import { storeCall } from './sqlite-errors.js'

const p = (name: string) => sql.placeholder(name)

const REF = { chatId: keys.chatId, messageId: keys.messageId }

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

  constructor(db: BetterSQLite3Database) {
    this.upsert = db
      .insert(keys)
      .values({ key: p('key'), chatId: p('chatId'), messageId: p('messageId'), createdAt: p('at') })
      .onConflictDoUpdate({
        target: keys.key,
        set: { chatId: sql`excluded.chat_id`, messageId: sql`excluded.message_id`, createdAt: sql`excluded.created_at` },
      })
      .prepare()
    this.byKey = db.select(REF).from(keys).where(eq(keys.key, p('key'))).prepare()
    this.deleteKey = db.delete(keys).where(eq(keys.key, p('key'))).returning(REF).prepare()
    this.deleteBefore = db.delete(keys).where(lt(keys.createdAt, p('before'))).prepare()
  }

  set(key: string, ref: TelegramMessageRef, at: number): void {
    storeCall('record telegram message key', () => this.upsert.run({ key, chatId: ref.chatId, messageId: ref.messageId, at }))
  }

  get(key: string): TelegramMessageRef | undefined {
    return storeCall('read telegram message key', () => this.byKey.get({ key }))
  }

  take(key: string): TelegramMessageRef | undefined {
    return storeCall('take telegram message key', () => this.deleteKey.get({ key }))
  }

  prune(before: number): number {
    return storeCall('prune telegram message keys', () => this.deleteBefore.run({ before }).changes)
  }
}
