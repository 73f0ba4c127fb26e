/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>

/**
 * The environment sm runs in. The one place the CLI reads `process.env` (lint rule
 * no-restricted-properties); the commands take an `Env` so tests can hand them their own.
 */
export const processEnv = (): Env => process.env
