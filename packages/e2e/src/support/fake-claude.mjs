#!/usr/bin/env node
// A scriptable fake of the Claude Code TUI (2.1.330) for fast end-to-end tests. Over 400 lines on
// purpose: a protocol fake (screen, keys, hooks, payloads) that runs as one plain script in a pane.
//
//   fake-claude.mjs [--model M] [--permission-mode X] [--settings FILE|JSON] [--session-id UUID] [prompt]
//
// As far as a session manager can see, it behaves like the real CLI: it draws the same prompt box
// (a full-width rule, `❯` + U+00A0 + the typed text, a rule, a footer), reads keys in raw mode, and
// runs the hooks configured in ~/.claude/settings.json, <cwd>/.claude/settings{,.local}.json and
// --settings, with the real payload shapes (`sh -c <command>` with the JSON on stdin, or an HTTP POST).
//
// What a submitted prompt does is chosen by markers in its text:
//   (none)          UserPromptSubmit, a short "turn", Stop{last_assistant_message: "echo: <prompt>"}
//   [[slow:MS]]     stays working for MS before the rest of the turn
//   [[tool:MS]]     PreToolUse Bash, MS of "running", PostToolUse, PostToolBatch, then Stop
//   [[permission]]  PreToolUse Bash, a permission dialog + PermissionRequest; key 1/2 (or a hook's
//                   allow) runs the tool then Stop; key 3 or Escape interrupts (no hook); a hook's deny
//                   skips the tool and the turn goes on to Stop
//   [[bg]]          SubagentStart, Stop with a running background task, later SubagentStop and a second Stop
//   [[fail]]        StopFailure instead of Stop
//   [[long:N]]      the answer is "echo: <prompt>" then numbered lines, N characters in all
// and the slash commands /clear (SessionEnd{clear}, SessionStart{clear} with a new session_id) and
// /exit (SessionEnd{prompt_input_exit}, exit). Escape while working interrupts with no hook. SIGHUP or
// SIGTERM (tmux kill-session) fires SessionEnd{other} and exits.
//
// Hook replies are honoured the way the real CLI does for the cases a manager relies on: exit code 2
// or {"decision":"block"} (UserPromptSubmit blocks the prompt; Stop makes the fake answer the reason
// in a new turn, with stop_hook_active: true), PreToolUse permissionDecision allow/deny/ask,
// PermissionRequest decision.behavior allow/deny.
//
// Env: FAKE_CLAUDE_LOG=<file.jsonl> records every prompt, hook run (with its stdout, parsed JSON,
// exit code) and key decision. Timings: FAKE_CLAUDE_STARTUP_MS (0), FAKE_CLAUDE_TURN_MS (30),
// FAKE_CLAUDE_BG_MS (300), FAKE_CLAUDE_PERMISSION_NOTIFY_MS (6000), FAKE_CLAUDE_IDLE_NOTIFY_MS
// (60000; 0 = never), FAKE_CLAUDE_SESSIONEND_TIMEOUT_MS (5000), FAKE_CLAUDE_DIALOG_GRACE_MS (0: keys
// reaching the permission dialog sooner than this after it opened are dropped, as the real CLI
// sometimes drops a key sent the instant its dialog is drawn).
import { spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

const VERSION = '2.1.330'
const NBSP = '\u00a0'

// ---------------------------------------------------------------- configuration

const envMs = (name, fallback) => {
  const v = Number(process.env[name])
  return Number.isFinite(v) && process.env[name] !== '' && process.env[name] !== undefined ? v : fallback
}
const TIMING = {
  startup: envMs('FAKE_CLAUDE_STARTUP_MS', 0),
  turn: envMs('FAKE_CLAUDE_TURN_MS', 30),
  bg: envMs('FAKE_CLAUDE_BG_MS', 300),
  permissionNotify: envMs('FAKE_CLAUDE_PERMISSION_NOTIFY_MS', 6000),
  idleNotify: envMs('FAKE_CLAUDE_IDLE_NOTIFY_MS', 60000),
  sessionEnd: envMs('FAKE_CLAUDE_SESSIONEND_TIMEOUT_MS', 5000),
  dialogGrace: envMs('FAKE_CLAUDE_DIALOG_GRACE_MS', 0),
}

function parseArgs(argv) {
  const valueFlags = new Set([
    '--model', '--permission-mode', '--settings', '--session-id', '--resume', '-r', '--append-system-prompt',
    '--system-prompt', '--add-dir', '--mcp-config', '--allowedTools', '--allowed-tools', '--disallowedTools',
    '--disallowed-tools', '--output-format', '--input-format', '--agent', '--name', '--effort', '--fallback-model',
  ])
  const out = { model: 'claude-opus-5-5', permissionMode: 'default', settings: [], positional: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const value = () => (inline !== undefined ? inline : argv[++i])
    if (flag === '--version' || flag === '-v') out.version = true
    else if (flag === '--dangerously-skip-permissions') out.permissionMode = 'bypassPermissions'
    else if (flag === '--model') out.model = value()
    else if (flag === '--permission-mode') out.permissionMode = value()
    else if (flag === '--settings') out.settings.push(value())
    else if (flag === '--session-id') out.sessionId = value()
    else if (valueFlags.has(flag)) value()
    else if (flag === '--') out.positional.push(...argv.slice(i + 1)), (i = argv.length)
    else if (flag.startsWith('-')) continue
    else out.positional.push(arg)
  }
  return out
}

const args = parseArgs(process.argv.slice(2))
if (args.version) {
  process.stdout.write(`${VERSION} (Claude Code)\n`)
  process.exit(0)
}

const cwd = process.cwd()
const projectDir = cwd
const home = process.env.HOME || homedir()
const logFile = process.env.FAKE_CLAUDE_LOG

// ---------------------------------------------------------------- settings and hooks

const MATCHER_FIELD = {
  PreToolUse: 'tool_name',
  PostToolUse: 'tool_name',
  PostToolUseFailure: 'tool_name',
  PermissionRequest: 'tool_name',
  SessionStart: 'source',
  SessionEnd: 'reason',
  Notification: 'notification_type',
  PreCompact: 'trigger',
  PostCompact: 'trigger',
  SubagentStart: 'agent_type',
  SubagentStop: 'agent_type',
  ConfigChange: 'source',
}

function readSettingsSource(source) {
  try {
    const text = source.trim().startsWith('{') ? source : readFileSync(source, 'utf8')
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function loadHooks() {
  const sources = [
    join(home, '.claude', 'settings.json'),
    join(cwd, '.claude', 'settings.json'),
    join(cwd, '.claude', 'settings.local.json'),
    ...args.settings,
  ]
  const merged = {}
  for (const source of sources) {
    const settings = readSettingsSource(source)
    if (!settings || typeof settings !== 'object') continue
    if (settings.disableAllHooks === true) return {}
    for (const [event, groups] of Object.entries(settings.hooks ?? {})) {
      if (!Array.isArray(groups)) continue
      ;(merged[event] ??= []).push(...groups)
    }
  }
  return merged
}

// Claude Code snapshots hooks at startup.
const hookConfig = loadHooks()

function matches(matcher, value) {
  if (matcher === undefined || matcher === '' || matcher === '*') return true
  if (value === undefined) return true
  if (/^[\w|]+$/.test(matcher)) return matcher.split('|').includes(value)
  try {
    return new RegExp(`^(?:${matcher})$`).test(value)
  } catch {
    return false
  }
}

function hooksFor(event, payload) {
  const field = MATCHER_FIELD[event]
  const value = field ? payload[field] : undefined
  const seen = new Set()
  const out = []
  for (const group of hookConfig[event] ?? []) {
    if (field && !matches(group.matcher, value)) continue
    for (const hook of group.hooks ?? []) {
      const key = hook.type === 'http' ? `http:${hook.url}` : `command:${hook.command}`
      if (seen.has(key)) continue
      seen.add(key)
      out.push(hook)
    }
  }
  return out
}

function runCommandHook(hook, payload, extraEnv) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn('sh', ['-c', hook.command], {
      cwd,
      env: { ...process.env, CLAUDE_PROJECT_DIR: projectDir, CLAUDECODE: '1', CLAUDE_CODE_ENTRYPOINT: 'cli', ...extraEnv },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.stdin.on('error', () => {})
    child.stdin.end(JSON.stringify(payload))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGTERM')
    }, (hook.timeout ?? 600) * 1000)
    child.on('error', (err) => {
      clearTimeout(timer)
      resolve({ exitCode: null, stdout, stderr, error: String(err), durationMs: Date.now() - started })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ exitCode: code, stdout, stderr, timedOut, durationMs: Date.now() - started })
    })
  })
}

