/**
 * What the Telegram adapter keeps in the store: who may use the bot, the one-time pairing codes,
 * the forum topic of each session, the outbox of operations waiting to reach Telegram, the keys
 * of messages it sent, the private chats following sessions, and the notifications held in quiet
 * hours.
 * Every write is durable when its call returns (no batching); times are epoch milliseconds.
 * Telegram ids (users, chats, messages, threads) are numbers; they fit in 53 bits.
 */

// ---------------------------------------------------------------- access

/** A user added by pairing (`/pair <code>`). Users from the config are not stored. */
export interface TelegramUser {
  userId: number
  username: string | null
  addedAt: number
}

/** A one-time pairing code, stored as its hash only. */
export interface NewPairingCode {
  codeHash: string
  createdAt: number
  expiresAt: number
}

/** What redeeming a pairing code did: `paired` added the user (or found them there already). */
export type PairingResult = 'paired' | 'unknown' | 'expired' | 'used'

export interface TelegramAccessStore {
  /** Whether `userId` was added by pairing. */
  isAllowed(userId: number): boolean
  /** Paired users, oldest first (by `addedAt`, then id). */
  users(): TelegramUser[]
  /** Adds a user; false if they were there already (nothing changes then). */
  addUser(user: TelegramUser): boolean
  /** Removes a paired user; false if they were not there. */
  removeUser(userId: number): boolean
  /** Stores a new code. A code hash that exists already is refused (throws `invalid_input`). */
  addPairingCode(code: NewPairingCode): void
  /**
   * Uses a code at most once, atomically: a code that exists, is unused and has `expiresAt > at`
   * is marked used by `user.userId` and the user is added, in one transaction.
   */
  redeemPairingCode(codeHash: string, user: TelegramUser, at: number): PairingResult
  /** Deletes codes that expired before `before` (used or not); returns how many. */
  prunePairingCodes(before: number): number
}

// ---------------------------------------------------------------- topics

/**
 * - `reserved`: the row exists, no createForumTopic call has been made for it yet
 * - `creating`: a createForumTopic call may be in flight (set before the call)
 * - `open`: created; `threadId` is known
 * - `closed` / `deleted`: after the session stopped (or the topic vanished in Telegram)
 * - `failed`: could not be created, or creation was interrupted (then it is never retried
 *   automatically: the call may have succeeded, and a second one would make a duplicate)
 */
export const TELEGRAM_TOPIC_STATUSES = ['reserved', 'creating', 'open', 'closed', 'deleted', 'failed'] as const
export type TelegramTopicStatus = (typeof TELEGRAM_TOPIC_STATUSES)[number]

/** The forum topic of one session in one chat. (chatId, sessionId) is unique, and so is (chatId, threadId). */
export interface TelegramTopic {
  chatId: number
  sessionId: string
  /** message_thread_id, once created. */
  threadId: number | null
  name: string
  status: TelegramTopicStatus
  /** The pinned status card, once sent. */
  statusMessageId: number | null
  /** createForumTopic calls started for this topic (counted before each call). */
  createAttempts: number
  error: string | null
  createdAt: number
  updatedAt: number
}

export interface ReserveTopic {
  chatId: number
  sessionId: string
  name: string
  at: number
}

export interface ListTopicsFilter {
  chatId?: number
  sessionId?: string
  status?: TelegramTopicStatus
}

export interface TelegramTopicStore {
  /**
   * The topic row of (chatId, sessionId), inserted as `reserved` if there is none. Never makes a
   * second row: `created` says whether this call inserted it.
   */
  reserve(topic: ReserveTopic): { topic: TelegramTopic; created: boolean }
  get(chatId: number, sessionId: string): TelegramTopic | undefined
  /** The topic holding `threadId` in `chatId`. */
  byThread(chatId: number, threadId: number): TelegramTopic | undefined
  /** Matching topics, in insertion order. */
  list(filter?: ListTopicsFilter): TelegramTopic[]
  /** Sets the name; false if there is no such topic. */
  rename(chatId: number, sessionId: string, name: string, at: number): boolean
  /**
   * `reserved` -> `creating`, counting the attempt, before createForumTopic is called. Returns the
   * updated row, or undefined if the topic was not `reserved` (nothing changes then).
   */
  beginCreate(chatId: number, sessionId: string, at: number): TelegramTopic | undefined
  /** `creating` -> `open` with its thread id; false if it was not `creating`. */
  confirmCreated(chatId: number, sessionId: string, threadId: number, at: number): boolean
  /**
   * Sets the status (and the error, null clears it) of an existing topic; false if there is none.
   * Moving to `reserved` or `creating` is refused (use `beginCreate`, `retryCreate`).
   */
  setStatus(chatId: number, sessionId: string, status: Exclude<TelegramTopicStatus, 'reserved' | 'creating'>, at: number, error?: string | null): boolean
  /** `creating` or `failed` -> `reserved` (a definite "not created" answer, or an operator's retry); false otherwise. */
  retryCreate(chatId: number, sessionId: string, at: number, error?: string | null): boolean
  /** Records (or clears) the status card's message id; false if there is no such topic. */
  setStatusMessage(chatId: number, sessionId: string, messageId: number | null, at: number): boolean
}

