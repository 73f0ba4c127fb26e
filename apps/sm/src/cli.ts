import yargs from 'yargs'
import { sendCommand, spawnCommand, childrenCommand, waitCommand, clearCommand } from './cli/agent-commands.js'
import { lockCommand, unlockCommand, telegramCommand, hooksCommand, serverCommand } from './cli/admin-commands.js'
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
import type { Register } from './cli/shared.js'
import { toolsCommand, tailCommand, explainCommand } from './cli/tool-commands.js'

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
  toolsCommand,
  tailCommand,
  explainCommand,
  lockCommand,
  unlockCommand,
  telegramCommand,
  hooksCommand,
  serverCommand,
]

export function cli(argv: string[]) {
  const base = yargs(argv)
    .scriptName('sm')
    .usage('$0 <command> [options]\n\nDrive Claude Code sessions managed by the claude-sessions server.')
  return commands(argv)
    .reduce((y, register) => register(y), base)
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
