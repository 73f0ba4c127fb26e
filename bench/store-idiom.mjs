// store-sqlite's SQL idiom, measured: each statement kind the store keeps as a raw better-sqlite3
// prepared statement, and the per-hook or per-operation candidates it writes with drizzle, timed
// both ways: raw prepared against the drizzle equivalent (the query builder, prepared once with
// placeholders, as the store does it). The rule and the figures: packages/store-sqlite/README.md.
// Over 400 lines on purpose: every statement is written twice, raw and drizzle, side by side.
//
//   node bench/store-idiom.mjs [--quick] [--runs N]
//
// Plain node: better-sqlite3 and drizzle-orm come from the store package's node_modules, the
// tables from its built schema (`pnpm build` first), checked against the migrations.
// One temp file database, opened like open-store.ts (WAL, synchronous = NORMAL, the committed
// migrations), its WAL checkpointed between runs (the store's worker keeps checkpoints off the
// commit path). Writes run 100 statements per transaction, as a busy write-behind turn does, so
// the figure is the statement, not the commit. Within a run raw and drizzle alternate chunk by
// chunk (a transaction, or 500 reads), so a load that comes and goes meets both alike; the
// figures are medians over the runs. Read the ratio: absolute rates depend on the machine.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const STORE = fileURLToPath(new URL('../packages/store-sqlite/', import.meta.url))
const require = createRequire(join(STORE, 'package.json'))
const Database = require('better-sqlite3')
const { drizzle } = require('drizzle-orm/better-sqlite3')
const { and, asc, eq, getTableColumns, getTableName, lte, sql } = require('drizzle-orm')
const { alias } = require('drizzle-orm/sqlite-core')

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const runsAt = args.indexOf('--runs')
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : quick ? 5 : 9
const SCALE = quick ? 0.25 : 1
const PER_TRANSACTION = 100

// ---------------------------------------------------------------- the tables (as src/schema.ts)

// the store's own tables (`@claude-sessions/store-sqlite/schema`, built): what the store runs is what is timed
const { events, toolEvents, sessions, messages, telegramOutbox: outbox, telegramTopics: topics } = await import(pathToFileURL(join(STORE, 'dist/schema.js')).href)

// ---------------------------------------------------------------- the database

function migrations() {
  const dir = join(STORE, 'drizzle')
  const journal = JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8'))
  return [...journal.entries].sort((a, b) => a.idx - b.idx).map((e) => readFileSync(join(dir, `${e.tag}.sql`), 'utf8'))
}

function openDatabase(path) {
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  for (const text of migrations()) {
    for (const statement of text.split('--> statement-breakpoint')) if (statement.trim() !== '') sqlite.exec(statement)
  }
  sqlite.pragma('foreign_keys = ON')
  // the store checkpoints on a worker thread; here, between runs
  sqlite.pragma('wal_autocheckpoint = 0')
  return sqlite
}

/** The declared tables must have the migrated columns: a schema change shows here, not as wrong figures. */
function checkTables(sqlite) {
  for (const table of [events, toolEvents, sessions, messages, outbox, topics]) {
    const name = getTableName(table)
    const migrated = sqlite
      .prepare(`SELECT name FROM pragma_table_info(?) ORDER BY name`)
      .pluck()
      .all(name)
    const declared = Object.values(getTableColumns(table))
      .map((c) => c.name)
      .sort()
    if (migrated.join() !== declared.join()) {
      throw new Error(`bench/store-idiom.mjs: table ${name} drifted from the migrations (migrated: ${migrated.join(', ')}; declared: ${declared.join(', ')})`)
    }
  }
}

// ---------------------------------------------------------------- the rows

const PAYLOAD = JSON.stringify(JSON.parse(readFileSync(fileURLToPath(new URL('../packages/core/fixtures/payloads/PreToolUse.Bash.json', import.meta.url)), 'utf8')))
const SESSION = 'a1b2c3d4'
const CLAUDE = '0f5c7c1e-3b1a-4a3e-9b1e-2d2f8c9e4a11'

let serial = 0
const eventRow = () => ({
  sessionId: SESSION,
  claudeSessionId: CLAUDE,
  event: 'PreToolUse',
  at: 1_800_000_000_000 + serial,
  toolName: 'Bash',
  toolUseId: `toolu_${serial}`,
  notificationType: null,
  raw: PAYLOAD,
  rawSize: PAYLOAD.length,
  dedupeKey: `hook:${serial++}`,
})

