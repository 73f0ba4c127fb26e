/**
 * Private chats following sessions (`/follow <session>` in a private chat with the bot): their
 * notifications are copied there, each starting with `[<id>]`, and a reply to one of them goes
 * to that session. Kept in memory: after a restart, follow again.
 */
export class Follows {
  private readonly bySession = new Map<string, Set<number>>()

  /** True if `chatId` was not following `sessionId` yet. */
  follow(chatId: number, sessionId: string): boolean {
    let chats = this.bySession.get(sessionId)
    if (!chats) this.bySession.set(sessionId, (chats = new Set()))
    if (chats.has(chatId)) return false
    chats.add(chatId)
    return true
  }

  unfollow(chatId: number, sessionId: string): boolean {
    const chats = this.bySession.get(sessionId)
    const removed = chats?.delete(chatId) ?? false
    if (chats?.size === 0) this.bySession.delete(sessionId)
    return removed
  }

  followers(sessionId: string): readonly number[] {
    return [...(this.bySession.get(sessionId) ?? [])]
  }

  /** Sessions `chatId` follows. */
  following(chatId: number): string[] {
    return [...this.bySession].filter(([, chats]) => chats.has(chatId)).map(([id]) => id)
  }

  /** The session stopped: nobody follows it any more. */
  forget(sessionId: string): void {
    this.bySession.delete(sessionId)
  }
}

/** The session a message the bot sent in a private chat is about: its leading `[<id>]`. */
export function sessionOfMessage(text: string | undefined): string | undefined {
  return /^\[([A-Za-z0-9_-]{1,64})\]/.exec(text ?? '')?.[1]
}
