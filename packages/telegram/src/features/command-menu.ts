import type { Api } from 'grammy'
import type { BotCommand } from 'grammy/types'
import { describeError, type TelegramLogger } from '../transport/logger.js'

export interface CommandMenuDeps {
  api: Api
  commands: BotCommand[]
  /** Runs `work` after `ms`. */
  timer: (ms: number, work: () => void) => { cancel(): void }
  logger: TelegramLogger
  redact: (text: string) => string
  /** Waits before each retry after a failure; once they are used up, the menu is left as it is. */
  retryDelaysMs?: readonly number[]
}

const RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000]

type ApiSignal = Parameters<Api['setMyCommands']>[2]

/**
 * Sets the command menu Telegram clients show when a person types `/` (setMyCommands), once per
 * start, so it always matches this version's commands. A failure is logged and tried again a few
 * times; the bot works without the menu.
 */
export class CommandMenu {
  private readonly abort = new AbortController()
  private pending: { cancel(): void } | undefined
  private attempt = 0
  /** Whether the menu was set since start. */
  isSet = false

  constructor(private readonly deps: CommandMenuDeps) {}

  start(): void {
    void this.tryOnce()
  }

  stop(): void {
    this.pending?.cancel()
    this.abort.abort()
  }

  private async tryOnce(): Promise<void> {
    const { api, commands, timer, logger, redact } = this.deps
    try {
      await api.setMyCommands(commands, {}, this.abort.signal as unknown as ApiSignal)
      this.isSet = true
    } catch (err) {
      if (this.abort.signal.aborted) return
      const delays = this.deps.retryDelaysMs ?? RETRY_DELAYS_MS
      const delay = delays[this.attempt++]
      logger.warn(
        { error: describeError(err, redact), retryInMs: delay ?? null },
        delay === undefined ? 'telegram: could not set the command menu; giving up' : 'telegram: could not set the command menu; will try again',
      )
      if (delay !== undefined) this.pending = timer(delay, () => void this.tryOnce())
    }
  }
}
