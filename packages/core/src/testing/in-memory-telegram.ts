import { SessionsError } from '../errors.js'
import type {
  HeldNotification,
  ListTopicsFilter,
  NewPairingCode,
  PairingResult,
  ReserveTopic,
  TelegramAccessStore,
  TelegramFollowStore,
  TelegramHeldStore,
  TelegramMessageKeys,
  TelegramMessageRef,
  TelegramStores,
  TelegramTopic,
  TelegramTopicStatus,
  TelegramTopicStore,
  TelegramUser,
} from '../ports/telegram-store.js'
import { InMemoryTelegramOutbox } from './in-memory-telegram-outbox.js'

interface StoredCode extends NewPairingCode {
  usedAt: number | null
  usedBy: number | null
}

/** TelegramAccessStore in memory. */
export class InMemoryTelegramAccess implements TelegramAccessStore {
  private readonly byId = new Map<number, TelegramUser>()
  private readonly codes = new Map<string, StoredCode>()

  isAllowed(userId: number): boolean {
    return this.byId.has(userId)
  }

  users(): TelegramUser[] {
    return [...this.byId.values()].sort((a, b) => a.addedAt - b.addedAt || a.userId - b.userId).map((u) => ({ ...u }))
  }

  addUser(user: TelegramUser): boolean {
    if (this.byId.has(user.userId)) return false
    this.byId.set(user.userId, { ...user })
    return true
  }

  removeUser(userId: number): boolean {
    return this.byId.delete(userId)
  }

  addPairingCode(code: NewPairingCode): void {
    if (this.codes.has(code.codeHash)) throw new SessionsError('invalid_input', 'pairing code exists already')
    this.codes.set(code.codeHash, { ...code, usedAt: null, usedBy: null })
  }

  redeemPairingCode(codeHash: string, user: TelegramUser, at: number): PairingResult {
    const code = this.codes.get(codeHash)
    if (code === undefined) return 'unknown'
    if (code.usedAt !== null) return 'used'
    if (code.expiresAt <= at) return 'expired'
    code.usedAt = at
    code.usedBy = user.userId
    this.addUser(user)
    return 'paired'
  }

  prunePairingCodes(before: number): number {
    let n = 0
    for (const [hash, code] of this.codes) {
      if (code.expiresAt < before) {
        this.codes.delete(hash)
        n++
      }
    }
    return n
  }
}

/** TelegramTopicStore in memory. */
export class InMemoryTelegramTopics implements TelegramTopicStore {
  private readonly topics: TelegramTopic[] = []

  reserve(t: ReserveTopic): { topic: TelegramTopic; created: boolean } {
    const existing = this.find(t.chatId, t.sessionId)
    if (existing) return { topic: { ...existing }, created: false }
    const topic: TelegramTopic = {
      chatId: t.chatId,
      sessionId: t.sessionId,
      threadId: null,
      name: t.name,
      status: 'reserved',
      statusMessageId: null,
      createAttempts: 0,
      error: null,
      createdAt: t.at,
      updatedAt: t.at,
    }
    this.topics.push(topic)
    return { topic: { ...topic }, created: true }
  }

  get(chatId: number, sessionId: string): TelegramTopic | undefined {
    const t = this.find(chatId, sessionId)
    return t ? { ...t } : undefined
  }

  byThread(chatId: number, threadId: number): TelegramTopic | undefined {
    const t = this.topics.find((x) => x.chatId === chatId && x.threadId === threadId)
    return t ? { ...t } : undefined
  }

  list(filter: ListTopicsFilter = {}): TelegramTopic[] {
    return this.topics
      .filter(
        (t) =>
          (filter.chatId === undefined || t.chatId === filter.chatId) &&
          (filter.sessionId === undefined || t.sessionId === filter.sessionId) &&
          (filter.status === undefined || t.status === filter.status),
      )
      .map((t) => ({ ...t }))
  }

  rename(chatId: number, sessionId: string, name: string, at: number): boolean {
    return this.change(chatId, sessionId, at, () => true, (t) => (t.name = name))
  }

  beginCreate(chatId: number, sessionId: string, at: number): TelegramTopic | undefined {
    const ok = this.change(chatId, sessionId, at, (t) => t.status === 'reserved', (t) => {
      t.status = 'creating'
      t.createAttempts += 1
    })
    return ok ? this.get(chatId, sessionId) : undefined
  }

  confirmCreated(chatId: number, sessionId: string, threadId: number, at: number): boolean {
    if (this.topics.some((t) => t.chatId === chatId && t.threadId === threadId && t.sessionId !== sessionId)) {
      throw new SessionsError('invalid_input', `thread ${threadId} of chat ${chatId} belongs to another topic`)
    }
    return this.change(chatId, sessionId, at, (t) => t.status === 'creating', (t) => {
      t.status = 'open'
      t.threadId = threadId
      t.error = null
    })
  }

