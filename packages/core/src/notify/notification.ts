import type { Session } from '../session/session.js'

/** What a notification is about; each kind can be switched off, and all but the urgent ones wait out quiet hours. */
export const NOTIFICATION_KINDS = ['turn_ended', 'permission', 'question', 'error', 'flagged', 'child_done', 'typed_prompt'] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

export const isNotificationKind = (value: unknown): value is NotificationKind =>
  typeof value === 'string' && (NOTIFICATION_KINDS as readonly string[]).includes(value)

/** Something a person should hear about a session: decided by the notification policy (policy.ts). */
export interface Notification {
  kind: NotificationKind
  /** The session it is about (a child's completion is about its parent). */
  session: Session
  /** One line: what happened. */
  title: string
  /** The text that goes with it (the response, the command, the prompt); may be empty. */
  body: string
}

/**
 * Where notifications go: Telegram is one notifier, the web page another. `notify` queues and
 * returns at once; it never throws (a notifier that fails keeps its failure to itself).
 */
export interface Notifier {
  notify(notification: Notification): void
}