function expandHeader(value, allowed) {
  return String(value).replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced, bare) => {
    const name = braced ?? bare
    return allowed.includes(name) ? (process.env[name] ?? '') : ''
  })
}

async function runHttpHook(hook, payload) {
  const started = Date.now()
  const allowed = Array.isArray(hook.allowedEnvVars) ? hook.allowedEnvVars : []
  const headers = { 'content-type': 'application/json' }
  for (const [k, v] of Object.entries(hook.headers ?? {})) headers[k] = expandHeader(v, allowed)
  try {
    const res = await fetch(hook.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout((hook.timeout ?? 600) * 1000),
    })
    const text = await res.text()
    if (!res.ok) return { exitCode: 1, stdout: text, stderr: `HTTP ${res.status}`, status: res.status, failed: true, durationMs: Date.now() - started }
    return { exitCode: 0, stdout: text, stderr: '', status: res.status, durationMs: Date.now() - started }
  } catch (err) {
    return { exitCode: 1, stdout: '', stderr: String(err?.cause?.message ?? err?.message ?? err), failed: true, durationMs: Date.now() - started }
  }
}

function parseJson(text) {
  const t = (text ?? '').trim()
  if (!t.startsWith('{')) return undefined
  try {
    return JSON.parse(t)
  } catch {
    return undefined
  }
}

