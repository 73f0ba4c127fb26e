import type { Session } from '@claude-sessions/core'

/** Telegram's limit on a message's text, after entity parsing. */
export const MESSAGE_LIMIT = 4096

/** Chunks are cut this short, leaving room for a `[<session id>]` line when a message has to go to the main chat. */
export const CHUNK_LIMIT = MESSAGE_LIMIT - 96

/** Telegram's limit on a topic name. */
export const TOPIC_NAME_LIMIT = 128

/** Text as Telegram HTML: `&`, `<` and `>` escaped, nothing else changed. */
export const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff

/**
 * `text` in pieces of at most `limit` UTF-16 units (Telegram's unit), cut after the last line
 * break that leaves the piece at least half full; a line that long is cut at the last space,
 * else anywhere but inside a surrogate pair. The line break or space at a cut is dropped. Empty
 * (or blank) text gives no pieces.
 */
export function splitText(text: string, limit = CHUNK_LIMIT): string[] {
  if (limit < 2) throw new RangeError('limit must be at least 2')
  const pieces: string[] = []
  let rest = text.replace(/\s+$/, '')
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1)
    let cut = window.lastIndexOf('\n')
    if (cut < limit / 2) cut = window.lastIndexOf(' ')
    let skip = 1
    if (cut < limit / 2) {
      cut = isHighSurrogate(rest.charCodeAt(limit - 1)) ? limit - 1 : limit
      skip = 0
    }
    pieces.push(rest.slice(0, cut))
    rest = rest.slice(cut + skip)
  }
  if (rest.trim().length > 0) pieces.push(rest)
  return pieces
}

/** A message as the outbox stores it: the plain text, and the same as HTML. */
export interface FormattedMessage {
  text: string
  html: string
}

/** Plain text, split for Telegram; each piece escaped for HTML. */
export const formatPlain = (text: string, limit = CHUNK_LIMIT): FormattedMessage[] =>
  splitText(text, limit).map((piece) => ({ text: piece, html: escapeHtml(piece) }))

/** A bold first line (`title`) over `body`; a body too long for one message is split, the title on the first piece only. */
export function formatTitled(title: string, body: string, limit = CHUNK_LIMIT): FormattedMessage[] {
  const pieces = splitText(`${title}\n${body}`, limit)
  return pieces.map((piece, i) => {
    if (i > 0 || !piece.startsWith(`${title}\n`)) return { text: piece, html: escapeHtml(piece) }
    const rest = piece.slice(title.length + 1)
    return { text: piece, html: `<b>${escapeHtml(title)}</b>\n${escapeHtml(rest)}` }
  })
}

/** The last path segment of a directory, for unnamed sessions. */
const baseName = (dir: string): string => dir.split('/').filter((s) => s.length > 0).pop() ?? ''

/** `<name> [<id>]`, the name shortened (with …) to fit Telegram's 128 characters; unnamed sessions use their directory's name. */
export function topicName(session: Pick<Session, 'id' | 'name' | 'workingDir'>): string {
  const suffix = ` [${session.id}]`
  const name = (session.name ?? '').trim() || baseName(session.workingDir) || 'session'
  const room = TOPIC_NAME_LIMIT - suffix.length
  if (name.length <= room) return `${name}${suffix}`
  let short = ''
  for (const ch of name) {
    if (short.length + ch.length > room - 1) break
    short += ch
  }
  return `${short}…${suffix}`
}
