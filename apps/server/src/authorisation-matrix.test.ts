import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataFiles } from './config/paths.js'
import type { Config } from './config/schema.js'
import { startServer, type RunningServer } from './start-server.js'
import { cleanup, silentLog, testConfig, tmuxEnv, waitFor } from './test-support.js'

/**
 * The authorisation matrix of spec 0001, against a real server (real HTTP, SQLite, tmux). Every
 * route and every way of reaching a session's terminal, for every kind of caller, in ONE table.
 *
 * The tree: `lead` (made by the operator) spawned the target `T` and its sibling `sib`; `T`
 * spawned `kid`; `other` is a stranger (made by the operator, no relation). Each agent is
 * fixtures/echo-agent.mjs: it shows an idle input line and prints `got: <line>` for each line
 * typed, so the screen tells what was typed and how.
 *
 * Callers: `none` no token; `wrong` a wrong bearer token; `operator` the operator token;
 * `self` T's own token; `parent` lead's; `child` kid's; `sibling` sib's; `stranger` other's
 * (each with `X-SM-Session: <its id>`); `forged` claims to be T without its token: on API routes
 * `X-SM-Session: <T>` with the stranger's token, on hooks a token-less hook whose `session_id`
 * is T's Claude session id (`none` on a hook row: a token-less hook naming T's manager id; the
 * session columns on a hook row: `X-SM-Session: <T>` with the caller's own token).
 *
 * A refused cell runs against T and must leave it untouched (state, name, task, messages, events
 * and screen compared before and after). An allowed cell that would change its target runs
 * against a fresh child of `lead` (with a fresh child of its own for the `child` column), so the
 * relations are the same. T is kept working with one message queued for it all along: a forged
 * Stop would take that message, a forged SessionEnd would stop it.
 *
 * Outcomes are the HTTP status, except: `command` / `message` (a slash text typed as written, or
 * with `[sm from …]`), `block` (a Stop whose reply carried the queued message), `stopped`,
 * `waiting` (the state the hook moved its session to).
 */

const CALLERS = ['none', 'wrong', 'operator', 'self', 'parent', 'child', 'sibling', 'stranger', 'forged'] as const
type Caller = (typeof CALLERS)[number]
type Outcome = number | 'command' | 'message' | 'block' | 'stopped' | 'waiting'