/** Run every matching hook of `event` in parallel and fold their replies into one decision. */
async function runHooks(event, payload, extraEnv = {}) {
  const hooks = hooksFor(event, payload)
  const outcome = { count: hooks.length, block: undefined, additionalContext: [], preToolDecision: undefined, permissionDecision: undefined, failures: [] }
  if (hooks.length === 0) return outcome
  const results = await Promise.all(
    hooks.map(async (hook) => {
      const result = hook.type === 'http' ? await runHttpHook(hook, payload) : await runCommandHook(hook, payload, extraEnv)
      const json = parseJson(result.stdout)
      log({
        type: 'hook',
        event,
        session_id: payload.session_id,
        hook: hook.type === 'http' ? { type: 'http', url: hook.url } : { type: 'command', command: hook.command },
        exit_code: result.exitCode,
        stdout: result.stdout,
        stderr: result.stderr,
        json,
        duration_ms: result.durationMs,
        ...(result.timedOut ? { timed_out: true } : {}),
        ...(result.failed ? { failed: true } : {}),
        payload,
      })
      return { hook, result, json }
    }),
  )
  for (const { hook, result, json } of results) {
    if (result.failed) {
      outcome.failures.push(result.stderr)
      if (hook.onFailure === 'block') outcome.block ??= `${hook.url}: ${result.stderr}`
      continue
    }
    if (result.exitCode === 2) {
      outcome.block ??= result.stderr.trim() || 'blocked by hook'
      if (event === 'PreToolUse') outcome.preToolDecision ??= { decision: 'deny', reason: result.stderr.trim() }
      continue
    }
    if (!json) {
      if (event === 'UserPromptSubmit' && result.stdout.trim()) outcome.additionalContext.push(result.stdout.trim())
      continue
    }
    if (json.decision === 'block') outcome.block ??= json.reason ?? 'blocked by hook'
    const specific = json.hookSpecificOutput ?? {}
    if (typeof specific.additionalContext === 'string') outcome.additionalContext.push(specific.additionalContext)
    if (event === 'PreToolUse' && specific.permissionDecision) {
      outcome.preToolDecision ??= { decision: specific.permissionDecision, reason: specific.permissionDecisionReason }
    }
    if (event === 'PermissionRequest' && specific.decision?.behavior) {
      outcome.permissionDecision ??= { behavior: specific.decision.behavior, message: specific.decision.message }
    }
  }
  if (outcome.failures.length && state.mode !== 'gone') {
    for (const failure of outcome.failures) state.history.push(`  ⎿  ${event} hook failed`, `     ${failure}`)
    draw()
  }
  return outcome
}

// ---------------------------------------------------------------- session state

const state = {
  sessionId: args.sessionId ?? randomUUID(),
  model: args.model,
  permissionMode: args.permissionMode,
  mode: 'starting', // starting | idle | working | permission | exiting
  input: '',
  queue: [],
  history: [],
  turn: undefined,
  dialog: undefined,
  lastPromptId: undefined,
  spinnerStart: 0,
  lastUuid: null,
}

