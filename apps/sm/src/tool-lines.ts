/** Pure formatting of tool audit events for `sm tools` and `sm tail`: lines, CSV, stats. */
import type { ToolEventDto, ToolStatsDto } from '@claude-sessions/api/client'

type ToolStatsRow = ToolStatsDto['rows'][number]

const EVENTS: Record<string, string> = {
  PreToolUse: 'pre',
  PostToolUse: 'post',
  PostToolUseFailure: 'fail',
  PermissionRequest: 'perm',
  SubagentStart: 'sub+',
  SubagentStop: 'sub-',
}

/** `pre`, `post`, `fail`, `perm`, `sub+`, `sub-`; other events as they are. */
export const shortEvent = (event: string): string => EVENTS[event] ?? event

/** Tools whose summary is the file they work on. */
const FILE_TOOLS = new Set(['Read', 'Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'NotebookRead'])

const pad2 = (n: number): string => String(n).padStart(2, '0')

/** Local `HH:MM:SS` when `iso` is today (local), else `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate()
  return sameDay ? time : `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${time}`
}

/** `850ms`, `1.2s`, `2m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)}m${pad2(s % 60)}s`
}

/** Whitespace runs (newlines included) become one space: a summary stays on one line. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim()

/** At most `width` characters (code points), the last one `…` when cut. */
export function cut(text: string, width: number): string {
  if (width <= 0) return ''
  const chars = Array.from(text)
  if (chars.length <= width) return text
  return `${chars.slice(0, width - 1).join('')}…`
}

const length = (text: string): number => Array.from(text).length
const padEnd = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - length(text)))

/** The input in one line: Bash the command, file tools the path, anything else compact JSON. */
export function summary(e: Pick<ToolEventDto, 'toolName' | 'command' | 'targetFile' | 'toolInput' | 'agentId'>): string {
  if (e.command !== null) return oneLine(e.command)
  if (e.targetFile !== null && e.toolName !== null && FILE_TOOLS.has(e.toolName)) return e.targetFile
  if (e.toolInput === null || e.toolInput === undefined) return e.agentId !== null ? `agent ${e.agentId}` : ''
  return oneLine(typeof e.toolInput === 'string' ? e.toolInput : JSON.stringify(e.toolInput))
}

/** `exit 2`, else the error's first line; then the duration. */
export function result(e: Pick<ToolEventDto, 'exitCode' | 'error' | 'durationMs'>): string {
  const parts: string[] = []
  if (e.exitCode !== null) parts.push(`exit ${e.exitCode}`)
  else if (e.error !== null) parts.push(cut(oneLine(e.error.split('\n')[0] ?? ''), 40))
  if (e.durationMs !== null) parts.push(formatDuration(e.durationMs))
  return parts.join(' ')
}

/** `D:<category>` destructive, `S` sensitive, `DENY`/`ASK` the policy's decision. */
export function flags(e: Pick<ToolEventDto, 'destructive' | 'category' | 'sensitive' | 'decision'>): string {
  const out: string[] = []
  if (e.destructive) out.push(e.category !== null ? `D:${e.category}` : 'D')
  if (e.sensitive) out.push('S')
  if (e.decision !== null) out.push(e.decision.toUpperCase())
  return out.join(' ')
}

/** Session name, else its id (external ids cut to 8, like `sm ls`). */
const sessionOf = (e: Pick<ToolEventDto, 'sessionName' | 'sessionId'>): string => e.sessionName ?? e.sessionId.slice(0, 8)

export interface ToolCells {
  time: string
  session: string
  event: string
  tool: string
  summary: string
  result: string
  flags: string
}

export function toolCells(e: ToolEventDto, now: Date = new Date()): ToolCells {
  return {
    time: formatTime(e.at, now),
    session: sessionOf(e),
    event: shortEvent(e.event),
    tool: e.toolName ?? '-',
    summary: summary(e),
    result: result(e),
    flags: flags(e),
  }
}

/** Column widths; the summary takes what the others leave of the line. */
export interface ToolLayout {
  width: number
  time: number
  session: number
  event: number
  tool: number
  summary: number
  result: number
}

const FIXED = ['time', 'session', 'event', 'tool', 'result'] as const
const MIN_SUMMARY = 20
/** Longer cells are cut; within these, a cell wider than its column (a later `tail -f` line) shifts the rest. */
const SESSION_MAX = 32
const TOOL_MAX = 24
const RESULT_MAX = 48

