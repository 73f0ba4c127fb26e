/**
 * One real-Claude test world: a temp root with `project/` (the agents' working dir), the Messages
 * API stub, a Claude home, the sm server (Claude Code as its agent) and our hooks installed with
 * `sm hooks install`. Shared by the real-Claude e2e files; each brings its own stub script.
 */
import { chmodSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { startAnthropicStub, type AnthropicStub, type ReplyContext, type StubReply } from './anthropic-stub.js'
import { claudeBinary, claudeEnv, cleanBaseEnv, DUMMY_API_KEY, prepareClaudeHome } from './claude-home.js'
import { panePids, runSm, SM_BIN, startSmServer, waitForExit, writeSmConfig, type SmServer } from './sm-harness.js'
import { capture, killServer, makeTempDir, removeDir, shellQuote } from './tmux-harness.js'

export interface ClaudeWorldOptions {
  /** Temp dir name prefix. */
  prefix: string
  socket: string
  script: (ctx: ReplyContext) => StubReply | undefined
  permissionMode: 'default' | 'auto' | 'bypassPermissions'
  /** Runs once `project/` exists, before anything starts (fixtures, wrappers). */
  prepare?: (paths: { root: string; work: string }) => void
  /** Directories put first on the server's PATH (so on tmux's, so on the agents'). */
  path?: (root: string) => string[]
  /** More top-level config YAML (e.g. a `telegram:` section). */
  extraYaml?: string
  /** Puts the real `sm` on the agents' PATH (`<root>/bin/sm`), so their Bash calls can run it. */
  smOnPath?: boolean
}

export interface ClaudeWorld {
  root: string
  work: string
  dataDir: string
  configPath: string
  settingsPath: string
  /** The server's environment (for restarts). */
  serverEnv: Record<string, string>
  /** The environment `sm` runs with, as the operator. */
  smEnv: Record<string, string>
  stub: AnthropicStub
  server: SmServer
}

export async function startClaudeWorld(options: ClaudeWorldOptions): Promise<ClaudeWorld> {
  const root = realpathSync(makeTempDir(`${options.prefix}-`))
  const work = join(root, 'project')
  const dataDir = join(root, 'data')
  const configPath = join(root, 'config.yaml')
  mkdirSync(work)
  const bin = join(root, 'bin')
  if (options.smOnPath === true) {
    mkdirSync(bin)
    writeFileSync(join(bin, 'sm'), `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(SM_BIN)} "$@"\n`)
    chmodSync(join(bin, 'sm'), 0o755)
  }
  options.prepare?.({ root, work })
  const stub = await startAnthropicStub((ctx) => options.script(ctx))
  const { home } = prepareClaudeHome(join(root, 'home'), { workdir: work, apiKey: DUMMY_API_KEY })
  writeSmConfig(configPath, {
    command: claudeBinary(),
    args: ['--permission-mode', options.permissionMode],
    ...(options.extraYaml !== undefined ? { extraYaml: options.extraYaml } : {}),
  })
  const serverEnv = cleanBaseEnv(claudeEnv({ home, stubUrl: stub.url, tmpdir: root }))
  const extra = [...(options.smOnPath === true ? [bin] : []), ...(options.path?.(root) ?? [])]
  if (extra.length > 0) serverEnv.PATH = [...extra, serverEnv.PATH ?? '/usr/bin:/bin'].join(':')
  const server = await startSmServer({ env: serverEnv, dataDir, socket: options.socket, configPath })
  const smEnv = cleanBaseEnv({ HOME: root, CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSIONS_DATA_DIR: dataDir })
  const settingsPath = join(home, '.claude', 'settings.json')
  const installed = await runSm(['hooks', 'install', '--settings', settingsPath], smEnv)
  expect(installed.status, installed.stderr).toBe(0)
  return { root, work, dataDir, configPath, settingsPath, serverEnv, smEnv, stub, server }
}

/** Ends the agents (and waits for them), the server last started, the stub; removes the temp root. */
export async function stopClaudeWorld(socket: string, parts: { server?: SmServer | undefined; stub?: AnthropicStub | undefined; root?: string | undefined }): Promise<void> {
  const pids = await panePids(socket)
  await killServer(socket)
  await waitForExit(pids)
  await parts.server?.stop()
  await parts.stub?.close()
  if (parts.root) removeDir(parts.root)
}

/** After a failed test: each session's screen and the server's log tail, on stderr, under `[label]`. */
export async function reportFailure(label: string, socket: string, server: SmServer | undefined, sessions: readonly { id: string; name?: string | null }[] = []): Promise<void> {
  for (const s of sessions) console.error(`[${label}] ${s.name ?? s.id}:\n${await capture(socket, `claude-${s.id}`).catch(String)}`)
  if (server) console.error(`[${label}] server log tail:\n${server.logTail()}`)
}
