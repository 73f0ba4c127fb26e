export const DELIVERY_MODES = ['sequential', 'important', 'urgent'] as const
/**
 * sequential: between turns (typed when idle, else with the next Stop's reply). important: as
 * soon as possible (the next tool hook's reply, else the Stop's, or typed when idle). urgent:
 * interrupt, then type.
 */
export type DeliveryMode = (typeof DELIVERY_MODES)[number]

export type MessageStatus = 'queued' | 'delivered' | 'failed'

/** How a message reached the agent. */
export type DeliveryVia = 'typed' | 'stop_hook' | 'tool_hook' | 'interrupt'

/** A message to a session: stored before anything is tried, then delivered or failed. */
export interface Message {
  id: number
  recipientId: string
  /** The sending session; null for the operator or the server itself. */
  senderId: string | null
  senderName: string | null
  text: string
  mode: DeliveryMode
  status: MessageStatus
  createdAt: number
  deliveredAt: number | null
  via: DeliveryVia | null
  /** Why it failed. */
  error: string | null
  /**
   * While queued: when sm began typing it into the session (it is marked delivered only once
   * confirmed, so a restart in between finds it here and checks the session's prompts before
   * typing it again). Null when no typing was begun, and once the message has settled.
   */
  typingSince: number | null
}

export type NewMessage = Pick<Message, 'recipientId' | 'senderId' | 'senderName' | 'text' | 'mode' | 'createdAt'>

/** Texts above this are refused: a message is typed or put in a hook reply whole. */
export const MESSAGE_MAX_CHARS = 100_000

/** `/clear`, `/compact`, ...: delivered alone, by typing, never batched or put in a hook reply. */
export const isSlashCommand = (text: string): boolean => /^\/[A-Za-z][\w:-]*(\s|$)/.test(text)

/** What the recipient sees: a session's message names its sender; the operator's and the server's are as written. */
export function messageText(m: Pick<Message, 'senderId' | 'senderName' | 'text'>): string {
  if (m.senderId === null) return m.text
  return `[sm from ${m.senderName ?? m.senderId} (${m.senderId})] ${m.text}`
}
