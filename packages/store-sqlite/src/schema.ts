import type { DeliveryMode, DeliveryVia, MessageStatus, SessionKind, SessionState, WatchOutcome } from '@claude-sessions/core'
import type { OutboxStatus, TelegramOperationKind, TelegramTopicStatus } from '@claude-sessions/core/telegram'
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * The registry of sessions: one row per Session, plus the hash of its secret token.
 * Property names equal the Session field names, so a selected row is a Session plus `tokenHash`.
 * Times are epoch milliseconds.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<SessionKind>().notNull(),
    name: text('name'),
    state: text('state').$type<SessionState>().notNull(),
    workingDir: text('working_dir').notNull(),
    tmuxSession: text('tmux_session'),
    claudeSessionId: text('claude_session_id'),
    model: text('model'),
    parentId: text('parent_id'),
    createdAt: integer('created_at').notNull(),
    lastActivityAt: integer('last_activity_at').notNull(),
    stoppedAt: integer('stopped_at'),
    lastTool: text('last_tool'),
    lastMessage: text('last_message'),
    backgroundTasks: integer('background_tasks').notNull().default(0),
    lastEventAt: integer('last_event_at'),
    stateSince: integer('state_since').notNull().default(0),
    policy: text('policy'),
    spawnPrompt: text('spawn_prompt'),
    currentTask: text('current_task'),
    tokenHash: text('token_hash'),
  },
  (t) => [
    index('sessions_claude_session_id_idx').on(t.claudeSessionId),
    // A name may be held by at most one session that is not stopped.
    uniqueIndex('sessions_live_name_unique')
      .on(t.name)
      .where(sql`name IS NOT NULL AND state != 'stopped'`),
    index('sessions_state_idx').on(t.state),
  ],
)

/** The log of hook events, append-only. `dedupe_key` is set for spooled events so a re-import is ignored. */
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sessionId: text('session_id').notNull(),
    claudeSessionId: text('claude_session_id').notNull(),
    event: text('event').notNull(),
    at: integer('at').notNull(),
    toolName: text('tool_name'),
    toolUseId: text('tool_use_id'),
    notificationType: text('notification_type'),
    raw: text('raw').notNull(),
    rawSize: integer('raw_size').notNull(),
    dedupeKey: text('dedupe_key'),
  },
  (t) => [
    index('events_session_id_id_idx').on(t.sessionId, t.id),
    // NULLs never clash: only spooled events carry a key.
    uniqueIndex('events_dedupe_key_unique').on(t.dedupeKey),
  ],
)

/**
 * The tool-use audit: one row per PreToolUse, PostToolUse, PostToolUseFailure,
 * PermissionRequest, SubagentStart and SubagentStop, redacted before it is written. Indexed for
 * every filter `sm tools` offers (session, tool, flags, decision, project, time).
 */
export const toolEvents = sqliteTable(
  'tool_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    sessionId: text('session_id').notNull(),
    sessionName: text('session_name'),
    parentId: text('parent_id'),
    claudeSessionId: text('claude_session_id').notNull(),
    agentId: text('agent_id'),
    toolUseId: text('tool_use_id'),
    cwd: text('cwd'),
    project: text('project'),
    event: text('event').notNull(),
    toolName: text('tool_name'),
    toolInput: text('tool_input'),
    toolResponse: text('tool_response'),
    toolResponseSize: integer('tool_response_size'),
    targetFile: text('target_file'),
    command: text('command'),
    exitCode: integer('exit_code'),
    error: text('error'),
    durationMs: integer('duration_ms'),
    destructive: integer('destructive', { mode: 'boolean' }).notNull().default(false),
    category: text('category'),
    sensitive: integer('sensitive', { mode: 'boolean' }).notNull().default(false),
    match: text('match'),
    decision: text('decision'),
    decidedBy: text('decided_by'),
    dedupeKey: text('dedupe_key'),
  },
  (t) => [
    index('tool_events_at_idx').on(t.at),
    index('tool_events_session_at_idx').on(t.sessionId, t.at),
    index('tool_events_tool_at_idx').on(t.toolName, t.at),
    index('tool_events_project_at_idx').on(t.project, t.at),
    index('tool_events_tool_use_id_idx').on(t.toolUseId),
    index('tool_events_destructive_at_idx').on(t.at).where(sql`destructive = 1`),
    index('tool_events_sensitive_at_idx').on(t.at).where(sql`sensitive = 1`),
    index('tool_events_decision_at_idx').on(t.decision, t.at).where(sql`decision IS NOT NULL`),
    // most rows have no dedupe key or decision: those indexes hold only the rows that do
    uniqueIndex('tool_events_dedupe_key_unique').on(t.dedupeKey).where(sql`dedupe_key IS NOT NULL`),
  ],
)

/**
 * Messages to sessions: stored (queued) before delivery is tried, then delivered or failed once.
 * Property names equal the Message field names. A failed message's `delivered_at` is when it failed.
 */
export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recipientId: text('recipient_id').notNull(),
    senderId: text('sender_id'),
    senderName: text('sender_name'),
    text: text('text').notNull(),
    mode: text('mode').$type<DeliveryMode>().notNull(),
    status: text('status').$type<MessageStatus>().notNull(),
    createdAt: integer('created_at').notNull(),
    deliveredAt: integer('delivered_at'),
    via: text('via').$type<DeliveryVia>(),
    error: text('error'),
  },
  (t) => [
    // a recipient's queue; stays as small as the queues, however long the history
    index('messages_queued_idx').on(t.recipientId, t.id).where(sql`status = 'queued'`),
    // `list` filters, each in id order (so a limit reads only the newest rows)
    index('messages_recipient_id_idx').on(t.recipientId, t.id),
    index('messages_sender_id_idx').on(t.senderId, t.id),
    index('messages_status_id_idx').on(t.status, t.id),
  ],
)