// ---------------------------------------------------------------- outbox

export type TopicCloseMode = 'close' | 'delete'

/** An inline keyboard button; `data` is its callback data, 1 to 64 bytes of UTF-8 (as Telegram requires). */
export interface TelegramButton {
  text: string
  data: string
}

/**
 * One operation for Telegram. `sessionId` operations act in that session's topic, whose thread is
 * looked up when the operation runs (so it can be queued before the topic exists).
 */
export type TelegramOperation =
  | { kind: 'create_topic'; chatId: number; sessionId: string }
  | { kind: 'edit_topic'; chatId: number; sessionId: string; name: string }
  | { kind: 'close_topic'; chatId: number; sessionId: string; mode: TopicCloseMode }
  | {
      kind: 'send_message'
      chatId: number
      /** In this session's topic. */
      sessionId?: string
      /** In this thread (when there is no session), e.g. a reply in a topic. */
      threadId?: number
      /** The plain text: sent as is when there is no `html`, or when Telegram rejects the html. */
      text: string
      /** The same text as Telegram HTML. */
      html?: string
      replyToMessageId?: number
      /** An inline keyboard: rows of buttons. */
      buttons?: TelegramButton[][]
      /** After a successful send, the sent message is recorded under this key (see `TelegramMessageKeys`). */
      key?: string
      /** Pin the sent message (silently) once sent; a failed pin is logged, not an operation failure. */
      pin?: boolean
    }
  | {
      kind: 'edit_message'
      chatId: number
      /** The message: exactly one of `messageId` and `key` (a key not recorded yet is retried). */
      messageId?: number
      key?: string
      text: string
      html?: string
      /** Absent: the message ends up with no keyboard (as Telegram does); null: removes it; rows: sets it. */
      buttons?: TelegramButton[][] | null
    }
  | { kind: 'react'; chatId: number; messageId: number; emoji: string }

export type TelegramOperationKind = TelegramOperation['kind']

/** `sending`: an attempt is in flight (or was, when the process died). */
export type OutboxStatus = 'pending' | 'sending' | 'done' | 'failed'

export interface OutboxEntry {
  id: number
  /** Operations of one lane run one at a time, in id order (one lane per topic or chat thread). */
  lane: string
  operation: TelegramOperation
  status: OutboxStatus
  /** Attempts started (counted before each call). */
  attempts: number
  nextAttemptAt: number
  lastError: string | null
  createdAt: number
  updatedAt: number
}

export interface NewOutboxEntry {
  lane: string
  operation: TelegramOperation
  createdAt: number
  /** Default: `createdAt`. */
  nextAttemptAt?: number
}

export interface ListOutboxFilter {
  lane?: string
  status?: OutboxStatus
  /** The newest `limit` (positive); absent: all. */
  limit?: number
}

/**
 * The persisted queue of Telegram operations. A lane's head is its oldest entry that is
 * `pending` or `sending`; only heads run, so a lane keeps its order and has at most one attempt in
 * flight. Settled entries (`done`, `failed`) never run again.
 */
