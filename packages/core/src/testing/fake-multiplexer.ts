import { SessionsError } from '../errors.js'
import type { CreateTerminalOptions, Multiplexer, SendableKey } from '../ports/multiplexer.js'

interface FakeTerminal {
  options: CreateTerminalOptions
  /** What has been typed into the input box since the last Enter. */
  input: string
  /** Everything submitted with Enter. */
  submitted: string[]
  keys: SendableKey[]
  label: string | null
  screen: string | null
}

/**
 * A multiplexer in memory. It draws an idle Claude input box holding whatever was typed,
 * and calls `onSubmit` when Enter is pressed with text in the box.
 */
export class FakeMultiplexer implements Multiplexer {
  readonly terminals = new Map<string, FakeTerminal>()
  onSubmit: (name: string, text: string) => void = () => {}
  /** When true, Enter is ignored (as if Claude took the text as a paste). */
  swallowEnter = false

  async create(options: CreateTerminalOptions): Promise<void> {
    if (this.terminals.has(options.name)) throw new SessionsError('multiplexer_failed', `duplicate session: ${options.name}`)
    this.terminals.set(options.name, { options, input: '', submitted: [], keys: [], label: null, screen: null })
  }
  async exists(name: string): Promise<boolean> {
    return this.terminals.has(name)
  }
  async list(): Promise<string[]> {
    return [...this.terminals.keys()]
  }
  async kill(name: string): Promise<void> {
    this.terminals.delete(name)
  }
  async capture(name: string): Promise<string> {
    const t = this.must(name)
    return t.screen ?? `\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\n\u276f\u00a0${t.input}\n\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\n  ? for shortcuts\n`
  }
  async typeText(name: string, text: string): Promise<void> {
    this.must(name).input += text
  }
  async sendKey(name: string, key: SendableKey): Promise<void> {
    const t = this.must(name)
    t.keys.push(key)
    if (key === 'Enter' && !this.swallowEnter && t.input !== '') {
      const text = t.input
      t.input = ''
      t.submitted.push(text)
      this.onSubmit(name, text)
    }
  }
  async setLabel(name: string, label: string): Promise<void> {
    this.must(name).label = label
  }
  private must(name: string): FakeTerminal {
    const t = this.terminals.get(name)
    if (!t) throw new SessionsError('multiplexer_failed', `can't find session: ${name}`)
    return t
  }
}
