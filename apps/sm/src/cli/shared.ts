import type { Argv } from 'yargs'
import type { ServerContext } from '../context.js'
import type { Io } from '../io.js'
import { runCommand, runLocal } from '../run-command.js'

/** One run of the command line: the world it runs in, and the exit code its command gave. */
export interface CliRun {
  io: Io
  exitCode: number
}

/** Adds one command to the command line. */
export type Register = (y: Argv, cli: CliRun) => Argv

type Handler<A> = (ctx: ServerContext, argv: A) => Promise<number> | number

export const json = { json: { type: 'boolean', describe: 'machine-readable JSON output' } } as const

/** A handler that talks to the server: the connection is resolved first, errors become exit codes. */
export function run<A>(cli: CliRun, handler: Handler<A>) {
  return async (argv: A): Promise<void> => {
    cli.exitCode = await runCommand(cli.io, (ctx) => handler(ctx, argv))
  }
}

/** A handler that needs no server (`sm lock`, `sm explain`): errors become exit codes. */
export function local<A>(cli: CliRun, handler: (io: Io, argv: A) => Promise<number> | number) {
  return async (argv: A): Promise<void> => {
    cli.exitCode = await runLocal(cli.io, () => handler(cli.io, argv))
  }
}

// each command's code is loaded when it runs
export const sessions = () => import('../commands/sessions.js')
export const hooks = () => import('../commands/hooks.js')
export const agents = () => import('../commands/agents.js')
export const toolsCommands = () => import('../commands/tools.js')
export const awareness = () => import('../commands/awareness.js')

/** The filters of `sm tools` and `sm tools stats`. */
export const toolFilters = <T>(y: Argv<T>) =>
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

/** The `<session>` positional. */
export const session = (y: Argv) => y.positional('session', { type: 'string', describe: 'id, id prefix or name', demandOption: true })
