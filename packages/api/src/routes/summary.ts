import { SessionsError } from '@claude-sessions/core'
import { type SummaryService } from '@claude-sessions/core/services'
import { Hono } from 'hono'
import { toSessionDto, type SummaryDto } from '../dto.js'
import type { AuthEnv } from '../middleware/auth.js'
import { parseWith, summaryQuery } from '../schemas.js'

/**
 * `GET /sessions/:ref/summary?lines=N`: a 2–3 line summary of the session's last N screen lines,
 * written by the summarizer command. The only route that runs it.
 */
export function summaryRoutes(summaries: SummaryService | undefined) {
  return new Hono<AuthEnv>().get('/:ref/summary', async (c) => {
    const q = parseWith(summaryQuery, c.req.query(), 'query')
    if (!summaries) throw new SessionsError('unavailable', 'summaries are not enabled on this server')
    const { session, summary, lines } = await summaries.summarize(c.req.param('ref'), q.lines)
    const body: SummaryDto = { session: toSessionDto(session), summary, lines }
    return c.json(body)
  })
}
