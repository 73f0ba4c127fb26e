/** The bot's commands and buttons, independent of grammY. */
export { CommandRouter, OUTPUT_LINES, TOOL_EVENTS } from './router.js'
export type { CommandContext, CommandRouterDeps } from './router.js'
