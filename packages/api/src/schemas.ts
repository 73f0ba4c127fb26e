import { CHILD_STATUSES, DELIVERY_MODES, SENDABLE_KEYS, SessionsError, TOOL_STATS_KEYS } from '@claude-sessions/core'
import { DEFAULT_SUMMARY_LINES, MAX_SUMMARY_LINES } from '@claude-sessions/core/services'
import { z } from 'zod'
import { jsonDepth, MAX_JSON_DEPTH } from './json-depth.js'

export { jsonDepth, MAX_JSON_DEPTH }

/**
 * Text that may reach a process's argv or environment, or be typed into tmux: a NUL byte can't
 * (child_process refuses it, tmux would cut the text there), so it is refused here, with a 400.
 */
const argText = (schema: z.ZodString = z.string()) => schema.refine((s) => !s.includes('\0'), 'must not contain NUL (\\0) characters')

export const createSessionBody = z
  .object({
    workingDir: argText(z.string().min(1).max(4096)),
    name: argText().optional(),
    model: argText(z.string().min(1).max(200)).optional(),
    prompt: argText(z.string().max(1_000_000)).optional(),
    policy: argText(z.string().min(1).max(64)).optional(),
  })
  .strict()

export const renameBody = z.object({ name: argText() }).strict()
export const inputBody = z.object({ text: argText(z.string().min(1)) }).strict()
export const keyBody = z.object({ key: z.enum(SENDABLE_KEYS) }).strict()

const intParam = (max: number) => z.coerce.number().int().min(0).max(max)
export const outputQuery = z.object({ lines: intParam(10_000).default(50) })
export const summaryQuery = z.object({ lines: z.coerce.number().int().min(1).max(MAX_SUMMARY_LINES).default(DEFAULT_SUMMARY_LINES) })
export const eventsQuery = z.object({ limit: z.coerce.number().int().min(1).max(10_000).optional(), after: intParam(Number.MAX_SAFE_INTEGER).optional() })
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')
/** Filters of `GET /tools`, `/tools/stats` and `/tools/stream`; times are `2h`, ISO or epoch ms. */
export const toolsQuery = z.object({
  session: z.string().min(1).optional(),
  tree: z.string().min(1).optional(),
  tool: z.string().min(1).max(200).optional(),
  destructive: flag.optional(),
  sensitive: flag.optional(),
  denied: flag.optional(),
  project: z.string().min(1).max(500).optional(),
  since: z.string().min(1).max(64).optional(),
  until: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(100),
  by: z.enum(TOOL_STATS_KEYS).default('tool'),
})
export const sessionToolsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100_000).default(100) })
export const spawnBody = z
  .object({
    prompt: argText(z.string().min(1).max(1_000_000)),
    name: argText().optional(),
    model: argText(z.string().min(1).max(200)).optional(),
    workingDir: argText(z.string().min(1).max(4096)).optional(),
    policy: argText(z.string().min(1).max(64)).optional(),
    /** Seconds the child must stay quiet after finishing before the parent is told. */
    wait: z.number().int().min(1).max(86_400).optional(),
  })
  .strict()
export const childrenQuery = z.object({
  recursive: flag.optional(),
  status: z.enum(CHILD_STATUSES).default('all'),
})
export const messageBody = z.object({ text: argText(), mode: z.enum(DELIVERY_MODES).default('sequential') }).strict()
export const messagesQuery = z.object({
  status: z.enum(['queued', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(50),
})
export const waitBody = z.object({ seconds: z.number().int().min(1).max(86_400) }).strict()
export const clearBody = z.object({ prompt: argText(z.string().max(1_000_000)).optional() }).strict()
export const killQuery = z.object({ tree: flag.optional() })
export const listQuery = z.object({ all: z.enum(['true', 'false', '1', '0']).optional() })
/** `GET /sessions/:ref/others`: `repo=true` keeps the sessions in the same repository. */
export const othersQuery = z.object({ repo: flag.optional() })
/** `PUT /sessions/:ref/task`: null clears it. */
export const taskBody = z.object({ task: z.string().max(100_000).nullable() }).strict()
/** `GET /sessions/:ref/subagents`: how many of the newest hook events to read. */
export const subagentsQuery = z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(2000) })

/** Parses `value` or throws `invalid_input` naming every problem. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const problems = r.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ')
  throw new SessionsError('invalid_input', `invalid ${what}: ${problems}`)
}

/** Reads a JSON body; malformed JSON, or JSON nested deeper than MAX_JSON_DEPTH, is `invalid_input`. */
export function parseJson(text: string): unknown {
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new SessionsError('invalid_input', `body nests objects or arrays more than ${MAX_JSON_DEPTH} deep`)
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new SessionsError('invalid_input', 'body is not valid JSON')
  }
}
