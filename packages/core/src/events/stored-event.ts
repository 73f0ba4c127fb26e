/** A hook event as kept in the event log. */
export interface StoredEvent {
  id: number
  sessionId: string
  claudeSessionId: string
  event: string
  at: number
  toolName: string | null
  toolUseId: string | null
  notificationType: string | null
  /** The payload as received, cut to the configured cap. */
  raw: string
  /** Size of the payload as received, in bytes (chars). */
  rawSize: number
}

export type NewStoredEvent = Omit<StoredEvent, 'id'> & {
  /** Set for spooled events: a second import of the same file is ignored. */
  dedupeKey?: string | null
}
