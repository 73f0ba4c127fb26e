import { exitCodeFor, resolveConnection, type Connection } from './context.js'

/** Runs a command and sets the exit code: 0 ok, 1 error or "no", 2 server unavailable / not in a session. */
export async function runCommand(command: (conn: Connection) => Promise<number> | number): Promise<void> {
  let conn: Connection | undefined
  try {
    conn = await resolveConnection()
    process.exitCode = await command(conn)
  } catch (error) {
    const { code, message } = exitCodeFor(error, conn)
    process.stderr.write(`sm: ${message.split('\n').join('\n    ')}\n`)
    process.exitCode = code
  }
}

/** Runs a command that needs no server (exit codes as above). */
export async function runLocal(command: () => Promise<number> | number): Promise<void> {
  try {
    process.exitCode = await command()
  } catch (error) {
    const { code, message } = exitCodeFor(error)
    process.stderr.write(`sm: ${message}\n`)
    process.exitCode = code
  }
}
