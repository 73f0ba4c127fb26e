/** Commands on sessions: create, list, look at, name, press keys in, end. Each is a yargs command, registered in order by cli.ts. */
import { SENDABLE_KEYS, type SendableKey } from '@claude-sessions/core'
import { wantsSessionStatus } from '../in-session.js'
import { type Register, agents, awareness, json, run, session, sessions } from './shared.js'

export const newCommand: Register = (y, cli) =>
  y.command(
    'new [dir]',
    'create a session running Claude Code in a new tmux session',
    (y) =>
      y
        .positional('dir', { type: 'string', describe: 'working directory (default: current)' })
        .option('name', { type: 'string', describe: 'session name: 1-32 of [A-Za-z0-9_-]' })
        .option('model', { type: 'string', describe: 'model passed to claude --model' })
        .option('prompt', { type: 'string', describe: 'initial prompt (passed as an argument, never typed)' })
        .option('policy', { type: 'string', describe: "policy profile, e.g. strict (default: the parent session's, else 'default'; never less strict than the parent's)" })
        .option('attach', { type: 'boolean', default: true, describe: 'attach after creating (--no-attach to skip)' })
        .options(json),
    run(cli, async (c, a) => (await sessions()).create(c, a)),
  )

export const statusCommand: Register = (y, cli) =>
  y.command(
    ['status', 'ls'],
    'list sessions: name, id, state, last activity, working dir; inside a session, status (not ls) shows you, the others in your repository and the lock',
    (y) => y.option('all', { type: 'boolean', alias: 'a', describe: 'include stopped sessions' }).options(json),
    run(cli, async (c, a) => (wantsSessionStatus(a._[0], a.all === true, c.io.env) ? (await awareness()).sessionStatus(c, a) : (await import('../commands/status.js')).status(c, a))),
  )

export const meCommand: Register = (y, cli) =>
  y.command('me', 'show the session this command runs in', (y) => y.options(json), run(cli, async (c, a) => (await import('../commands/status.js')).me(c, a)))

export const attachCommand: Register = (y, cli) =>
  y.command(
    'attach [session]',
    'attach this terminal to a session (menu when several)',
    (y) => y.positional('session', { type: 'string', describe: 'id, id prefix or name' }),
    run(cli, async (c, a) => (await import('../commands/attach.js')).attach(c, a.session)),
  )

export const outputCommand: Register = (y, cli) =>
  y.command(
    'output <session>',
    "print the session's screen",
    (y) => session(y).option('lines', { type: 'number', alias: 'n', default: 50, describe: 'lines of screen and history' }).options(json),
    run(cli, async (c, a) => (await sessions()).output(c, a)),
  )

export const whatCommand: Register = (y, cli) =>
  y.command(
    'what <session>',
    'a 2-3 line summary of what a session is doing, written by the summarizer (claude -p) from its screen',
    (y) => session(y).option('lines', { type: 'number', alias: 'n', default: 100, describe: 'screen lines to summarize (1-2000)' }).options(json),
    run(cli, async (c, a) => (await import('../commands/what.js')).what(c, a)),
  )

export const nameCommand: Register = (y, cli) =>
  y.command(
    'name <args..>',
    'name a session: sm name [session] <name> (your own session when only a name is given)',
    (y) => y.positional('args', { type: 'string', array: true, demandOption: true }).options(json),
    run(cli, async (c, a) => (await sessions()).name(c, { ...a, args: a.args.map(String) })),
  )

export const interruptCommand: Register = (y, cli) =>
  y.command(
    'interrupt <session>',
    'press Escape in a session (stops the current turn)',
    (y) => session(y).options(json),
    run(cli, async (c, a) => (await sessions()).key(c, { ...a, key: 'Escape' })),
  )

export const keyCommand: Register = (y, cli) =>
  y.command(
    'key <session> <key>',
    `press one key in a session: ${SENDABLE_KEYS.join(', ')}`,
    (y) => session(y).positional('key', { type: 'string', choices: SENDABLE_KEYS, demandOption: true }).options(json),
    run(cli, async (c, a) => (await sessions()).key(c, { ...a, key: a.key as SendableKey })),
  )

export const killCommand: Register = (y, cli) =>
  y.command(
    'kill <session>',
    'end a session and its tmux session (parent or operator only)',
    (y) => session(y).option('tree', { type: 'boolean', describe: 'its whole subtree too, children first' }).options(json),
    run(cli, async (c, a) => (a.tree ? (await agents()).killTree(c, a) : (await sessions()).kill(c, a))),
  )

export const eventsCommand: Register = (y, cli) =>
  y.command(
    'events <session>',
    "list a session's hook events",
    (y) => session(y).option('limit', { type: 'number', default: 50, describe: 'newest N events' }).options(json),
    run(cli, async (c, a) => (await sessions()).events(c, a)),
  )

export const lastCommand: Register = (y, cli) =>
  y.command(
    'last <session>',
    "print the session's last assistant message (exit 1 when there is none)",
    (y) => session(y).options(json),
    run(cli, async (c, a) => (await sessions()).lastMessage(c, a)),
  )
