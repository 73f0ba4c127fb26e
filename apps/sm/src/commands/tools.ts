import type { Client, ToolEventDto, ToolsQuery } from '@claude-sessions/api/client'
import { CliError, clientFor, type Connection } from '../context.js'
import { printJson } from '../format.js'
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
const lineWidth = (): number => (process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : 120)

const write = (lines: readonly string[]): void => {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`)
}

/** A reader that went away (`sm tools | head`) is no error. */
function onClosedStdout(then: () => void): () => void {
  const listener = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') then()
    else throw error
  }
  process.stdout.on('error', listener)
  return () => process.stdout.off('error', listener)
}

const positiveInteger = (value: number, name: string): void => {
  if (!Number.isInteger(value) || value < 1) throw new CliError(`${name} must be a positive integer`)
}

export async function tools(conn: Connection, argv: ToolFilterArgs & { limit: number; json?: boolean | undefined; csv?: boolean | undefined }): Promise<number> {
  if (argv.json && argv.csv) throw new CliError('give --json or --csv, not both')
  positiveInteger(argv.limit, '--limit')
  const { tools: events } = await clientFor(conn).tools({ ...queryOf(argv), limit: argv.limit })
  onClosedStdout(() => process.exit(0))
  if (argv.json) printJson({ tools: events })
  else if (argv.csv) process.stdout.write(toolsCsv(events))
  else write(toolLines(events, lineWidth()))
  return 0
}

export async function stats(
  conn: Connection,
  argv: ToolFilterArgs & { by: 'tool' | 'session' | 'category' | 'project'; json?: boolean | undefined },
): Promise<number> {
  const r = await clientFor(conn).toolStats({ ...queryOf(argv), by: argv.by })
  if (argv.json) printJson(r)
  else write(statsTable(r.by, r.rows))
  return 0
}

export interface TailArgs {
  session: string
  lines: number
  follow?: boolean | undefined
  json?: boolean | undefined
}

/** The last tool events of a session; with `follow`, then the live ones until Ctrl-C. */
export async function tail(conn: Connection, argv: TailArgs): Promise<number> {
  positiveInteger(argv.lines, '-n')
  const client = clientFor(conn)
  if (argv.follow) return follow(client, argv)
  const { tools: events } = await client.sessionTools(argv.session, argv.lines)
  onClosedStdout(() => process.exit(0))
  write(argv.json ? events.map((e) => JSON.stringify(e)) : toolLines(events, lineWidth()))
  return 0
}

/**
 * Subscribes first, then fetches the last N: an event recorded in between arrives both ways and
 * is printed once (ids grow; anything at or below the last printed id is skipped).
 */
async function follow(client: Client, argv: TailArgs): Promise<number> {
  let lastId = -Infinity
  let layout: ToolLayout | null = null
  const early: ToolEventDto[] = []
  const show = (e: ToolEventDto): void => {
    if (e.id <= lastId) return
    lastId = e.id
    process.stdout.write(`${argv.json ? JSON.stringify(e) : toolLine(toolCells(e), layout!)}\n`)
  }
  const stream = client.streamTools({ session: argv.session }, (e) => (layout === null ? early.push(e) : show(e)))
  let stopped = false
  const stop = (): void => {
    stopped = true
    stream.close()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const offStdout = onClosedStdout(stop)
  let subscribed = false
  try {
    await stream.ready
    subscribed = true
    const { tools: events } = await client.sessionTools(argv.session, argv.lines)
    layout = layoutFor(
      events.map((e) => toolCells(e)),
      lineWidth(),
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
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    offStdout()
  }
}
