export interface IdGenerator {
  /** A new session id: 8 lowercase hex chars. */
  sessionId(): string
  /** A new secret token (at least 128 bits, URL-safe). */
  token(): string
}