const transcriptDir = join(home, '.claude', 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'))
const transcriptPath = () => join(transcriptDir, `${state.sessionId}.jsonl`)

function log(entry) {
  if (!logFile) return
  try {
    appendFileSync(logFile, JSON.stringify({ t: Date.now(), pid: process.pid, ...entry }) + '\n')
  } catch {
    // a log problem must never break the fake
  }
}

function transcript(type, message, extra = {}) {
  const uuid = randomUUID()
  const line = {
    parentUuid: state.lastUuid,
    isSidechain: false,
    type,
    message,
    uuid,
    timestamp: new Date().toISOString(),
    userType: 'external',
    entrypoint: 'cli',
    cwd,
    sessionId: state.sessionId,
    version: VERSION,
    ...extra,
  }
  state.lastUuid = uuid
  try {
    mkdirSync(transcriptDir, { recursive: true })
    appendFileSync(transcriptPath(), JSON.stringify(line) + '\n')
  } catch {
    // ignore
  }
}

const base = (event, withPrompt = true) => ({
  session_id: state.sessionId,
  transcript_path: transcriptPath(),
  cwd,
  ...(withPrompt && state.lastPromptId ? { prompt_id: state.lastPromptId } : {}),
  hook_event_name: event,
})
const effort = { level: 'medium' }

const payloads = {
  sessionStart: (source) => ({
    session_id: state.sessionId,
    transcript_path: transcriptPath(),
    cwd,
    hook_event_name: 'SessionStart',
    source,
    ...(source === 'clear' ? {} : { model: state.model }),
  }),
  sessionEnd: (reason) => ({ ...base('SessionEnd'), reason }),
  userPromptSubmit: (prompt) => ({
    session_id: state.sessionId,
    transcript_path: transcriptPath(),
    cwd,
    prompt_id: state.lastPromptId,
    permission_mode: state.permissionMode,
    hook_event_name: 'UserPromptSubmit',
    prompt,
  }),
  tool: (event, tool, extra) => ({
    session_id: state.sessionId,
    transcript_path: transcriptPath(),
    cwd,
    prompt_id: state.lastPromptId,
    permission_mode: state.permissionMode,
    effort,
    hook_event_name: event,
    tool_name: tool.name,
    tool_input: tool.input,
    ...extra,
  }),
  postToolBatch: (calls) => ({
    session_id: state.sessionId,
    transcript_path: transcriptPath(),
    cwd,
    prompt_id: state.lastPromptId,
    permission_mode: state.permissionMode,
    effort,
    hook_event_name: 'PostToolBatch',
    tool_calls: calls,
  }),
  stop: (message, stopHookActive, backgroundTasks) => ({
    session_id: state.sessionId,
    transcript_path: transcriptPath(),
    cwd,
    prompt_id: state.lastPromptId,
    permission_mode: state.permissionMode,
    effort,
    hook_event_name: 'Stop',
    stop_hook_active: stopHookActive,
    last_assistant_message: message,
    background_tasks: backgroundTasks,
    session_crons: [],
  }),
  stopFailure: (error, message) => ({
    session_id: state.sessionId,
    transcript_path: transcriptPath(),
    cwd,
    prompt_id: state.lastPromptId,
    effort,
    hook_event_name: 'StopFailure',
    error,
    last_assistant_message: message,
  }),
  notification: (message, type) => ({ ...base('Notification'), message, notification_type: type }),
  messageDisplay: (text) => ({
    ...base('MessageDisplay'),
    turn_id: randomUUID(),
    message_id: randomUUID(),
    index: 0,
    final: true,
    delta: text,
  }),
  subagentStart: (agent) => ({
    session_id: state.sessionId,
    transcript_path: transcriptPath(),
    cwd,
    prompt_id: state.lastPromptId,
    agent_id: agent.id,
    agent_type: agent.agent_type,
    hook_event_name: 'SubagentStart',
  }),
  subagentStop: (agent) => ({
    session_id: state.sessionId,
    transcript_path: transcriptPath(),
    cwd,
    prompt_id: state.lastPromptId,
    permission_mode: state.permissionMode,
    agent_id: agent.id,
    agent_type: agent.agent_type,
    effort,
    hook_event_name: 'SubagentStop',
    stop_hook_active: false,
    agent_transcript_path: join(transcriptDir, state.sessionId, 'subagents', `agent-${agent.id}.jsonl`),
    last_assistant_message: 'subagent done',
    background_tasks: [{ id: agent.id, type: 'subagent', status: 'running', description: 'Background task', agent_type: agent.agent_type }],
    session_crons: [],
  }),
}

// ---------------------------------------------------------------- screen

const out = process.stdout
out.on('error', () => {})

function write(text) {
  if (state.mode === 'gone') return
  try {
    out.write(text)
  } catch {
    // the terminal went away (tmux kill-session)
  }
}

const columns = () => Math.max(20, out.columns || 200)
const rows = () => Math.max(10, out.rows || 50)
const clip = (line) => (line.length > columns() ? line.slice(0, columns()) : line)

const MODE_LABEL = {
  default: '⏸ manual mode on',
  acceptEdits: '⏵⏵ accept edits on (shift+tab to cycle)',
  plan: '⏸ plan mode on (shift+tab to cycle)',
  bypassPermissions: '⏵⏵ bypass permissions on (shift+tab to cycle)',
  auto: '⏵⏵ auto mode on (shift+tab to cycle)',
  dontAsk: '⏵⏵ don’t ask on (shift+tab to cycle)',
}
const MODE_CYCLE = ['default', 'acceptEdits', 'plan']

function frame() {
  const width = columns()
  const rule = '─'.repeat(width)
  const lines = ['', ' ▐▛███▛█   Claude Code v' + VERSION + ' (fake)', '▝▜██████▀  ' + state.model + ' · scripted', ' ▝▝   ▝▝   ' + cwd, '']
  for (const h of state.history) lines.push(...h.split('\n'))
  if (state.mode === 'permission' && state.dialog) {
    const d = state.dialog
    const dash = '╌'.repeat(width)
    lines.push('', rule, ' Bash command', '', ' ' + d.tool.input.description, dash, ' ' + d.tool.input.command, dash, ' Do you want to proceed?')
    DIALOG_OPTIONS.forEach((label, i) => lines.push((i === d.selected ? ' ❯ ' : '   ') + `${i + 1}. ${label}`))
    lines.push('', ' Esc to cancel · Tab to amend')
  } else {
    const working = state.mode === 'working'
    if (working) {
      const secs = Math.floor((Date.now() - state.spinnerStart) / 1000)
      lines.push('', `✻ Working… (${secs}s · ↓ 12 tokens)`)
    }
    for (const q of state.queue) lines.push(`  ↳ queued: ${q.split('\n')[0]}`)
    const effortLabel = '◐ medium · /effort'
    lines.push(' '.repeat(Math.max(0, width - effortLabel.length - 2)) + effortLabel)
    lines.push(rule)
    const inputLines = state.input.split('\n')
    lines.push('❯' + NBSP + inputLines[0], ...inputLines.slice(1).map((l) => '  ' + l))
    lines.push(rule)
    const label = MODE_LABEL[state.permissionMode] ?? `⏵⏵ ${state.permissionMode} mode on`
    lines.push('  ' + label + (working ? ' · esc to interrupt' : ' · ? for shortcuts'))
  }
  const visible = lines.slice(-rows())
  return '\x1b[H' + visible.map((l) => clip(l) + '\x1b[K').join('\r\n') + '\x1b[J'
}

function draw() {
  if (state.mode === 'starting' || state.mode === 'exiting' || state.mode === 'gone') return
  write(frame())
}

let spinnerTimer
function setMode(mode) {
  state.mode = mode
  clearInterval(spinnerTimer)
  if (mode === 'working') {
    if (!state.spinnerStart) state.spinnerStart = Date.now()
    spinnerTimer = setInterval(draw, 1000)
  } else {
    state.spinnerStart = 0
  }
  draw()
}

// ---------------------------------------------------------------- turns

const DIALOG_OPTIONS = ['Yes', 'Yes, and don’t ask again for this command', 'No']
const INTERRUPTED = `  ⎿ ${NBSP}Interrupted · What should Claude do instead?`

function newTurn() {
  const turn = { cancelled: false, wakers: new Set() }
  state.turn = turn
  return turn
}

function wait(ms, turn) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      turn?.wakers.delete(done)
      resolve()
    }
    turn?.wakers.add(done)
  })
}

