import type { TelegramFollowStore } from '@claude-sessions/core/telegram'
import { and, asc, eq, sql } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { telegramFollows as follows } from './schema.js'
import { storeCall } from './sqlite-errors.js'

const p = (name: string) => sql.placeholder(name)

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

  constructor(db: BetterSQLite3Database) {
    this.insert = db
      .insert(follows)
      .values({ chatId: p('chatId'), sessionId: p('sessionId'), createdAt: p('at') })
      .onConflictDoNothing({ target: [follows.chatId, follows.sessionId] })
      .prepare()
    this.deleteOne = db
      .delete(follows)
      .where(and(eq(follows.chatId, p('chatId')), eq(follows.sessionId, p('sessionId'))))
      .prepare()
    this.deleteSession = db.delete(follows).where(eq(follows.sessionId, p('sessionId'))).prepare()
    const inOrder = [asc(follows.createdAt), sql`rowid`]
    this.bySession = db
      .select({ chatId: follows.chatId })
      .from(follows)
      .where(eq(follows.sessionId, p('sessionId')))
      .orderBy(...inOrder)
      .prepare()
    this.byChat = db
      .select({ sessionId: follows.sessionId })
      .from(follows)
      .where(eq(follows.chatId, p('chatId')))
      .orderBy(...inOrder)
      .prepare()
  }

  add(chatId: number, sessionId: string, at: number): boolean {
    return storeCall('add telegram follow', () => this.insert.run({ chatId, sessionId, at }).changes === 1)
  }

  remove(chatId: number, sessionId: string): boolean {
    return storeCall('remove telegram follow', () => this.deleteOne.run({ chatId, sessionId }).changes === 1)
  }

  followers(sessionId: string): number[] {
    return storeCall('read telegram followers', () => this.bySession.all({ sessionId }).map((r) => r.chatId))
  }

  following(chatId: number): string[] {
    return storeCall('read telegram follows', () => this.byChat.all({ chatId }).map((r) => r.sessionId))
  }

  removeSession(sessionId: string): number {
    return storeCall('remove telegram follows of a session', () => this.deleteSession.run({ sessionId }).changes)
  }
}
