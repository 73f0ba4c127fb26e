import { resolve } from 'node:path'
import type { ChildDto } from '@claude-sessions/api/client'
import { CliError, ownSessionId, type ServerContext } from '../context.js'
import { age, describeSession, printJson } from '../format.js'
import { line } from '../io.js'

interface Json {
  json?: boolean | undefined
}

export async function spawn(
  { io, client }: ServerContext,
  argv: Json & { prompt: string; name?: string | undefined; model?: string | undefined; workingDir?: string | undefined; wait?: number | undefined; policy?: string | undefined },
): Promise<number> {
  ownSessionId(io.env)
  if (argv.prompt.trim() === '') throw new CliError('the prompt is empty')
  if (argv.wait !== undefined && (!Number.isInteger(argv.wait) || argv.wait < 1)) throw new CliError('--wait must be a positive number of seconds')
  const { session } = await client.spawn({
    prompt: argv.prompt,
    ...(argv.name !== undefined ? { name: argv.name } : {}),
    ...(argv.model !== undefined ? { model: argv.model } : {}),
    ...(argv.workingDir !== undefined ? { workingDir: resolve(io.cwd, argv.workingDir) } : {}),
    ...(argv.policy !== undefined ? { policy: argv.policy } : {}),
    ...(argv.wait !== undefined ? { wait: argv.wait } : {}),
  })
  if (argv.json) printJson(io.out, session)
  else line(io.out, `spawned ${describeSession(session)}${argv.wait !== undefined ? `; you get a message when it is done (quiet ${argv.wait}s)` : ''}`)
  return 0
}

/** One aligned line per child: name, id, status, age, last tool, completion message (first line). */
function childLines(children: readonly ChildDto[], now = Date.now()): string {
  const rows = children.map((c) => [
    `${'  '.repeat(c.depth - 1)}${c.name ?? '-'}`,
    c.id,
    c.status,
    age(c.createdAt, now),
    c.lastTool ?? '-',
    (c.lastMessage ?? '').split('\n')[0]!.slice(0, 80),
  ])
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((cell, i) => (i < 5 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd()).join('\n')
}

export async function children({ io, client }: ServerContext, argv: Json & { session?: string | undefined; recursive?: boolean | undefined; status: string }): Promise<number> {
  const ref = argv.session ?? ownSessionId(io.env)
  const r = await client.children(ref, { ...(argv.recursive ? { recursive: true } : {}), status: argv.status })
  if (argv.json) printJson(io.out, r.children)
  else if (r.children.length > 0) line(io.out, childLines(r.children))
  return r.children.length > 0 ? 0 : 1
}

const MODES = ['sequential', 'important', 'urgent'] as const

export async function send(
  { io, client }: ServerContext,
  argv: Json & { session: string; text: string; sequential?: boolean | undefined; important?: boolean | undefined; urgent?: boolean | undefined },
): Promise<number> {
  const chosen = MODES.filter((m) => argv[m] === true)
  if (chosen.length > 1) throw new CliError(`give one of --${MODES.join(', --')}`)
  const text = (argv.text === '-' ? io.readStdin() : argv.text).replace(/\n+$/, '')
  if (text.trim() === '') throw new CliError('nothing to send: the text is empty')
  const r = await client.send(argv.session, text, chosen[0] ?? 'sequential')
  if (argv.json) printJson(io.out, { session: r.message.recipientId, message: r.message.id, status: r.status, mode: r.message.mode, via: r.message.via })
  else line(io.out, r.status === 'delivered' ? `delivered to ${r.message.recipientId}` : `queued for ${r.message.recipientId} (${r.message.mode === 'sequential' ? 'delivered when its turn ends' : 'delivered at its next tool call or when its turn ends'})`)
  return 0
}

export async function wait({ io, client }: ServerContext, argv: Json & { session: string; seconds: number }): Promise<number> {
  ownSessionId(io.env)
  if (!Number.isInteger(argv.seconds) || argv.seconds < 1) throw new CliError('<seconds> must be a positive whole number')
  const r = await client.wait(argv.session, argv.seconds)
  if (argv.json) printJson(io.out, r.watch)
  else line(io.out, `watching ${r.watch.target}: you get one message when it is done, exits, or after ${argv.seconds}s`)
  return 0
}

export async function clear({ io, client }: ServerContext, argv: Json & { session: string; prompt?: string | undefined }): Promise<number> {
  const { session } = await client.clear(argv.session, argv.prompt)
  if (argv.json) printJson(io.out, session)
  else line(io.out, `cleared ${describeSession(session)}${argv.prompt ? ' and sent the prompt' : ''}`)
  return 0
}

export async function killTree({ io, client }: ServerContext, argv: Json & { session: string }): Promise<number> {
  const { sessions } = await client.killTree(argv.session)
  if (argv.json) printJson(io.out, sessions)
  else for (const s of sessions) line(io.out, `killed ${describeSession(s)}`)
  return 0
}
