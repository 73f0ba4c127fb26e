// Telegram latency, the real server (`sm server`) with a `telegram:` section pointing at the fake
// Bot API (packages/telegram/dist/testing) run in this process, on 127.0.0.1. A managed session
// (a sleeping agent) is driven by direct hook POSTs with its own token.
//
//   - Stop → sendMessage: a UserPromptSubmit, then a Stop whose last_assistant_message is unique;
//     measured from the Stop POST leaving here to the fake recording the sendMessage carrying it
//     (the server, the SQLite outbox, grammY, HTTP). 200 turns one after another. Baseline: one
//     sendMessage POSTed straight to the fake (the cost of the Bot API call alone).
//   - Button press → PermissionRequest answered: a PermissionRequest POST is held by the server;
//     once its message with buttons is at the fake, an Allow press is injected as an update; measured
//     until the held hook reply arrives here (long polling, the access guard, the decision, HTTP).
//     Baseline: the same press's update → the bot's answerCallbackQuery at the fake (the polling floor).
// Throttling is off (grammY's throttler would pace a group at 20 messages a minute, by design).
import { Agent } from 'node:http'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { REPO, fmtMs, log, noteLine, postHook, resultLine, startSmServer, summarize, waitUntil } from './support.mjs'

const STOP_TARGET_MS = 250
const PRESS_TARGET_MS = 300
const CHAT = -1001777000111
const USER = { id: 4711, username: 'bench' }

const pair = (s) => `p50 ${fmtMs(s.p50)} / p99 ${fmtMs(s.p99)}`

export async function benchTelegram({ quick }) {
  const turns = quick ? 40 : 200
  const presses = quick ? 15 : 50
  const { FakeBotApi } = await import(pathToFileURL(join(REPO, 'packages/telegram/dist/testing/index.js')).href)
  const fake = await FakeBotApi.start()
  const extraConfig = [
    'telegram:',
    `  token: ${JSON.stringify(fake.token)}`,
    `  chat_id: ${CHAT}`,
    `  allowed_user_ids: [${USER.id}]`,
    `  api_root: ${JSON.stringify(fake.apiRoot)}`,
    '  poll_timeout_seconds: 10',
    '  stall_seconds: 20',
    '  throttle: false',
    '',
  ].join('\n')
  const server = await startSmServer({ label: 'telegram', extraConfig })
  const agent = new Agent({ keepAlive: true, maxSockets: 4 })
  const lines = []
  try {
    const session = await server.createManagedSession('bench-telegram')
    const headers = { 'x-sm-session': session.id, authorization: `Bearer ${session.token}` }
    const hook = (event, payload) => postHook(agent, `${server.url}/hooks/${event}`, headers, { session_id: 'bench-claude', cwd: server.dir, ...payload })
    await hook('SessionStart', { source: 'startup' })
    const topic = await waitUntil(() => [...fake.topics.values()].find((t) => t.name.endsWith(`[${session.id}]`)), { message: 'the topic' })
    const sentWith = (marker) => fake.calls.find((c) => c.method === 'sendMessage' && String(c.params.text).includes(marker))

    // ---- Stop → sendMessage
    const stopMs = []
    for (let i = 0; i < turns + 3; i++) {
      const marker = `turn-${i}-${randomBytes(4).toString('hex')}`
      await hook('UserPromptSubmit', { prompt: `prompt ${i}` })
      const t0 = Date.now()
      const reply = await hook('Stop', { stop_hook_active: false, last_assistant_message: `answer ${marker}` })
      if (reply.status !== 200) throw new Error(`Stop: ${reply.status} ${reply.body}`)
      const call = await waitUntil(() => sentWith(marker), { timeoutMs: 10_000, intervalMs: 2, message: `sendMessage of ${marker}` })
      if (i >= 3) stopMs.push(call.at - t0)
    }
    const direct = []
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now()
      const res = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: CHAT, message_thread_id: topic.threadId, text: `baseline ${i}` }),
      })
      await res.text()
      direct.push(performance.now() - t0)
    }
    const stop = summarize(stopMs)
    const base = summarize(direct)
    lines.push(
      resultLine({
        name: `Stop hook → sendMessage at the Bot API (${stopMs.length} turns)`,
        figure: pair(stop),
        baseline: `direct sendMessage ${fmtMs(base.p50)}`,
        ratio: stop.p50 / base.p50,
        target: `median ≤ ${STOP_TARGET_MS} ms`,
        pass: stop.p50 <= STOP_TARGET_MS,
        data: { stop, base },
      }),
    )

    // ---- button press → PermissionRequest answered
    const pressMs = []
    const floorMs = []
    for (let i = 0; i < presses + 2; i++) {
      const command = `make deploy-${i}-${randomBytes(3).toString('hex')}`
      const held = hook('PermissionRequest', { tool_name: 'Bash', tool_input: { command }, permission_suggestions: [] })
      const message = await waitUntil(() => [...fake.messages.values()].find((m) => m.shown.includes(command) && (m.buttons?.length ?? 0) > 0), {
        timeoutMs: 10_000,
        intervalMs: 2,
        message: `buttons for ${command}`,
      })
      const allow = message.buttons.flat().find((b) => b.text === 'Allow').data
      const answeredBefore = fake.callsTo('answerCallbackQuery').length
      const t0 = Date.now()
      fake.pressButton(USER, CHAT, message.messageId, allow)
      const reply = await held
      const t1 = Date.now()
      if (!reply.body.includes('"allow"')) throw new Error(`PermissionRequest reply: ${reply.body}`)
      const answer = await waitUntil(() => fake.callsTo('answerCallbackQuery')[answeredBefore], { timeoutMs: 10_000, intervalMs: 2, message: 'answerCallbackQuery' })
      if (i >= 2) {
        pressMs.push(t1 - t0)
        floorMs.push(answer.at - t0)
      }
      await hook('PostToolUse', { tool_name: 'Bash', tool_input: { command }, tool_response: {}, tool_use_id: `toolu_${i}` })
    }
    const press = summarize(pressMs)
    const floor = summarize(floorMs)
    lines.push(
      resultLine({
        name: `Button press → PermissionRequest hook answered (${pressMs.length} presses)`,
        figure: pair(press),
        baseline: `update → answerCallbackQuery ${fmtMs(floor.p50)}`,
        ratio: press.p50 / floor.p50,
        target: `median ≤ ${PRESS_TARGET_MS} ms`,
        pass: press.p50 <= PRESS_TARGET_MS,
        data: { press, floor },
      }),
    )
    lines.push(noteLine(`Bot API calls made: ${fake.actions().length} (status card edits included); throttling off`))
  } finally {
    agent.destroy()
    await server.stop()
    await fake.close()
  }
  log(`telegram: done`)
  return lines
}
