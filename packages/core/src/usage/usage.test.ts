import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ZERO_USAGE, type UsageTotals } from '../ports/usage-store.js'
import { readOtlpLogs } from './otlp-logs.js'
import { rollUp } from './roll-up.js'

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/otel/${name}.json`, import.meta.url), 'utf8'))

const attr = (key: string, value: Record<string, unknown>) => ({ key, value })
const apiRequest = (over: Record<string, Record<string, unknown>> = {}) => ({
  timeUnixNano: '1796188203989000000',
  body: { stringValue: 'claude_code.api_request' },
  attributes: Object.entries({
    'session.id': { stringValue: 'c-1' },
    'prompt.id': { stringValue: 'p-1' },
    model: { stringValue: 'claude-opus-5-5' },
    input_tokens: { intValue: 13714 },
    output_tokens: { intValue: '20' },
    cache_read_tokens: { intValue: 0 },
    cache_creation_tokens: { intValue: 7 },
    cost_usd: { doubleValue: 0.055256 },
    cost_usd_micros: { intValue: 55256 },
    duration_ms: { intValue: 247 },
    request_id: { stringValue: 'req_1' },
    query_source: { stringValue: 'repl_main_thread' },
    ...over,
  }).map(([k, v]) => attr(k, v)),
})
const body = (...records: unknown[]) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] })

describe('readOtlpLogs', () => {
  it('reads an api_request record: request id, Claude session, tokens, the cost Claude Code priced', () => {
    const r = readOtlpLogs(body(apiRequest(), { body: { stringValue: 'claude_code.tool_result' }, attributes: [] }))
    expect(r).toEqual({
      records: [
        {
          requestId: 'req_1',
          claudeSessionId: 'c-1',
          promptId: 'p-1',
          model: 'claude-opus-5-5',
          inputTokens: 13714,
          outputTokens: 20,
          cacheReadTokens: 0,
          cacheWriteTokens: 7,
          costUsd: 0.055256,
          durationMs: 247,
          querySource: 'repl_main_thread',
          at: 1796188203989,
        },
      ],
      malformed: 0,
      other: 1,
    })
  })

  it("reads the real Claude Code 2.1.330's bodies: its api_request record, and a body of other events", () => {
    expect(readOtlpLogs(fixture('api-request-2.1.330'))).toEqual({
      records: [
        {
          requestId: 'req_stub78c5de1022d9f61f78ea',
          claudeSessionId: '3bcfbb15-fce8-4a32-9d15-1347d2422e2f',
          promptId: '412f670a-239d-46c7-9282-6b5120728d5b',
          model: 'claude-opus-5-5',
          inputTokens: 13714,
          outputTokens: 20,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          costUsd: 0.055256,
          durationMs: 247,
          querySource: 'repl_main_thread',
          at: expect.any(Number) as number,
        },
      ],
      malformed: 0,
      other: 0,
    })
    const whole = readOtlpLogs(fixture('logs-request-2.1.330'))
    expect(whole.malformed).toBe(0)
    expect(whole.other).toBeGreaterThan(0)
  })

  it('a record missing its request id, session, tokens or cost is counted as malformed; its neighbours are kept', () => {
    const r = readOtlpLogs(
      body(
        apiRequest({ request_id: { intValue: 5 } }),
        apiRequest({ 'session.id': { stringValue: '' } }),
        apiRequest({ input_tokens: { intValue: -3 } }),
        apiRequest({ cost_usd: { stringValue: 'lots' }, cost_usd_micros: { stringValue: 'x' } }),
        apiRequest({ request_id: { stringValue: 'req_ok' } }),
      ),
    )
    expect(r.malformed).toBe(4)
    expect(r.records.map((x) => x.requestId)).toEqual(['req_ok'])
  })

  it.each([null, 42, 'text', [], { resourceLogs: 'x' }, { resourceLogs: [{ scopeLogs: [{ logRecords: [null, 7, 'x'] }] }] }])('a body of the wrong shape %j reads as no records, never throws', (b) => {
    expect(readOtlpLogs(b).records).toEqual([])
  })
})

const t = (costUsd: number, inputTokens = 0): UsageTotals => ({ ...ZERO_USAGE, requests: 1, costUsd, inputTokens })

describe('rollUp', () => {
  it("a subtree's usage is rolled into every ancestor exactly once", () => {
    const sessions = [
      { id: 'root', parentId: null },
      { id: 'a', parentId: 'root' },
      { id: 'b', parentId: 'root' },
      { id: 'a1', parentId: 'a' },
      { id: 'lone', parentId: 'gone' },
    ]
    const own = new Map([
      ['root', t(1, 10)],
      ['a', t(0.5)],
      ['a1', t(0.25)],
      ['b', t(0.125)],
      ['lone', t(2)],
    ])
    const r = rollUp(sessions, own)
    expect(r.get('root')!.tree).toMatchObject({ requests: 4, costUsd: 1.875, inputTokens: 10 })
    expect(r.get('a')!.tree.costUsd).toBe(0.75)
    expect(r.get('a1')!.tree.costUsd).toBe(0.25)
    expect(r.get('lone')!.tree.costUsd).toBe(2)
    expect(r.get('root')!.own.costUsd).toBe(1)
  })

  it('a cycle in parent ids counts each session once', () => {
    const r = rollUp([{ id: 'x', parentId: 'y' }, { id: 'y', parentId: 'x' }], new Map([['x', t(1)], ['y', t(2)]]))
    expect(r.get('x')!.tree.costUsd).toBe(3)
    expect(r.get('y')!.tree.costUsd).toBe(3)
  })

  it('sums of many small costs stay exact to the micro-dollar', () => {
    const sessions = Array.from({ length: 1000 }, (_, i) => ({ id: `s${i}`, parentId: i === 0 ? null : 's0' }))
    const own = new Map(sessions.map((s) => [s.id, t(0.000001 * 3)]))
    expect(rollUp(sessions, own).get('s0')!.tree.costUsd).toBe(0.003)
  })
})
