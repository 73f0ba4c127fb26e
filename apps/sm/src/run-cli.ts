import { me, status } from './commands/status.js'
import { fastCommand } from './fast-path.js'
import { wantsSessionStatus } from './in-session.js'
import type { Io } from './io.js'
import { runCommand } from './run-command.js'

declare const __SM_VERSION__: string

/**
 * The whole CLI as a function: runs `argv` in `io` (the process's, or a test's with its own
 * environment, output collectors and transport) and returns the exit code. The commands agents
 * run most (`status`, `ls`, `me`, `--version`) run here directly, without yargs; everything
 * else loads the full command line (`./cli.js`) on demand.
 */
export async function runCli(argv: string[], io: Io): Promise<number> {
  try {
    const parsed = fastCommand(argv)
    // inside a managed session `sm status` is the session's view: the full CLI draws it
    const fast = parsed && wantsSessionStatus(argv[0], parsed.all, io.env) ? null : parsed
    if (!fast) return await (await import('./cli.js')).main(argv, io)
    if (fast.command === 'version') {
      io.out.write(`${typeof __SM_VERSION__ === 'string' ? __SM_VERSION__ : 'dev'}\n`)
      return 0
    }
    return await runCommand(io, (ctx) => (fast.command === 'me' ? me(ctx, fast) : status(ctx, fast)))
  } catch (error) {
    io.err.write(`sm: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}