let toolId = 0
const toolRow = () => ({
  id: ++toolId,
  at: 1_800_000_000_000 + toolId,
  sessionId: SESSION,
  sessionName: 'worker',
  parentId: null,
  claudeSessionId: CLAUDE,
  agentId: null,
  toolUseId: `toolu_${toolId}`,
  cwd: '/home/tester/project',
  project: 'project',
  event: 'PreToolUse',
  toolName: 'Bash',
  toolInput: '{"command":"rm -rf build","description":"Clean the build output"}',
  toolResponse: null,
  toolResponseSize: null,
  targetFile: null,
  command: 'rm -rf build',
  exitCode: null,
  error: null,
  durationMs: null,
  destructive: true,
  category: 'recursive_delete',
  sensitive: false,
  match: 'rm -rf',
  decision: null,
  decidedBy: null,
  dedupeKey: null,
})

const SESSION_FIELDS = Object.keys(getTableColumns(sessions)).filter((k) => k !== 'tokenHash')
const sessionRow = (i, n) => ({
  id: `s${String(i).padStart(7, '0')}`,
  kind: 'managed',
  name: `worker-${i}`,
  state: n % 2 === 0 ? 'working' : 'idle',
  workingDir: '/home/tester/project',
  tmuxSession: `sm-${i}`,
  claudeSessionId: `${CLAUDE.slice(0, -4)}${String(i).padStart(4, '0')}`,
  model: 'claude-sonnet-4',
  parentId: null,
  createdAt: 1_800_000_000_000,
  lastActivityAt: 1_800_000_000_000 + n,
  stoppedAt: null,
  lastTool: 'Bash',
  lastMessage: 'Cleaning the build output.',
  backgroundTasks: 0,
  lastEventAt: 1_800_000_000_000 + n,
  stateSince: 1_800_000_000_000,
  policy: null,
  spawnPrompt: null,
  currentTask: 'clean up',
})

// ---------------------------------------------------------------- the cases

const p = (name) => sql.placeholder(name)

/** The store's positionalInsert (src/positional-insert.ts): whole rows, positional parameters. */
function positionalInsert(sqlite, table, onConflict) {
  const fields = Object.entries(getTableColumns(table))
  const statement = sqlite.prepare(
    `INSERT INTO "${getTableName(table)}" (${fields.map(([, c]) => `"${c.name}"`).join(', ')}) VALUES (${fields.map(() => '?').join(', ')}) ${onConflict}`,
  )
  const keys = fields.map(([k]) => k)
  return (row) => statement.run(keys.map((k) => (typeof row[k] === 'boolean' ? (row[k] ? 1 : 0) : (row[k] ?? null))))
}

/** drizzle's insert of whole rows, prepared once with a placeholder per field of `sample`. */
function drizzleInsert(db, table, sample, conflict) {
  const values = Object.fromEntries(Object.keys(sample).map((k) => [k, p(k)]))
  const statement = conflict(db.insert(table).values(values)).prepare()
  return (row) => statement.run(row)
}