function interrupt(source) {
  const turn = state.turn
  if (!turn || turn.cancelled) return
  turn.cancelled = true
  for (const wake of [...turn.wakers]) wake()
  if (state.dialog) {
    state.dialog.resolve({ answer: 'no' })
    state.dialog = undefined
  }
  state.turn = undefined
  state.history.push(INTERRUPTED)
  transcript('user', { role: 'user', content: [{ type: 'text', text: '[Request interrupted by user]' }] })
  log({ type: 'interrupt', source, session_id: state.sessionId })
  // Like the real CLI, anything queued goes back into the input box.
  if (state.queue.length) {
    state.input = [...state.queue, state.input].filter(Boolean).join('\n')
    state.queue = []
  }
  setMode('idle')
  scheduleIdleNotification()
}

function markers(prompt) {
  const tool = /\[\[tool:(\d+)\]\]/.exec(prompt)
  const slow = /\[\[slow:(\d+)\]\]/.exec(prompt)
  const long = /\[\[long:(\d+)\]\]/.exec(prompt)
  return {
    longChars: long ? Number(long[1]) : undefined,
    toolMs: tool ? Number(tool[1]) : undefined,
    slowMs: slow ? Number(slow[1]) : undefined,
    permission: prompt.includes('[[permission]]'),
    bg: prompt.includes('[[bg]]'),
    fail: prompt.includes('[[fail]]'),
  }
}

async function submit(prompt) {
  clearTimeout(idleTimer)
  const trimmed = prompt.trim()
  if (!trimmed) return
  if (trimmed === '/exit' || trimmed === '/quit') return exitSession('prompt_input_exit')
  if (trimmed === '/clear') return clearSession()

  state.lastPromptId = randomUUID()
  log({ type: 'prompt', prompt, session_id: state.sessionId, prompt_id: state.lastPromptId })
  const turn = newTurn()
  state.history.push('', '❯ ' + prompt.split('\n').join('\n  '))
  setMode('working')
  transcript('user', { role: 'user', content: prompt }, { promptId: state.lastPromptId })

  const ups = await runHooks('UserPromptSubmit', payloads.userPromptSubmit(prompt))
  if (turn.cancelled) return
  if (ups.block) {
    state.history.push(`● UserPromptSubmit operation blocked by hook: ${ups.block}`)
    state.input = prompt
    state.turn = undefined
    setMode('idle')
    return
  }
  await respond(prompt, turn, false, 0)
}

/** `head`, then numbered lines (`line 1 ....`) until the answer is `chars` long. */
function longAnswer(head, chars) {
  let out = head
  for (let i = 1; out.length < chars; i++) out += `\nline ${i} ${'.'.repeat(60)}`
  return out.slice(0, Math.max(chars, head.length))
}

