import { SessionsError } from '@claude-sessions/core'
import { type NewPairingCode, type PairingResult, type TelegramAccessStore, type TelegramUser } from '@claude-sessions/core/telegram'
import type Database from 'better-sqlite3'
import { and, asc, eq, isNull, lt, sql } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { telegramPairingCodes as codes, telegramUsers as users } from './schema.js'
import { isUniqueViolation, storeCall, toSessionsError } from './sqlite-errors.js'

const p = (name: string) => sql.placeholder(name)

/**
 * TelegramAccessStore on `telegram_users` and `telegram_pairing_codes`. Unbuffered: every write
 * has committed when the call returns. Redeeming a code is one immediate transaction (mark the
 * code used only if unused and unexpired, then add the user), so a code pairs one user, once.
 */
export class SqliteTelegramAccess implements TelegramAccessStore {
  private readonly userById
  private readonly allUsers
  private readonly insertUser
  private readonly deleteUser
  private readonly insertCode
  private readonly codeByHash
  private readonly useCode
  private readonly deleteExpired
  private readonly redeem: (codeHash: string, user: TelegramUser, at: number) => PairingResult

  constructor(sqlite: Database.Database, db: BetterSQLite3Database) {
    this.userById = db.select().from(users).where(eq(users.userId, p('userId'))).prepare()
    this.allUsers = db.select().from(users).orderBy(asc(users.addedAt), asc(users.userId)).prepare()
    this.insertUser = db
      .insert(users)
      .values({ userId: p('userId'), username: p('username'), addedAt: p('addedAt') })
      .onConflictDoNothing()
      .prepare()
    this.deleteUser = db.delete(users).where(eq(users.userId, p('userId'))).prepare()
    this.insertCode = db
      .insert(codes)
      .values({ codeHash: p('codeHash'), createdAt: p('createdAt'), expiresAt: p('expiresAt') })
      .prepare()
    this.codeByHash = db.select().from(codes).where(eq(codes.codeHash, p('codeHash'))).prepare()
    this.useCode = db
      .update(codes)
      .set({ usedAt: sql`${p('at')}`, usedBy: sql`${p('userId')}` })
      .where(and(eq(codes.codeHash, p('codeHash')), isNull(codes.usedAt), sql`${codes.expiresAt} > ${p('at')}`))
      .prepare()
    this.deleteExpired = db.delete(codes).where(lt(codes.expiresAt, p('before'))).prepare()
    this.redeem = sqlite.transaction((codeHash: string, user: TelegramUser, at: number): PairingResult => {
      if (this.useCode.run({ codeHash, at, userId: user.userId }).changes === 1) {
        this.insertUser.run(userRow(user))
        return 'paired'
      }
      const code = this.codeByHash.get({ codeHash })
      if (code === undefined) return 'unknown'
      return code.usedAt !== null ? 'used' : 'expired'
    }).immediate
  }

  isAllowed(userId: number): boolean {
    return storeCall('read telegram user', () => this.userById.get({ userId }) !== undefined)
  }

  users(): TelegramUser[] {
    return storeCall('list telegram users', () => this.allUsers.all())
  }

  addUser(user: TelegramUser): boolean {
    return storeCall('add telegram user', () => this.insertUser.run(userRow(user)).changes === 1)
  }

  removeUser(userId: number): boolean {
    return storeCall('remove telegram user', () => this.deleteUser.run({ userId }).changes === 1)
  }

  addPairingCode(code: NewPairingCode): void {
    try {
      this.insertCode.run({ codeHash: code.codeHash, createdAt: code.createdAt, expiresAt: code.expiresAt })
    } catch (err) {
      if (isUniqueViolation(err, 'telegram_pairing_codes.code_hash')) {
        throw new SessionsError('invalid_input', 'pairing code exists already', { cause: err })
      }
      throw toSessionsError('add pairing code', err)
    }
  }

  redeemPairingCode(codeHash: string, user: TelegramUser, at: number): PairingResult {
    return storeCall('redeem pairing code', () => this.redeem(codeHash, user, at))
  }

  prunePairingCodes(before: number): number {
    return storeCall('prune pairing codes', () => this.deleteExpired.run({ before }).changes)
  }
}

const userRow = (u: TelegramUser) => ({ userId: u.userId, username: u.username ?? null, addedAt: u.addedAt })
