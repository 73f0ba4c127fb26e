import { describeLock, isStale, lockAgeMs, lockState, parseWorkspaceLock, type LockState, type WorkspaceLock } from '@claude-sessions/core'
import type { PeerDto, SessionDto, SubagentDto } from '@claude-sessions/api/client'
import { readWorkspaceLock } from '@claude-sessions/workspace'
import { CliError, exitCodeFor, ownSessionId, type ServerContext } from '../context.js'
import { age, printJson } from '../format.js'
import { line } from '../io.js'

// Awareness (spec 0005, "who, others, all, alone, task, subagents"): who else works in this
// repository and on what, what I say I am doing, and Claude's own subagents of a session.

interface Json {
  json?: boolean | undefined
}

/** Columns padded to the widest cell; the last one is not padded, trailing blanks go. */
function table(rows: readonly string[][]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length))
  const widths = Array.from({ length: columns }, (_, i) => Math.max(0, ...rows.map((r) => (i < r.length - 1 ? r[i]!.length : 0))))
  return rows.map((r) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd()).join('\n')
}

/** First line of a text, cut to `max` characters. */
const firstLine = (text: string | null, max: number): string => {
  const line = (text ?? '').split('\n').find((l) => l.trim() !== '')?.trim() ?? ''
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

const shortId = (s: { id: string; kind: string }): string => (s.kind === 'external' ? s.id.slice(0, 8) : s.id)
const who = (s: { id: string; kind: string; name: string | null }): string => `${s.name ?? '-'} (${shortId(s)})`

/** `sm who`: the other live sessions in my repository, with their tasks. */
export async function whoCommand({ io, client }: ServerContext, argv: Json): Promise<number> {
  const { others } = await client.others(ownSessionId(io.env), { repo: true })
  if (argv.json) printJson(io.out, others)
  else if (others.length > 0) line(io.out, table(others.map((p) => [p.name ?? '-', shortId(p), p.state, age(p.lastActivityAt), p.task ?? '-'])))
  else io.err.write('nobody else is working in this repository\n')
  return 0
}

/** `sm others [--repo]`: every other live session (or those in my repository), with task and last message. */
export async function othersCommand({ io, client }: ServerContext, argv: Json & { repo?: boolean | undefined }): Promise<number> {
  const { others } = await client.others(ownSessionId(io.env), { repo: argv.repo === true })
  if (argv.json) {
    printJson(io.out, others)
    return 0
  }
  if (others.length === 0) {
    io.err.write(argv.repo ? 'nobody else is working in this repository\n' : 'no other live sessions\n')
    return 0
  }
  const head = table(others.map((p) => [p.name ?? '-', shortId(p), p.state, age(p.lastActivityAt), p.sameRepo ? 'same-repo' : 'elsewhere', p.workingDir])).split('\n')
  others.forEach((p: PeerDto, i) => {
    line(io.out, head[i]!)
    if (p.task !== null) line(io.out, `    task: ${p.task}`)
    const last = firstLine(p.lastMessage, 160)
    if (last !== '') line(io.out, `    last: ${last}`)
  })
  return 0
}

/** `sm all`: every live session with its task. */
export async function allCommand({ io, client }: ServerContext, argv: Json): Promise<number> {
  const { sessions } = await client.list(false)
  if (argv.json) printJson(io.out, sessions)
  else if (sessions.length > 0) line(io.out, table(sessions.map((s) => [s.name ?? '-', shortId(s), s.kind === 'external' ? `${s.state}*` : s.state, age(s.lastActivityAt), s.workingDir, s.currentTask ?? '-'])))
  else io.err.write('no live sessions\n')
  return 0
}

/**
 * `sm alone`: no output; exit 0 when no other live session works in my repository, 1 when one
 * does, 2 when that can't be told (server unavailable, not inside a session, or any other error:
 * 1 means "not alone" and nothing else).
 */
export async function aloneCommand({ io, conn, client }: ServerContext): Promise<number> {
  try {
    const { others } = await client.others(ownSessionId(io.env), { repo: true })
    return others.length === 0 ? 0 : 1
  } catch (error) {
    throw new CliError(exitCodeFor(error, conn).message, 2)
  }
}

/** `sm task ["<desc>"] [--clear]`: set, clear or show what I am doing. */
export async function taskCommand({ io, client }: ServerContext, argv: Json & { desc?: (string | number)[] | undefined; clear?: boolean | undefined }): Promise<number> {
  const id = ownSessionId(io.env)
  const desc = argv.desc === undefined || argv.desc.length === 0 ? undefined : argv.desc.map(String).join(' ')
  if (desc !== undefined && argv.clear) throw new CliError('give a task or --clear, not both')
  const show = (s: SessionDto): void => printJson(io.out, { id: s.id, name: s.name, task: s.currentTask })
  if (argv.clear) {
    const { session } = await client.setTask(id, null)
    if (argv.json) show(session)
    else line(io.out, 'task cleared')
    return 0
  }
  if (desc !== undefined) {
    const { session } = await client.setTask(id, desc)
    if (argv.json) show(session)
    else line(io.out, `task: ${session.currentTask ?? ''}`)
    return 0
  }
  const { session } = await client.get(id)
  if (argv.json) show(session)
  else if (session.currentTask !== null) line(io.out, session.currentTask)
  else io.err.write('sm: no task set; sm task "<what you are doing>" sets one\n')
  return session.currentTask !== null ? 0 : 1
}

const duration = (ms: number): string => age(new Date(0).toISOString(), ms)

/** `sm subagents [session]`: Claude's own subagents of a session, and its background tasks at the last Stop. */
export async function subagentsCommand({ io, client }: ServerContext, argv: Json & { session?: string | undefined }): Promise<number> {
  const ref = argv.session ?? ownSessionId(io.env)
  const r = await client.subagents(ref)
  if (argv.json) {
    printJson(io.out, { session: r.session.id, name: r.session.name, subagents: r.subagents, backgroundTasks: r.backgroundTasks, backgroundTasksAt: r.backgroundTasksAt })
    return 0
  }
  const what = (s: SubagentDto): string => {
    const text = s.description ?? firstLine(s.lastMessage, 80)
    return s.durationMs !== null ? `${text}${text ? ' ' : ''}(ran ${duration(s.durationMs)})` : text
  }
  if (r.subagents.length > 0) line(io.out, table(r.subagents.map((s) => [s.id, s.type ?? '-', s.state, s.ageMs === null ? '?' : duration(s.ageMs), what(s)])))
  const listed = new Set(r.subagents.map((s) => s.id))
  const more = (r.backgroundTasks ?? []).filter((t) => !listed.has(t.id))
  if (more.length > 0 && r.backgroundTasksAt !== null) {
    line(io.out, `background tasks at the last stop (${age(r.backgroundTasksAt)} ago):`)
    line(io.out, table(more.map((t) => ['  ' + t.id, t.type ?? '-', t.status ?? '-', t.description ?? t.agentType ?? ''])))
  }
  if (r.subagents.length === 0 && more.length === 0) io.err.write(`no subagents seen in ${r.session.name ?? r.session.id}\n`)
  return 0
}

interface LockView {
  root: string
  path: string
  state: LockState
  lock: WorkspaceLock | null
  stale: boolean
  ageMs: number | null
  problem: string | null
}

/** The workspace lock of the current directory's git checkout; null outside git. */
function lockView(me: string, cwd: string): LockView | null {
  const ws = readWorkspaceLock(cwd)
  if (ws === null) return null
  const { lock, problem } = ws.text === null ? { lock: null, problem: null } : parseWorkspaceLock(ws.text)
  const now = Date.now()
  return { root: ws.root, path: ws.path, state: lockState(lock, me, now), lock, stale: lock !== null && isStale(lock, now), ageMs: lock !== null ? lockAgeMs(lock, now) : null, problem }
}

function lockLine(view: LockView): string {
  const now = Date.now()
  if (view.lock === null) return `free (${view.root})`
  const d = describeLock(view.lock, now)
  if (view.state === 'mine') return `yours: ${d}${view.stale ? ' (stale: sm lock again to refresh it)' : ''}`
  if (view.state === 'stale') return `stale: ${d}`
  return `held by ${d}`
}

/**
 * `sm status` inside a managed session (not `sm ls`, not `--all`): me (name, id, state, task),
 * the other live sessions in my repository with their tasks, and the workspace lock of the
 * current directory's git checkout.
 */
export async function sessionStatus({ io, client }: ServerContext, argv: Json): Promise<number> {
  const id = ownSessionId(io.env)
  const { session: me, others } = await client.others(id, { repo: true })
  const lock = lockView(id, io.cwd)
  if (argv.json) {
    printJson(io.out, { me, others, lock })
    return 0
  }
  const rows: string[][] = [['me', who(me), me.state, me.currentTask ?? '-']]
  for (const p of others) rows.push(['other', who(p), p.state, p.task ?? '-'])
  if (others.length === 0) rows.push(['other', 'none in this repository'])
  if (lock !== null) rows.push(['lock', lockLine(lock)])
  line(io.out, table(rows))
  return 0
}
