import { ApiError, type SummaryDto } from '@claude-sessions/api/client'
import { MAX_SUMMARY_LINES as MAX_LINES } from '@claude-sessions/core/services'
import { CliError, type ServerContext } from '../context.js'
import { printJson } from '../format.js'
import type { Output } from '../io.js'

/** A summary taking longer than this gets a note on stderr (a TTY only). */
const NOTE_AFTER_MS = 1000

/**
 * Waits for `work`; if it takes longer than `afterMs` and `stream` is a terminal, shows `note`
 * there meanwhile and erases it when done. Nothing is written to a pipe or file.
 */
export async function withNote<T>(work: Promise<T>, note: string, stream: Output, afterMs = NOTE_AFTER_MS): Promise<T> {
  if (stream.isTTY !== true) return work
  let shown = false
  const timer = setTimeout(() => {
    shown = true
    stream.write(note)
  }, afterMs)
  try {
    return await work
  } finally {
    clearTimeout(timer)
    if (shown) stream.write('\r\x1b[2K')
  }
}

/** `sm what <session> [--lines N] [--json]`: a 2–3 line summary of what the session is doing. */
export async function what({ io, client }: ServerContext, argv: { session: string; lines: number; json?: boolean | undefined }): Promise<number> {
  if (!Number.isInteger(argv.lines) || argv.lines < 1 || argv.lines > MAX_LINES) {
    throw new CliError(`--lines must be an integer from 1 to ${MAX_LINES}`)
  }
  let r: SummaryDto
  try {
    r = await withNote(client.summary(argv.session, argv.lines), `sm: summarizing ${argv.session}…`, io.err)
  } catch (error) {
    // the server answered that its summarizer failed or timed out: exit 1; 2 stays for a server that can't be reached
    if (error instanceof ApiError && error.code === 'unavailable' && error.status !== 0) throw new CliError(error.message)
    throw error
  }
  if (argv.json) printJson(io.out, { session: r.session.id, name: r.session.name, summary: r.summary, lines: r.lines })
  else io.out.write(`${r.summary}\n`)
  return 0
}
