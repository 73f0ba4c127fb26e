import { resolve } from 'node:path'
import type { SendableKey } from '@claude-sessions/core'
import { CliError, ownSessionId, type ServerContext } from '../context.js'
import { describeSession, printJson } from '../format.js'
import { line } from '../io.js'

interface Json {
  json?: boolean | undefined
}

export async function create(
  { io, client }: ServerContext,
  argv: Json & {
    dir?: string | undefined
    name?: string | undefined
    model?: string | undefined
    prompt?: string | undefined
    policy?: string | undefined
    attach?: boolean | undefined
  },
): Promise<number> {
  const { session } = await client.create({
    workingDir: resolve(io.cwd, argv.dir ?? '.'),
    ...(argv.name !== undefined ? { name: argv.name } : {}),
    ...(argv.model !== undefined ? { model: argv.model } : {}),
    ...(argv.prompt !== undefined ? { prompt: argv.prompt } : {}),
    ...(argv.policy !== undefined ? { policy: argv.policy } : {}),
  })
  if (argv.json) printJson(io.out, session)
  else line(io.out, `created ${describeSession(session)} in ${session.workingDir}`)
  if (argv.attach === false || argv.json || io.out.isTTY !== true) return 0
  const [{ tmuxSocket }, { attachTerminal }] = await Promise.all([client.health(), import('./attach.js')])
  return attachTerminal(io, tmuxSocket, session)
}

export async function output({ io, client }: ServerContext, argv: Json & { session: string; lines: number }): Promise<number> {
  if (!Number.isInteger(argv.lines) || argv.lines < 1) throw new CliError('--lines must be a positive integer')
  const r = await client.output(argv.session, argv.lines)
  if (argv.json) printJson(io.out, { session: r.session.id, text: r.text })
  else line(io.out, r.text)
  return 0
}

export async function name({ io, client }: ServerContext, argv: Json & { args: string[] }): Promise<number> {
  const [first, second] = argv.args
  if (first === undefined || argv.args.length > 2) throw new CliError('usage: sm name [session] <name>')
  const ref = second === undefined ? ownSessionId(io.env) : first
  const { session } = await client.rename(ref, second ?? first)
  if (argv.json) printJson(io.out, session)
  else line(io.out, `named ${describeSession(session)}`)
  return 0
}

export async function key({ io, client }: ServerContext, argv: Json & { session: string; key: SendableKey }): Promise<number> {
  const { session } = await client.key(argv.session, argv.key)
  if (argv.json) printJson(io.out, session)
  else line(io.out, `${describeSession(session)}: ${session.state}`)
  return 0
}

export async function kill({ io, client }: ServerContext, argv: Json & { session: string }): Promise<number> {
  const { session } = await client.kill(argv.session)
  if (argv.json) printJson(io.out, session)
  else line(io.out, `killed ${describeSession(session)}`)
  return 0
}

export async function events({ io, client }: ServerContext, argv: Json & { session: string; limit: number }): Promise<number> {
  const r = await client.events(argv.session, { limit: argv.limit })
  if (argv.json) printJson(io.out, r.events)
  else for (const e of r.events) line(io.out, `${e.at}  ${e.event}${e.toolName ? ` ${e.toolName}` : ''}${e.notificationType ? ` ${e.notificationType}` : ''}`)
  return 0
}

export async function lastMessage({ io, client }: ServerContext, argv: Json & { session: string }): Promise<number> {
  const r = await client.lastMessage(argv.session)
  if (argv.json) printJson(io.out, { session: r.session.id, message: r.message })
  else if (r.message !== null) line(io.out, r.message)
  return r.message === null ? 1 : 0
}
