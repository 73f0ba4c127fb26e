import type { Client, ToolEventDto, ToolsQuery } from '@claude-sessions/api/client'
import { CliError, type ServerContext } from '../context.js'
import { printJson } from '../format.js'
import type { Io, Output } from '../io.js'
import { layoutFor, statsTable, toolCells, toolLine, toolLines, toolsCsv, type ToolLayout } from '../tool-lines.js'

/** The filters `sm tools` and `sm tools stats` share. */
export interface ToolFilterArgs {
  session?: string | undefined
  tree?: string | undefined
  tool?: string | undefined
  destructive?: boolean | undefined
  sensitive?: boolean | undefined
  denied?: boolean | undefined
  project?: string | undefined
  since?: string | undefined
  until?: string | undefined
}

const FILTERS = ['session', 'tree', 'tool', 'destructive', 'sensitive', 'denied', 'project', 'since', 'until'] as const

/** The query of the filters given; the server checks them (times included) and names a bad one. */
function queryOf(argv: ToolFilterArgs): ToolsQuery {
  const query: Record<string, unknown> = {}
  for (const key of FILTERS) if (argv[key] !== undefined) query[key] = argv[key]
  return query as ToolsQuery
}

/** The terminal's width, or 120 when stdout is not a terminal. */
const lineWidth = (out: Output): number => (out.isTTY && out.columns !== undefined && out.columns > 0 ? out.columns : 120)

const write = (out: Output, lines: readonly string[]): void => {
  if (lines.length > 0) out.write(`${lines.join('\n')}\n`)
}

const positiveInteger = (value: number, name: string): void => {
  if (!Number.isInteger(value) || value < 1) throw new CliError(`${name} must be a positive integer`)
}

export async function tools({ io, client }: ServerContext, argv: ToolFilterArgs & { limit: number; json?: boolean | undefined; csv?: boolean | undefined }): Promise<number> {
  if (argv.json && argv.csv) throw new CliError('give --json or --csv, not both')
  positiveInteger(argv.limit, '--limit')
  const { tools: events } = await client.tools({ ...queryOf(argv), limit: argv.limit })
  io.onOutClosed(() => io.exit(0))
  if (argv.json) printJson(io.out, { tools: events })
  else if (argv.csv) io.out.write(toolsCsv(events))
  else write(io.out, toolLines(events, lineWidth(io.out)))
  return 0
}

export async function stats(
  { io, client }: ServerContext,
  argv: ToolFilterArgs & { by: 'tool' | 'session' | 'category' | 'project'; json?: boolean | undefined },
): Promise<number> {
  const r = await client.toolStats({ ...queryOf(argv), by: argv.by })
  if (argv.json) printJson(io.out, r)
  else write(io.out, statsTable(r.by, r.rows))
  return 0
}

export interface TailArgs {
  session: string
  lines: number
  follow?: boolean | undefined
  json?: boolean | undefined
}

/** The last tool events of a session; with `follow`, then the live ones until Ctrl-C. */
export async function tail({ io, client }: ServerContext, argv: TailArgs): Promise<number> {
  positiveInteger(argv.lines, '-n')
  if (argv.follow) return follow(io, client, argv)
  const { tools: events } = await client.sessionTools(argv.session, argv.lines)
  io.onOutClosed(() => io.exit(0))
  write(io.out, argv.json ? events.map((e) => JSON.stringify(e)) : toolLines(events, lineWidth(io.out)))
  return 0
}

/**
 * Subscribes first, then fetches the last N: an event recorded in between arrives both ways and
 * is printed once (ids grow; anything at or below the last printed id is skipped).
 */
async function follow(io: Io, client: Client, argv: TailArgs): Promise<number> {
  let lastId = -Infinity
  let layout: ToolLayout | null = null
  const early: ToolEventDto[] = []
  const show = (e: ToolEventDto): void => {
    if (e.id <= lastId) return
    lastId = e.id
    io.out.write(`${argv.json ? JSON.stringify(e) : toolLine(toolCells(e), layout!)}\n`)
  }
  const stream = client.streamTools({ session: argv.session }, (e) => (layout === null ? early.push(e) : show(e)))
  let stopped = false
  const stop = (): void => {
    stopped = true
    stream.close()
  }
  const offInterrupt = io.onInterrupt(stop)
  const offStdout = io.onOutClosed(stop)
  let subscribed = false
  try {
    await stream.ready
    subscribed = true
    const { tools: events } = await client.sessionTools(argv.session, argv.lines)
    layout = layoutFor(
      events.map((e) => toolCells(e)),
      lineWidth(io.out),
      true,
    )
    for (const e of events) show(e)
    for (const e of early.splice(0)) show(e)
    await stream.done
    return 0
  } catch (error) {
    stream.close()
    if (stopped) return 0
    // the stream was open: the server went away (or dropped us) while we followed
    if (subscribed) throw new CliError(`lost the server: ${error instanceof Error ? error.message : String(error)}`, 1)
    throw error
  } finally {
    offInterrupt()
    offStdout()
  }
}
