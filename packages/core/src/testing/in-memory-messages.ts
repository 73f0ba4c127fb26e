import type { DeliveryVia, Message, NewMessage } from '../messages/message.js'
import type { ListMessagesFilter, MessageStore, NewWatch, Watch, WatchOutcome, WatchStore } from '../ports/message-store.js'

/** Whether `m` passes every condition of `filter` (its `limit` aside). */
const matchesMessageFilter = (m: Message, f: ListMessagesFilter): boolean =>
  (f.recipientId === undefined || m.recipientId === f.recipientId) &&
  (f.senderId === undefined || m.senderId === f.senderId) &&
  (f.status === undefined || m.status === f.status)

/**
 * MessageStore in memory. Ids start at 1 and increase; messages are kept in id order, so every
 * "oldest first" is insertion order. A message settles once: `markDelivered`/`markFailed` change
 * only a queued message. A failed message's `deliveredAt` holds the time it failed (the only time
 * field a message has for it); its `via` stays null.
 */
export class InMemoryMessageStore implements MessageStore {
  private readonly messages: Message[] = []
  private readonly byId = new Map<number, Message>()
  private nextId = 1

  insert(message: NewMessage): Message {
    const stored: Message = {
      id: this.nextId++,
      recipientId: message.recipientId,
      senderId: message.senderId,
      senderName: message.senderName,
      text: message.text,
      mode: message.mode,
      status: 'queued',
      createdAt: message.createdAt,
      deliveredAt: null,
      via: null,
      error: null,
      typingSince: null,
    }
    this.messages.push(stored)
    this.byId.set(stored.id, stored)
    return { ...stored }
  }

  get(id: number): Message | undefined {
    const m = this.byId.get(id)
    return m ? { ...m } : undefined
  }

  queued(recipientId: string): Message[] {
    return this.list({ recipientId, status: 'queued' })
  }

  /** Distinct, in the order of each recipient's oldest queued message. */
  recipientsWithQueued(): string[] {
    const out = new Set<string>()
    for (const m of this.messages) if (m.status === 'queued') out.add(m.recipientId)
    return [...out]
  }

  markTyping(id: number, at: number): boolean {
    const m = this.byId.get(id)
    if (m?.status !== 'queued') return false
    m.typingSince = at
    return true
  }

  markDelivered(id: number, via: DeliveryVia, at: number): boolean {
    const m = this.byId.get(id)
    if (m?.status !== 'queued') return false
    m.typingSince = null
    m.status = 'delivered'
    m.via = via
    m.deliveredAt = at
    return true
  }

  markFailed(id: number, error: string, at: number): boolean {
    const m = this.byId.get(id)
    if (m?.status !== 'queued') return false
    m.typingSince = null
    m.status = 'failed'
    m.error = error
    m.deliveredAt = at
    return true
  }

  /** A `limit` that is not positive means no limit (as in the SQLite store). */
  list(filter: ListMessagesFilter = {}): Message[] {
    const matching = this.messages.filter((m) => matchesMessageFilter(m, filter)).map((m) => ({ ...m }))
    const limit = filter.limit
    return limit === undefined || limit <= 0 ? matching : matching.slice(-limit)
  }
}

/** WatchStore in memory. Ids start at 1 and increase; a watch fires once. */
export class InMemoryWatchStore implements WatchStore {
  private readonly watches: Watch[] = []
  private nextId = 1

  insert(watch: NewWatch): Watch {
    const stored: Watch = {
      id: this.nextId++,
      targetId: watch.targetId,
      watcherId: watch.watcherId,
      quietMs: watch.quietMs,
      deadline: watch.deadline,
      createdAt: watch.createdAt,
      outcome: null,
      firedAt: null,
    }
    this.watches.push(stored)
    return { ...stored }
  }

  active(): Watch[] {
    return this.watches.filter((w) => w.outcome === null).map((w) => ({ ...w }))
  }

  fire(id: number, outcome: WatchOutcome, at: number): boolean {
    const w = this.watches.find((x) => x.id === id)
    if (w === undefined || w.outcome !== null) return false
    w.outcome = outcome
    w.firedAt = at
    return true
  }
}
