// A fake Telegram Bot API server for tests (the adapter's, the server's, e2e).
export { FAKE_BOT, FAKE_TOKEN, FakeBotApi } from './fake-bot-api.js'
export type { ApiErrorReply, FakeButton, FakeMessage, FakeTopic, FakeUser, RecordedCall } from './fake-bot-api.js'
export { checkHtml } from './fake-html.js'
export { fakeBotConfig } from './fake-config.js'
