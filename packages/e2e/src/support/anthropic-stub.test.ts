import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startAnthropicStub, valueForSchema, type AnthropicStub, type ReplyContext } from './anthropic-stub.js'

interface SseEvent {
  event: string
  data: Record<string, unknown>
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim())
    .map((chunk) => {
      const event = /^event: (.*)$/m.exec(chunk)?.[1] ?? ''
      const data = JSON.parse(/^data: (.*)$/m.exec(chunk)?.[1] ?? '{}') as Record<string, unknown>
      return { event, data }
    })
}

const SESSION = '6bf01783-816d-49d3-a354-25f1341e986b'
const TOOLS = [{ name: 'Bash', description: 'run', input_schema: { type: 'object' } }]

function mainBody(messages: unknown[], extra: Record<string, unknown> = {}) {
  return {
    model: 'claude-opus-5-5',
    max_tokens: 128000,
    stream: true,
    system: [{ type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." }],
    tools: TOOLS,
    messages,
    ...extra,
  }
}

describe('anthropic stub', () => {
  let stub: AnthropicStub
  const seen: ReplyContext[] = []

  beforeAll(async () => {
    stub = await startAnthropicStub()
  })
  afterAll(async () => {
    await stub.close()
  })
  beforeEach(() => {
    seen.length = 0
    stub.setScript(undefined)
  })

  const post = (body: unknown, path = '/v1/messages?beta=true', headers: Record<string, string> = {}) =>
    fetch(stub.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-claude-code-session-id': SESSION, ...headers },
      body: JSON.stringify(body),
    })

  it('listens on 127.0.0.1 on a free port', () => {
    expect(stub.url).toBe(`http://127.0.0.1:${stub.port}`)
    expect(stub.port).toBeGreaterThan(0)
  })

  it('streams a scripted text reply as the Messages API event sequence', async () => {
    stub.setScript(() => ({ text: 'HELLO-FROM-STUB' }))
    const res = await post(mainBody([{ role: 'user', content: [{ type: 'text', text: 'say hi' }] }]))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = parseSse(await res.text())
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
    for (const e of events) expect(e.data.type).toBe(e.event)
    const start = events[0]!.data.message as Record<string, unknown>
    expect(start).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-opus-5-5', content: [] })
    expect(events[3]!.data.delta).toEqual({ type: 'text_delta', text: 'HELLO-FROM-STUB' })
    expect(events[5]!.data.delta).toMatchObject({ stop_reason: 'end_turn' })
  })

  it('streams a tool call with its input as JSON deltas and stop_reason tool_use', async () => {
    const input = { command: 'sleep 30', description: 'Wait a while' }
    stub.setScript(() => ({ text: 'Working on it.', toolUse: { name: 'Bash', input } }))
    const res = await post(mainBody([{ role: 'user', content: 'go' }]))
    const events = parseSse(await res.text())
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data.content_block as Record<string, unknown>)
    expect(starts[0]).toEqual({ type: 'text', text: '' })
    expect(starts[1]).toMatchObject({ type: 'tool_use', name: 'Bash', input: {} })
    expect(String(starts[1]!.id)).toMatch(/^toolu_stub/)
    const json = events
      .filter((e) => e.event === 'content_block_delta' && (e.data.delta as { type: string }).type === 'input_json_delta')
      .map((e) => (e.data.delta as { partial_json: string }).partial_json)
      .join('')
    expect(JSON.parse(json)).toEqual(input)
    expect(events.find((e) => e.event === 'message_delta')!.data.delta).toMatchObject({ stop_reason: 'tool_use' })
  })

  it('answers without streaming when stream is false', async () => {
    stub.setScript(() => ({ text: 'PLAIN' }))
    const res = await post(mainBody([{ role: 'user', content: 'hi' }], { stream: false }))
    expect(res.headers.get('content-type')).toBe('application/json')
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'PLAIN' }], stop_reason: 'end_turn' })
  })

  it('gives the script the session id header, assistant turns so far, the user text and tool results', async () => {
    stub.setScript((ctx) => {
      seen.push(ctx)
      return { text: `turn ${ctx.assistantTurns}` }
    })
    await (
      await post(
        mainBody([
          { role: 'user', content: [{ type: 'text', text: '<system-reminder>\nnoise\n</system-reminder>' }, { type: 'text', text: 'clean the build' }] },
        ]),
      )
    ).text()
    await (
      await post(
        mainBody([
          { role: 'user', content: 'clean the build' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'rm -rf build' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'removed', is_error: false }] },
          { role: 'system', content: [{ type: 'text', text: 'PostToolUse:Bash hook additional context: X' }] },
        ]),
      )
    ).text()
    await (
      await post(
        mainBody([
          { role: 'user', content: 'clean the build' },
          { role: 'assistant', content: [{ type: 'text', text: 'done' }] },
          { role: 'user', content: [{ type: 'text', text: 'now the docs' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
          { role: 'user', content: [{ type: 'text', text: 'and the tests' }] },
        ]),
      )
    ).text()
    expect(seen[2]).toMatchObject({ assistantTurns: 2, promptTurns: 0, prompt: 'and the tests', lastUserText: 'and the tests' })
    expect(seen).toHaveLength(3)
    expect(seen[0]).toMatchObject({ sessionId: SESSION, assistantTurns: 0, promptTurns: 0, prompt: 'clean the build', lastUserText: 'clean the build', toolResults: [], kind: 'main' })
    expect(seen[1]).toMatchObject({
      assistantTurns: 1,
      promptTurns: 1,
      prompt: 'clean the build',
      lastUserText: '',
      toolResults: [{ tool_use_id: 'toolu_1', content: 'removed', is_error: false }],
    })
    expect(seen[0]!.system).toContain('Claude Code')
    const last = stub.requests.at(-1)!
    expect(last).toMatchObject({ method: 'POST', path: '/v1/messages', kind: 'main', sessionId: SESSION, assistantTurns: 2 })
    expect(last.reply).toEqual({ text: 'turn 2' })
  })

  it('answers side requests itself, so they never use up a scripted reply', async () => {
    let calls = 0
    stub.setScript(() => {
      calls += 1
      return { text: 'MAIN' }
    })
    const title = await post({
      model: 'claude-opus-5-5',
      max_tokens: 128000,
      stream: true,
      system: [{ type: 'text', text: 'You are naming a coding session so the user can pick it out.' }],
      tools: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: '<session>\nfix the login bug\n</session>\n\nWrite the title' }] }],
      output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } } },
    })
    const titleText = parseSse(await title.text()).find((e) => e.event === 'content_block_delta')!.data.delta as { text: string }
    expect(JSON.parse(titleText.text)).toEqual({ title: 'Fix the login bug' })

    const quota = await post({ model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'quota' }] })
    expect(((await quota.json()) as { content: Array<{ text: string }> }).content[0]!.text).toBe('ok')

    const structured = await post({
      model: 'm',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'classify' }],
      output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { ok: { type: 'boolean' }, n: { type: 'integer' } }, required: ['ok', 'n'] } } },
      stream: false,
    })
    const structuredText = ((await structured.json()) as { content: Array<{ text: string }> }).content[0]!.text
    expect(JSON.parse(structuredText)).toEqual({ ok: false, n: 0 })

    expect(calls).toBe(0)
    expect(stub.requests.slice(-3).map((r) => r.kind)).toEqual(['title', 'quota', 'structured'])
  })

  it('falls back to a default reply when the script returns nothing, and applies a bare delay to it', async () => {
    stub.setScript(() => ({ delayMs: 150 }))
    const started = Date.now()
    const res = await post(mainBody([{ role: 'user', content: 'ping' }], { stream: false }))
    const body = (await res.json()) as { content: Array<{ text: string }> }
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(body.content[0]!.text).toBe('stub reply to: ping')
  })

  it('sends message_start at once and holds the content for delayMs', async () => {
    stub.setScript(() => ({ text: 'LATE', delayMs: 300 }))
    const started = Date.now()
    const res = await post(mainBody([{ role: 'user', content: 'slow' }]))
    const reader = res.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    const firstAt = Date.now() - started
    expect(first).toContain('event: message_start')
    expect(first).not.toContain('LATE')
    let rest = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      rest += new TextDecoder().decode(value)
    }
    expect(rest).toContain('LATE')
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    expect(firstAt).toBeLessThan(Date.now() - started)
  })

  it('can answer with an API error', async () => {
    stub.setScript(() => ({ error: { status: 400, type: 'invalid_request_error', message: 'stub: scripted failure' } }))
    const res = await post(mainBody([{ role: 'user', content: 'x' }]))
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'stub: scripted failure' } })
  })

  it('serves count_tokens, /api/hello (GET and HEAD) and a JSON 404 for anything else', async () => {
    const count = await post(mainBody([{ role: 'user', content: 'count me' }]), '/v1/messages/count_tokens?beta=true')
    expect(((await count.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0)

    const hello = await fetch(`${stub.url}/api/hello`)
    expect(hello.status).toBe(200)
    expect(await hello.json()).toEqual({ message: 'hello' })
    const head = await fetch(`${stub.url}/api/hello`, { method: 'HEAD' })
    expect(head.status).toBe(200)

    const missing = await fetch(`${stub.url}/v1/models`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } })

    expect(stub.requests.slice(-4).map((r) => `${r.method} ${r.path} ${r.kind}`)).toEqual([
      'POST /v1/messages/count_tokens count_tokens',
      'GET /api/hello hello',
      'HEAD /api/hello hello',
      'GET /v1/models unknown',
    ])
  })

  it('builds schema-shaped values for structured side requests', () => {
    expect(
      valueForSchema({
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'string' } }, c: { enum: ['x', 'y'] }, d: { type: 'object', properties: { e: { type: 'number' } } } },
      }),
    ).toEqual({ a: 'stub', b: [], c: 'x', d: { e: 0 } })
  })
})
