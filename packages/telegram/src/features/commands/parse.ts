import type { Session } from '@claude-sessions/core'
import type { Button } from '../../control.js'
import { label } from './render.js'

/** Telegram's limit on a button's callback data. */
export const CALLBACK_DATA_LIMIT = 64

/** At most this many session (or project) buttons under one message. */
export const MAX_BUTTONS = 30

/** The first word of `args` and the rest (trimmed; line breaks inside the rest kept). */
export function firstWord(args: string): { word: string; rest: string } {
  const m = /^\s*(\S+)([\s\S]*)$/.exec(args)
  if (!m) return { word: '', rest: '' }
  return { word: m[1]!, rest: m[2]!.trim() }
}

/** A count argument: empty → `fallback`; a whole number from 1 to `max` → it; anything else → undefined. */
export function parseCount(text: string, fallback: number, max: number): number | undefined {
  const t = text.trim()
  if (t === '') return fallback
  if (!/^\d{1,9}$/.test(t)) return undefined
  const n = Number(t)
  return n >= 1 && n <= max ? n : undefined
}

const byteLength = (text: string): number => new TextEncoder().encode(text).length

/** Callback data of a session button: `c:<command>:<session id>`. */
export const sessionData = (command: string, sessionId: string): string => `c:${command}:${sessionId}`

/** The command and session of a session button's data; undefined if it is not one. */
export function parseSessionData(data: string): { command: string; sessionId: string } | undefined {
  const m = /^c:([a-z]+):(\S+)$/.exec(data)
  return m ? { command: m[1]!, sessionId: m[2]! } : undefined
}

/** Callback data of a `/new` project button: `n:<project name>`. */
export const projectData = (name: string): string => `n:${name}`

/** The project of a `/new` button's data; undefined if it is not one. */
export function parseProjectData(data: string): string | undefined {
  return data.startsWith('n:') && data.length > 2 ? data.slice(2) : undefined
}

/** Buttons, one a row, leaving out any whose data would not fit Telegram's 64 bytes; at most `MAX_BUTTONS`. */
export function buttonRows(buttons: readonly Button[]): Button[][] {
  return buttons
    .filter((b) => byteLength(b.data) <= CALLBACK_DATA_LIMIT)
    .slice(0, MAX_BUTTONS)
    .map((b) => [b])
}

/** One button per session, `name [id]`, that runs `command` on it. */
export const sessionButtons = (command: string, sessions: readonly Session[]): Button[][] =>
  buttonRows(sessions.map((s) => ({ text: label(s), data: sessionData(command, s.id) })))
