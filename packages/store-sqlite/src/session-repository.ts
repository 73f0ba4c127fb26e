import { SessionsError, type ListSessionsOptions, type Session, type SessionStore } from '@claude-sessions/core'
import { asc, eq, ne, sql, type SQL } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { sessions, type SessionRow } from './schema.js'
import { isUniqueViolation, toSessionsError } from './sqlite-errors.js'

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

/** SessionStore on the `sessions` table. Reads and `update` are prepared once; writes are immediate. */
export class SqliteSessionRepository implements SessionStore {
  private readonly byId
  private readonly byClaudeSessionId
  private readonly tokenById
  private readonly listLive
  private readonly listAll
  private readonly updateById

  constructor(private readonly db: BetterSQLite3Database) {
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
    const set = Object.fromEntries(SESSION_FIELDS.filter((f) => f !== 'id').map((f) => [f, placeholder(f)]))
    this.updateById = db.update(sessions).set(set).where(eq(sessions.id, sql.placeholder('id'))).prepare()
  }

  get(id: string): Session | undefined {
    const row = this.read('get', () => this.byId.get({ id }))
    return row ? toSession(row) : undefined
  }

  findByClaudeSessionId(claudeSessionId: string): Session | undefined {
    const row = this.read('findByClaudeSessionId', () => this.byClaudeSessionId.get({ claudeSessionId }))
    return row ? toSession(row) : undefined
  }

  list(options: ListSessionsOptions = {}): Session[] {
    const rows = this.read('list', () => (options.includeStopped === true ? this.listAll : this.listLive).all())
    return rows.map(toSession)
  }

  insert(session: Session, tokenHash: string | null): void {
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
  }

  update(session: Session): void {
    let changes: number
    try {
      changes = this.updateById.run(toValues(session)).changes
    } catch (err) {
      if (isUniqueViolation(err, 'sessions.name')) throw nameTaken(session)
      throw toSessionsError('update session', err)
    }
    if (changes === 0) throw new SessionsError('session_not_found', `no session '${session.id}'`)
  }

  tokenHash(id: string): string | null {
    return this.read('tokenHash', () => this.tokenById.get({ id }))?.tokenHash ?? null
  }

  private read<T>(operation: string, query: () => T): T {
    try {
      return query()
    } catch (err) {
      throw toSessionsError(operation, err)
    }
  }
}
