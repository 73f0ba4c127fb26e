/** Commands on the tool audit: list, follow, explain. Each is a yargs command, registered in order by cli.ts. */
import { type Register, json, local, run, session, toolFilters, toolsCommands } from './shared.js'

export const toolsCommand: Register = (y, cli) =>
  y.command(
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
          run(cli, async (c, a) => (await toolsCommands()).stats(c, a)),
        )
        // not global: `tools stats` has no --limit or --csv
        .option('limit', { type: 'number', default: 50, describe: 'newest N events', global: false })
        .option('csv', { type: 'boolean', describe: 'CSV (RFC 4180) with a header line', global: false })
        .options(json),
    run(cli, async (c, a) => (await toolsCommands()).tools(c, a)),
  )

export const tailCommand: Register = (y, cli) =>
  y.command(
    'tail <session>',
    "a session's last tool events, one line each; -f follows new ones until Ctrl-C",
    (y) =>
      session(y)
        .option('lines', { type: 'number', alias: 'n', default: 20, describe: 'last N events' })
        .option('follow', { type: 'boolean', alias: 'f', describe: 'keep printing new events as they happen' })
        .option('json', { type: 'boolean', describe: 'one JSON object per line (NDJSON)' }),
    run(cli, async (c, a) => (await toolsCommands()).tail(c, a)),
  )

export const explainCommand: Register = (y, cli) =>
  y.command(
    'explain [command]',
    'say whether a shell command or a tool call is destructive or touches sensitive files, and why',
    (y) =>
      y
        .positional('command', { type: 'string', describe: 'a shell command, as one argument' })
        .option('tool', { type: 'string', describe: 'a Claude Code tool name (Read, Write, Bash, ...)' })
        .option('input', { type: 'string', describe: "the tool's input as JSON (with --tool)" })
        .options(json),
    local(cli, async (io, a) => (await import('../commands/explain.js')).explain(io, a)),
  )

export const usageCommand: Register = (y, cli) =>
  y.command(
    'usage [session]',
    "tokens and cost (Claude Code's own figures): every session, or one with its subtree; --since 24h",
    (y) =>
      y
        .positional('session', { type: 'string', describe: 'id, id prefix or name: it and its subtree' })
        .option('since', { type: 'string', describe: 'from: 30m, 2h, 7d ago, an ISO date or epoch ms' })
        .options(json),
    run(cli, async (c, a) => (await import('../commands/usage.js')).usage(c, a)),
  )
