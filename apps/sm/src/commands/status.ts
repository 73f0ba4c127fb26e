import { ownSessionId, type ServerContext } from '../context.js'
import { printJson, sessionTable } from '../format.js'
import { line } from '../io.js'

interface Json {
  json?: boolean | undefined
}

export async function status({ io, client }: ServerContext, argv: Json & { all?: boolean | undefined }): Promise<number> {
  const { sessions } = await client.list(argv.all === true)
  if (argv.json) printJson(io.out, sessions)
  else if (sessions.length > 0) line(io.out, sessionTable(sessions))
  else io.err.write(argv.all ? 'no sessions\n' : 'no live sessions (--all shows stopped ones)\n')
  return 0
}

export async function me({ io, client }: ServerContext, argv: Json): Promise<number> {
  const { session } = await client.get(ownSessionId(io.env))
  if (argv.json) printJson(io.out, session)
  else line(io.out, sessionTable([session]))
  if (!argv.json && session.currentTask !== null) line(io.out, `task: ${session.currentTask}`)
  return 0
}
