/** Commands that need no session: the checkout lock, Telegram access, hooks, the server. Each is a yargs command, registered in order by cli.ts. */
import { type Register, hooks, json, local, run } from './shared.js'

export const lockCommand: Register = (y, cli) =>
  y.command(
    'lock [task..]',
    'lock this git checkout for your task (works with the server down); alone: show the lock (exit 1 when another holds it)',
    (y) =>
      y
        .positional('task', { type: 'string', array: true, describe: 'what you are doing, e.g. "refactor auth"' })
        .option('dir', { type: 'string', describe: 'a directory in the checkout (default: current)' })
        .options(json),
    local(cli, async (io, a) => (await import('../commands/lock.js')).lock(io, a)),
  )

export const unlockCommand: Register = (y, cli) =>
  y.command(
    'unlock',
    "release your lock on this git checkout (another's only with --force, or when stale)",
    (y) =>
      y
        .option('force', { type: 'boolean', describe: 'remove the lock even when another session holds it' })
        .option('dir', { type: 'string', describe: 'a directory in the checkout (default: current)' })
        .options(json),
    local(cli, async (io, a) => (await import('../commands/lock.js')).unlock(io, a)),
  )

export const telegramCommand: Register = (y, cli) =>
  y.command(
    'telegram <action> [user]',
    'Telegram access: `pair` prints a one-time code to send the bot as /pair <code> (10 min, once); `status` shows who may use the bot, topics and the outbox; `unpair <user id>` revokes a paired user',
    (y) =>
      y
        .positional('action', { choices: ['pair', 'status', 'unpair'] as const, demandOption: true })
        .positional('user', { type: 'string', describe: 'unpair: the Telegram user id' })
        .options(json),
    run(cli, async (c, a) => (await import('../commands/telegram.js')).telegram(c, a)),
  )

export const webCommand: Register = (y, cli) =>
  y.command(
    'web',
    "a one-time login link to the web dashboard (valid once, for 2 minutes; the operator only): open it in the browser",
    (y) => y.option('open', { type: 'boolean', describe: 'open it in the default browser ($BROWSER, open or xdg-open)' }).options(json),
    run(cli, async (c, a) => (await import('../commands/web.js')).web(c, a)),
  )

export const hooksCommand: Register = (y, cli) =>
  y.command(
    'hooks <action>',
    'install, uninstall or show our Claude Code hooks',
    (y) =>
      y
        .positional('action', { choices: ['install', 'uninstall', 'status'] as const, demandOption: true })
        .option('settings', { type: 'string', describe: 'settings file (default ~/.claude/settings.json)' })
        .option('transport', {
          choices: ['command', 'http'] as const,
          default: 'command' as const,
          describe: 'command: hooks/sm-hook, loses nothing while the server is down; http: native http hooks, faster, lossy',
        })
        .options(json),
    run(cli, async (c, a) => {
      const h = await hooks()
      if (a.action === 'install') return h.install(c.io, c.conn, a)
      if (a.action === 'uninstall') return h.uninstall(c.io, a)
      return h.status(c.io, a)
    }),
  )

export const serverCommand: Register = (y, cli) =>
  y.command(
    'server',
    'run the server in the foreground',
    (y) =>
      y
        .option('port', { type: 'number', describe: 'port (default 8420, CLAUDE_SESSIONS_PORT)' })
        .option('host', { type: 'string', describe: 'address to bind (default 127.0.0.1)' })
        .option('data-dir', { type: 'string', describe: 'data directory (default $XDG_DATA_HOME/claude-sessions)' })
        .option('config', { type: 'string', describe: 'config file (default $XDG_CONFIG_HOME/claude-sessions/config.yaml)' }),
    run(cli, async (_c, a) => {
      const { runServer } = await import('@claude-sessions/server')
      return runServer({ port: a.port, host: a.host, dataDir: a.dataDir, config: a.config })
    }),
  )
