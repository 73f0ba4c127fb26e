import type { Argv } from 'yargs'
import type { Connection } from '../context.js'
import { runCommand } from '../run-command.js'

/** Adds one command to the command line. */
export type Register = (y: Argv) => Argv

type Handler<A> = (conn: Connection, argv: A) => Promise<number> | number

export const json = { json: { type: 'boolean', describe: 'machine-readable JSON output' } } as const

/** A handler that talks to the server: the connection is resolved first, errors become exit codes. */
export function run<A>(handler: Handler<A>) {
  return (argv: A): Promise<void> => runCommand((conn) => handler(conn, argv))
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
