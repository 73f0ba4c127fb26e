/** Commands that tell a session about the others: who works where, on what. Each is a yargs command, registered in order by cli.ts. */
import { type Register, awareness, json, run } from './shared.js'

export const whoCommand: Register = (y, cli) =>
  y.command('who', 'the other live sessions in your repository (same dir, git root, worktree or remote), with their tasks', (y) => y.options(json), run(cli, async (c, a) => (await awareness()).whoCommand(c, a)))

export const othersCommand: Register = (y, cli) =>
  y.command(
    'others',
    'the other live sessions, with task and last message',
    (y) => y.option('repo', { type: 'boolean', describe: 'only those in your repository' }).options(json),
    run(cli, async (c, a) => (await awareness()).othersCommand(c, a)),
  )

export const allCommand: Register = (y, cli) =>
  y.command('all', 'every live session with its task', (y) => y.options(json), run(cli, async (c, a) => (await awareness()).allCommand(c, a)))

export const aloneCommand: Register = (y, cli) =>
  y.command('alone', 'no output; exit 0 when no other live session works in your repository, 1 when one does, 2 unknown', (y) => y, run(cli, async (c) => (await awareness()).aloneCommand(c)))

export const taskCommand: Register = (y, cli) =>
  y.command(
    'task [desc..]',
    'say what you are doing (others see it in sm who); alone: print it (exit 1 when none)',
    (y) =>
      y
        .positional('desc', { type: 'string', array: true, describe: 'what you are doing, e.g. "refactor auth"' })
        .option('clear', { type: 'boolean', describe: 'clear your task' })
        .options(json),
    run(cli, async (c, a) => (await awareness()).taskCommand(c, a)),
  )

export const subagentsCommand: Register = (y, cli) =>
  y.command(
    'subagents [session]',
    "Claude's own subagents of a session (default: yours): type, state, age; and its background tasks at the last stop",
    (y) => y.positional('session', { type: 'string', describe: 'id, id prefix or name' }).options(json),
    run(cli, async (c, a) => (await awareness()).subagentsCommand(c, a)),
  )
