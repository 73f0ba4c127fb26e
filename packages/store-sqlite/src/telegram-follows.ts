import type { TelegramFollowStore } from '@claude-sessions/core/telegram'
import type Database from 'better-sqlite3'
import { storeCall } from './sqlite-errors.js'

/**
 * TelegramFollowStore on `telegram_follows` ((chat, session) is the primary key; followers of a
 * session through `telegram_follows_session_idx`). Oldest first is `created_at`, then rowid (the
 * order rows were added). Unbuffered: a follow is on disk when `add` returns, so it survives a
 * restart.
 */
export class SqliteTelegramFollows implements TelegramFollowStore {
  private readonly insert
  private readonly deleteOne
  private readonly deleteSession
  private readonly bySession
  private readonly byChat

  constructor(sqlite: Database.Database) {
    this.insert = sqlite.prepare<{ chatId: number; sessionId: string; at: number }>(
      `INSERT INTO telegram_follows (chat_id, session_id, created_at) VALUES (@chatId, @sessionId, @at)
       ON CONFLICT (chat_id, session_id) DO NOTHING`,
    )
    this.deleteOne = sqlite.prepare<[number, string]>(`DELETE FROM telegram_follows WHERE chat_id = ? AND session_id = ?`)
    this.deleteSession = sqlite.prepare<[string]>(`DELETE FROM telegram_follows WHERE session_id = ?`)
    this.bySession = sqlite
      .prepare<[string], number>(`SELECT chat_id FROM telegram_follows WHERE session_id = ? ORDER BY created_at, rowid`)
      .pluck()
    this.byChat = sqlite
      .prepare<[number], string>(`SELECT session_id FROM telegram_follows WHERE chat_id = ? ORDER BY created_at, rowid`)
      .pluck()
  }

  add(chatId: number, sessionId: string, at: number): boolean {
    return storeCall('add telegram follow', () => this.insert.run({ chatId, sessionId, at }).changes === 1)
  }

  remove(chatId: number, sessionId: string): boolean {
    return storeCall('remove telegram follow', () => this.deleteOne.run(chatId, sessionId).changes === 1)
  }

  followers(sessionId: string): number[] {
    return storeCall('read telegram followers', () => this.bySession.all(sessionId))
  }

  following(chatId: number): string[] {
    return storeCall('read telegram follows', () => this.byChat.all(chatId))
  }

  removeSession(sessionId: string): number {
    return storeCall('remove telegram follows of a session', () => this.deleteSession.run(sessionId).changes)
  }
}
