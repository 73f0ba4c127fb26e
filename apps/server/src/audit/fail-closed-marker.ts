import { rmSync, writeFileSync } from 'node:fs'

/**
 * The hook script can't ask a server that is down whether to block: the server leaves a marker
 * file in the data dir when `hooks.fail_closed` is on, and removes it when it is off.
 */
export function writeFailClosedMarker(path: string, failClosed: boolean): void {
  if (failClosed) writeFileSync(path, 'PreToolUse hooks block while the server is unreachable (hooks.fail_closed)\n', { mode: 0o600 })
  else rmSync(path, { force: true })
}
