import { type Session } from '@claude-sessions/core'
import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { MessageService, SummaryService } from '@claude-sessions/core/services'
import { aSessionService, aToolEvent, InMemoryMessageStore, InMemoryToolAuditStore, InMemoryWatchStore } from '@claude-sessions/core/testing'
import { sessionControlContract } from '@claude-sessions/telegram/testing/contract'
import { sessionControl } from './session-control.js'

const DIR = '/home/tester/project'
const PROJECTS = [{ name: 'web', dir: '/home/tester/web' }]
const CLAUDE = '6bf01783-816d-49d3-a354-25f1341e986b'

/**
 * The server's SessionControl over the real services, with core's fakes for I/O: an in-memory
 * tmux whose agent answers hooks as Claude Code does, in-memory stores, a canned summarizer.
 */
sessionControlContract("the server's session control", () => {
  const store = new InMemoryToolAuditStore()
  const audit = new ToolAuditor({ store, projectOf: () => null, config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
  const { service, mux, clock } = aSessionService({ deps: { isDirectory: (p) => p.startsWith('/home/tester/'), audit } })
  // timers never fire: nothing here waits for a watch or a clear's fence to run out
  const messages = new MessageService({
    sessions: service,
    messages: new InMemoryMessageStore(),
    watches: new InMemoryWatchStore(),
    clock,
    timer: () => undefined,
    config: { maxStopBlocks: 3, fenceMs: 10_000, waitSettleMs: 2000, spawnWaitTimeoutMs: 3_600_000 },
  })
  let answer = ''
  const summaries = new SummaryService({ sessions: service, summarizer: { summarize: async () => answer }, timeoutMs: 1000 })

  // SequentialIds: session 0000000a was made with token-10
  const hook = (s: Session, event: string, payload: Record<string, unknown> = {}) =>
    service.ingestHook({ event, payload: { session_id: s.claudeSessionId ?? `${CLAUDE.slice(0, -8)}${s.id}`, ...payload }, raw: '{}', managerId: s.id, token: `token-${parseInt(s.id, 16)}` })
  let n = 0
  // the agent: a submitted prompt fires UserPromptSubmit; /clear ends the conversation and starts a new one
  mux.onSubmit = (name, text) => {
    const s = service.list().find((x) => x.tmuxSession === name)!
    if (text !== '/clear') return void hook(s, 'UserPromptSubmit', { prompt: text })
    hook(s, 'SessionEnd', { reason: 'clear' })
    hook(s, 'SessionStart', { source: 'clear', session_id: `${CLAUDE.slice(0, -4)}${String(++n).padStart(4, '0')}` })
  }
  return {
    control: sessionControl({ service, messages, summaries, audit, projects: PROJECTS }),
    projects: PROJECTS,
    dir: DIR,
    notADirectory: '/etc/passwd',
    child: (parentId) => service.create({ workingDir: DIR, parentId }),
    external: async () => {
      const id = `${CLAUDE.slice(0, -4)}${String(++n).padStart(4, '0')}`
      service.ingestHook({ event: 'SessionStart', payload: { session_id: id, cwd: DIR, source: 'startup' }, raw: '{}', managerId: null, token: null })
      return service.resolve(id)
    },
    show: (id, text) => {
      mux.terminals.get(service.resolve(id).tmuxSession!)!.screen = text
    },
    summarizes: (_id, text) => {
      answer = text
    },
    toolCalls: (id, names) => {
      for (const toolName of names) store.append(aToolEvent({ sessionId: id, toolName, at: clock.now() + ++n }))
    },
    close: () => messages.dispose(),
  }
})