/** One "model response" to `text` (a prompt or a Stop hook's reason), ending in Stop. */
async function respond(text, turn, stopHookActive, depth) {
  const m = markers(text)
  const answer = m.longChars === undefined ? `echo: ${text}` : longAnswer(`echo: ${text}`, m.longChars)
  await wait(m.slowMs ?? TIMING.turn, turn)
  if (turn.cancelled) return

  if (m.fail) {
    state.history.push('', '  ⎿  API Error: 500 {"type":"error","error":{"type":"api_error","message":"fake failure"}}')
    await runHooks('StopFailure', payloads.stopFailure('unknown', 'API Error: 500 fake: scripted failure'))
    return finishTurn(turn)
  }

  if (m.toolMs !== undefined || m.permission) {
    const ok = await toolCall(turn, m)
    if (!ok) return // interrupted
  }

  let agent
  if (m.bg) {
    agent = { id: randomBytes(9).toString('hex').slice(0, 17), agent_type: 'general-purpose' }
    await runHooks('SubagentStart', payloads.subagentStart(agent))
    if (turn.cancelled) return
  }

  state.history.push('', '● ' + answer)
  transcript('assistant', { id: `msg_fake${randomBytes(10).toString('hex')}`, type: 'message', role: 'assistant', model: state.model, content: [{ type: 'text', text: answer }], stop_reason: 'end_turn', stop_sequence: null })
  draw()
  void runHooks('MessageDisplay', payloads.messageDisplay(answer))
  const tasks = agent ? [{ id: agent.id, type: 'subagent', status: 'running', description: 'Background task', agent_type: agent.agent_type }] : []
  const stop = await runHooks('Stop', payloads.stop(answer, stopHookActive, tasks))
  if (turn.cancelled) return
  if (stop.block && depth < 10) {
    state.history.push('', `● Ran ${stop.count} stop hook${stop.count === 1 ? '' : 's'}`, '  ⎿  Stop hook reported a problem', '     ' + stop.block)
    draw()
    return respond(stop.block, turn, true, depth + 1)
  }
  if (agent) scheduleBackgroundFinish(agent)
  finishTurn(turn)
}

function finishTurn(turn) {
  if (state.turn !== turn) return
  const secs = Math.max(1, Math.round((Date.now() - state.spinnerStart) / 1000))
  state.history.push('', `✻ Worked for ${secs}s`)
  state.turn = undefined
  setMode('idle')
  scheduleIdleNotification()
  if (state.queue.length) {
    const next = state.queue.shift()
    void submit(next)
  }
}

function scheduleBackgroundFinish(agent) {
  const sessionId = state.sessionId
  setTimeout(async () => {
    if (state.sessionId !== sessionId || state.mode === 'exiting' || state.mode === 'gone') return
    await runHooks('SubagentStop', payloads.subagentStop(agent))
    if (state.sessionId !== sessionId || state.mode === 'exiting' || state.mode === 'gone') return
    const message = 'background task finished'
    state.history.push('', '● ' + message)
    draw()
    await runHooks('Stop', payloads.stop(message, false, []))
  }, TIMING.bg)
}

/** A Bash tool call: PreToolUse, maybe the permission dialog, the "run", PostToolUse, PostToolBatch. Returns false if interrupted. */
async function toolCall(turn, m) {
  const tool = m.permission
    ? { name: 'Bash', input: { command: 'rm -rf ./build', description: 'Remove build directory' } }
    : { name: 'Bash', input: { command: `sleep ${(m.toolMs ?? 0) / 1000}`, description: 'Wait for the build' } }
  const toolUseId = `toolu_fake${randomBytes(10).toString('hex')}`
  state.history.push('', '● Working on it.', '', '  ' + tool.input.description, '  ⎿  $ ' + tool.input.command)
  draw()
  transcript('assistant', { id: `msg_fake${randomBytes(10).toString('hex')}`, type: 'message', role: 'assistant', model: state.model, content: [{ type: 'tool_use', id: toolUseId, name: tool.name, input: tool.input }], stop_reason: 'tool_use', stop_sequence: null })

  const pre = await runHooks('PreToolUse', payloads.tool('PreToolUse', tool, { tool_use_id: toolUseId }))
  if (turn.cancelled) return false
  const decision = pre.preToolDecision?.decision
  let run = decision !== 'deny'
  let denial = decision === 'deny' ? `PreToolUse:Bash hook error: ${pre.preToolDecision.reason ?? 'denied'}` : undefined
  const ask =
    decision === 'ask' ||
    (run && decision !== 'allow' && m.permission && !['bypassPermissions', 'dontAsk'].includes(state.permissionMode))
  if (ask) {
    await wait(150, turn)
    if (turn.cancelled) return false
    const result = await permissionDialog(turn, tool)
    if (result.answer === 'no') {
      if (!turn.cancelled) interrupt(result.source ?? 'dialog')
      return false
    }
    if (result.answer === 'deny') {
      run = false
      denial = result.message ?? 'Permission denied by PermissionRequest hook'
    }
  }

  if (!run) {
    state.history.push('  ⎿  Not run · permission denied', `     │ Reason: ${denial}`)
    draw()
    transcript('user', { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content: denial, is_error: true }] })
    await runHooks('PostToolBatch', payloads.postToolBatch([{ tool_name: tool.name, tool_input: tool.input, tool_use_id: toolUseId, tool_response: denial }]))
    return !turn.cancelled
  }

  const started = Date.now()
  await wait(m.permission ? 100 : (m.toolMs ?? 0), turn)
  if (turn.cancelled) return false
  const response = { stdout: '', stderr: '', interrupted: false, isImage: false, noOutputExpected: true }
  state.history.push('  Ran 1 shell command')
  draw()
  transcript('user', { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content: '(Bash completed with no output)', is_error: false }] })
  await runHooks('PostToolUse', payloads.tool('PostToolUse', tool, { tool_response: response, tool_use_id: toolUseId, duration_ms: Date.now() - started }))
  if (turn.cancelled) return false
  await runHooks('PostToolBatch', payloads.postToolBatch([{ tool_name: tool.name, tool_input: tool.input, tool_use_id: toolUseId, tool_response: '(Bash completed with no output)' }]))
  return !turn.cancelled
}

