import { describe, expect, it } from 'vitest'
import { aSessionService } from '../testing/service.js'

describe('managed sessions export their usage', () => {
  it('with telemetry on, the terminal gets Claude Code’s OTel settings with the session’s own token; off: none', async () => {
    const on = aSessionService({ config: { telemetry: { endpoint: 'http://127.0.0.1:8420/otlp' } } })
    const s = await on.service.create({ workingDir: '/w' })
    const env = on.mux.terminals.get(`claude-${s.id}`)!.options.env
    expect(env).toMatchObject({
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:8420/otlp',
      OTEL_LOGS_EXPORT_INTERVAL: '1000',
    })
    expect(env['OTEL_EXPORTER_OTLP_HEADERS']).toBe(`Authorization=Bearer ${env['CLAUDE_SESSION_MANAGER_TOKEN']},X-SM-Session=${s.id}`)
    const off = aSessionService()
    const t = await off.service.create({ workingDir: '/w' })
    expect(Object.keys(off.mux.terminals.get(`claude-${t.id}`)!.options.env).filter((k) => k.startsWith('OTEL_') || k.includes('TELEMETRY'))).toEqual([])
  })
})