function cases(sqlite, db) {
  const list = []

  // 1. the event log's insert: every hook event, inside the write-behind's transaction
  {
    const raw = positionalInsert(sqlite, events, 'ON CONFLICT (dedupe_key) DO NOTHING')
    const viaDrizzle = drizzleInsert(db, events, eventRow(), (q) => q.onConflictDoNothing({ target: events.dedupeKey }))
    list.push({ name: 'events insert', path: 'every hook (write-behind)', write: true, raw: () => raw(eventRow()), drizzle: () => viaDrizzle(eventRow()) })
  }

  // 2. the tool audit's insert: every tool hook, same transaction
  {
    const conflict = 'ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING'
    const raw = positionalInsert(sqlite, toolEvents, conflict)
    // drizzle puts a conflict target's WHERE after DO NOTHING (a syntax error): timed without a target, the same work
    const viaDrizzle = drizzleInsert(db, toolEvents, toolRow(), (q) => q.onConflictDoNothing())
    list.push({ name: 'tool_events insert', path: 'every tool hook (write-behind)', write: true, raw: () => raw(toolRow()), drizzle: () => viaDrizzle(toolRow()) })
  }

  // 3. the session row's update: most hook events, same transaction (200 live sessions)
  {
    const n = 200
    const insert = positionalInsert(sqlite, sessions, '')
    for (let i = 0; i < n; i++) insert({ ...sessionRow(i, 0), tokenHash: 'h' })
    const set = SESSION_FIELDS.filter((f) => f !== 'id')
    // positional, like positionalInsert (named parameters cost better-sqlite3 more than drizzle's placeholders do)
    const statement = sqlite.prepare(`UPDATE sessions SET ${set.map((f) => `"${getTableColumns(sessions)[f].name}" = ?`).join(', ')} WHERE id = ?`)
    const raw = { run: (row) => statement.run([...set.map((f) => row[f]), row.id]) }
    const viaDrizzle = db
      .update(sessions)
      .set(Object.fromEntries(set.map((f) => [f, sql`${p(f)}`])))
      .where(eq(sessions.id, p('id')))
      .prepare()
    let k = 0
    list.push({
      name: 'sessions update',
      path: 'most hooks (write-behind)',
      write: true,
      raw: () => raw.run(sessionRow(k % n, k++)),
      drizzle: () => viaDrizzle.run(sessionRow(k % n, k++)),
    })
  }

  // 4. a recipient's queued messages (INDEXED BY the partial index): hooks of a session something waits for
  {
    const insert = positionalInsert(sqlite, messages, '')
    for (let i = 0; i < 10_000; i++) {
      const queued = i % 2000 === 0 // three queued among a long delivered history
      insert({ recipientId: `r${i % 20}`, senderId: 's', senderName: null, text: `message ${i}`, mode: 'auto', status: queued ? 'queued' : 'delivered', createdAt: i, deliveredAt: queued ? null : i, via: queued ? null : 'hook', error: null })
    }
    const columns = Object.entries(getTableColumns(messages))
      .map(([field, c]) => `"${c.name}" AS "${field}"`)
      .join(', ')
    const raw = sqlite.prepare(`SELECT ${columns} FROM messages INDEXED BY messages_queued_idx WHERE recipient_id = ? AND status = 'queued' ORDER BY id`)
    // drizzle refuses a table's columns when FROM is an SQL fragment: each column as an SQL field, decoded as the column
    const fields = Object.fromEntries(Object.entries(getTableColumns(messages)).map(([k, c]) => [k, sql`${sql.identifier(c.name)}`.mapWith(c)]))
    const viaDrizzle = db
      .select(fields)
      .from(sql`${messages} INDEXED BY messages_queued_idx`)
      .where(and(eq(messages.recipientId, p('recipientId')), sql`${messages.status} = 'queued'`))
      .orderBy(asc(messages.id))
      .prepare()
    list.push({ name: 'messages queued (3 rows)', path: 'hooks of a session with mail', raw: () => raw.all('r0'), drizzle: () => viaDrizzle.all({ recipientId: 'r0' }) })
  }

  // 5. the outbox, one operation through: enqueue, claim (due lane heads, start), complete; each
  //    write commits on its own, as in the store (the outbox is not buffered)
  {
    const columns = `id, lane, operation, status, attempts, next_attempt_at AS nextAttemptAt, last_error AS lastError, created_at AS createdAt, updated_at AS updatedAt`
    const head = (o) =>
      `${o}.id = (SELECT min(i.id) FROM telegram_outbox i INDEXED BY telegram_outbox_open_idx WHERE i.lane = ${o}.lane AND i.status IN ('pending', 'sending'))`
    const raw = {
      enqueue: sqlite.prepare(
        `INSERT INTO telegram_outbox (lane, kind, operation, status, attempts, next_attempt_at, created_at, updated_at) VALUES (@lane, @kind, @operation, 'pending', 0, @next, @at, @at)`,
      ),
      due: sqlite.prepare(`SELECT ${columns} FROM telegram_outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= @now AND ${head('o')} ORDER BY o.id LIMIT @limit`),
      start: sqlite.prepare(`UPDATE telegram_outbox SET status = 'sending', attempts = attempts + 1, updated_at = @at WHERE id = @id AND status = 'pending'`),
      byId: sqlite.prepare(`SELECT ${columns} FROM telegram_outbox WHERE id = ?`),
      done: sqlite.prepare(`UPDATE telegram_outbox SET status = 'done', updated_at = @at WHERE id = @id AND status IN ('pending', 'sending')`),
    }
    const o = alias(outbox, 'o')
    const entry = (t) => ({
      id: t.id,
      lane: t.lane,
      operation: t.operation,
      status: t.status,
      attempts: t.attempts,
      nextAttemptAt: t.nextAttemptAt,
      lastError: t.lastError,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    })
    const open = (t) => sql`${t.status} IN ('pending', 'sending')`
    const viaDrizzle = {
      enqueue: db
        .insert(outbox)
        .values({ lane: p('lane'), kind: p('kind'), operation: p('operation'), status: 'pending', attempts: 0, nextAttemptAt: p('next'), createdAt: p('at'), updatedAt: p('at') })
        .prepare(),
      due: db
        .select(entry(o))
        .from(o)
        .where(
          and(
            sql`${o.status} = 'pending'`,
            lte(o.nextAttemptAt, p('now')),
            sql`${o.id} = (SELECT min(i.id) FROM ${outbox} i INDEXED BY telegram_outbox_open_idx WHERE i.lane = ${o.lane} AND i.status IN ('pending', 'sending'))`,
          ),
        )
        .orderBy(asc(o.id))
        .limit(p('limit'))
        .prepare(),
      start: db
        .update(outbox)
        .set({ status: 'sending', attempts: sql`${outbox.attempts} + 1`, updatedAt: sql`${p('at')}` })
        .where(and(eq(outbox.id, p('id')), sql`${outbox.status} = 'pending'`))
        .prepare(),
      byId: db.select(entry(outbox)).from(outbox).where(eq(outbox.id, p('id'))).prepare(),
      done: db
        .update(outbox)
        .set({ status: 'done', updatedAt: sql`${p('at')}` })
        .where(and(eq(outbox.id, p('id')), open(outbox)))
        .prepare(),
    }
    // a history of settled operations, and 20 lanes with an entry waiting for later
    for (let i = 0; i < 5000; i++) raw.enqueue.run({ lane: `topic:${i % 20}`, kind: 'send_message', operation: '{"kind":"send_message"}', next: 0, at: i })
    sqlite.exec(`UPDATE telegram_outbox SET status = 'done'`)
    for (let i = 0; i < 20; i++) raw.enqueue.run({ lane: `topic:${i}`, kind: 'send_message', operation: '{}', next: 9e15, at: 0 })
    const operation = JSON.stringify({ kind: 'send_message', chatId: -1001234567890, sessionId: SESSION, text: 'Turn ended.', html: '<b>Turn ended.</b>' })
    let n = 0
    const cycle = (s) => {
      const at = 1_800_000_000_000 + n++
      const id = Number(s.enqueue.run({ lane: `chat:${n % 7}`, kind: 'send_message', operation, next: at, at }).lastInsertRowid)
      const due = s.due.all({ now: at, limit: 100 })
      if (due.length !== 1 || due[0].id !== id) throw new Error(`outbox: expected entry ${id} due, got ${JSON.stringify(due.map((e) => e.id))}`)
      if (s.start.run({ id, at }).changes !== 1) throw new Error('outbox: start failed')
      s.byId.get(s === raw ? id : { id })
      if (s.done.run({ id, at }).changes !== 1) throw new Error('outbox: complete failed')
    }
    list.push({ name: 'outbox: enqueue, due, start, complete', path: 'each Telegram operation', raw: () => cycle(raw), drizzle: () => cycle(viaDrizzle) })
  }

  // 6. a point read of a whole row by key (the Telegram stores' reads: a topic by chat and session)
  {
    const insert = positionalInsert(sqlite, topics, '')
    for (let i = 0; i < 200; i++) insert({ chatId: -1001234567890, sessionId: `s${i}`, threadId: i, name: `worker-${i}`, status: 'open', statusMessageId: null, createAttempts: 1, error: null, createdAt: i, updatedAt: i })
    const raw = sqlite.prepare(
      `SELECT chat_id AS chatId, session_id AS sessionId, thread_id AS threadId, name, status, status_message_id AS statusMessageId, create_attempts AS createAttempts, error, created_at AS createdAt, updated_at AS updatedAt FROM telegram_topics WHERE chat_id = @chatId AND session_id = @sessionId`,
    )
    const viaDrizzle = db
      .select()
      .from(topics)
      .where(and(eq(topics.chatId, p('chatId')), eq(topics.sessionId, p('sessionId'))))
      .prepare()
    let k = 0
    list.push({
      name: 'topic by key (1 row)',
      path: 'Telegram: per operation or update',
      raw: () => raw.get({ chatId: -1001234567890, sessionId: `s${k++ % 200}` }),
      drizzle: () => viaDrizzle.get({ chatId: -1001234567890, sessionId: `s${k++ % 200}` }),
    })
  }

  return list
}

