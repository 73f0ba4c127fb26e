// @claude-sessions/core: the session model and its reducer, hook events, errors and the ports.
// By concern: ./audit (classifier, lexer, redaction, policy), ./services (session, message and
// summary services, notification policy), ./telegram (the bot's store ports), ./testing and
// ./telegram/testing (fakes and contract suites). README.md has examples.
export * from './errors.js'
export * from './session/session.js'
export * from './session/names.js'
export * from './session/reducer.js'
export * from './session/pane-state.js'
export * from './session/tree.js'
export * from './events/hook-event.js'
export * from './events/ask-user-question.js'
export type * from './events/stored-event.js'
export * from './ports/index.js'
export { isNotificationKind, NOTIFICATION_KINDS } from './notify/notification.js'
export type { Notification, NotificationKind, Notifier } from './notify/notification.js'
export * from './time-bound.js'
export * from './safe-json.js'
export * from './messages/index.js'
export * from './locks/workspace-lock.js'
export * from './awareness/index.js'
export type { RepoInspector } from './ports/repo-inspector.js'
export * from './usage/index.js'
