import { SENDABLE_KEYS, type SendableKey } from '@claude-sessions/core'
import yargs, { type Argv } from 'yargs'
import { CliError, type Connection } from './context.js'
import { runCommand, runLocal } from './run-command.js'
import { wantsSessionStatus } from './in-session.js'

declare const __SM_VERSION__: string

type Handler<A> = (conn: Connection, argv: A) => Promise<number> | number

const json = { json: { type: 'boolean', describe: 'machine-readable JSON output' } } as const

function run<A>(handler: Handler<A>) {
  return (argv: A): Promise<void> => runCommand((conn) => handler(conn, argv))
}

const sessions = () => import('./commands/sessions.js')
const hooks = () => import('./commands/hooks.js')
const agents = () => import('./commands/agents.js')
const toolsCommands = () => import('./commands/tools.js')
const awareness = () => import('./commands/awareness.js')

/** The filters of `sm tools` and `sm tools stats`. */
const toolFilters = <T>(y: Argv<T>) =>
  y
    .option('session', { type: 'string', describe: 'one session (id, id prefix or name)' })
    .option('tree', { type: 'string', describe: 'a session and all its descendants' })
    .option('tool', { type: 'string', describe: 'one tool, e.g. Bash' })
    .option('destructive', { type: 'boolean', describe: 'only calls flagged destructive' })
    .option('sensitive', { type: 'boolean', describe: 'only calls touching sensitive files' })
    .option('denied', { type: 'boolean', describe: 'only calls the policy denied' })
    .option('project', { type: 'string', describe: 'one project (git root name, else the directory name)' })
    .option('since', { type: 'string', describe: 'from: 30m, 2h, 7d ago, an ISO date or epoch ms' })
    .option('until', { type: 'string', describe: 'before: same forms as --since' })

const session = (y: Argv) => y.positional('session', { type: 'string', describe: 'id, id prefix or name', demandOption: true })

