import type { HeldNotification, TelegramHeldStore } from '@claude-sessions/core/telegram'
import type Database from 'better-sqlite3'
import { storeCall } from './sqlite-errors.js'

interface Row {
  id: number
  sessionId: string
  kind: string
  summary: string
  sessionJson: string
  messagesJson: string
  createdAt: number
}

const toHeld = (r: Row): HeldNotification => ({
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

  constructor(sqlite: Database.Database) {
    this.insert = sqlite.prepare<{ sessionId: string; kind: string; summary: string; session: string; messages: string; at: number }>(
      `INSERT INTO telegram_held (session_id, kind, summary, session_json, messages_json, created_at)
       VALUES (@sessionId, @kind, @summary, @session, @messages, @at)`,
    )
    this.all = sqlite.prepare<[], Row>(
      `SELECT id, session_id AS sessionId, kind, summary, session_json AS sessionJson, messages_json AS messagesJson,
         created_at AS createdAt
       FROM telegram_held ORDER BY id`,
    )
    this.deleteSession = sqlite.prepare<[string]>(`DELETE FROM telegram_held WHERE session_id = ?`)
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
    return storeCall('remove held telegram notifications of a session', () => this.deleteSession.run(sessionId).changes)
  }
}
