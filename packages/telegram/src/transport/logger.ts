/** The logging the adapter needs; a pino logger fits. Objects first, then the message. */
export interface TelegramLogger {
  debug(obj: object, msg: string): void
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export const silentLogger: TelegramLogger = { debug() {}, info() {}, warn() {}, error() {} }

/** Replaces every occurrence of the token (and of its secret half) in `text`. */
export function redactToken(token: string): (text: string) => string {
  const secrets = [token, token.split(':')[1] ?? ''].filter((s) => s.length >= 8)
  return (text) => secrets.reduce((out, s) => out.split(s).join('[redacted]'), text)
}

/** One line describing `err`, the token redacted. */
export function describeError(err: unknown, redact: (text: string) => string): string {
  if (err instanceof Error) {
    const cause = (err as { error?: unknown }).error
    const inner = cause instanceof Error && !err.message.includes(cause.message) ? ` (${cause.message})` : ''
    return redact(`${err.message}${inner}`)
  }
  return redact(String(err))
}
