import { spawn } from 'node:child_process'
import type { ServerContext } from '../context.js'
import { printJson } from '../format.js'
import type { Env } from '../env.js'

export interface WebArgs {
  open?: boolean | undefined
  json?: boolean | undefined
}

/** What opens a link: `$BROWSER`, else `open` on macOS, else `xdg-open`. */
export const openerCommand = (env: Env, platform: string = process.platform): string => env.BROWSER || (platform === 'darwin' ? 'open' : 'xdg-open')

/** Runs the opener with the link: argv only, detached, its output ignored. */
export function browserOpener(env: Env, platform: string = process.platform): (url: string) => Promise<void> {
  const command = openerCommand(env, platform)
  return (url) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, [url], { detached: true, stdio: 'ignore' })
      child.once('error', (error) => reject(new Error(`could not run ${command}: ${error.message}`)))
      child.once('spawn', () => {
        child.unref()
        resolve()
      })
    })
}

/**
 * `sm web [--open]`: a one-time login link to the web dashboard (the operator only; a session's
 * token gets 403). The code is in the link's fragment: it never reaches a server log.
 */
export async function web({ io, client }: ServerContext, argv: WebArgs): Promise<number> {
  const { url, expiresAt } = await client.webLogin()
  let opened: string | null = null
  if (argv.open) {
    try {
      await (io.openUrl ?? browserOpener(io.env))(url)
      opened = 'opened'
    } catch (error) {
      opened = (error as Error).message
    }
  }
  if (argv.json) {
    printJson(io.out, { url, expiresAt, ...(argv.open ? { opened: opened === 'opened' } : {}) })
    return 0
  }
  const minutes = Math.max(1, Math.round((Date.parse(expiresAt) - Date.now()) / 60_000))
  if (opened === 'opened') io.out.write(`Opened the dashboard in your browser (the link works once, within ${minutes} min):\n\n  ${url}\n`)
  else {
    if (opened !== null) io.err.write(`sm web: ${opened}; open the link yourself\n`)
    io.out.write(`Open this link in your browser within ${minutes} min (it works once):\n\n  ${url}\n`)
  }
  return 0
}
