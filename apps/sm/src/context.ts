import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { ApiError, createClient, type Client } from '@claude-sessions/api/client'
import { nodeTransport } from '@claude-sessions/api/node'
import type { Env } from './env.js'
import type { Io } from './io.js'

/** Where the server is and how `sm` proves who it is. */
export interface Connection {
  baseUrl: string
  dataDir: string
  tmuxSocket: string
  /** Set inside a managed session. */
  sessionId: string | undefined
  token: string | undefined
  operatorTokenPath: string
}

/** Exit codes: 0 ok/yes, 1 error/no, 2 server unavailable or not inside a managed session. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message)
  }
}

const xdg = (env: Env, variable: string, fallback: string): string => {
  const value = env[variable]
  return value !== undefined && value.startsWith('/') ? value : join(env.HOME ?? homedir(), fallback)
}

interface FileSettings {
  port?: number
  dataDir?: string
  tmuxSocket?: string
}

/** Reads the few config keys a client needs; only when a config file exists (keeps `sm` fast). */
async function fileSettings(env: Env): Promise<FileSettings> {
  const path = env.CLAUDE_SESSIONS_CONFIG ?? join(xdg(env, 'XDG_CONFIG_HOME', '.config'), 'claude-sessions', 'config.yaml')
  if (!existsSync(path)) return {}
  const { parse } = await import('yaml')
  try {
    const doc = (parse(readFileSync(path, 'utf8')) ?? {}) as {
      server?: { port?: unknown }
      data_dir?: unknown
      tmux?: { socket?: unknown }
    }
    return {
      port: typeof doc.server?.port === 'number' ? doc.server.port : undefined,
      dataDir: typeof doc.data_dir === 'string' ? doc.data_dir : undefined,
      tmuxSocket: typeof doc.tmux?.socket === 'string' ? doc.tmux.socket : undefined,
    }
  } catch {
    return {}
  }
}

export async function resolveConnection(env: Env): Promise<Connection> {
  const file = await fileSettings(env)
  const port = env.CLAUDE_SESSIONS_PORT || String(file.port ?? 8420)
  const dataDir = env.CLAUDE_SESSIONS_DATA_DIR || file.dataDir || join(xdg(env, 'XDG_DATA_HOME', '.local/share'), 'claude-sessions')
  const operatorTokenPath = join(dataDir, 'operator-token')
  const sessionId = env.CLAUDE_SESSION_MANAGER_ID || undefined
  let token = sessionId !== undefined ? env.CLAUDE_SESSION_MANAGER_TOKEN || undefined : undefined
  if (token === undefined) {
    try {
      token = readFileSync(operatorTokenPath, 'utf8').trim()
    } catch {
      token = undefined
    }
  }
  return {
    baseUrl: env.CLAUDE_SESSIONS_URL || `http://127.0.0.1:${port}`,
    dataDir,
    tmuxSocket: env.CLAUDE_SESSIONS_TMUX_SOCKET || file.tmuxSocket || 'claude-sessions',
    sessionId: token !== undefined ? sessionId : undefined,
    token,
    operatorTokenPath,
  }
}

/** The client for `conn`: the one `io` hands in, else one over `io.transport` (default node:http). */
export function clientFor(conn: Connection, io: Pick<Io, 'client' | 'transport'> = {}): Client {
  return io.client ?? createClient({ baseUrl: conn.baseUrl, token: conn.token, sessionId: conn.sessionId, transport: io.transport ?? nodeTransport })
}

/** What a command that talks to the server is handed: the world, where the server is, and a client for it. */
export interface ServerContext {
  io: Io
  conn: Connection
  client: Client
}

/** The caller's own session id; exit 2 outside a managed session. */
export function ownSessionId(env: Env): string {
  const id = env.CLAUDE_SESSION_MANAGER_ID
  if (!id) throw new CliError('not inside a managed session (CLAUDE_SESSION_MANAGER_ID is not set)', 2)
  return id
}

/** One line on stderr, and the exit code for the failure. */
export function exitCodeFor(error: unknown, conn?: Connection): { code: number; message: string } {
  if (error instanceof CliError) return { code: error.exitCode, message: error.message }
  if (error instanceof ApiError) {
    if (error.code === 'unavailable') return { code: 2, message: error.message }
    if (error.code === 'unauthorized' && conn && conn.sessionId === undefined && conn.token === undefined) {
      return { code: 1, message: `no operator token at ${conn.operatorTokenPath}; start the server with this data dir first` }
    }
    return { code: 1, message: error.message }
  }
  return { code: 1, message: error instanceof Error ? error.message : String(error) }
}
