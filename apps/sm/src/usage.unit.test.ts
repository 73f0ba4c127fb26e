/** `sm usage` in-process: totals from the ledger (filled directly; the OTLP route is packages/api's test). */
import { aUsageRecord } from '@claude-sessions/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inProcessServer, type InProcessServer } from './testing/in-process.js'

describe('sm usage', () => {
  let server: InProcessServer
  let parentId: string
  beforeAll(async () => {
    server = inProcessServer()
    const parent = await server.service.create({ workingDir: server.dir, name: 'lead' })
    const child = await server.service.create({ workingDir: server.dir, name: 'helper', parentId: parent.id })
    parentId = parent.id
    server.usageStore.add([
      aUsageRecord({ requestId: 'a', sessionId: parent.id, costUsd: 1.5, inputTokens: 12_000, outputTokens: 300 }),
      aUsageRecord({ requestId: 'b', sessionId: child.id, costUsd: 0.25, inputTokens: 800, outputTokens: 20 }),
    ])
  })
  afterAll(() => server?.stop())

  it('every session that used anything, its own cost and its subtree’s, and the total (each request once)', async () => {
    const r = await server.sm(['usage'])
    expect(r.status).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^session\s+requests\s+input\s+output\s+cache read\s+cache write\s+cost\s+with subtree$/)
    expect(lines[1]).toMatch(new RegExp(`^lead \\(${parentId}\\)\\s+1\\s+12k\\s+300\\s+0\\s+0\\s+\\$1\\.50\\s+\\$1\\.75$`))
    expect(lines[2]).toMatch(/^helper \([0-9a-f]{8}\)\s+1\s+800\s+20\s+0\s+0\s+\$0\.2500\s+\$0\.2500$/)
    expect(lines[3]).toMatch(/^total\s+2\s+13k\s+320\s+0\s+0\s+\$1\.75$/)
  })

  it('one session: it and its subtree; --json the figures', async () => {
    const r = await server.sm(['usage', 'lead', '--json'])
    expect(JSON.parse(r.stdout)).toMatchObject({ id: parentId, name: 'lead', own: { costUsd: 1.5, requests: 1 }, tree: { costUsd: 1.75, requests: 2 } })
    const all = JSON.parse((await server.sm(['usage', '--json'])).stdout) as { total: { costUsd: number }; source: string }
    expect(all).toMatchObject({ total: { costUsd: 1.75 }, source: 'otel' })
  })

  it('a bad --since or an unknown session: exit 1, one line', async () => {
    const bad = await server.sm(['usage', '--since', 'yesterdayish'])
    expect(bad.status).toBe(1)
    expect(bad.stderr.split('\n').filter(Boolean)).toHaveLength(1)
    const unknown = await server.sm(['usage', 'nosuch'])
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/nosuch/)
  })
})
