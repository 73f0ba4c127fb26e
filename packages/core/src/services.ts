// @claude-sessions/core/services: the services that drive sessions through the ports, and the
// notification policy that turns their changes into notifications.
export * from './service/index.js'
export { connectNotifiers, flaggedNotification, notificationsOfEffects, questionNotification } from './notify/index.js'
export type { NotifyDeps } from './notify/index.js'
