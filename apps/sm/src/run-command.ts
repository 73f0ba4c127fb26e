import { clientFor, exitCodeFor, resolveConnection, type Connection, type ServerContext } from './context.js'
import type { Io } from './io.js'

/** Runs a command and returns its exit code: 0 ok, 1 error or "no", 2 server unavailable / not in a session. */
export async function runCommand(io: Io, command: (ctx: ServerContext) => Promise<number> | number): Promise<number> {
  let conn: Connection | undefined
  try {
    conn = await resolveConnection(io.env)
    return await command({ io, conn, client: clientFor(conn, io) })
  } catch (error) {
    const { code, message } = exitCodeFor(error, conn)
    io.err.write(`sm: ${message.split('\n').join('\n    ')}\n`)
    return code
  }
}

/** Runs a command that needs no server (exit codes as above). */
export async function runLocal(io: Io, command: () => Promise<number> | number): Promise<number> {
  try {
    return await command()
  } catch (error) {
    const { code, message } = exitCodeFor(error)
    io.err.write(`sm: ${message}\n`)
    return code
  }
}
