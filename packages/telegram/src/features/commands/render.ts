import type { Session, SessionState, ToolEvent } from '@claude-sessions/core'
import { CHUNK_LIMIT, escapeHtml, splitText, topicName, type FormattedMessage } from '../format.js'
import { formatAge, stateWords } from '../session-text.js'

export { formatAge, stateWords }

/** `name [id]`: how a session is named in replies and on buttons. */
export const label = (session: Pick<Session, 'id' | 'name' | 'workingDir'>): string => topicName(session)

/** One `/list` line: name, id, state, last tool, age of the last activity. */
export function sessionLine(session: Session, now: number): string {
  const parts = [label(session), stateWords(session)]
  if (session.lastTool !== null) parts.push(session.lastTool)
  parts.push(formatAge(now - session.lastActivityAt))
  return parts.join(' · ')
}

/** Sessions as a tree: each with its depth, children right under their parent, in list order otherwise. */
export function asTree(sessions: readonly Session[]): { session: Session; depth: number }[] {
  const ids = new Set(sessions.map((s) => s.id))
  const kids = new Map<string, Session[]>()
  for (const s of sessions) {
    if (s.parentId === null || !ids.has(s.parentId)) continue
    const list = kids.get(s.parentId) ?? []
    list.push(s)
    kids.set(s.parentId, list)
  }
  const out: { session: Session; depth: number }[] = []
  const seen = new Set<string>()
  const walk = (s: Session, depth: number) => {
    if (seen.has(s.id)) return
    seen.add(s.id)
    out.push({ session: s, depth })
    for (const child of kids.get(s.id) ?? []) walk(child, depth + 1)
  }
  for (const s of sessions) if (s.parentId === null || !ids.has(s.parentId)) walk(s, 0)
  // parents in a cycle: nobody is a root, show them flat
  for (const s of sessions) walk(s, 0)
  return out
}

const indent = (depth: number): string => (depth === 0 ? '' : `${'  '.repeat(depth - 1)}  ↳ `)

/** The `/list` body: a line per session, children indented under their parent. */
export function listBody(sessions: readonly Session[], now: number): string {
  return asTree(sessions)
    .map(({ session, depth }) => `${indent(depth)}${sessionLine(session, now)}`)
    .join('\n')
}

const BUSY: ReadonlySet<SessionState> = new Set(['working', 'waiting_permission', 'waiting_answer'])

/** The `/status` body of a session: state, directory, tool, last activity, task, children. */
export function statusBody(session: Session, children: readonly Session[], now: number): string {
  const lines = [`State: ${stateWords(session)}`, `Directory: ${session.workingDir}`]
  if (session.kind === 'external') lines.push('Kind: external (a plain claude; it cannot be typed into)')
  if (session.lastTool !== null) lines.push(`${BUSY.has(session.state) ? 'Current tool' : 'Last tool'}: ${session.lastTool}`)
  lines.push(`Last activity: ${formatAge(now - session.lastActivityAt)}`)
  if (session.stoppedAt !== null) lines.push(`Stopped: ${formatAge(now - session.stoppedAt)}`)
  if (session.currentTask !== null && session.currentTask.trim() !== '') lines.push(`Task: ${session.currentTask.trim()}`)
  if (session.parentId !== null) lines.push(`Parent: ${session.parentId}`)
  if (session.model !== null) lines.push(`Model: ${session.model}`)
  if (children.length > 0) {
    lines.push(`Children (${children.length}):`)
    for (const c of children) lines.push(`  ↳ ${label(c)} · ${stateWords(c)}`)
  }
  return lines.join('\n')
}

/** `text` on one line, cut to `max` characters with `…`. */
export function short(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= max) return flat
  return `${flat.slice(0, max - 1)}…`
}

const INPUT_KEYS = ['command', 'file_path', 'notebook_path', 'path', 'pattern', 'url', 'query', 'description', 'prompt', 'skill']

/** What a tool call was about, short: its command, file, or the most telling field of its input. */
export function inputSummary(event: Pick<ToolEvent, 'command' | 'targetFile' | 'toolInput'>): string {
  if (event.command !== null) return short(event.command)
  if (event.targetFile !== null) return short(event.targetFile)
  if (event.toolInput === null) return ''
  let input: unknown
  try {
    input = JSON.parse(event.toolInput)
  } catch {
    return short(event.toolInput)
  }
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const record = input as Record<string, unknown>
    for (const key of INPUT_KEYS) {
      const value = record[key]
      if (typeof value === 'string' && value.trim() !== '') return short(value)
    }
    if (Object.keys(record).length === 0) return ''
  }
  return short(event.toolInput)
}

const EVENT_WORDS: Record<string, string> = {
  PreToolUse: '',
  PostToolUse: 'done',
  PostToolUseFailure: 'failed',
  PermissionRequest: 'asks permission',
  SubagentStart: 'subagent started',
  SubagentStop: 'subagent stopped',
}

const DECISION_WORDS: Record<string, string> = { ask: 'asked you', deny: 'denied' }

/** A clock time: `14:03:07`, with the day in front when it is not within the last 20 hours. */
export function clockTime(at: number, now: number, timeZone?: string): string {
  const zone = timeZone === undefined ? {} : { timeZone }
  const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', ...zone }).format(at)
  if (now - at < 20 * 3600_000) return time
  const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', ...zone }).format(at)
  return `${day} ${time}`
}

/** One `/tools` line: time, tool (and event), short input, then flags, decision, exit code. */
export function toolLine(event: ToolEvent, now: number, timeZone?: string): string {
  const word = EVENT_WORDS[event.event] ?? event.event
  const head = `${clockTime(event.at, now, timeZone)} ${event.toolName ?? '(no tool)'}${word === '' ? '' : ` ${word}`}`
  const input = inputSummary(event)
  const notes: string[] = []
  if (event.destructive) notes.push('destructive')
  if (event.sensitive) notes.push('sensitive')
  if (event.decision !== null) notes.push(DECISION_WORDS[event.decision] ?? `decision: ${event.decision}`)
  if (event.exitCode !== null) notes.push(`exit ${event.exitCode}`)
  else if (event.error !== null && event.error.trim() !== '') notes.push(short(event.error, 60))
  return `${head}${input === '' ? '' : `: ${input}`}${notes.length === 0 ? '' : ` [${notes.join(', ')}]`}`
}

/**
 * A bold `title` over `body` shown as preformatted text (terminal output): split so that every
 * piece, title included, fits `limit`; each piece is its own `<pre>` block.
 */
export function formatPre(title: string, body: string, limit = CHUNK_LIMIT): FormattedMessage[] {
  const room = Math.max(2, limit - title.length - 1)
  return splitText(body, room).map((piece, i) =>
    i === 0
      ? { text: `${title}\n${piece}`, html: `<b>${escapeHtml(title)}</b>\n<pre>${escapeHtml(piece)}</pre>` }
      : { text: piece, html: `<pre>${escapeHtml(piece)}</pre>` },
  )
}
