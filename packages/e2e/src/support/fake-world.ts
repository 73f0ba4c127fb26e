/**
 * One fake-agent test world: a temp root with `project/` (the agents' working dir), a Claude home
 * with our hooks installed by `sm hooks install`, and the sm server running fake-claude.mjs as
 * its agent (logging to `fakeLog`). End it with `stopClaudeWorld(socket, world)`.
 */
import { mkdirSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { cleanBaseEnv, DUMMY_API_KEY, fakeClaudeBinary, prepareClaudeHome } from './claude-home.js'
import { runSm, SmApi, startSmServer, writeSmConfig, type SmConfigOptions, type SmServer } from './sm-harness.js'
import { makeTempDir } from './tmux-harness.js'

export interface FakeWorldOptions {
  /** Temp dir name prefix. */
  prefix: string
  socket: string
  /** Config beyond the agent command (settle time, watchdog, more YAML from the paths). */
  config?: (paths: { root: string; work: string }) => Omit<SmConfigOptions, 'command' | 'args'>
  /** FAKE_CLAUDE_* settings and the like, for the server and so every agent. */
  env?: Record<string, string>
}

export interface FakeWorld {
  root: string
  work: string
  dataDir: string
  configPath: string
  fakeLog: string
  /** The server's environment (for restarts). */
  serverEnv: Record<string, string>
  /** The environment `sm` runs with, as the operator. */
  smEnv: Record<string, string>
  server: SmServer
  api: SmApi
}

export async function startFakeWorld(options: FakeWorldOptions): Promise<FakeWorld> {
  const root = realpathSync(makeTempDir(`${options.prefix}-`))
  const work = join(root, 'project')
  const dataDir = join(root, 'data')
  const configPath = join(root, 'config.yaml')
  const fakeLog = join(root, 'fake.jsonl')
  mkdirSync(work)
  const { home } = prepareClaudeHome(join(root, 'home'), { workdir: work, apiKey: DUMMY_API_KEY })
  writeSmConfig(configPath, { command: process.execPath, args: [fakeClaudeBinary(), '--permission-mode', 'default'], ...options.config?.({ root, work }) })
  const serverEnv = cleanBaseEnv({ HOME: home, FAKE_CLAUDE_LOG: fakeLog, FAKE_CLAUDE_IDLE_NOTIFY_MS: '0', ...options.env })
  const server = await startSmServer({ env: serverEnv, dataDir, socket: options.socket, configPath })
  const smEnv = cleanBaseEnv({ HOME: root, CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSIONS_DATA_DIR: dataDir })
  const installed = await runSm(['hooks', 'install', '--settings', join(home, '.claude', 'settings.json')], smEnv)
  expect(installed.status, installed.stderr).toBe(0)
  const world: FakeWorld = { root, work, dataDir, configPath, fakeLog, serverEnv, smEnv, server, api: new SmApi(() => world.server.url, dataDir) }
  return world
}
