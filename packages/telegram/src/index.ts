/** Telegram: follow and drive sessions from a phone. */
export const TELEGRAM_PACKAGE = "@claude-sessions/telegram"
