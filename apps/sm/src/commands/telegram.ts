import { CliError, type ServerContext } from '../context.js'
import { printJson } from '../format.js'

export interface TelegramArgs {
  action: 'pair' | 'status' | 'unpair'
  user?: string | undefined
  json?: boolean | undefined
}

/** `sm telegram pair|status|unpair <user>`: Telegram access and the bot's state (the operator only). */
export async function telegram(ctx: ServerContext, argv: TelegramArgs): Promise<number> {
  switch (argv.action) {
    case 'pair':
      return pair(ctx, argv)
    case 'status':
      return status(ctx, argv)
    case 'unpair':
      return unpair(ctx, argv)
  }
}

/** A one-time code; the person sends `/pair <code>` to the bot within its validity. */
async function pair({ io, client }: ServerContext, argv: TelegramArgs): Promise<number> {
  const { code, expiresAt } = await client.telegramPair()
  if (argv.json) {
    printJson(io.out, { code, expiresAt })
    return 0
  }
  const minutes = Math.max(1, Math.round((Date.parse(expiresAt) - Date.now()) / 60_000))
  io.out.write(`Send this to the bot in Telegram within ${minutes} min (it works once):\n\n  /pair ${code}\n`)
  return 0
}

const counts = (r: Record<string, number>): string =>
  Object.entries(r)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ') || 'none'

async function status({ io, client }: ServerContext, argv: TelegramArgs): Promise<number> {
  const s = await client.telegramStatus()
  if (argv.json) {
    printJson(io.out, s)
    return 0
  }
  const lines = [
    `chat: ${s.chatId}`,
    `allowed by the config: ${s.configuredUserIds.length === 0 ? 'nobody' : s.configuredUserIds.join(', ')}`,
    `paired: ${s.pairedUsers.length === 0 ? 'nobody' : ''}`,
    ...s.pairedUsers.map((u) => `  ${u.userId}${u.username ? ` @${u.username}` : ''} since ${u.addedAt}`),
    `topics: ${counts(s.topics)}`,
    `outbox: ${counts(s.outbox)}`,
    `approvals and questions waiting: ${s.approvalsWaiting}`,
    `polling restarts after a stall: ${s.stallRestarts}`,
  ]
  io.out.write(`${lines.join('\n').replace('paired: \n', 'paired:\n')}\n`)
  return 0
}

async function unpair({ io, client }: ServerContext, argv: TelegramArgs): Promise<number> {
  if (argv.user === undefined || argv.user === '') throw new CliError('give the Telegram user id to unpair: sm telegram unpair <user id> (sm telegram status lists them)')
  const r = await client.telegramUnpair(argv.user)
  if (argv.json) printJson(io.out, r)
  else io.out.write(`user ${r.userId} may no longer use the bot\n`)
  return 0
}
