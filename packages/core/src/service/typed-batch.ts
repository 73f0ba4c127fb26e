/**
 * Typing queued messages: the text typed for a batch, how its delivery is recorded when its
 * prompt hook confirms it only later, and the prompt a recorded hook carried (after a restart).
 */
import type { StoredEvent } from '../events/stored-event.js'
import { isSlashCommand, type DeliveryVia, type Message } from '../messages/message.js'
import { joinMessages } from '../messages/plan.js'
import type { Session } from '../session/session.js'

/**
 * Whether a message acts as a slash command in its recipient: only the operator's (senderId
 * null; the server's own never start with `/`) and the recipient's parent's may. Anyone else's
 * text starting with `/` is a message like any other: typed with its sender named.
 */
const isCommandFor = (m: Message, recipient: Pick<Session, 'parentId'>): boolean =>
  isSlashCommand(m.text) && (m.senderId === null || m.senderId === recipient.parentId)

/**
 * The text typed for a batch (all typing began at one time): a slash command its sender may
 * give, alone and as written; else the joined messages, each session's with its sender named.
 */
export const typedText = (batch: readonly Message[], recipient: Pick<Session, 'parentId'>): string =>
  batch.length === 1 && isCommandFor(batch[0]!, recipient) ? batch[0]!.text : joinMessages(batch)

/** How a batch went when its typing is confirmed only later (by its prompt hook). */
export const typedVia = (batch: readonly Message[]): DeliveryVia => (batch.length === 1 && batch[0]!.mode === 'urgent' ? 'interrupt' : 'typed')

/** The prompt of a stored UserPromptSubmit; a payload cut at the stored cap gives none. */
export function storedPrompt(e: StoredEvent): string | null {
  try {
    const prompt = (JSON.parse(e.raw) as { prompt?: unknown } | null)?.prompt
    return typeof prompt === 'string' ? prompt : null
  } catch {
    return null
  }
}
