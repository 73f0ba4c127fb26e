import { SessionsError } from '../errors.js'
import { SENDABLE_KEYS, type CreateTerminalOptions, type Multiplexer, type SendableKey } from '../ports/multiplexer.js'
import { checkTerminalName, checkTerminalOptions } from '../ports/terminal-rules.js'

interface FakeTerminal {
  options: CreateTerminalOptions
  width: number
  height: number
  /** What has been typed into the input box since the last Enter. */
  input: string
  /** Everything submitted with Enter. */
  submitted: string[]
  keys: SendableKey[]
  /** Every byte the program has read from the terminal (typed text and keys), as tmux would send them. */
  received: string
  /** The label the status bar shows (control characters shown as spaces). */
  label: string | null
  /** Overrides the drawn input box with this screen content (rows beyond the height scroll into history). */
  screen: string | null
}

export interface FakeMultiplexerOptions {
  /**
   * Which paths are directories a session may start in (core does no I/O). Default: absolute
   * paths, as `aSessionService` assumes.
   */
  isDirectory?: (path: string) => boolean
}

/** The bytes a key sends: Escape and Enter as a keyboard sends them, the rest literally. */
const KEY_BYTES: Partial<Record<SendableKey, string>> = { Escape: '\x1b', Enter: '\r' }

/** What typing may send: CR (alone or in CRLF) becomes LF; other C0 controls but tab and LF, and DEL, are dropped. */
// eslint-disable-next-line no-control-regex
const typable = (text: string): string => text.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')

/**
 * A multiplexer in memory, as strict as the tmux adapter about what it accepts. Each terminal
 * draws an idle Claude input box holding whatever was typed (or `screen`, when a test sets
 * one), `height` rows tall: content beyond that scrolls into history, which `capture` gives on
 * request. Calls `onSubmit` when Enter is pressed with text in the box.
 */
export class FakeMultiplexer implements Multiplexer {
  readonly terminals = new Map<string, FakeTerminal>()
  onSubmit: (name: string, text: string) => void = () => {}
  /** When true, Enter is ignored (as if Claude took the text as a paste). */
  swallowEnter = false
  private readonly isDirectory: (path: string) => boolean

  constructor(options: FakeMultiplexerOptions = {}) {
    this.isDirectory = options.isDirectory ?? ((path) => path.startsWith('/'))
  }

  async create(options: CreateTerminalOptions): Promise<void> {
    const { name, cwd, env, command } = options
    // the port's rules, as the tmux adapter applies them
    const { width, height } = checkTerminalOptions(options)
    if (cwd.includes('\0') || !this.isDirectory(cwd)) {
      throw new SessionsError('invalid_input', `working directory ${JSON.stringify(cwd)} is not a directory`)
    }
    if ([...Object.values(env), ...command].some((v) => v.includes('\0'))) {
      throw new SessionsError('invalid_input', 'a session name, directory, variable or argument contains NUL (\\0)')
    }
    if (this.terminals.has(name)) throw new SessionsError('multiplexer_failed', `duplicate session: ${name}`)
    this.terminals.set(name, { options, width, height, input: '', submitted: [], keys: [], received: '', label: null, screen: null })
  }
  async exists(name: string): Promise<boolean> {
    checkTerminalName(name)
    return this.terminals.has(name)
  }
  async list(): Promise<string[]> {
    return [...this.terminals.keys()]
  }
  async kill(name: string): Promise<void> {
    checkTerminalName(name)
    this.terminals.delete(name)
  }
  async capture(name: string, scrollback = 0): Promise<string> {
    checkTerminalName(name)
    if (!Number.isInteger(scrollback) || scrollback < 0) {
      throw new SessionsError('invalid_input', `scrollback must be a non-negative integer, got ${scrollback}`)
    }
    const t = this.must(name)
    const content = t.screen ?? `\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\n\u276f\u00a0${t.input}\n\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\n  ? for shortcuts\n`
    const rows = content.replace(/\n$/, '').split('\n')
    const historyLength = Math.max(0, rows.length - t.height)
    const visible = rows.slice(historyLength)
    while (visible.length < t.height) visible.push('')
    const history = rows.slice(historyLength - Math.min(scrollback, historyLength), historyLength)
    // like tmux: one line per row, trailing blank cells trimmed
    return [...history, ...visible].map((row) => `${row.replace(/ +$/, '')}\n`).join('')
  }
  async typeText(name: string, text: string): Promise<void> {
    checkTerminalName(name)
    const typed = typable(text)
    if (typed === '') return
    const t = this.must(name)
    t.input += typed
    t.received += typed
  }
  async sendKey(name: string, key: SendableKey): Promise<void> {
    checkTerminalName(name)
    if (!(SENDABLE_KEYS as readonly string[]).includes(key)) {
      throw new SessionsError('invalid_input', `key ${JSON.stringify(key)} can't be sent; use one of ${SENDABLE_KEYS.join(', ')}`)
    }
    const t = this.must(name)
    t.keys.push(key)
    t.received += KEY_BYTES[key] ?? key
    if (key === 'Enter' && !this.swallowEnter && t.input !== '') {
      const text = t.input
      t.input = ''
      t.submitted.push(text)
      this.onSubmit(name, text)
    }
  }
  async environment(name: string): Promise<Record<string, string>> {
    checkTerminalName(name)
    return { ...this.must(name).options.env }
  }
  async setLabel(name: string, label: string): Promise<void> {
    checkTerminalName(name)
    // eslint-disable-next-line no-control-regex
    this.must(name).label = label.replace(/[\x00-\x1f\x7f]/g, ' ')
  }
  private must(name: string): FakeTerminal {
    const t = this.terminals.get(name)
    if (!t) throw new SessionsError('multiplexer_failed', `can't find session: ${name}`)
    return t
  }
}

