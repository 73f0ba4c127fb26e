import { isLive, SessionsError } from '@claude-sessions/core'
import { type ToolAuditor } from '@claude-sessions/core/audit'
import { type MessageService, type SessionService, type SummaryService } from '@claude-sessions/core/services'
import type { Project, SessionControl } from '@claude-sessions/telegram'

export interface SessionControlDeps {
  service: SessionService
  messages: MessageService
  summaries: SummaryService
  audit: ToolAuditor
  projects: readonly Project[]
}

/** What the bot may do to sessions, as the operator: the server's services behind the bot's port. */
export function sessionControl({ service, messages, summaries, audit, projects }: SessionControlDeps): SessionControl {
  return {
    list: (options) => service.list(options),
    resolve: (ref) => service.resolve(ref),
    projects: () => projects,
    create: (request) => service.create(request),
    kill: async (id) => {
      // as every other action on a stopped session: refused, so a stale Kill button says it has stopped
      const session = service.resolve(id)
      if (!isLive(session)) throw new SessionsError('session_stopped', `session ${session.id} has stopped`)
      return service.kill(id)
    },
    interrupt: (id) => service.sendKey(id, 'Escape'),
    clear: (id, prompt) => messages.clear(id, prompt),
    rename: (id, name) => service.rename(id, name),
    summary: async (id) => (await summaries.summarize(id)).summary,
    output: async (id, lines) => (await service.output(id, lines)).text,
    tools: (id, limit) => audit.list({ sessionIds: [id], limit }),
    children: (id) => service.list({ includeStopped: true }).filter((s) => s.parentId === id),
    send: async (id, text, mode) => {
      const { message, status } = await messages.send({ from: { kind: 'operator' }, to: id, text, mode })
      return { messageId: message.id, status }
    },
  }
}
