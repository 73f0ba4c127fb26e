// The kinds are the notification policy's (core): each can be switched off here, and all but the urgent ones wait out quiet hours.
export { isNotificationKind, NOTIFICATION_KINDS, type NotificationKind } from '@claude-sessions/core'
