import { clientFor, ownSessionId, type Connection } from '../context.js'
import { printJson, sessionTable } from '../format.js'

interface Json {
  json?: boolean | undefined
}

export async function status(conn: Connection, argv: Json & { all?: boolean | undefined }): Promise<number> {
  const { sessions } = await clientFor(conn).list(argv.all === true)
  if (argv.json) printJson(sessions)
  else if (sessions.length > 0) out(sessionTable(sessions))
  else process.stderr.write(argv.all ? 'no sessions\n' : 'no live sessions (--all shows stopped ones)\n')
  return 0
}

export async function me(conn: Connection, argv: Json): Promise<number> {
  const { session } = await clientFor(conn).get(ownSessionId())
  if (argv.json) printJson(session)
  else out(sessionTable([session]))
  if (!argv.json && session.currentTask !== null) out(`task: ${session.currentTask}`)
  return 0
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`)
}
