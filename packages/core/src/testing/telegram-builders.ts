import type { HeldNotification, NewOutboxEntry, TelegramOperation, TelegramUser } from '../ports/telegram-store.js'

// Builders of the Telegram stores' rows, for contracts and tests.
export const T0 = 1_700_000_000_000
export const CHAT = -1001234567890

export const aTelegramUser = (overrides: Partial<TelegramUser> = {}): TelegramUser => ({
  userId: 424242,
  username: 'alice',
  addedAt: T0,
  ...overrides,
})

export const aSendOperation = (overrides: Partial<Extract<TelegramOperation, { kind: 'send_message' }>> = {}): TelegramOperation => ({
  kind: 'send_message',
  chatId: CHAT,
  sessionId: 'a1b2c3d4',
  text: 'hello <b> & ✓',
  html: 'hello &lt;b&gt; &amp; ✓',
  ...overrides,
})

export const aNewOutboxEntry = (overrides: Partial<NewOutboxEntry> = {}): NewOutboxEntry => ({
  lane: `topic:${CHAT}:a1b2c3d4`,
  operation: aSendOperation(),
  createdAt: T0,
  ...overrides,
})

export const aHeldNotification = (overrides: Partial<HeldNotification> = {}): HeldNotification => ({
  sessionId: 'a1b2c3d4',
  session: { id: 'a1b2c3d4', name: 'night-owl', workingDir: '/work/night-owl' },
  kind: 'turn_ended',
  summary: 'Response: done <b> & ✓',
  messages: [{ text: 'done <b> & ✓', html: 'done &lt;b&gt; &amp; ✓' }],
  createdAt: T0,
  ...overrides,
})