// ---------------------------------------------------------------- timing

const OPS = { 'events insert': 20_000, 'tool_events insert': 20_000, 'sessions update': 20_000, 'messages queued (3 rows)': 40_000, 'topic by key (1 row)': 60_000 }
const DEFAULT_OPS = 5_000

const READ_CHUNK = 500

/**
 * One run: `n` calls of each of `a` and `b`, interleaved in chunks (writes: one transaction of
 * PER_TRANSACTION calls; reads: READ_CHUNK calls), so a load that comes and goes meets both
 * alike. Returns the ops/s of each.
 */
function timeRun(sqlite, a, b, n, write) {
  const chunk = write ? PER_TRANSACTION : READ_CHUNK
  const wrap = (op) => {
    const many = (k) => {
      for (let i = 0; i < k; i++) op()
    }
    return write ? sqlite.transaction(many) : many
  }
  const runs = [wrap(a), wrap(b)]
  const ns = [0n, 0n]
  for (let done = 0, turn = 0; done < n; done += chunk, turn++) {
    const k = Math.min(chunk, n - done)
    for (const j of turn % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = process.hrtime.bigint()
      runs[j](k)
      ns[j] += process.hrtime.bigint() - t0
    }
  }
  return ns.map((t) => (n / Number(t)) * 1e9)
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const fmtInt = (n) => Math.round(n).toLocaleString('en-US')

function main() {
  const dir = mkdtempSync(join(tmpdir(), 'sm-store-idiom-'))
  const sqlite = openDatabase(join(dir, 'store.db'))
  try {
    checkTables(sqlite)
    const db = drizzle({ client: sqlite })
    const rows = []
    for (const c of cases(sqlite, db)) {
      const n = Math.max(PER_TRANSACTION, Math.round((OPS[c.name] ?? DEFAULT_OPS) * SCALE))
      // warm-up: both kinds, so the JIT and SQLite's page cache start even
      timeRun(sqlite, c.raw, c.drizzle, Math.round(n / 4), c.write)
      const raw = []
      const viaDrizzle = []
      const ratios = []
      for (let r = 0; r < RUNS; r++) {
        sqlite.pragma('wal_checkpoint(TRUNCATE)')
        const [a, b] = timeRun(sqlite, c.raw, c.drizzle, n, c.write)
        raw.push(a)
        viaDrizzle.push(b)
        ratios.push(a / b)
      }
      rows.push([c.name, c.path, fmtInt(median(raw)), fmtInt(median(viaDrizzle)), `${median(ratios).toFixed(2)}×`])
      process.stderr.write(`[store-idiom] ${c.name}: ${RUNS} runs of ${n}\n`)
    }
    const head = ['statement', 'runs on', 'raw ops/s', 'drizzle ops/s', 'raw ÷ drizzle']
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
    const line = (cells) => `| ${cells.map((cell, i) => (i >= 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(' | ')} |`
    console.log(`better-sqlite3 ${require('better-sqlite3/package.json').version}, drizzle-orm ${JSON.parse(readFileSync(join(STORE, 'node_modules/drizzle-orm/package.json'), 'utf8')).version}, node ${process.version}; median of ${RUNS} runs (raw ÷ drizzle: the median of the runs' ratios), raw and drizzle interleaved in chunks; writes ${PER_TRANSACTION} per transaction`)
    console.log(line(head))
    console.log(`|${widths.map((w, i) => (i >= 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`)
    for (const row of rows) console.log(line(row))
  } finally {
    sqlite.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main()
