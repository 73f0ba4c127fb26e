import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Env } from './env.js'


const base = (env: Env, variable: string, fallback: string): string => {
  const value = env[variable]
  return value !== undefined && value.startsWith('/') ? value : join(env.HOME ?? homedir(), fallback)
}

/** `$XDG_DATA_HOME/claude-sessions`, default `~/.local/share/claude-sessions`. */
export const defaultDataDir = (env: Env = process.env): string =>
  join(base(env, 'XDG_DATA_HOME', '.local/share'), 'claude-sessions')

/** `$XDG_CONFIG_HOME/claude-sessions/config.yaml`, default `~/.config/claude-sessions/config.yaml`. */
export const defaultConfigPath = (env: Env = process.env): string =>
  join(base(env, 'XDG_CONFIG_HOME', '.config'), 'claude-sessions', 'config.yaml')

/** Files inside the data dir. */
export const dataFiles = (dataDir: string) => ({
  database: join(dataDir, 'sessions.db'),
  operatorToken: join(dataDir, 'operator-token'),
  lock: join(dataDir, 'server.lock'),
  spool: join(dataDir, 'spool'),
  /** Present while `hooks.fail_closed` is on: read by the hook script when the server is down. */
  failClosedMarker: join(dataDir, 'hooks-fail-closed'),
})