/** Show the dialog; resolves with the first of: a key (1/2 yes, 3/Escape no) or a PermissionRequest hook decision. */
function permissionDialog(turn, tool) {
  return new Promise((resolve) => {
    let settled = false
    const dialog = {
      tool,
      selected: 0,
      openedAt: Date.now(),
      resolve: (result) => {
        if (settled) return
        settled = true
        clearTimeout(notifyTimer)
        if (state.dialog === dialog) state.dialog = undefined
        log({ type: 'permission', ...result, session_id: state.sessionId })
        if (result.answer !== 'no' && state.mode === 'permission') setMode('working')
        resolve(result)
      },
    }
    state.dialog = dialog
    setMode('permission')
    const notifyTimer = setTimeout(() => {
      if (!settled) void runHooks('Notification', payloads.notification('Claude needs your permission', 'permission_prompt'))
    }, TIMING.permissionNotify)
    void runHooks('PermissionRequest', payloads.tool('PermissionRequest', tool, {
      permission_suggestions: [
        { type: 'addDirectories', directories: [join(cwd, 'build')], destination: 'session' },
        { type: 'setMode', mode: 'acceptEdits', destination: 'session' },
      ],
    })).then((outcome) => {
      const d = outcome.permissionDecision
      if (!d || settled || turn.cancelled) return
      if (d.behavior === 'allow') {
        state.history.push('  ⎿  Allowed by PermissionRequest hook')
        dialog.resolve({ answer: 'yes', source: 'hook' })
      } else if (d.behavior === 'deny') {
        state.history.push('  ⎿  Denied by PermissionRequest hook')
        dialog.resolve({ answer: 'deny', source: 'hook', message: d.message })
      }
    })
  })
}

function answerDialog(index, source) {
  const d = state.dialog
  if (!d) return
  if (index === 2) d.resolve({ answer: 'no', source })
  else d.resolve({ answer: 'yes', source, always: index === 1 })
}

// ---------------------------------------------------------------- session lifecycle

let idleTimer
function scheduleIdleNotification() {
  clearTimeout(idleTimer)
  if (!TIMING.idleNotify) return
  const sessionId = state.sessionId
  idleTimer = setTimeout(() => {
    if (state.mode === 'idle' && state.sessionId === sessionId) {
      void runHooks('Notification', payloads.notification('Claude is waiting for your input', 'idle_prompt'))
    }
  }, TIMING.idleNotify)
}

async function clearSession() {
  state.turn = undefined
  setMode('working')
  await runHooks('SessionEnd', payloads.sessionEnd('clear'))
  state.sessionId = randomUUID()
  state.lastPromptId = undefined
  state.lastUuid = null
  state.history = ['', '❯ /clear']
  log({ type: 'clear', session_id: state.sessionId })
  await runHooks('SessionStart', payloads.sessionStart('clear'))
  setMode('idle')
  scheduleIdleNotification()
}

function restoreTerminal() {
  try {
    if (process.stdin.isTTY) process.stdin.setRawMode(false)
  } catch {
    // ignore
  }
  process.stdin.pause()
}

async function exitSession(reason) {
  if (state.mode === 'exiting' || state.mode === 'gone') return
  const turn = state.turn
  if (turn) {
    turn.cancelled = true
    for (const wake of [...turn.wakers]) wake()
  }
  clearInterval(spinnerTimer)
  clearTimeout(idleTimer)
  state.mode = reason === 'other' ? 'gone' : 'exiting'
  log({ type: 'exit', reason, session_id: state.sessionId })
  const hooks = runHooks('SessionEnd', payloads.sessionEnd(reason))
  await Promise.race([hooks, new Promise((r) => setTimeout(r, TIMING.sessionEnd))])
  restoreTerminal()
  if (reason !== 'other') {
    try {
      out.write(`\x1b[H\x1b[J\r\nResume this session with:\r\nclaude --resume ${state.sessionId}\r\n`)
    } catch {
      // ignore
    }
  }
  process.exit(0)
}

for (const signal of ['SIGHUP', 'SIGTERM']) process.on(signal, () => void exitSession('other'))
process.on('SIGINT', () => (state.turn ? interrupt('sigint') : undefined))

// ---------------------------------------------------------------- keyboard

