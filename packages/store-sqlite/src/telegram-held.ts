import type { HeldNotification, TelegramHeldStore } from '@claude-sessions/core/telegram'
import { asc, eq, sql } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { telegramHeld as held } from './schema.js'
import { storeCall } from './sqlite-errors.js'

const p = (name: string) => sql.placeholder(name)

const toHeld = (r: typeof held.$inferSelect): HeldNotification => ({
  id: r.id,
  sessionId: r.sessionId,
  session: JSON.parse(r.sessionJson) as HeldNotification['session'],
  kind: r.kind,
  summary: r.summary,
  messages: JSON.parse(r.messagesJson) as HeldNotification['messages'],
  createdAt: r.createdAt,
})

/**
 * TelegramHeldStore on `telegram_held` (ids from AUTOINCREMENT, so never reused; a session's rows
 * through `telegram_held_session_idx`). The session and the messages are stored as JSON.
 * Unbuffered: a held notification is on disk when `add` returns, so it survives a restart.
 */
export class SqliteTelegramHeld implements TelegramHeldStore {
  private readonly insert
  private readonly all
  private readonly deleteSession

  constructor(db: BetterSQLite3Database) {
    this.insert = db
      .insert(held)
      .values({
        sessionId: p('sessionId'),
        kind: p('kind'),
        summary: p('summary'),
        sessionJson: p('session'),
        messagesJson: p('messages'),
        createdAt: p('at'),
      })
      .prepare()
    this.all = db.select().from(held).orderBy(asc(held.id)).prepare()
    this.deleteSession = db.delete(held).where(eq(held.sessionId, p('sessionId'))).prepare()
  }

  add(n: HeldNotification): number {
    return storeCall('hold a telegram notification', () => {
      const session = { id: n.session.id, name: n.session.name, workingDir: n.session.workingDir }
      const messages = n.messages.map((m) => ({ text: m.text, html: m.html }))
      const result = this.insert.run({
        sessionId: n.sessionId,
        kind: n.kind,
        summary: n.summary,
        session: JSON.stringify(session),
        messages: JSON.stringify(messages),
        at: n.createdAt,
      })
      return Number(result.lastInsertRowid)
    })
  }

  list(): HeldNotification[] {
    return storeCall('read held telegram notifications', () => this.all.all().map(toHeld))
  }

  removeSession(sessionId: string): number {
    return storeCall('remove held telegram notifications of a session', () => this.deleteSession.run({ sessionId }).changes)
  }
}
