/** Commands agents use on each other: messages, children, waiting, clearing. Each is a yargs command, registered in order by cli.ts. */
import { CliError } from '../context.js'
import { type Register, agents, json, run, session } from './shared.js'

/** `send`: needs the raw argv (yargs reads a lone '-' as '') */
export const sendCommand =
  (argv: readonly string[]): Register =>
  (y, cli) =>
    y.command(
    'send <session> [text]',
    'send a message: sequential (default) when its turn ends, --important at its next tool call, --urgent interrupts; - reads stdin; text starting with - goes after --',
    (y) =>
      session(y)
        .positional('text', { type: 'string', describe: 'the text, or - for stdin' })
        .option('sequential', { type: 'boolean', describe: 'when the recipient is between turns (default)' })
        .option('important', { type: 'boolean', describe: 'as soon as possible, even mid-turn' })
        .option('urgent', { type: 'boolean', describe: 'interrupt the recipient, then type it' })
        .options(json),
    run(cli, async (c, a) => {
      // yargs parses a lone '-' as an empty string; the raw argv tells "-" (stdin) from ""
      const afterDashes = (a as { '--'?: unknown[] })['--']
      const text = a.text === '' && argv.includes('-') ? '-' : (a.text ?? afterDashes?.map(String).join(' '))
      if (text === undefined) throw new CliError('usage: sm send <session> <text|->   (text starting with -: sm send <session> -- <text>)')
      return (await agents()).send(c, { ...a, text })
    }),
  )

export const spawnCommand: Register = (y, cli) =>
  y.command(
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
    run(cli, async (c, a) => {
      const prompt = a.prompt ?? (a as { '--'?: unknown[] })['--']?.map(String).join(' ')
      if (prompt === undefined) throw new CliError('usage: sm spawn <prompt>   (a prompt starting with -: sm spawn -- <prompt>)')
      return (await agents()).spawn(c, { ...a, prompt, workingDir: a.workingDir })
    }),
  )

export const childrenCommand: Register = (y, cli) =>
  y.command(
    'children [session]',
    'list the children of a session (default: yours); exit 1 when there are none',
    (y) =>
      y
        .positional('session', { type: 'string', describe: 'id, id prefix or name' })
        .option('recursive', { type: 'boolean', alias: 'r', describe: 'the whole subtree' })
        .option('status', { choices: ['running', 'idle', 'completed', 'error', 'stopped', 'all'] as const, default: 'all' as const })
        .options(json),
    run(cli, async (c, a) => (await agents()).children(c, a)),
  )

export const waitCommand: Register = (y, cli) =>
  y.command(
    'wait <session> <seconds>',
    'get one message when a session finishes its work, exits, or <seconds> pass (returns at once)',
    (y) => session(y).positional('seconds', { type: 'number', demandOption: true }).options(json),
    run(cli, async (c, a) => (await agents()).wait(c, a)),
  )

export const clearCommand: Register = (y, cli) =>
  y.command(
    'clear <session> [prompt]',
    'interrupt if working, /clear, then send the prompt (parent or operator only)',
    (y) => session(y).positional('prompt', { type: 'string' }).options(json),
    run(cli, async (c, a) => (await agents()).clear(c, a)),
  )
