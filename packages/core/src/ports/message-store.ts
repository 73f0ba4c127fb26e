import type { DeliveryVia, Message, NewMessage } from '../messages/message.js'

export interface ListMessagesFilter {
  recipientId?: string
  senderId?: string
  status?: Message['status']
  /** The newest `limit` (positive); absent: all. */
  limit?: number
}

/** Messages between sessions. Every write is durable when the call returns (no batching). */
export interface MessageStore {
  insert(message: NewMessage): Message
  get(id: number): Message | undefined
  /** Queued messages of a recipient, oldest first. */
  queued(recipientId: string): Message[]
  /** Recipients with queued messages. */
  recipientsWithQueued(): string[]
  /**
   * Records, before a queued message is typed, that typing began at `at` (its `typingSince`);
   * it stays queued. False if it was not queued. Durable when the call returns, like every write.
   */
  markTyping(id: number, at: number): boolean
  /** Marks a queued message delivered; false if it was not queued (delivered once, never twice). */
  markDelivered(id: number, via: DeliveryVia, at: number): boolean
  /** Marks a queued message failed; false if it was not queued. */
  markFailed(id: number, error: string, at: number): boolean
  /** Matching messages, oldest first. */
  list(filter?: ListMessagesFilter): Message[]
}

export type WatchOutcome = 'completed' | 'exited' | 'timeout'

/** `sm spawn --wait` / `sm wait`: the watcher gets one message when the target finishes, exits, or time runs out. */
export interface Watch {
  id: number
  targetId: string
  watcherId: string
  /** How long the target must stay quiet after a finished turn. */
  quietMs: number
  /** When "still busy" is sent (epoch ms). */
  deadline: number
  createdAt: number
  outcome: WatchOutcome | null
  firedAt: number | null
}

export type NewWatch = Pick<Watch, 'targetId' | 'watcherId' | 'quietMs' | 'deadline' | 'createdAt'>

export interface WatchStore {
  insert(watch: NewWatch): Watch
  /** Watches not fired yet, oldest first. */
  active(): Watch[]
  /** Sets the outcome once; false if it had fired already. */
  fire(id: number, outcome: WatchOutcome, at: number): boolean
}
