// @claude-sessions/core/telegram: the Telegram bot's store ports (its fakes and contracts: ./telegram/testing).
export * from './ports/telegram-store.js'