let lastCtrlC = 0
function onKey(key) {
  if (state.mode === 'exiting' || state.mode === 'gone' || state.mode === 'starting') return
  if (state.mode === 'permission' && state.dialog) {
    const d = state.dialog
    if (Date.now() - d.openedAt < TIMING.dialogGrace) return log({ type: 'key-dropped', key, session_id: state.sessionId })
    if (key === '1' || key === '2' || key === '3') return answerDialog(Number(key) - 1, 'key')
    if (key === 'escape') return d.resolve({ answer: 'no', source: 'escape' })
    if (key === 'ctrl-c') return d.resolve({ answer: 'no', source: 'ctrl-c' })
    if (key === 'up') d.selected = (d.selected + DIALOG_OPTIONS.length - 1) % DIALOG_OPTIONS.length
    if (key === 'down') d.selected = (d.selected + 1) % DIALOG_OPTIONS.length
    if (key === 'enter') return answerDialog(d.selected, 'enter')
    return draw()
  }
  switch (key) {
    case 'escape':
      if (state.mode === 'working') interrupt('escape')
      return
    case 'ctrl-c':
      if (state.mode === 'working') return interrupt('ctrl-c')
      if (state.input) {
        state.input = ''
        return draw()
      }
      if (Date.now() - lastCtrlC < 2000) return void exitSession('prompt_input_exit')
      lastCtrlC = Date.now()
      return
    case 'enter': {
      const text = state.input
      if (!text.trim()) return
      state.input = ''
      if (state.mode === 'working') {
        state.queue.push(text)
        return draw()
      }
      void submit(text)
      return
    }
    case 'backspace':
      state.input = [...state.input].slice(0, -1).join('')
      return draw()
    case 'ctrl-u':
      state.input = ''
      return draw()
    case 'shift-tab': {
      const i = MODE_CYCLE.indexOf(state.permissionMode)
      state.permissionMode = MODE_CYCLE[(i + 1) % MODE_CYCLE.length]
      return draw()
    }
    default:
      return
  }
}

function insertText(text) {
  if (state.mode === 'permission' || state.mode === 'exiting' || state.mode === 'gone') return
  state.input += text
  draw()
}

const CSI_KEYS = { '\x1b[A': 'up', '\x1b[B': 'down', '\x1b[C': 'right', '\x1b[D': 'left', '\x1b[Z': 'shift-tab', '\x1bOA': 'up', '\x1bOB': 'down' }

/**
 * One read from the terminal. tmux delivers `send-keys -l TEXT` as one burst and a separate
 * `send-keys Enter` as its own "\r", so: a burst that holds text and a newline is a paste (the
 * newline is inserted, not a submit); a lone "\r" is Enter.
 */
function onData(chunk) {
  const paste = /^\x1b\[200~([\s\S]*?)(\x1b\[201~|$)/.exec(chunk)
  if (paste) {
    insertText(paste[1].replace(/\r\n?/g, '\n'))
    const rest = chunk.slice(paste[0].length)
    if (rest) onData(rest)
    return
  }
  if (chunk.length > 1 && !chunk.includes('\x1b') && /[\r\n]/.test(chunk) && /[^\r\n]/.test(chunk)) {
    insertText(chunk.replace(/\r\n?/g, '\n'))
    return
  }
  let i = 0
  while (i < chunk.length) {
    const ch = chunk[i]
    if (ch === '\x1b') {
      const seq = /^\x1b(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(chunk.slice(i))
      if (seq) {
        const key = CSI_KEYS[seq[0]]
        if (key) onKey(key)
        i += seq[0].length
      } else {
        onKey('escape')
        i += 1
      }
      continue
    }
    if (ch === '\r' || ch === '\n') onKey('enter')
    else if (ch === '\x7f' || ch === '\b') onKey('backspace')
    else if (ch === '\x03') onKey('ctrl-c')
    else if (ch === '\x15') onKey('ctrl-u')
    else if (ch >= ' ' || ch === '\t') {
      let j = i
      while (j < chunk.length && chunk[j] >= ' ' && chunk[j] !== '\x7f') j++
      const text = chunk.slice(i, Math.max(j, i + 1))
      if (state.mode === 'permission' && text.length === 1) onKey(text)
      else insertText(text)
      i = Math.max(j, i + 1)
      continue
    }
    i += 1
  }
}

// ---------------------------------------------------------------- start

async function main() {
  log({ type: 'start', session_id: state.sessionId, argv: process.argv.slice(2), cwd, model: state.model, permission_mode: state.permissionMode })
  if (process.stdin.isTTY) process.stdin.setRawMode(true)
  process.stdin.setEncoding('utf8')
  out.on('resize', draw)
  if (TIMING.startup) await new Promise((r) => setTimeout(r, TIMING.startup))
  write('\x1b[2J\x1b[H')
  state.mode = 'idle'
  draw()
  process.stdin.on('data', onData)
  process.stdin.on('end', () => void exitSession('other'))
  const envDir = join(home, '.claude', 'session-env', state.sessionId)
  try {
    mkdirSync(envDir, { recursive: true })
  } catch {
    // hooks just won't find it
  }
  await runHooks('SessionStart', payloads.sessionStart('startup'), { CLAUDE_ENV_FILE: join(envDir, 'sessionstart-hook-0.sh') })
  const prompt = args.positional.join(' ')
  if (prompt && state.mode === 'idle') void submit(prompt)
  else scheduleIdleNotification()
}

void main()
