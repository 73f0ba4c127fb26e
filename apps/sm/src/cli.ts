import yargs, { type Argv } from 'yargs'
import { sendCommand, spawnCommand, childrenCommand, waitCommand, clearCommand } from './cli/agent-commands.js'
import { lockCommand, unlockCommand, telegramCommand, webCommand, hooksCommand, serverCommand } from './cli/admin-commands.js'
import { whoCommand, othersCommand, allCommand, aloneCommand, taskCommand, subagentsCommand } from './cli/awareness-commands.js'
import {
  newCommand,
  statusCommand,
  meCommand,
  attachCommand,
  outputCommand,
  whatCommand,
  nameCommand,
  interruptCommand,
  keyCommand,
  killCommand,
  eventsCommand,
  lastCommand,
} from './cli/session-commands.js'
import type { CliRun, Register } from './cli/shared.js'
import { toolsCommand, tailCommand, explainCommand, usageCommand } from './cli/tool-commands.js'
import type { Io } from './io.js'

declare const __SM_VERSION__: string

/** Every command, in the order `sm --help` lists them (one module per command under cli/). */
const commands = (argv: readonly string[]): Register[] => [
  newCommand,
  statusCommand,
  meCommand,
  attachCommand,
  outputCommand,
  whatCommand,
  nameCommand,
  sendCommand(argv),
  spawnCommand,
  childrenCommand,
  waitCommand,
  clearCommand,
  interruptCommand,
  keyCommand,
  killCommand,
  eventsCommand,
  lastCommand,
  whoCommand,
  othersCommand,
  allCommand,
  aloneCommand,
  taskCommand,
  subagentsCommand,
  usageCommand,
  toolsCommand,
  tailCommand,
  explainCommand,
  lockCommand,
  unlockCommand,
  telegramCommand,
  webCommand,
  hooksCommand,
  serverCommand,
]

/** A usage error, already reported on stderr: exit 1. */
class UsageError extends Error {}

export function cli(argv: string[], run: CliRun) {
  const { io } = run
  const base = yargs(argv)
    .scriptName('sm')
    .usage('$0 <command> [options]\n\nDrive Claude Code sessions managed by the claude-sessions server.')
  const y: Argv = commands(argv)
    .reduce((y, register) => register(y, run), base)
    .command('completion', 'print a bash/zsh completion script', () => {}, () => {
      y.showCompletionScript()
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
    .wrap(Math.min(100, io.out.columns ?? 100))
    .parserConfiguration({ 'populate--': true })
    .fail((msg, err) => {
      if (err) throw err
      io.err.write(`sm: ${msg.replace(/\s*\n\s*/g, ' ')}${msg.includes('--help') ? '' : ' (sm --help for usage)'}\n`)
      throw new UsageError(msg)
    })
  return y
}

/**
 * The full command line (yargs): every command, --help, completion. What yargs prints itself
 * (help, the version, the completion script) goes to `io.out`; returns the exit code.
 */
export async function main(argv: string[], io: Io): Promise<number> {
  const run: CliRun = { io, exitCode: 0 }
  try {
    await cli(argv, run).parseAsync(argv, {}, (_error, _argv, output) => {
      if (output !== '') io.out.write(`${output}\n`)
    })
  } catch (error) {
    if (error instanceof UsageError) return 1
    throw error
  }
  return run.exitCode
}
