import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Config } from './config/schema.js'
import { startServer, type RunningServer } from './start-server.js'
import { cleanup, operatorClient, runHook, silentLog, testConfig, tmuxEnv } from './test-support.js'

const running: RunningServer[] = []
const configs: Config[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const s of running.splice(0)) await s.close()
  for (const c of configs.splice(0)) cleanup(c)
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function setup(enforceLocks: boolean) {
  const repo = mkdtempSync(join(tmpdir(), 'sm-lock-repo-'))
  dirs.push(repo)
  execFileSync('git', ['init', '-q', repo])
  mkdirSync(join(repo, 'src'))
  const config = testConfig({ enforceLocks })
  configs.push(config)
  const server = await startServer(config, silentLog())
  running.push(server)
  const client = operatorClient(server, config)
  const session = async () => {
    const { session } = await client.create({ workingDir: repo })
    return {
      session,
      env: {
        CLAUDE_SESSIONS_URL: server.url,
        CLAUDE_SESSION_MANAGER_ID: session.id,
        CLAUDE_SESSION_MANAGER_TOKEN: tmuxEnv(config, session.tmuxSession!, 'CLAUDE_SESSION_MANAGER_TOKEN'),
      },
    }
  }
  const lockBy = (holder: string, startedAgoMs = 60_000) =>
    writeFileSync(
      join(repo, '.claude', 'workspace.lock'),
      JSON.stringify({ session: holder, sessionName: 'holder', task: 'refactor auth', branch: 'main', started: new Date(Date.now() - startedAgoMs).toISOString() }) + '\n',
    )
  mkdirSync(join(repo, '.claude'))
  const edit = (env: Record<string, string>, file: string, tool = 'Edit') =>
    runHook('PreToolUse', { session_id: `c-${env.CLAUDE_SESSION_MANAGER_ID}`, cwd: repo, tool_name: tool, tool_input: { file_path: file, old_string: 'a', new_string: 'b' }, tool_use_id: `t-${Math.random()}` }, env)
  return { repo, session, lockBy, edit, client }
}

const decision = (stdout: string) => (JSON.parse(stdout) as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } }).hookSpecificOutput

describe('locks.enforce', () => {
  it("denies an edit in a checkout another session has locked, naming the holder and suggesting a worktree; the holder may edit", async () => {
    const { repo, session, lockBy, edit } = await setup(true)
    const holder = await session()
    const other = await session()
    lockBy(holder.session.id)
    const denied = decision((await edit(other.env, join(repo, 'src/a.ts'))).stdout)
    expect(denied?.permissionDecision).toBe('deny')
    expect(denied?.permissionDecisionReason).toContain(`holder (${holder.session.id})`)
    expect(denied?.permissionDecisionReason).toContain('refactor auth')
    expect(denied?.permissionDecisionReason).toContain('git worktree add')
    expect(decision((await edit(holder.env, join(repo, 'src/a.ts'))).stdout)).toBeUndefined()
    // a Read is never held back, nor an edit outside the checkout
    expect(decision((await edit(other.env, join(repo, 'src/a.ts'), 'Read')).stdout)).toBeUndefined()
    expect(decision((await edit(other.env, '/tmp/elsewhere.txt')).stdout)).toBeUndefined()
  })

  it("the lock's deny is recorded in the audit row like a policy decision (sm tools --denied finds it)", async () => {
    const { repo, session, lockBy, edit, client } = await setup(true)
    const holder = await session()
    const other = await session()
    lockBy(holder.session.id)
    expect(decision((await edit(other.env, join(repo, 'src/a.ts'))).stdout)?.permissionDecision).toBe('deny')
    expect(decision((await edit(holder.env, join(repo, 'src/b.ts'))).stdout)).toBeUndefined()
    const { tools } = await client.tools({ denied: true })
    expect(tools.map((t) => [t.sessionId, t.toolName, t.targetFile, t.decision])).toEqual([[other.session.id, 'Edit', join(repo, 'src/a.ts'), 'deny']])
    const mine = await client.sessionTools(holder.session.id)
    expect(mine.tools.map((t) => [t.event, t.decision])).toEqual([['PreToolUse', null]])
  })

  it('an edit through a symlink to the checkout, or into it, is held back like one through its real path', async () => {
    const { repo, session, lockBy, edit } = await setup(true)
    const holder = await session()
    const other = await session()
    lockBy(holder.session.id)
    const link = `${repo}-link`
    const intoSrc = `${repo}-src-link`
    dirs.push(link, intoSrc)
    symlinkSync(repo, link)
    symlinkSync(join(repo, 'src'), intoSrc)
    for (const file of [join(link, 'src/a.ts'), join(intoSrc, 'a.ts')]) {
      const denied = decision((await edit(other.env, file)).stdout)
      expect(denied?.permissionDecision, file).toBe('deny')
      expect(denied?.permissionDecisionReason).toContain(`holder (${holder.session.id})`)
      expect(decision((await edit(holder.env, file)).stdout), file).toBeUndefined()
    }
  })

  it('a stale lock (over 30 minutes) holds nobody back; off by default', async () => {
    const on = await setup(true)
    const a = await on.session()
    const b = await on.session()
    on.lockBy(a.session.id, 31 * 60_000)
    expect(decision((await on.edit(b.env, join(on.repo, 'src/a.ts'))).stdout)).toBeUndefined()

    const off = await setup(false)
    const c = await off.session()
    const d = await off.session()
    off.lockBy(c.session.id)
    expect(decision((await off.edit(d.env, join(off.repo, 'src/a.ts'))).stdout)).toBeUndefined()
  })
})