/** `sm spawn --wait` / `sm wait` watches; `outcome` is set once, when one fires. Property names equal the Watch field names. */
export const watches = sqliteTable(
  'watches',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    targetId: text('target_id').notNull(),
    watcherId: text('watcher_id').notNull(),
    quietMs: integer('quiet_ms').notNull(),
    deadline: integer('deadline').notNull(),
    createdAt: integer('created_at').notNull(),
    outcome: text('outcome').$type<WatchOutcome>(),
    firedAt: integer('fired_at'),
  },
  (t) => [index('watches_active_idx').on(t.id).where(sql`outcome IS NULL`)],
)

/** Telegram users added by pairing (`/pair <code>`); users from the config are not stored. */
export const telegramUsers = sqliteTable('telegram_users', {
  userId: integer('user_id').primaryKey(),
  username: text('username'),
  addedAt: integer('added_at').notNull(),
})

/** One-time pairing codes, by hash; `used_at` is set once. */
export const telegramPairingCodes = sqliteTable('telegram_pairing_codes', {
  codeHash: text('code_hash').primaryKey(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
  usedBy: integer('used_by'),
})

/**
 * The forum topic of each session: one row per (chat, session), reserved before Telegram is
 * asked to create it, so a restart (or a crash loop) finds it instead of creating another.
 */
export const telegramTopics = sqliteTable(
  'telegram_topics',
  {
    chatId: integer('chat_id').notNull(),
    sessionId: text('session_id').notNull(),
    threadId: integer('thread_id'),
    name: text('name').notNull(),
    status: text('status').$type<TelegramTopicStatus>().notNull(),
    statusMessageId: integer('status_message_id'),
    createAttempts: integer('create_attempts').notNull().default(0),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.chatId, t.sessionId] }),
    uniqueIndex('telegram_topics_thread_unique').on(t.chatId, t.threadId).where(sql`thread_id IS NOT NULL`),
  ],
)

/**
 * Operations waiting to reach Telegram. `operation` is the JSON of a TelegramOperation (`kind`
 * repeated for queries). A lane runs in id order, one attempt at a time.
 */
export const telegramOutbox = sqliteTable(
  'telegram_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    lane: text('lane').notNull(),
    kind: text('kind').$type<TelegramOperationKind>().notNull(),
    operation: text('operation').notNull(),
    status: text('status').$type<OutboxStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // the open entries of each lane, in order: lane heads and "what runs next"
    index('telegram_outbox_open_idx').on(t.lane, t.id).where(sql`status IN ('pending', 'sending')`),
    index('telegram_outbox_status_id_idx').on(t.status, t.id),
    index('telegram_outbox_settled_idx').on(t.updatedAt).where(sql`status IN ('done', 'failed')`),
  ],
)

/** Messages the bot sent, by the key their `send_message` gave, for later edits by key. */
export const telegramMessageKeys = sqliteTable('telegram_message_keys', {
  key: text('key').primaryKey(),
  chatId: integer('chat_id').notNull(),
  messageId: integer('message_id').notNull(),
  createdAt: integer('created_at').notNull(),
})

/** Private chats following sessions (`/follow` in a private chat): one row per (chat, session). */
export const telegramFollows = sqliteTable(
  'telegram_follows',
  {
    chatId: integer('chat_id').notNull(),
    sessionId: text('session_id').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.sessionId] }), index('telegram_follows_session_idx').on(t.sessionId)],
)

/**
 * Notifications held in quiet hours, until their session's digest is posted (a restart keeps them
 * for the digest). `session_json` is the session as it was then, `messages_json` the formatted
 * messages; ids increase and are never reused (the order they were held).
 */
export const telegramHeld = sqliteTable(
  'telegram_held',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sessionId: text('session_id').notNull(),
    kind: text('kind').notNull(),
    summary: text('summary').notNull(),
    sessionJson: text('session_json').notNull(),
    messagesJson: text('messages_json').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('telegram_held_session_idx').on(t.sessionId)],
)

export type SessionRow = typeof sessions.$inferSelect
export type EventRow = typeof events.$inferSelect
export type ToolEventRow = typeof toolEvents.$inferSelect
export type MessageRow = typeof messages.$inferSelect
export type WatchRow = typeof watches.$inferSelect
export type TelegramTopicRow = typeof telegramTopics.$inferSelect
export type TelegramOutboxRow = typeof telegramOutbox.$inferSelect

/**
 * The usage ledger: one row per model request (Claude Code's `request_id`), with its tokens and
 * what it cost in micro-dollars (integers: sums stay exact). `source`: `otel` (Claude Code's own
 * figures) or `transcript` (read from its transcript, priced by us).
 */
export const usage = sqliteTable(
  'usage',
  {
    requestId: text('request_id').primaryKey(),
    sessionId: text('session_id').notNull(),
    claudeSessionId: text('claude_session_id').notNull(),
    promptId: text('prompt_id'),
    model: text('model'),
    inputTokens: integer('input_tokens').notNull(),
    outputTokens: integer('output_tokens').notNull(),
    cacheReadTokens: integer('cache_read_tokens').notNull(),
    cacheWriteTokens: integer('cache_write_tokens').notNull(),
    costMicros: integer('cost_micros').notNull(),
    durationMs: integer('duration_ms'),
    querySource: text('query_source'),
    at: integer('at').notNull(),
    source: text('source').$type<'otel' | 'transcript'>().notNull(),
  },
  (t) => [index('usage_session_at_idx').on(t.sessionId, t.at), index('usage_at_idx').on(t.at)],
)