export function cli(argv: string[]) {
  return yargs(argv)
    .scriptName('sm')
    .usage('$0 <command> [options]\n\nDrive Claude Code sessions managed by the claude-sessions server.')
    .command(
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
      run(async (c, a) => (await sessions()).create(c, a)),
    )
    .command(
      ['status', 'ls'],
      'list sessions: name, id, state, last activity, working dir; inside a session, status (not ls) shows you, the others in your repository and the lock',
      (y) => y.option('all', { type: 'boolean', alias: 'a', describe: 'include stopped sessions' }).options(json),
      run(async (c, a) => (wantsSessionStatus(a._[0], a.all === true) ? (await awareness()).sessionStatus(c, a) : (await import('./commands/status.js')).status(c, a))),
    )
    .command('me', 'show the session this command runs in', (y) => y.options(json), run(async (c, a) => (await import('./commands/status.js')).me(c, a)))
    .command(
      'attach [session]',
      'attach this terminal to a session (menu when several)',
      (y) => y.positional('session', { type: 'string', describe: 'id, id prefix or name' }),
      run(async (c, a) => (await import('./commands/attach.js')).attach(c, a.session)),
    )
    .command(
      'output <session>',
      "print the session's screen",
      (y) => session(y).option('lines', { type: 'number', alias: 'n', default: 50, describe: 'lines of screen and history' }).options(json),
      run(async (c, a) => (await sessions()).output(c, a)),
    )
    .command(
      'what <session>',
      'a 2-3 line summary of what a session is doing, written by the summarizer (claude -p) from its screen',
      (y) => session(y).option('lines', { type: 'number', alias: 'n', default: 100, describe: 'screen lines to summarize (1-2000)' }).options(json),
      run(async (c, a) => (await import('./commands/what.js')).what(c, a)),
    )
    .command(
      'name <args..>',
      'name a session: sm name [session] <name> (your own session when only a name is given)',
      (y) => y.positional('args', { type: 'string', array: true, demandOption: true }).options(json),
      run(async (c, a) => (await sessions()).name(c, { ...a, args: a.args.map(String) })),
    )
    .command(
      'send <session> [text]',
      'send a message: sequential (default) when its turn ends, --important at its next tool call, --urgent interrupts; - reads stdin; text starting with - goes after --',
      (y) =>
        session(y)
          .positional('text', { type: 'string', describe: 'the text, or - for stdin' })
          .option('sequential', { type: 'boolean', describe: 'when the recipient is between turns (default)' })
          .option('important', { type: 'boolean', describe: 'as soon as possible, even mid-turn' })
          .option('urgent', { type: 'boolean', describe: 'interrupt the recipient, then type it' })
          .options(json),
      run(async (c, a) => {
        // yargs parses a lone '-' as an empty string; the raw argv tells "-" (stdin) from ""
        const afterDashes = (a as { '--'?: unknown[] })['--']
        const text = a.text === '' && argv.includes('-') ? '-' : (a.text ?? afterDashes?.map(String).join(' '))
        if (text === undefined) throw new CliError('usage: sm send <session> <text|->   (text starting with -: sm send <session> -- <text>)')
        return (await agents()).send(c, { ...a, text })
      }),
    )
    .command(
      'spawn [prompt]',
      'start a child session (only inside a session); the prompt is its first input, given as an argument; a prompt starting with - goes after --',
      (y) =>
        y
          .positional('prompt', { type: 'string', describe: 'the first prompt (starting with -: sm spawn -- <prompt>)' })
          .option('name', { type: 'string', describe: 'child name: 1-32 of [A-Za-z0-9_-]' })
          .option('model', { type: 'string', describe: 'model passed to claude --model' })
          .option('working-dir', { type: 'string', describe: "child's working directory (default: yours)" })
          .option('policy', { type: 'string', describe: 'tool policy profile (default: yours; only a stricter one)' })
          .option('wait', { type: 'number', describe: 'message me when the child has finished and stayed quiet this many seconds' })
          .options(json),
      run(async (c, a) => {
        const prompt = a.prompt ?? (a as { '--'?: unknown[] })['--']?.map(String).join(' ')
        if (prompt === undefined) throw new CliError('usage: sm spawn <prompt>   (a prompt starting with -: sm spawn -- <prompt>)')
        return (await agents()).spawn(c, { ...a, prompt, workingDir: a.workingDir })
      }),
    )
    .command(
      'children [session]',
      'list the children of a session (default: yours); exit 1 when there are none',
      (y) =>
        y
          .positional('session', { type: 'string', describe: 'id, id prefix or name' })
          .option('recursive', { type: 'boolean', alias: 'r', describe: 'the whole subtree' })
          .option('status', { choices: ['running', 'idle', 'completed', 'error', 'stopped', 'all'] as const, default: 'all' as const })
          .options(json),
      run(async (c, a) => (await agents()).children(c, a)),
    )
    .command(
      'wait <session> <seconds>',
      'get one message when a session finishes its work, exits, or <seconds> pass (returns at once)',
      (y) => session(y).positional('seconds', { type: 'number', demandOption: true }).options(json),
      run(async (c, a) => (await agents()).wait(c, a)),
    )
    .command(
      'clear <session> [prompt]',
      'interrupt if working, /clear, then send the prompt (parent or operator only)',
      (y) => session(y).positional('prompt', { type: 'string' }).options(json),
      run(async (c, a) => (await agents()).clear(c, a)),
    )
    .command(
      'interrupt <session>',
      'press Escape in a session (stops the current turn)',
      (y) => session(y).options(json),
      run(async (c, a) => (await sessions()).key(c, { ...a, key: 'Escape' })),
    )
    .command(
      'key <session> <key>',
      `press one key in a session: ${SENDABLE_KEYS.join(', ')}`,
      (y) => session(y).positional('key', { type: 'string', choices: SENDABLE_KEYS, demandOption: true }).options(json),
      run(async (c, a) => (await sessions()).key(c, { ...a, key: a.key as SendableKey })),
    )
    .command(
      'kill <session>',
      'end a session and its tmux session (parent or operator only)',
      (y) => session(y).option('tree', { type: 'boolean', describe: 'its whole subtree too, children first' }).options(json),
      run(async (c, a) => (a.tree ? (await agents()).killTree(c, a) : (await sessions()).kill(c, a))),
    )
    .command(
      'events <session>',
      "list a session's hook events",
      (y) => session(y).option('limit', { type: 'number', default: 50, describe: 'newest N events' }).options(json),
      run(async (c, a) => (await sessions()).events(c, a)),
    )
    .command(
      'last <session>',
      "print the session's last assistant message (exit 1 when there is none)",
      (y) => session(y).options(json),
      run(async (c, a) => (await sessions()).lastMessage(c, a)),
    )
    .command('who', 'the other live sessions in your repository (same dir, git root, worktree or remote), with their tasks', (y) => y.options(json), run(async (c, a) => (await awareness()).whoCommand(c, a)))
    .command(
      'others',
      'the other live sessions, with task and last message',
      (y) => y.option('repo', { type: 'boolean', describe: 'only those in your repository' }).options(json),
      run(async (c, a) => (await awareness()).othersCommand(c, a)),
    )
    .command('all', 'every live session with its task', (y) => y.options(json), run(async (c, a) => (await awareness()).allCommand(c, a)))
    .command('alone', 'no output; exit 0 when no other live session works in your repository, 1 when one does, 2 unknown', (y) => y, run(async (c) => (await awareness()).aloneCommand(c)))
    .command(
      'task [desc..]',
      'say what you are doing (others see it in sm who); alone: print it (exit 1 when none)',
      (y) =>
        y
          .positional('desc', { type: 'string', array: true, describe: 'what you are doing, e.g. "refactor auth"' })
          .option('clear', { type: 'boolean', describe: 'clear your task' })
          .options(json),
      run(async (c, a) => (await awareness()).taskCommand(c, a)),
    )
    .command(
      'subagents [session]',
      "Claude's own subagents of a session (default: yours): type, state, age; and its background tasks at the last stop",
      (y) => y.positional('session', { type: 'string', describe: 'id, id prefix or name' }).options(json),
      run(async (c, a) => (await awareness()).subagentsCommand(c, a)),
    )
    .command(
      'tools',
      'audited tool events of all sessions, one line each: time, session, event, tool, input, result, flags',
      (y) =>
        toolFilters(y)
          .command(
            'stats',
            'tool calls counted by tool, session, category or project',
            (s) =>
              toolFilters(s)
                .option('by', { choices: ['tool', 'session', 'category', 'project'] as const, default: 'tool' as const, describe: 'group by' })
                .options(json),
            run(async (c, a) => (await toolsCommands()).stats(c, a)),
          )
          // not global: `tools stats` has no --limit or --csv
          .option('limit', { type: 'number', default: 50, describe: 'newest N events', global: false })
          .option('csv', { type: 'boolean', describe: 'CSV (RFC 4180) with a header line', global: false })
          .options(json),
      run(async (c, a) => (await toolsCommands()).tools(c, a)),
    )
    .command(
      'tail <session>',
      "a session's last tool events, one line each; -f follows new ones until Ctrl-C",
      (y) =>
        session(y)
          .option('lines', { type: 'number', alias: 'n', default: 20, describe: 'last N events' })
          .option('follow', { type: 'boolean', alias: 'f', describe: 'keep printing new events as they happen' })
          .option('json', { type: 'boolean', describe: 'one JSON object per line (NDJSON)' }),
      run(async (c, a) => (await toolsCommands()).tail(c, a)),
    )
    .command(
      'explain [command]',
      'say whether a shell command or a tool call is destructive or touches sensitive files, and why',
      (y) =>
        y
          .positional('command', { type: 'string', describe: 'a shell command, as one argument' })
          .option('tool', { type: 'string', describe: 'a Claude Code tool name (Read, Write, Bash, ...)' })
          .option('input', { type: 'string', describe: "the tool's input as JSON (with --tool)" })
          .options(json),
      (a) => runLocal(async () => (await import('./commands/explain.js')).explain(a)),
    )
    .command(
      'lock [task..]',
      'lock this git checkout for your task (works with the server down); alone: show the lock (exit 1 when another holds it)',
      (y) =>
        y
          .positional('task', { type: 'string', array: true, describe: 'what you are doing, e.g. "refactor auth"' })
          .option('dir', { type: 'string', describe: 'a directory in the checkout (default: current)' })
          .options(json),
      (a) => runLocal(async () => (await import('./commands/lock.js')).lock(a)),
    )
    .command(
      'unlock',
      "release your lock on this git checkout (another's only with --force, or when stale)",
      (y) =>
        y
          .option('force', { type: 'boolean', describe: 'remove the lock even when another session holds it' })
          .option('dir', { type: 'string', describe: 'a directory in the checkout (default: current)' })
          .options(json),
      (a) => runLocal(async () => (await import('./commands/lock.js')).unlock(a)),
    )
    .command(
      'telegram <action> [user]',
      'Telegram access: `pair` prints a one-time code to send the bot as /pair <code> (10 min, once); `status` shows who may use the bot, topics and the outbox; `unpair <user id>` revokes a paired user',
      (y) =>
        y
          .positional('action', { choices: ['pair', 'status', 'unpair'] as const, demandOption: true })
          .positional('user', { type: 'string', describe: 'unpair: the Telegram user id' })
          .options(json),
      run(async (c, a) => (await import('./commands/telegram.js')).telegram(c, a)),
    )
    .command(
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
      run(async (c, a) => {
        const h = await hooks()
        if (a.action === 'install') return h.install(c, a)
        if (a.action === 'uninstall') return h.uninstall(a)
        return h.status(a)
      }),
    )
    .command(
      'server',
      'run the server in the foreground',
      (y) =>
        y
          .option('port', { type: 'number', describe: 'port (default 8420, CLAUDE_SESSIONS_PORT)' })
          .option('host', { type: 'string', describe: 'address to bind (default 127.0.0.1)' })
          .option('data-dir', { type: 'string', describe: 'data directory (default $XDG_DATA_HOME/claude-sessions)' })
          .option('config', { type: 'string', describe: 'config file (default $XDG_CONFIG_HOME/claude-sessions/config.yaml)' }),
      run(async (_c, a) => {
        const { runServer } = await import('@claude-sessions/server')
        return runServer({ port: a.port, host: a.host, dataDir: a.dataDir, config: a.config })
      }),
    )
    .command('completion', 'print a bash/zsh completion script', () => {}, () => {
      cliInstance.showCompletionScript()
    })
    .epilogue(
      'A session is an id, a unique id prefix or a name. Exit codes: 0 success or yes, 1 error or no, ' +
        '2 server unavailable or not inside a managed session. ' +
        'Server: CLAUDE_SESSIONS_URL (default http://127.0.0.1:8420).',
    )
    .demandCommand(1, 'give a command; sm --help lists them')
    .recommendCommands()
    .strict()
    .version(typeof __SM_VERSION__ === 'string' ? __SM_VERSION__ : 'dev')
    .help()
    .alias('h', 'help')
    .alias('v', 'version')
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .parserConfiguration({ 'populate--': true })
    .fail((msg, err) => {
      if (err) throw err
      process.stderr.write(`sm: ${msg.replace(/\s*\n\s*/g, ' ')}${msg.includes('--help') ? '' : ' (sm --help for usage)'}\n`)
      process.exit(1)
    })
}

let cliInstance: { showCompletionScript(): unknown; parseAsync(): Promise<unknown> }

/** The full command line (yargs): every command, --help, completion. */
export async function main(argv: string[]): Promise<void> {
  cliInstance = cli(argv)
  await cliInstance.parseAsync()
}