/**
 * Widths fitting `cells`. `follow` (for `tail -f`, whose later lines are not known yet): roomier
 * minimums, and the summary takes all the room left, so later lines line up too.
 */
export function layoutFor(cells: readonly ToolCells[], width: number, follow = false): ToolLayout {
  const widest = (key: keyof ToolCells, min: number, max = Infinity): number => Math.min(max, cells.reduce((n, c) => Math.max(n, length(c[key])), min))
  const layout = {
    width,
    time: widest('time', 8),
    session: widest('session', 8, SESSION_MAX),
    event: widest('event', 4),
    tool: widest('tool', follow ? 8 : 4, TOOL_MAX),
    summary: 0,
    result: widest('result', follow ? 11 : 0, RESULT_MAX),
  }
  // a follow layout keeps room for a flag like D:recursive_delete
  const flagsWidth = widest('flags', follow ? 18 : 0)
  // six two-space gaps: after time, session, event, tool, summary and result
  const room = Math.max(MIN_SUMMARY, width - FIXED.reduce((n, k) => n + layout[k], 0) - 6 * 2 - flagsWidth)
  layout.summary = follow ? room : Math.min(widest('summary', 0), room)
  return layout
}

/**
 * One line: cells padded to the layout, the summary cut so the line fits `layout.width`
 * (it keeps a few characters, so on a very narrow terminal a line may run over).
 */
export function toolLine(c: ToolCells, layout: ToolLayout): string {
  const head = [
    padEnd(c.time, layout.time),
    padEnd(cut(c.session, SESSION_MAX), layout.session),
    padEnd(c.event, layout.event),
    padEnd(cut(c.tool, TOOL_MAX), layout.tool),
  ].join('  ')
  const tail = `${padEnd(cut(c.result, RESULT_MAX), layout.result)}  ${c.flags}`.trimEnd()
  const room = Math.max(MIN_SUMMARY, layout.width - length(head) - 2 - (tail === '' ? 0 : length(tail) + 2))
  // nothing after the summary: it may take the whole room; else it keeps to its column
  if (tail === '') return `${head}  ${cut(c.summary, room)}`.trimEnd()
  const column = Math.min(layout.summary, room)
  return `${head}  ${padEnd(cut(c.summary, column), column)}  ${tail}`
}

/** The lines of `events` for a terminal (or a pipe) `width` columns wide. */
export function toolLines(events: readonly ToolEventDto[], width: number, now: Date = new Date()): string[] {
  const cells = events.map((e) => toolCells(e, now))
  const layout = layoutFor(cells, width)
  return cells.map((c) => toolLine(c, layout))
}

/** The columns of `sm tools --csv`, in order. */
export const CSV_COLUMNS = [
  'at',
  'sessionId',
  'sessionName',
  'event',
  'toolName',
  'toolUseId',
  'command',
  'targetFile',
  'exitCode',
  'durationMs',
  'destructive',
  'category',
  'sensitive',
  'match',
  'decision',
  'error',
  'project',
] as const satisfies readonly (keyof ToolEventDto)[]

/** One RFC 4180 field: quoted (quotes doubled) when it holds a comma, a quote or a line break; null is empty. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'string' ? value : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Header and one record per event, each ending in CRLF (RFC 4180). */
export function toolsCsv(events: readonly ToolEventDto[]): string {
  const rows = [CSV_COLUMNS.join(','), ...events.map((e) => CSV_COLUMNS.map((k) => csvField(e[k])).join(','))]
  return rows.map((r) => `${r}\r\n`).join('')
}

const STATS_COLUMNS = ['calls', 'events', 'destructive', 'sensitive', 'denied', 'failed'] as const

/** `sm tools stats`: a header, then one aligned row per group (counts right-aligned); empty for no rows. */
export function statsTable(by: string, rows: readonly ToolStatsRow[]): string[] {
  if (rows.length === 0) return []
  const table = [[by, ...STATS_COLUMNS], ...rows.map((r) => [r.key ?? '-', ...STATS_COLUMNS.map((k) => String(r[k]))])]
  const widths = table[0]!.map((_, i) => table.reduce((n, r) => Math.max(n, length(r[i]!)), 0))
  return table.map((r) => r.map((cell, i) => (i === 0 ? padEnd(cell, widths[0]!) : cell.padStart(widths[i]!))).join('  '))
}
