import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CliError, type Connection } from '../context.js'
import { printJson } from '../format.js'
import { hookStatus, withOurHooks, withoutOurHooks, type Settings, type Transport } from '../hooks-settings.js'
import type { Io } from '../io.js'

interface HooksArgs {
  settings?: string | undefined
  json?: boolean | undefined
}

const settingsPath = (io: Io, argv: HooksArgs): string => resolve(io.cwd, argv.settings ?? join(io.env.HOME ?? homedir(), '.claude', 'settings.json'))

/**
 * hooks/sm-hook in this checkout: the bundle lives in apps/sm/dist; this file's source in
 * apps/sm/src/commands, where the in-process tests run it.
 */
export function hookScriptPath(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const bundled = resolve(here, '../../../hooks/sm-hook')
  const source = resolve(here, '../../../../hooks/sm-hook')
  return !existsSync(bundled) && existsSync(source) ? source : bundled
}

function readSettings(path: string): { settings: Settings; text: string | null } {
  if (!existsSync(path)) return { settings: {}, text: null }
  const text = readFileSync(path, 'utf8')
  try {
    const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object')
    return { settings: parsed as Settings, text }
  } catch (error) {
    throw new CliError(`${path} is not valid JSON (${(error as Error).message}); fix it first, nothing was changed`)
  }
}

/** Writes atomically, keeping a timestamped backup of the previous file. */
function writeSettings(path: string, previous: string | null, next: Settings): string | null {
  mkdirSync(dirname(path), { recursive: true })
  let backup: string | null = null
  if (previous !== null) {
    backup = `${path}.bak-${new Date().toISOString().replace(/[:.]/g, '-')}`
    copyFileSync(path, backup)
  }
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`)
  renameSync(tmp, path)
  return backup
}

export function install(io: Io, conn: Connection, argv: HooksArgs & { transport: Transport }): number {
  const path = settingsPath(io, argv)
  const script = hookScriptPath()
  if (argv.transport === 'command' && !existsSync(script)) throw new CliError(`hook script not found at ${script}`)
  const { settings, text } = readSettings(path)
  const next = withOurHooks(settings, {
    transport: argv.transport,
    script,
    url: conn.baseUrl,
    timeoutSeconds: 2,
    permissionTimeoutSeconds: 170,
  })
  const changed = JSON.stringify(next) !== JSON.stringify(settings)
  const backup = changed ? writeSettings(path, text, next) : null
  const st = hookStatus(next)
  if (argv.json) printJson(io.out, { settings: path, changed, backup, transport: argv.transport, events: st.installed })
  else if (!changed) io.out.write(`already installed in ${path} (${st.installed.length} events, ${argv.transport})\n`)
  else io.out.write(`installed ${st.installed.length} hook events (${argv.transport}) in ${path}${backup ? `; backup ${backup}` : ''}\n`)
  return 0
}

export function uninstall(io: Io, argv: HooksArgs): number {
  const path = settingsPath(io, argv)
  const { settings, text } = readSettings(path)
  const next = withoutOurHooks(settings)
  const removed = hookStatus(settings).installed.length
  const backup = removed > 0 ? writeSettings(path, text, next) : null
  if (argv.json) printJson(io.out, { settings: path, removed, backup })
  else io.out.write(removed > 0 ? `removed our hooks from ${path}; backup ${backup}\n` : `no hooks of ours in ${path}\n`)
  return 0
}

export function status(io: Io, argv: HooksArgs): number {
  const path = settingsPath(io, argv)
  const st = hookStatus(readSettings(path).settings)
  if (argv.json) printJson(io.out, { settings: path, ...st })
  else if (st.installed.length === 0) io.out.write(`not installed in ${path}\n`)
  else {
    io.out.write(`installed in ${path}: ${st.installed.length} events, transport ${st.transport}, target ${st.targets.join(', ')}\n`)
    if (st.missing.length > 0) io.out.write(`missing: ${st.missing.join(', ')}\n`)
  }
  return st.installed.length > 0 && st.missing.length === 0 ? 0 : 1
}
