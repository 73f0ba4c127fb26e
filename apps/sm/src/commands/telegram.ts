import { clientFor, type Connection } from '../context.js'
import { printJson } from '../format.js'

/** `sm telegram pair [--json]`: a one-time code; the person sends `/pair <code>` to the bot within its validity. */
export async function pair(conn: Connection, argv: { json?: boolean | undefined }): Promise<number> {
  const { code, expiresAt } = await clientFor(conn).telegramPair()
  if (argv.json) {
    printJson({ code, expiresAt })
    return 0
  }
  const minutes = Math.max(1, Math.round((Date.parse(expiresAt) - Date.now()) / 60_000))
  process.stdout.write(`Send this to the bot in Telegram within ${minutes} min (it works once):\n\n  /pair ${code}\n`)
  return 0
}
