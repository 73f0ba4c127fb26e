import { CHUNK_LIMIT, formatPlain, formatTitled, type FormattedMessage } from '../format.js'
import type { QuietHours } from './quiet-hours.js'
import { formatClockTime } from './zoned-time.js'

/** At most this many lines in a digest; older ones become `… and N earlier`. */
export const DIGEST_LINES = 50

const SUMMARY_CHARS = 300

export interface DigestInput {
  quietHours: Pick<QuietHours, 'start' | 'end' | 'timeZone'>
  /** What was held, oldest first: when, and its one line. */
  entries: readonly { at: number; summary: string }[]
  /** How many more were held before `entries` (not kept). */
  earlier?: number
  /** The last response held: shown in full after the list. */
  latestResponse?: { at: number; messages: readonly FormattedMessage[] }
  limit?: number
}

function oneLine(summary: string): string {
  const line = summary.replace(/\s+/g, ' ').trim()
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS - 1)}…` : line
}

/**
 * The messages for one session after quiet hours: a bold title, one line per held notification
 * (local time and summary; the oldest collapsed beyond `DIGEST_LINES`), then the latest response
 * as it was. Every piece fits `limit`.
 */
export function buildDigest(input: DigestInput): FormattedMessage[] {
  const { quietHours: q, entries, limit = CHUNK_LIMIT } = input
  const zone = q.timeZone
  const title = `While you were away (${q.start}–${q.end})`
  const shown = entries.slice(-DIGEST_LINES)
  const collapsed = (input.earlier ?? 0) + entries.length - shown.length
  const lines = shown.map((e) => `${formatClockTime(e.at, zone)} ${oneLine(e.summary) || '(no summary)'}`)
  if (collapsed > 0) lines.unshift(`… and ${collapsed} earlier`)
  const latest = input.latestResponse
  if (latest !== undefined) lines.push('', `Latest response (${formatClockTime(latest.at, zone)}):`)
  const digest = formatTitled(title, lines.join('\n'), limit)
  if (latest === undefined) return digest
  const response = latest.messages.flatMap((m) => (m.text.length <= limit ? [m] : formatPlain(m.text, limit)))
  return [...digest, ...response]
}
