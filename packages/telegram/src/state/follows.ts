import type { TelegramFollowStore } from '@claude-sessions/core/telegram'

/**
 * Private chats following sessions (`/follow <session>` in a private chat with the bot): their
 * notifications are copied there, each starting with `[<id>]`, and a reply to one of them goes
 * to that session. Kept in the store (`TelegramFollowStore`), so follows survive a restart.
 */
export class Follows {
  constructor(
    private readonly store: TelegramFollowStore,
    private readonly now: () => number,
  ) {}

  /** True if `chatId` was not following `sessionId` yet. */
  follow(chatId: number, sessionId: string): boolean {
    return this.store.add(chatId, sessionId, this.now())
  }

  unfollow(chatId: number, sessionId: string): boolean {
    return this.store.remove(chatId, sessionId)
  }

  /** Chats following `sessionId`, oldest first. */
  followers(sessionId: string): readonly number[] {
    return this.store.followers(sessionId)
  }

  /** Sessions `chatId` follows, oldest first. */
  following(chatId: number): string[] {
    return this.store.following(chatId)
  }

  /** The session stopped: nobody follows it any more. */
  forget(sessionId: string): void {
    this.store.removeSession(sessionId)
  }
}

/** The session a message the bot sent in a private chat is about: its leading `[<id>]`. */
export function sessionOfMessage(text: string | undefined): string | undefined {
  return /^\[([A-Za-z0-9_-]{1,64})\]/.exec(text ?? '')?.[1]
}
