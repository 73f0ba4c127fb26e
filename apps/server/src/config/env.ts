/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>

/**
 * The environment the server runs in. With the config loader, the only reader of `process.env`
 * (lint rule no-restricted-properties): what needs it gets an `Env` handed down.
 */
export const processEnv = (): Env => process.env
