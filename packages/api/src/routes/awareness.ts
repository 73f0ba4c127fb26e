import { foldSubagents, noRepo, PEER_MESSAGE_CHARS, peersOf, type Peer, type RepoInspector } from '@claude-sessions/core'
import { type SessionService } from '@claude-sessions/core/services'
import { Hono } from 'hono'
import { toSessionDto, type OthersDto, type PeerDto, type SessionEnvelope, type SubagentsDto } from '../dto.js'
import type { AuthEnv } from '../middleware/auth.js'
import { othersQuery, parseJson, parseWith, subagentsQuery, taskBody } from '../schemas.js'

const iso = (ms: number): string => new Date(ms).toISOString()

const cut = (text: string | null, max: number): string | null => (text === null || text.length <= max ? text : `${text.slice(0, max - 1)}…`)

const toPeerDto = ({ session: s, sameRepo }: Peer): PeerDto => ({
  id: s.id,
  name: s.name,
  kind: s.kind,
  state: s.state,
  workingDir: s.workingDir,
  parentId: s.parentId,
  sameRepo,
  task: s.currentTask,
  lastMessage: cut(s.lastMessage, PEER_MESSAGE_CHARS),
  createdAt: iso(s.createdAt),
  lastActivityAt: iso(s.lastActivityAt),
})

/**
 * Awareness routes (mounted under /sessions): who else works here (`sm others`, `sm who`,
 * `sm alone`), a session's task (`sm task`), Claude's own subagents (`sm subagents`).
 */
export function awarenessRoutes(service: SessionService, repos: RepoInspector | undefined, now: () => number) {
  // without an inspector, sessions share a repository only when they share a working dir
  const identity = (dir: string) => (repos ? repos.identity(dir) : noRepo(dir))
  return new Hono<AuthEnv>()
    .get('/:ref/others', (c) => {
      const q = parseWith(othersQuery, c.req.query(), 'query')
      const self = service.resolve(c.req.param('ref'))
      const peers = peersOf(self, service.list(), identity, { repoOnly: q.repo === true })
      const body: OthersDto = { session: toSessionDto(self), others: peers.map(toPeerDto) }
      return c.json(body)
    })
    .put('/:ref/task', async (c) => {
      const body = parseWith(taskBody, parseJson(await c.req.text()), 'body')
      const reply: SessionEnvelope = { session: toSessionDto(service.setTask(c.req.param('ref'), body.task, c.get('actor'))) }
      return c.json(reply)
    })
    .get('/:ref/subagents', (c) => {
      const q = parseWith(subagentsQuery, c.req.query(), 'query')
      const { session, events } = service.events(c.req.param('ref'), { limit: q.limit })
      const view = foldSubagents(events)
      const t = now()
      const body: SubagentsDto = {
        session: toSessionDto(session),
        subagents: view.subagents.map((s) => ({
          ...s,
          startedAt: s.startedAt === null ? null : iso(s.startedAt),
          endedAt: s.endedAt === null ? null : iso(s.endedAt),
          ageMs: s.startedAt === null ? null : Math.max(0, t - s.startedAt),
          durationMs: s.startedAt === null || s.endedAt === null ? null : Math.max(0, s.endedAt - s.startedAt),
        })),
        backgroundTasks: view.backgroundTasks,
        backgroundTasksAt: view.backgroundTasksAt === null ? null : iso(view.backgroundTasksAt),
        eventsRead: events.length,
      }
      return c.json(body)
    })
}
