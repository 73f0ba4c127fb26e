import { SessionsError, type ListSessionsOptions, type Session, type SessionStore } from '@claude-sessions/core'
import { asc, eq, ne, sql, type SQL } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { sessions, type SessionRow } from './schema.js'
import { isUniqueViolation, storeCall, toSessionsError } from './sqlite-errors.js'
import type { Buffered, WriteBehind } from './write-behind.js'

const SESSION_FIELDS = [
  'id',
  'kind',
  'name',
  'state',
  'workingDir',
  'tmuxSession',
  'claudeSessionId',
  'model',
  'parentId',
  'createdAt',
  'lastActivityAt',
  'stoppedAt',
  'lastTool',
  'lastMessage',
  'backgroundTasks',
  'lastEventAt',
  'stateSince',
  'policy',
  'spawnPrompt',
  'currentTask',
] as const satisfies readonly (keyof Session)[]

// Every Session field has a column of the same name: a compile error here means schema and Session drifted apart.
type Missing = Exclude<keyof Session, (typeof SESSION_FIELDS)[number]>
const _allFields: [Missing] extends [never] ? true : Missing = true
void _allFields

const toSession = (row: SessionRow): Session => {
  const { tokenHash: _tokenHash, ...session } = row
  return session
}

/** The row for a session: only Session fields, so stray properties never reach SQL. */
const toValues = (s: Session) => {
  const values = {} as Record<(typeof SESSION_FIELDS)[number], unknown>
  for (const f of SESSION_FIELDS) values[f] = s[f]
  return values as Pick<Session, (typeof SESSION_FIELDS)[number]>
}

const placeholder = (name: string): SQL => sql`${sql.placeholder(name)}`

const nameTaken = (s: Session) => new SessionsError('name_taken', `name '${s.name}' is taken`)

/** A name's uniqueness is unaffected: same name, and (when named) the same stopped-ness. */
const sameUniqueness = (a: Session, b: Session): boolean =>
  a.name === b.name && (a.name === null || (a.state === 'stopped') === (b.state === 'stopped'))

/**
 * SessionStore on the `sessions` table, with a write-through cache (the server is the only
 * writer). Reads and `update` are prepared once. An update that can't break name uniqueness
 * is written behind: kept in the cache and written by the write-behind, with the events of the
 * same event-loop turn, in one transaction (one commit per turn instead of one per hook event).
 * Inserts, renames and everything that reads across sessions write pending updates first.
 */
export class SqliteSessionRepository implements SessionStore, Buffered {
  private readonly cache = new Map<string, Session>()
  private readonly tokens = new Map<string, string | null>()
  private readonly dirty = new Set<string>()
  private readonly byId
  private readonly byClaudeSessionId
  private readonly tokenById
  private readonly listLive
  private readonly listAll
  private readonly updateById

  constructor(
    private readonly db: BetterSQLite3Database,
    private readonly writes: WriteBehind,
  ) {
    this.byId = db.select().from(sessions).where(eq(sessions.id, sql.placeholder('id'))).prepare()
    // First inserted wins when several sessions carry the same Claude id (rowid follows insertion).
    this.byClaudeSessionId = db
      .select()
      .from(sessions)
      .where(eq(sessions.claudeSessionId, sql.placeholder('claudeSessionId')))
      .orderBy(sql`rowid`)
      .limit(1)
      .prepare()
    this.tokenById = db
      .select({ tokenHash: sessions.tokenHash })
      .from(sessions)
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare()
    const order = [asc(sessions.createdAt), asc(sessions.id)]
    this.listLive = db.select().from(sessions).where(ne(sessions.state, 'stopped')).orderBy(...order).prepare()
    this.listAll = db.select().from(sessions).orderBy(...order).prepare()
    // drizzle, though it runs per hook: raw is no faster here (0.98×, bench/store-idiom.mjs)
    const set = Object.fromEntries(SESSION_FIELDS.filter((f) => f !== 'id').map((f) => [f, placeholder(f)]))
    this.updateById = db.update(sessions).set(set).where(eq(sessions.id, sql.placeholder('id'))).prepare()
    writes.add(this)
  }

  get pendingCount(): number {
    return this.dirty.size
  }

  stage(): (() => void) | null {
    if (this.dirty.size === 0) return null
    const ids = [...this.dirty]
    for (const id of ids) this.updateById.run(toValues(this.cache.get(id)!))
    return () => {
      for (const id of ids) this.dirty.delete(id)
    }
  }

  /** Writes updates kept in the cache (with the other stores'). Throws `internal` (and keeps them) if that fails. */
  flush(): void {
    this.writes.flush()
  }

  get(id: string): Session | undefined {
    const cached = this.cache.get(id)
    if (cached) return { ...cached }
    const row = storeCall('get', () => this.byId.get({ id }))
    if (!row) return undefined
    const session = toSession(row)
    this.cache.set(id, session)
    this.tokens.set(id, row.tokenHash)
    return { ...session }
  }

  findByClaudeSessionId(claudeSessionId: string): Session | undefined {
    this.writes.flushReporting()
    const row = storeCall('findByClaudeSessionId', () => this.byClaudeSessionId.get({ claudeSessionId }))
    return row ? toSession(row) : undefined
  }

  list(options: ListSessionsOptions = {}): Session[] {
    this.writes.flushReporting()
    const rows = storeCall('list', () => (options.includeStopped === true ? this.listAll : this.listLive).all())
    return rows.map(toSession)
  }

  insert(session: Session, tokenHash: string | null): void {
    this.flush()
    try {
      this.db
        .insert(sessions)
        .values({ ...toValues(session), tokenHash })
        .run()
    } catch (err) {
      if (isUniqueViolation(err, 'sessions.')) {
        if (this.get(session.id)) throw new SessionsError('invalid_input', `session ${session.id} exists`)
        if (isUniqueViolation(err, 'sessions.name')) throw nameTaken(session)
      }
      throw toSessionsError('insert session', err)
    }
    this.cache.set(session.id, { ...toValues(session) } as Session)
    this.tokens.set(session.id, tokenHash)
  }

  update(session: Session): void {
    const current = this.get(session.id)
    if (!current) throw new SessionsError('session_not_found', `no session '${session.id}'`)
    const next = { ...toValues(session) } as Session
    if (sameUniqueness(current, next)) {
      this.cache.set(session.id, next)
      this.dirty.add(session.id)
      this.writes.schedule()
      return
    }
    this.flush()
    let changes: number
    try {
      changes = this.updateById.run(toValues(session)).changes
    } catch (err) {
      if (isUniqueViolation(err, 'sessions.name')) throw nameTaken(session)
      throw toSessionsError('update session', err)
    }
    if (changes === 0) throw new SessionsError('session_not_found', `no session '${session.id}'`)
    this.cache.set(session.id, next)
  }

  tokenHash(id: string): string | null {
    if (this.tokens.has(id)) return this.tokens.get(id)!
    const hash = storeCall('tokenHash', () => this.tokenById.get({ id }))?.tokenHash
    if (hash === undefined) return null
    this.tokens.set(id, hash)
    return hash
  }
}
