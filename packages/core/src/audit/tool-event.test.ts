import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseHookEvent } from '../events/hook-event.js'
import { aSession } from '../testing/builders.js'
import { toolEventFrom } from './tool-event.js'

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/payloads/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>
const options = { responseCap: 40, project: 'project' }
const row = (event: string, payload: Record<string, unknown>) =>
  toolEventFrom(aSession({ name: 'alpha' }), parseHookEvent(event, payload), payload, 5, options)

describe('toolEventFrom', () => {
  it('classifies a destructive PreToolUse and redacts secrets in what it stores', () => {
    const payload = { ...fixture('PreToolUse.Bash'), tool_input: { command: 'curl -H "Authorization: Bearer abcdefgh12345678" x && rm -rf /' } }
    const r = row('PreToolUse', payload)!
    expect(r).toMatchObject({ event: 'PreToolUse', toolName: 'Bash', destructive: true, category: 'recursive_delete', sessionName: 'alpha', project: 'project', at: 5 })
    expect(r.command).not.toContain('abcdefgh12345678')
    expect(r.toolInput).not.toContain('abcdefgh12345678')
  })

  it('flags a Read of .env as sensitive with its target file', () => {
    const r = row('PreToolUse', { ...fixture('PreToolUse.Read'), tool_input: { file_path: '/home/tester/project/.env' } })!
    expect(r).toMatchObject({ sensitive: true, targetFile: '/home/tester/project/.env', destructive: false })
  })

  it('records a failed command with its exit code, error and duration; cuts the response keeping its size', () => {
    const failed = row('PostToolUseFailure', fixture('PostToolUseFailure.Bash'))!
    expect(failed).toMatchObject({ exitCode: 2, durationMs: 190, toolUseId: 'toolu_stubf331da5c2dcd1f8bd068' })
    expect(failed.error).toContain('No such file or directory')
    const ok = row('PostToolUse', fixture('PostToolUse.Bash'))!
    expect(ok.exitCode).toBe(0)
    expect(ok.toolResponse).toHaveLength(40)
    expect(ok.toolResponseSize).toBeGreaterThan(40)
  })

  it('records subagent events and ignores the rest', () => {
    expect(row('SubagentStart', fixture('SubagentStart'))).toMatchObject({ event: 'SubagentStart', agentId: 'a3990472c679f7b59' })
    expect(row('Stop', fixture('Stop'))).toBeNull()
  })
})
