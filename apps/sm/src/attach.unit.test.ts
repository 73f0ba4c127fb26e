/**
 * `sm attach` in-process up to the point where it would run tmux: which session, the menu, the
 * refusals. Attaching itself needs a terminal and tmux: attach.test.ts (a pseudo-terminal, the binary).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inProcessServer, type InProcessServer } from './testing/in-process.js'

describe('sm attach', () => {
  let server: InProcessServer
  beforeAll(() => {
    server = inProcessServer()
  })
  afterAll(() => server?.stop())

  it('with no live session: exit 1, one line', async () => {
    expect(await server.sm(['attach'])).toEqual({ status: 1, stdout: '', stderr: 'sm: no live sessions to attach to (sm new creates one)\n' })
  })

  it('a stopped session, an external one and an unknown one are refused before tmux runs', async () => {
    const { id } = JSON.parse((await server.sm(['new', server.dataDir, '--name', 'gone', '--json', '--no-attach'])).stdout) as { id: string }
    await server.sm(['kill', 'gone'])
    expect(await server.sm(['attach', 'gone'])).toMatchObject({ status: 1, stderr: `sm: gone (${id}) has stopped\n` })
    const payload = { session_id: 'e7e7e7e7-0000-4000-8000-000000000002', hook_event_name: 'SessionStart', source: 'startup', cwd: server.dir }
    await server.app.request('/hooks/SessionStart', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) })
    const external = await server.sm(['attach', 'e7e7e7e7'])
    expect(external.status).toBe(1)
    expect(external.stderr).toMatch(/^sm: e7e7e7e7-0000-4000-8000-000000000002 \(e7e7e7e7-0000-4000-8000-000000000002\) is external: it has no terminal to attach\n$/)
    expect((await server.sm(['attach', 'nosuch'])).stderr).toMatch(/^sm: no session 'nosuch'/)
  })

  it('with several sessions: a numbered menu on stderr; no answer or one not on the menu is exit 1', async () => {
    await server.sm(['new', server.dataDir, '--name', 'solo', '--no-attach'])
    await server.sm(['new', server.dataDir, '--name', 'second', '--no-attach'])
    const wrong = await server.sm(['attach'], { stdin: '9\n' })
    expect(wrong.status).toBe(1)
    expect(wrong.stdout).toBe('')
    const menu = wrong.stderr.split('\n')
    expect(menu[0]).toMatch(/^ 1\) solo +[0-9a-f]{8} {2}\w+ +\d+s {2}\//)
    expect(menu[1]).toMatch(/^ 2\) second +[0-9a-f]{8} {2}\w+ +\d+s {2}\//)
    expect(menu[2]).toBe("attach to [1-2]: sm: not a choice: '9'")
    expect((await server.sm(['attach'], { stdin: '' })).stderr).toMatch(/attach to \[1-2\]: sm: no choice made\n$/)
  })
})