  setStatus(
    chatId: number,
    sessionId: string,
    status: Exclude<TelegramTopicStatus, 'reserved' | 'creating'>,
    at: number,
    error: string | null = null,
  ): boolean {
    if ((status as TelegramTopicStatus) === 'reserved' || (status as TelegramTopicStatus) === 'creating') return false
    return this.change(chatId, sessionId, at, () => true, (t) => {
      t.status = status
      t.error = error
    })
  }

  retryCreate(chatId: number, sessionId: string, at: number, error: string | null = null): boolean {
    return this.change(chatId, sessionId, at, (t) => t.status === 'creating' || t.status === 'failed', (t) => {
      t.status = 'reserved'
      t.error = error
    })
  }

  setStatusMessage(chatId: number, sessionId: string, messageId: number | null, at: number): boolean {
    return this.change(chatId, sessionId, at, () => true, (t) => (t.statusMessageId = messageId))
  }

  private find(chatId: number, sessionId: string): TelegramTopic | undefined {
    return this.topics.find((t) => t.chatId === chatId && t.sessionId === sessionId)
  }

  private change(chatId: number, sessionId: string, at: number, when: (t: TelegramTopic) => boolean, apply: (t: TelegramTopic) => void): boolean {
    const t = this.find(chatId, sessionId)
    if (t === undefined || !when(t)) return false
    apply(t)
    t.updatedAt = at
    return true
  }
}

/** TelegramMessageKeys in memory. */
export class InMemoryTelegramMessageKeys implements TelegramMessageKeys {
  private readonly keys = new Map<string, TelegramMessageRef & { at: number }>()

  set(key: string, ref: TelegramMessageRef, at: number): void {
    this.keys.set(key, { chatId: ref.chatId, messageId: ref.messageId, at })
  }

  get(key: string): TelegramMessageRef | undefined {
    const found = this.keys.get(key)
    return found ? { chatId: found.chatId, messageId: found.messageId } : undefined
  }

  take(key: string): TelegramMessageRef | undefined {
    const found = this.get(key)
    this.keys.delete(key)
    return found
  }

  prune(before: number): number {
    let n = 0
    for (const [key, { at }] of this.keys) {
      if (at < before) {
        this.keys.delete(key)
        n++
      }
    }
    return n
  }
}

/** TelegramFollowStore in memory. */
export class InMemoryTelegramFollows implements TelegramFollowStore {
  /** In the order added; `oldest` sorts them by time, keeping that order for equal times. */
  private readonly rows: { chatId: number; sessionId: string; at: number }[] = []

  add(chatId: number, sessionId: string, at: number): boolean {
    if (this.rows.some((r) => r.chatId === chatId && r.sessionId === sessionId)) return false
    this.rows.push({ chatId, sessionId, at })
    return true
  }

  remove(chatId: number, sessionId: string): boolean {
    const i = this.rows.findIndex((r) => r.chatId === chatId && r.sessionId === sessionId)
    if (i < 0) return false
    this.rows.splice(i, 1)
    return true
  }

  followers(sessionId: string): number[] {
    return this.oldest().filter((r) => r.sessionId === sessionId).map((r) => r.chatId)
  }

  following(chatId: number): string[] {
    return this.oldest().filter((r) => r.chatId === chatId).map((r) => r.sessionId)
  }

  removeSession(sessionId: string): number {
    return removeWhere(this.rows, (r) => r.sessionId === sessionId)
  }

  private oldest() {
    return [...this.rows].sort((a, b) => a.at - b.at)
  }
}

/** Removes the rows matching `matches`, in place; returns how many. */
function removeWhere<T>(rows: T[], matches: (row: T) => boolean): number {
  let n = 0
  for (let i = rows.length - 1; i >= 0; i--) {
    if (matches(rows[i]!)) {
      rows.splice(i, 1)
      n++
    }
  }
  return n
}

/** A copy sharing nothing with `n` (its session and messages included). */
const copyHeld = (n: HeldNotification): HeldNotification => ({ ...n, session: { ...n.session }, messages: n.messages.map((m) => ({ ...m })) })

/** TelegramHeldStore in memory. Ids start at 1 and increase (never reused); rows are kept in id order. */
export class InMemoryTelegramHeld implements TelegramHeldStore {
  private readonly rows: (HeldNotification & { id: number })[] = []
  private nextId = 1

  add(n: HeldNotification): number {
    const id = this.nextId++
    this.rows.push({ ...copyHeld(n), id })
    return id
  }

  list(): HeldNotification[] {
    return this.rows.map(copyHeld)
  }

  removeSession(sessionId: string): number {
    return removeWhere(this.rows, (r) => r.sessionId === sessionId)
  }
}

/** The Telegram stores in memory. */
export const inMemoryTelegramStores = (): TelegramStores => ({
  access: new InMemoryTelegramAccess(),
  topics: new InMemoryTelegramTopics(),
  outbox: new InMemoryTelegramOutbox(),
  messageKeys: new InMemoryTelegramMessageKeys(),
  follows: new InMemoryTelegramFollows(),
  held: new InMemoryTelegramHeld(),
})