export interface TelegramOutbox {
  enqueue(entry: NewOutboxEntry): OutboxEntry
  get(id: number): OutboxEntry | undefined
  /** Lane heads that are `pending` with `nextAttemptAt <= now`, in id order, at most `limit`. */
  due(now: number, limit?: number): OutboxEntry[]
  /** The earliest `nextAttemptAt` of a `pending` lane head; null when nothing waits. */
  nextDueAt(): number | null
  /** `pending` -> `sending`, attempts + 1; returns the updated entry, undefined if it was not pending. */
  startAttempt(id: number, at: number): OutboxEntry | undefined
  /** `sending` -> `pending` again at `nextAttemptAt`, keeping `error`; false if it was not sending. */
  retryAt(id: number, nextAttemptAt: number, error: string, at: number): boolean
  /** `pending`/`sending` -> `done`; false otherwise. */
  complete(id: number, at: number): boolean
  /** `pending`/`sending` -> `failed` with `error`; false otherwise. */
  fail(id: number, error: string, at: number): boolean
  /** Every `sending` entry back to `pending`, due at `at` (after a restart); returns them. */
  requeueInterrupted(at: number): OutboxEntry[]
  /** Matching entries, oldest first. */
  list(filter?: ListOutboxFilter): OutboxEntry[]
  /** Deletes settled entries last updated before `before`; returns how many. */
  pruneSettled(before: number): number
}

// ---------------------------------------------------------------- message keys

/** A message in a Telegram chat. */
export interface TelegramMessageRef {
  chatId: number
  messageId: number
}

/**
 * Messages by a key the producer chose: the bot's (`send_message.key`), so a later operation
 * (`edit_message.key`) can refer to a message whose id is not known when it is queued, and
 * people's messages the bot answers later (a reaction once a queued text is delivered).
 */
export interface TelegramMessageKeys {
  /** Records `ref` under `key`, replacing what was there. */
  set(key: string, ref: TelegramMessageRef, at: number): void
  get(key: string): TelegramMessageRef | undefined
  /** Removes `key` and returns what it held, atomically: of two takes, one gets it. */
  take(key: string): TelegramMessageRef | undefined
  /** Deletes keys recorded (last set) before `before`; returns how many. */
  prune(before: number): number
}

// ---------------------------------------------------------------- follows

/**
 * Private chats following sessions (`/follow <session>` in a private chat with the bot): the
 * session's notifications are copied there. "Oldest first" is by the `at` of `add`, ties in the
 * order they were added.
 */
export interface TelegramFollowStore {
  /** `chatId` follows `sessionId` from `at`; false if it did already (nothing changes then). */
  add(chatId: number, sessionId: string, at: number): boolean
  /** `chatId` stops following `sessionId`; false if it was not following it. */
  remove(chatId: number, sessionId: string): boolean
  /** The chats following `sessionId`, oldest first. */
  followers(sessionId: string): number[]
  /** The sessions `chatId` follows, oldest first. */
  following(chatId: number): string[]
  /** Nobody follows `sessionId` any more (it stopped); returns how many follows were removed. */
  removeSession(sessionId: string): number
}

// ---------------------------------------------------------------- held notifications

/**
 * A notification held in quiet hours, kept until its session's digest is posted (so a restart
 * during quiet hours still has it for the digest). Its buttons and key are not kept: a held
 * notification only ever appears in a digest.
 */
export interface HeldNotification {
  /** Given by the store (`add` returns it); set on every listed one, ignored by `add`. */
  id?: number
  sessionId: string
  /** The session as it was when the notification was held. */
  session: { id: string; name: string | null; workingDir: string }
  /** The notification kind (`turn_ended`, `error`, ...). */
  kind: string
  /** Its one line for the digest. */
  summary: string
  /** The notification as it would have been posted (a held response is shown in full). */
  messages: { text: string; html: string }[]
  createdAt: number
}

/**
 * Notifications held in quiet hours, per session. "Oldest first" is the order they were added
 * (ids increase, and are never reused, removed ones included).
 */
export interface TelegramHeldStore {
  /** Stores `n` (its `id`, if any, is ignored); returns its id. */
  add(n: HeldNotification): number
  /** Every held notification, oldest first, each with its id. */
  list(): HeldNotification[]
  /** The session's digest was posted: removes its held notifications; returns how many. */
  removeSession(sessionId: string): number
}

/** The Telegram stores, as the adapter takes them. */
export interface TelegramStores {
  access: TelegramAccessStore
  topics: TelegramTopicStore
  outbox: TelegramOutbox
  messageKeys: TelegramMessageKeys
  follows: TelegramFollowStore
  held: TelegramHeldStore
}
