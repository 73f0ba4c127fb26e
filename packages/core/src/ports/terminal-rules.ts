import { SessionsError } from '../errors.js'
import type { CreateTerminalOptions } from './multiplexer.js'

/** A terminal's size when none is asked for, and the largest either side may be. */
export const TERMINAL_DEFAULT_SIZE = { width: 200, height: 50 } as const
export const TERMINAL_MAX_SIZE = 10_000

// tmux rewrites session names: '.' and ':' become '_'; '$', backslash, C0 and C1 controls, DEL,
// U+2028 and U+2029 are vis-encoded (a$b becomes a\$b). Such a session could never be targeted exactly.
// eslint-disable-next-line no-control-regex
const BAD_NAME = /[.:$\\\x00-\x1f\x7f-\x9f\u2028\u2029]/
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A terminal name every Multiplexer can target exactly; else `invalid_name`. */
export function checkTerminalName(name: string): void {
  if (name === '' || BAD_NAME.test(name)) {
    throw new SessionsError('invalid_name', `${JSON.stringify(name)} can't be a tmux session name`)
  }
}

/**
 * What every Multiplexer refuses in `create`, checked in this order (the multiplexer contract
 * holds the fake and tmux to it): the name, an empty command, environment names, the size.
 * Returns the size to use. The working directory is each implementation's to check.
 */
export function checkTerminalOptions(options: CreateTerminalOptions): { width: number; height: number } {
  checkTerminalName(options.name)
  if (options.command.length === 0) throw new SessionsError('invalid_input', 'command is empty')
  for (const key of [...Object.keys(options.env), ...options.unsetEnv]) {
    if (!ENV_NAME.test(key)) throw new SessionsError('invalid_input', `invalid environment variable name ${JSON.stringify(key)}`)
  }
  const width = options.width ?? TERMINAL_DEFAULT_SIZE.width
  const height = options.height ?? TERMINAL_DEFAULT_SIZE.height
  if (![width, height].every((n) => Number.isInteger(n) && n > 0 && n <= TERMINAL_MAX_SIZE)) {
    throw new SessionsError('invalid_input', `invalid terminal size ${width}x${height}`)
  }
  return { width, height }
}