const R = 200
// prettier-ignore
const MATRIX: Record<string, readonly Outcome[]> = {
  //                                       none  wrong operator  self     parent     child      sibling    stranger   forged
  'GET /health':                          [R,    R,    R,        R,       R,         R,         R,         R,         R],
  'GET /sessions':                        [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /sessions/:t':                     [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /sessions/:t/output':              [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /sessions/:t/summary':             [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /sessions/:t/events':              [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /sessions/:t/last-message':        [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /sessions/:t/tools':               [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /sessions/:t/children':            [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /sessions/:t/messages':            [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /sessions/:t/others':              [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /sessions/:t/subagents':           [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /tools':                           [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /tools/stats':                     [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'GET /tools/stream':                    [401,  401,  R,        R,       R,         R,         R,         R,         401],
  'POST /sessions (create)':              [401,  401,  201,      201,     201,       201,       201,       201,       401],
  'POST /sessions/spawn':                 [401,  401,  403,      201,     201,       201,       201,       201,       401],
  'POST /sessions/:t/wait':               [401,  401,  403,      400,     202,       202,       202,       202,       401],
  'PUT /sessions/:t/task':                [401,  401,  R,        R,       403,       403,       403,       403,       401],
  'PATCH /sessions/:t (rename)':          [401,  401,  R,        R,       R,         403,       403,       403,       401],
  'POST /sessions/:t/input':              [401,  401,  R,        403,     R,         403,       403,       403,       401],
  'POST /sessions/:t/key 1':              [401,  401,  R,        403,     R,         403,       403,       403,       401],
  'POST /sessions/:t/key Enter':          [401,  401,  R,        403,     R,         403,       403,       403,       401],
  'POST /sessions/:t/key Escape':         [401,  401,  R,        403,     R,         403,       403,       403,       401],
  'POST /sessions/:t/clear':              [401,  401,  R,        403,     R,         403,       403,       403,       401],
  'DELETE /sessions/:t (kill)':           [401,  401,  R,        403,     R,         403,       403,       403,       401],
  'DELETE /sessions/:t?tree=true':        [401,  401,  R,        403,     R,         403,       403,       403,       401],
  'message sequential':                   [401,  401,  R,        400,     R,         R,         R,         R,         401],
  'message important':                    [401,  401,  R,        400,     R,         R,         R,         R,         401],
  'message urgent':                       [401,  401,  R,        400,     R,         403,       403,       403,       401],
  'message /compact (slash command)':     [401,  401, 'command', 400,    'command', 'message', 'message', 'message', 401],
  'hook Stop (carries queued messages)':  [403,  401,  401,      'block', 401,       401,       401,       401,       403],
  'hook SessionEnd (stops the session)':  [403,  401,  401,      'stopped', 401,     401,       401,       401,       403],
  'hook PermissionRequest':               [403,  401,  401,      'waiting', 401,     401,       401,       401,       403],
  'POST /telegram/pair':                  [401,  401,  503,      403,     403,       403,       403,       403,       401],
  'GET /telegram':                        [401,  401,  503,      403,     403,       403,       403,       403,       401],
  'DELETE /telegram/users/:id':           [401,  401,  503,      403,     403,       403,       403,       403,       401],
}

interface Agent {
  id: string
  token: string
  claudeId: string
}

/** A target and the sessions around it. */
interface Scene {
  target: Agent
  parent: Agent
  sibling: Agent
  stranger: Agent
  child: () => Promise<Agent>
}

interface Reply {
  status: number
  body: any
}

const ECHO_AGENT = resolve(import.meta.dirname, 'fixtures/echo-agent.mjs')

let config: Config
let server: RunningServer
let operatorToken: string
let n = 0
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`

async function http(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, body: text === '' ? null : JSON.parse(text) }
}

const asOperator = () => ({ authorization: `Bearer ${operatorToken}` })
const asAgent = (a: Agent) => ({ authorization: `Bearer ${a.token}`, 'x-sm-session': a.id })

async function agentOf(id: string): Promise<Agent> {
  const token = tmuxEnv(config, `claude-${id}`, 'CLAUDE_SESSION_MANAGER_TOKEN')
  const agent = { id, token, claudeId: uuid() }
  // its SessionStart, as its hook would send it: idle, with a Claude session id
  const r = await http('POST', '/hooks/SessionStart', asAgent(agent), { session_id: agent.claudeId, source: 'startup' })
  expect(r.status).toBe(200)
  return agent
}

async function spawnBy(parent: Agent, name?: string): Promise<Agent> {
  const r = await http('POST', '/sessions/spawn', asAgent(parent), { prompt: 'work', ...(name ? { name } : {}) })
  expect(r.status).toBe(201)
  return agentOf(r.body.session.id)
}

/** Turns a session's agent to working with one message from the operator queued for it. */
async function busyWithMessage(a: Agent): Promise<void> {
  expect((await http('POST', '/hooks/UserPromptSubmit', asAgent(a), { session_id: a.claudeId, prompt: 'work' })).status).toBe(200)
  const sent = await http('POST', `/sessions/${a.id}/messages`, asOperator(), { text: 'for this session only' })
  expect(sent.status).toBe(202)
}

const screen = async (a: Agent): Promise<string> => (await http('GET', `/sessions/${a.id}/output?lines=40`, asOperator())).body.text as string

/** Everything a refused call must leave as it was. */
async function snapshot(a: Agent) {
  const { session } = (await http('GET', `/sessions/${a.id}`, asOperator())).body
  const messages = (await http('GET', `/sessions/${a.id}/messages`, asOperator())).body.messages.map((m: any) => [m.text, m.status])
  const events = (await http('GET', `/sessions/${a.id}/events`, asOperator())).body.events.length
  return { state: session.state, name: session.name, task: session.currentTask ?? null, stoppedAt: session.stoppedAt, messages, events, screen: await screen(a) }
}

/** Sessions made by a cell: killed after it. */
const made: string[] = []

function headersOf(caller: Caller, s: Scene, kid: Agent | null): Record<string, string> {
  switch (caller) {
    case 'none':
      return {}
    case 'wrong':
      return { authorization: 'Bearer not-a-real-token' }
    case 'operator':
      return asOperator()
    case 'self':
      return asAgent(s.target)
    case 'parent':
      return asAgent(s.parent)
    case 'child':
      return asAgent(kid!)
    case 'sibling':
      return asAgent(s.sibling)
    case 'stranger':
      return asAgent(s.stranger)
    case 'forged':
      return { authorization: `Bearer ${s.stranger.token}`, 'x-sm-session': s.target.id }
  }
}

/** A hook for T from `caller` (see the callers above). */
async function hookFrom(caller: Caller, s: Scene, event: string, payload: object, kid: Agent | null): Promise<Reply> {
  const t = s.target
  if (caller === 'none') return http('POST', `/hooks/${event}`, {}, { session_id: t.id, ...payload })
  if (caller === 'forged') return http('POST', `/hooks/${event}`, {}, { session_id: t.claudeId, ...payload })
  // any other caller names T in X-SM-Session, with its own (or no valid) token
  return http('POST', `/hooks/${event}`, { ...headersOf(caller, s, kid), 'x-sm-session': t.id }, { session_id: t.claudeId, ...payload })
}

const status = (r: Reply): Outcome => r.status

const stateAfter = async (r: Reply, s: Scene, expected: string, word: Outcome): Promise<Outcome> => {
  if (r.status !== 200) return r.status
  const state = (await http('GET', `/sessions/${s.target.id}`, asOperator())).body.session.state
  return state === expected ? word : `state ${state}` as never
}

/** How each action is done; `fresh` actions change their target, so an allowed call gets a fresh one. */
const ACTIONS: Record<string, { fresh?: boolean; busy?: boolean; run(caller: Caller, s: Scene, h: Record<string, string>, kid: Agent | null): Promise<Outcome> }> = {
  'GET /health': { run: async (_c, _s, h) => status(await http('GET', '/health', h)) },
  'GET /sessions': { run: async (_c, _s, h) => status(await http('GET', '/sessions', h)) },
  'GET /sessions/:t': { run: async (_c, s, h) => status(await http('GET', `/sessions/${s.target.id}`, h)) },
  'GET /sessions/:t/output': { run: async (_c, s, h) => status(await http('GET', `/sessions/${s.target.id}/output?lines=5`, h)) },
  'GET /sessions/:t/summary': { run: async (_c, s, h) => status(await http('GET', `/sessions/${s.target.id}/summary?lines=5`, h)) },
  'GET /sessions/:t/events': { run: async (_c, s, h) => status(await http('GET', `/sessions/${s.target.id}/events`, h)) },
  'GET /sessions/:t/last-message': { run: async (_c, s, h) => status(await http('GET', `/sessions/${s.target.id}/last-message`, h)) },
  'GET /sessions/:t/tools': { run: async (_c, s, h) => status(await http('GET', `/sessions/${s.target.id}/tools`, h)) },
  'GET /sessions/:t/children': { run: async (_c, s, h) => status(await http('GET', `/sessions/${s.target.id}/children`, h)) },
  'GET /sessions/:t/messages': { run: async (_c, s, h) => status(await http('GET', `/sessions/${s.target.id}/messages`, h)) },
  'GET /sessions/:t/others': { run: async (_c, s, h) => status(await http('GET', `/sessions/${s.target.id}/others`, h)) },
  'GET /sessions/:t/subagents': { run: async (_c, s, h) => status(await http('GET', `/sessions/${s.target.id}/subagents`, h)) },
  'GET /tools': { run: async (_c, _s, h) => status(await http('GET', '/tools', h)) },
  'GET /tools/stats': { run: async (_c, _s, h) => status(await http('GET', '/tools/stats', h)) },
  'GET /tools/stream': {
    run: async (_c, _s, h) => {
      const stop = new AbortController()
      const res = await fetch(`${server.url}/tools/stream`, { headers: h, signal: stop.signal })
      if (res.ok) stop.abort()
      else await res.text()
      return res.status
    },
  },
  'POST /sessions (create)': {
    run: async (_c, _s, h) => {
      const r = await http('POST', '/sessions', h, { workingDir: config.dataDir })
      if (r.status === 201) made.push(r.body.session.id)
      return r.status
    },
  },
  'POST /sessions/spawn': {
    run: async (_c, _s, h) => {
      const r = await http('POST', '/sessions/spawn', h, { prompt: 'go' })
      if (r.status === 201) made.push(r.body.session.id)
      return r.status
    },
  },
  'POST /sessions/:t/wait': { run: async (_c, s, h) => status(await http('POST', `/sessions/${s.target.id}/wait`, h, { seconds: 3600 })) },
  'PUT /sessions/:t/task': { fresh: true, run: async (_c, s, h) => status(await http('PUT', `/sessions/${s.target.id}/task`, h, { task: 'a task' })) },
  'PATCH /sessions/:t (rename)': { fresh: true, run: async (_c, s, h) => status(await http('PATCH', `/sessions/${s.target.id}`, h, { name: `renamed-${++n}` })) },
  'POST /sessions/:t/input': { fresh: true, run: async (_c, s, h) => status(await http('POST', `/sessions/${s.target.id}/input`, h, { text: '/exit' })) },
  'POST /sessions/:t/key 1': { fresh: true, run: async (_c, s, h) => status(await http('POST', `/sessions/${s.target.id}/key`, h, { key: '1' })) },
  'POST /sessions/:t/key Enter': { fresh: true, run: async (_c, s, h) => status(await http('POST', `/sessions/${s.target.id}/key`, h, { key: 'Enter' })) },
  'POST /sessions/:t/key Escape': { fresh: true, run: async (_c, s, h) => status(await http('POST', `/sessions/${s.target.id}/key`, h, { key: 'Escape' })) },
  'POST /sessions/:t/clear': {
    fresh: true,
    run: async (_c, s, h) => {
      const reply = http('POST', `/sessions/${s.target.id}/clear`, h, {})
      // an allowed clear types /clear: the agent's SessionStart (clear) lets it finish
      const typed = waitFor(async () => ((await screen(s.target)).includes('got: /clear') ? true : null), 10_000).then(
        () => http('POST', '/hooks/SessionStart', asAgent(s.target), { session_id: uuid(), source: 'clear' }),
        () => null,
      )
      const r = await reply
      if (r.status === 200) await typed
      return r.status
    },
  },
  'DELETE /sessions/:t (kill)': { fresh: true, run: async (_c, s, h) => status(await http('DELETE', `/sessions/${s.target.id}`, h)) },
  'DELETE /sessions/:t?tree=true': { fresh: true, run: async (_c, s, h) => status(await http('DELETE', `/sessions/${s.target.id}?tree=true`, h)) },
  'message sequential': { fresh: true, run: async (_c, s, h) => status(await http('POST', `/sessions/${s.target.id}/messages`, h, { text: 'hello' })) },
  'message important': {
    fresh: true,
    run: async (_c, s, h) => status(await http('POST', `/sessions/${s.target.id}/messages`, h, { text: 'hello', mode: 'important' })),
  },
  'message urgent': {
    fresh: true,
    run: async (_c, s, h) => status(await http('POST', `/sessions/${s.target.id}/messages`, h, { text: 'hello', mode: 'urgent' })),
  },
  'message /compact (slash command)': {
    fresh: true,
    run: async (_c, s, h) => {
      const r = await http('POST', `/sessions/${s.target.id}/messages`, h, { text: '/compact now' })
      if (r.status !== 200) return r.status
      const text = await screen(s.target)
      if (text.includes('got: /compact now')) return 'command'
      if (/got: \[sm from \S+ \([0-9a-f]{8}\)\] \/compact now/.test(text)) return 'message'
      return `typed as neither: ${text}` as never
    },
  },
  'hook Stop (carries queued messages)': {
    fresh: true,
    busy: true,
    run: async (c, s, _h, kid) => {
      const r = await hookFrom(c, s, 'Stop', { stop_hook_active: false, last_assistant_message: 'done' }, kid)
      if (r.status !== 200) return r.status
      return r.body?.decision === 'block' && String(r.body.reason).includes('for this session only') ? 'block' : (`reply ${JSON.stringify(r.body)}` as never)
    },
  },
  'hook SessionEnd (stops the session)': {
    fresh: true,
    busy: true,
    run: async (c, s, _h, kid) => stateAfter(await hookFrom(c, s, 'SessionEnd', { reason: 'other' }, kid), s, 'stopped', 'stopped'),
  },
  'hook PermissionRequest': {
    fresh: true,
    busy: true,
    run: async (c, s, _h, kid) =>
      stateAfter(await hookFrom(c, s, 'PermissionRequest', { tool_name: 'Bash', tool_input: { command: 'rm -rf /tmp/x' } }, kid), s, 'waiting_permission', 'waiting'),
  },
  'POST /telegram/pair': { run: async (_c, _s, h) => status(await http('POST', '/telegram/pair', h, {})) },
  'GET /telegram': { run: async (_c, _s, h) => status(await http('GET', '/telegram', h)) },
  'DELETE /telegram/users/:id': { run: async (_c, _s, h) => status(await http('DELETE', '/telegram/users/12345', h)) },
}

const allowed = (o: Outcome) => typeof o === 'string' || (o >= 200 && o < 300)

let main: Scene
let kid: Agent

beforeAll(async () => {
  config = testConfig({ claudeCommand: process.execPath, claudeArgs: [ECHO_AGENT] })
  server = await startServer(config, silentLog())
  operatorToken = readFileSync(dataFiles(config.dataDir).operatorToken, 'utf8').trim()
  const create = async (name: string) => (await http('POST', '/sessions', asOperator(), { workingDir: config.dataDir, name })).body.session.id as string
  const lead = await agentOf(await create('lead'))
  const stranger = await agentOf(await create('other'))
  const target = await spawnBy(lead, 'T')
  const sibling = await spawnBy(lead, 'sib')
  kid = await spawnBy(target, 'kid')
  main = { target, parent: lead, sibling, stranger, child: async () => kid }
  // T works, with a message waiting for its next Stop: what a forged hook would take
  await busyWithMessage(target)
}, 60_000)

afterAll(async () => {
  await server?.close()
  if (config) cleanup(config)
})

describe('authorisation matrix (spec 0001)', () => {
  it('lists every action once, with one expected outcome per caller', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(Object.keys(ACTIONS).sort())
    for (const row of Object.values(MATRIX)) expect(row).toHaveLength(CALLERS.length)
  })

  it('answers every cell as the table says; a refused call leaves its target untouched', async () => {
    const before = await snapshot(main.target)
    const got: Record<string, Outcome[]> = {}
    let cells = 0
    for (const [action, row] of Object.entries(MATRIX)) {
      const how = ACTIONS[action]!
      got[action] = []
      for (const [i, caller] of CALLERS.entries()) {
        const expected = row[i]!
        const fresh = how.fresh === true && allowed(expected)
        let scene = main
        let child: Agent | null = kid
        if (fresh) {
          const target = await spawnBy(main.parent)
          made.push(target.id)
          child = caller === 'child' ? await spawnBy(target) : null
          if (how.busy === true) await busyWithMessage(target)
          scene = { ...main, target, child: async () => child! }
        }
        got[action]!.push(await how.run(caller, scene, headersOf(caller, scene, child), child))
        cells++
        if (!fresh) expect(await snapshot(main.target), `${action} by ${caller} changed T`).toEqual(before)
        for (const id of made.splice(0)) await http('DELETE', `/sessions/${id}?tree=true`, asOperator())
      }
    }
    expect(got).toEqual(MATRIX)
    expect(cells).toBe(Object.keys(MATRIX).length * CALLERS.length)
    // T was never reached: still working, its message still queued for its own Stop, which takes it
    expect(before).toMatchObject({ state: 'working', name: 'T', messages: [['for this session only', 'queued']] })
    expect(before.screen).not.toContain('got:')
    // no forged hook made an external session of a managed one
    const all = (await http('GET', '/sessions?all=true', asOperator())).body.sessions as { kind: string }[]
    expect(all.filter((x) => x.kind !== 'managed')).toEqual([])
    const own = await http('POST', '/hooks/Stop', asAgent(main.target), { session_id: main.target.claudeId, stop_hook_active: false })
    expect(own.body).toEqual({ decision: 'block', reason: 'for this session only' })
  }, 300_000)
})
