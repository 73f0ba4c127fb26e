/** `sm telegram pair|status|unpair` in-process, against a TelegramAdmin stand-in (the bot itself: packages/telegram). */
import type { TelegramAdmin } from '@claude-sessions/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inProcessServer, type InProcessServer } from './testing/in-process.js'

/** The bot's admin side as the API sees it: a pairing code, the status, paired users. */
class FakeTelegram implements TelegramAdmin {
  paired = [
    { userId: 111, username: 'alice', addedAt: Date.parse('2026-01-02T03:04:05Z') },
    { userId: 222, username: null, addedAt: Date.parse('2026-02-03T04:05:06Z') },
  ]
  issuePairingCode() {
    return { code: 'ABCD-1234', expiresAt: Date.now() + 10 * 60_000 }
  }
  status() {
    return {
      chatId: -100123,
      configuredUserIds: [999],
      pairedUsers: this.paired,
      outbox: { pending: 2, failed: 1, sending: undefined },
      topics: { open: 3 },
      approvalsWaiting: 1,
      stallRestarts: 0,
    }
  }
  unpair(userId: number): boolean {
    const before = this.paired.length
    this.paired = this.paired.filter((u) => u.userId !== userId)
    return this.paired.length < before
  }
}

describe('sm telegram', () => {
  let server: InProcessServer
  beforeAll(() => {
    server = inProcessServer({ telegram: new FakeTelegram() })
  })
  afterAll(() => server?.stop())

  it('pair prints a one-time code to send the bot; --json the code and its expiry', async () => {
    const r = await server.sm(['telegram', 'pair'])
    expect(r).toMatchObject({ status: 0, stderr: '' })
    expect(r.stdout).toBe('Send this to the bot in Telegram within 10 min (it works once):\n\n  /pair ABCD-1234\n')
    const json = JSON.parse((await server.sm(['telegram', 'pair', '--json'])).stdout) as { code: string; expiresAt: string }
    expect(Object.keys(json)).toEqual(['code', 'expiresAt'])
    expect(json.code).toBe('ABCD-1234')
    expect(Date.parse(json.expiresAt)).toBeGreaterThan(Date.now())
  })

  it('status: chat, who may use the bot, topics, outbox, approvals waiting', async () => {
    const r = await server.sm(['telegram', 'status'])
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(
      [
        'chat: -100123',
        'allowed by the config: 999',
        'paired:',
        '  111 @alice since 2026-01-02T03:04:05.000Z',
        '  222 since 2026-02-03T04:05:06.000Z',
        'topics: 3 open',
        'outbox: 2 pending, 1 failed',
        'approvals and questions waiting: 1',
        'polling restarts after a stall: 0',
        '',
      ].join('\n'),
    )
    expect(JSON.parse((await server.sm(['telegram', 'status', '--json'])).stdout)).toMatchObject({ chatId: -100123, outbox: { pending: 2, failed: 1 } })
  })

  it('unpair revokes a paired user; an unknown one, a configured one and no id are exit 1, one line', async () => {
    expect(await server.sm(['telegram', 'unpair', '222'])).toMatchObject({ status: 0, stdout: 'user 222 may no longer use the bot\n' })
    expect(JSON.parse((await server.sm(['telegram', 'unpair', '111', '--json'])).stdout)).toEqual({ userId: 111, removed: true })
    expect((await server.sm(['telegram', 'status'])).stdout).toContain('paired: nobody\n')
    for (const [args, message] of [
      [['telegram', 'unpair', '333'], /user 333 is not paired/],
      [['telegram', 'unpair', '999'], /allowed by the config/],
      [['telegram', 'unpair', 'abc'], /not a Telegram user id: 'abc'/],
      [['telegram', 'unpair'], /give the Telegram user id to unpair/],
      [['telegram', 'frob'], /Invalid values/],
    ] as const) {
      const r = await server.sm([...args])
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  })

  it('only the operator: a session is refused; a server without Telegram says so (exit 2)', async () => {
    const { id } = JSON.parse((await server.sm(['new', server.dataDir, '--json', '--no-attach'])).stdout) as { id: string }
    const inside = await server.sm(['telegram', 'status'], { env: server.inside(id) })
    expect(inside.status).toBe(1)
    expect(inside.stderr).toContain('only the operator may manage Telegram access')
    const bare = inProcessServer()
    try {
      const r = await bare.sm(['telegram', 'pair'])
      // exit 2, as for a server that can't be reached: exitCodeFor maps every `unavailable` to 2
      // (only `sm what` tells the server's own 503 from no server)
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/^sm: Telegram is not configured on this server/)
    } finally {
      bare.stop()
    }
  })
})
