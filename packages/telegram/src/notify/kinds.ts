/** What a notification is about; each kind can be switched off, and all but the urgent ones wait out quiet hours. */
export const NOTIFICATION_KINDS = ['turn_ended', 'permission', 'question', 'error', 'flagged', 'child_done', 'typed_prompt'] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

export const isNotificationKind = (value: unknown): value is NotificationKind =>
  typeof value === 'string' && (NOTIFICATION_KINDS as readonly string[]).includes(value)
