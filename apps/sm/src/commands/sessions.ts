import { resolve } from 'node:path'
import type { SendableKey } from '@claude-sessions/core'
import { CliError, clientFor, ownSessionId, type Connection } from '../context.js'
import { describeSession, printJson, sessionTable } from '../format.js'

interface Json {
  json?: boolean | undefined
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

export async function create(
  conn: Connection,
  argv: Json & {
    dir?: string | undefined
    name?: string | undefined
    model?: string | undefined
    prompt?: string | undefined
    policy?: string | undefined
    attach?: boolean | undefined
  },
): Promise<number> {
  const client = clientFor(conn)
  const { session } = await client.create({
    workingDir: resolve(argv.dir ?? '.'),
    ...(argv.name !== undefined ? { name: argv.name } : {}),
    ...(argv.model !== undefined ? { model: argv.model } : {}),
    ...(argv.prompt !== undefined ? { prompt: argv.prompt } : {}),
    ...(argv.policy !== undefined ? { policy: argv.policy } : {}),
  })
  if (argv.json) printJson(session)
  else out(`created ${describeSession(session)} in ${session.workingDir}`)
  if (argv.attach === false || argv.json || !process.stdout.isTTY) return 0
  const [{ tmuxSocket }, { attachTerminal }] = await Promise.all([client.health(), import('./attach.js')])
  return attachTerminal(tmuxSocket, session)
}

export async function output(conn: Connection, argv: Json & { session: string; lines: number }): Promise<number> {
  if (!Number.isInteger(argv.lines) || argv.lines < 1) throw new CliError('--lines must be a positive integer')
  const r = await clientFor(conn).output(argv.session, argv.lines)
  if (argv.json) printJson({ session: r.session.id, text: r.text })
  else out(r.text)
  return 0
}

export async function name(conn: Connection, argv: Json & { args: string[] }): Promise<number> {
  const [first, second] = argv.args
  if (first === undefined || argv.args.length > 2) throw new CliError('usage: sm name [session] <name>')
  const ref = second === undefined ? ownSessionId() : first
  const { session } = await clientFor(conn).rename(ref, second ?? first)
  if (argv.json) printJson(session)
  else out(`named ${describeSession(session)}`)
  return 0
}

export async function key(conn: Connection, argv: Json & { session: string; key: SendableKey }): Promise<number> {
  const { session } = await clientFor(conn).key(argv.session, argv.key)
  if (argv.json) printJson(session)
  else out(`${describeSession(session)}: ${session.state}`)
  return 0
}

export async function kill(conn: Connection, argv: Json & { session: string }): Promise<number> {
  const { session } = await clientFor(conn).kill(argv.session)
  if (argv.json) printJson(session)
  else out(`killed ${describeSession(session)}`)
  return 0
}

export async function events(conn: Connection, argv: Json & { session: string; limit: number }): Promise<number> {
  const r = await clientFor(conn).events(argv.session, { limit: argv.limit })
  if (argv.json) printJson(r.events)
  else for (const e of r.events) out(`${e.at}  ${e.event}${e.toolName ? ` ${e.toolName}` : ''}${e.notificationType ? ` ${e.notificationType}` : ''}`)
  return 0
}

export async function lastMessage(conn: Connection, argv: Json & { session: string }): Promise<number> {
  const r = await clientFor(conn).lastMessage(argv.session)
  if (argv.json) printJson({ session: r.session.id, message: r.message })
  else if (r.message !== null) out(r.message)
  return r.message === null ? 1 : 0
}
