import { afterEach, describe, expect, it } from 'vitest'
import { SessionsError, type ErrorCode } from '../errors.js'
import { SENDABLE_KEYS, type CreateTerminalOptions, type Multiplexer } from '../ports/multiplexer.js'

// core is built without platform types; tests run where timers exist
declare function setTimeout(callback: () => void, ms: number): unknown

/** A multiplexer under test, with what the contract needs to start programs in it and watch them. */
export interface MultiplexerUnderTest {
  mux: Multiplexer
  /** A directory sessions may start in. */
  dir: string
  /** A path that exists and is not a directory. */
  file: string
  /**
   * argv of a program for session `name` that reads its terminal raw, records every byte it
   * reads, and echoes printable text to its screen (CR and LF as new lines). A fake may ignore it.
   */
  program(name: string): string[]
  /** Resolves once `name`'s program is reading its terminal. */
  started(name: string): Promise<void>
  /** Every byte `name`'s program has read so far, as text. */
  received(name: string): Promise<string>
  /** The label `name`'s status bar shows, or null when it has none. */
  label(name: string): Promise<string | null>
  close?(): Promise<void> | void
}

/** Names tmux rewrites ('.' and ':' to '_', the rest vis-encoded), so they could never be targeted exactly. */
const BAD_NAMES = ['', 'a.b', 'a:b', 'a$b', 'a\\b', 'a\nb', 'a\tb', 'a\u0000b', 'a\u007fb', 'a\u0085b', 'a\u2028b', 'a\u2029b']
/** Names tmux keeps as they are. */
const ODD_NAMES = ['a b', '#x', '-x', '=x', 'a;', '~', '"', "'", 'é中😀', 'n'.repeat(200)]
const BAD_ENV_NAMES = ['', '1A', 'A=B', 'A B', 'A-B', 'é', 'A\u0000']
const BAD_SIZES: Array<Pick<CreateTerminalOptions, 'width' | 'height'>> = [
  { width: 0 },
  { height: 0 },
  { width: -1 },
  { height: -80 },
  { width: 1.5 },
  { height: Number.NaN },
  { width: Number.POSITIVE_INFINITY },
  { width: 10_001 },
  { height: 10_001 },
]

/** The rejection of `promise`: a SessionsError with `code`. */
async function expectCode(promise: Promise<unknown>, code: ErrorCode, what = ''): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(SessionsError.is(error, code), `${what} expected ${code}, got ${error instanceof Error ? `${error.name} ${(error as SessionsError).code}: ${error.message}` : String(error)}`).toBe(true)
}

/** Reads until `accept` holds (a real terminal takes a moment), then returns the last value read. */
async function settled<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (accept(value) || Date.now() > deadline) return value
    await new Promise<void>((resolve) => setTimeout(() => resolve(), 20))
  }
}

const rows = (screen: string): string[] => screen.replace(/\n$/, '').split('\n')

/**
 * What every Multiplexer does, as the tmux adapter does it: one terminal per name; names,
 * directories, environment names and sizes tmux can't honour exactly are refused before anything
 * starts (`invalid_name`, `invalid_input`); a duplicate or a missing session is
 * `multiplexer_failed`; typing is literal and never presses Enter; capture gives the screen's
 * rows plus as many history rows as asked for.
 */
export function multiplexerContract(label: string, make: () => MultiplexerUnderTest | Promise<MultiplexerUnderTest>): void {
  describe(`${label} (multiplexer contract)`, () => {
    const made: MultiplexerUnderTest[] = []
    afterEach(async () => {
      for (const t of made.splice(0)) await t.close?.()
    })
    const setUp = async (): Promise<MultiplexerUnderTest> => {
      const t = await make()
      made.push(t)
      return t
    }
    const options = (t: MultiplexerUnderTest, name: string, overrides: Partial<CreateTerminalOptions> = {}): CreateTerminalOptions => ({
      name,
      cwd: t.dir,
      env: {},
      unsetEnv: [],
      command: t.program(name),
      ...overrides,
    })
    /** Creates `name` running the harness program, and waits until it reads its terminal. */
    const start = async (t: MultiplexerUnderTest, name: string, overrides: Partial<CreateTerminalOptions> = {}): Promise<void> => {
      await t.mux.create(options(t, name, overrides))
      await t.started(name)
    }

    describe('lifecycle', () => {
      it('starts empty: lists nothing, nothing exists, killing an unknown name is a no-op', async () => {
        const { mux } = await setUp()
        expect(await mux.list()).toEqual([])
        expect(await mux.exists('nothing')).toBe(false)
        await expect(mux.kill('nothing')).resolves.toBeUndefined()
      })

      it('creates a terminal that exists and is listed; kill removes it, and killing it again is fine', async () => {
        const t = await setUp()
        await start(t, 'life')
        expect(await t.mux.exists('life')).toBe(true)
        expect(await t.mux.list()).toEqual(['life'])
        await t.mux.kill('life')
        expect(await t.mux.exists('life')).toBe(false)
        expect(await t.mux.list()).toEqual([])
        await expect(t.mux.kill('life')).resolves.toBeUndefined()
      })

      it('holds several terminals and kills only the one named', async () => {
        const t = await setUp()
        await start(t, 'one')
        await start(t, 'two')
        expect((await t.mux.list()).sort()).toEqual(['one', 'two'])
        await t.mux.kill('one')
        expect(await t.mux.list()).toEqual(['two'])
        expect(await t.mux.exists('two')).toBe(true)
      })

      it('uses exact names: a prefix of a name is another, missing terminal', async () => {
        const t = await setUp()
        await start(t, 'claude-a1b2c3d4')
        expect(await t.mux.exists('claude-a1')).toBe(false)
        await t.mux.kill('claude-a1')
        expect(await t.mux.exists('claude-a1b2c3d4')).toBe(true)
        await expectCode(t.mux.capture('claude-a1'), 'multiplexer_failed')
        await expectCode(t.mux.typeText('claude-a1', 'x'), 'multiplexer_failed')
        expect(await t.received('claude-a1b2c3d4')).toBe('')
      })

      it('refuses a duplicate name with multiplexer_failed and keeps the first terminal', async () => {
        const t = await setUp()
        await start(t, 'dup')
        await expectCode(t.mux.create(options(t, 'dup')), 'multiplexer_failed')
        expect(await t.mux.list()).toEqual(['dup'])
        await t.mux.typeText('dup', 'still here')
        expect(await settled(() => t.received('dup'), (r) => r === 'still here')).toBe('still here')
      })

      it('takes names tmux keeps as they are, and finds each exactly', async () => {
        const t = await setUp()
        for (const name of ODD_NAMES) await t.mux.create(options(t, name))
        for (const name of ODD_NAMES) expect(await t.mux.exists(name), JSON.stringify(name)).toBe(true)
        expect((await t.mux.list()).sort()).toEqual([...ODD_NAMES].sort())
        for (const name of ODD_NAMES) await t.mux.kill(name)
        expect(await t.mux.list()).toEqual([])
      })
    })

    describe('what create refuses, before anything starts', () => {
      it('names tmux would rewrite: invalid_name, from every method', async () => {
        const t = await setUp()
        for (const name of BAD_NAMES) {
          const what = JSON.stringify(name)
          await expectCode(t.mux.create(options(t, name)), 'invalid_name', what)
          await expectCode(t.mux.exists(name), 'invalid_name', what)
          await expectCode(t.mux.kill(name), 'invalid_name', what)
          await expectCode(t.mux.capture(name), 'invalid_name', what)
          await expectCode(t.mux.typeText(name, 'x'), 'invalid_name', what)
          await expectCode(t.mux.sendKey(name, 'Enter'), 'invalid_name', what)
          await expectCode(t.mux.setLabel(name, 'x'), 'invalid_name', what)
        }
        expect(await t.mux.list()).toEqual([])
      })

      it('a working directory that is missing or not a directory: invalid_input', async () => {
        const t = await setUp()
        await expectCode(t.mux.create(options(t, 'missing-dir', { cwd: `${t.dir}/no-such-dir` })), 'invalid_input')
        await expectCode(t.mux.create(options(t, 'file-dir', { cwd: t.file })), 'invalid_input')
        await expectCode(t.mux.create(options(t, 'empty-dir', { cwd: '' })), 'invalid_input')
        expect(await t.mux.list()).toEqual([])
      })

      it('environment names a program could not be given or have removed: invalid_input', async () => {
        const t = await setUp()
        for (const key of BAD_ENV_NAMES) {
          await expectCode(t.mux.create(options(t, 'bad-env', { env: { [key]: 'x' } })), 'invalid_input', `env ${JSON.stringify(key)}`)
          await expectCode(t.mux.create(options(t, 'bad-unset', { unsetEnv: [key] })), 'invalid_input', `unsetEnv ${JSON.stringify(key)}`)
        }
        expect(await t.mux.list()).toEqual([])
      })

      it('sizes that are not whole numbers from 1 to 10000: invalid_input', async () => {
        const t = await setUp()
        for (const size of BAD_SIZES) await expectCode(t.mux.create(options(t, 'bad-size', size)), 'invalid_input', JSON.stringify(size))
        expect(await t.mux.list()).toEqual([])
      })

      it('accepts the smallest and largest sizes', async () => {
        const t = await setUp()
        await t.mux.create(options(t, 'tiny', { width: 1, height: 1 }))
        await t.mux.create(options(t, 'wide', { width: 10_000, height: 2 }))
        await t.mux.create(options(t, 'tall', { width: 2, height: 10_000 }))
        expect((await t.mux.list()).sort()).toEqual(['tall', 'tiny', 'wide'])
        expect(rows(await settled(() => t.mux.capture('tiny'), (s) => rows(s).length === 1))).toHaveLength(1)
      })

      it('an empty command, or NUL in the directory, a variable or an argument: invalid_input', async () => {
        const t = await setUp()
        await expectCode(t.mux.create(options(t, 'no-cmd', { command: [] })), 'invalid_input')
        await expectCode(t.mux.create(options(t, 'nul-cwd', { cwd: `${t.dir}\u0000` })), 'invalid_input')
        await expectCode(t.mux.create(options(t, 'nul-env', { env: { A: 'x\u0000y' } })), 'invalid_input')
        await expectCode(t.mux.create(options(t, 'nul-arg', { command: [...t.program('nul-arg'), 'a\u0000b'] })), 'invalid_input')
        expect(await t.mux.list()).toEqual([])
      })

      it('checks the name first, and the duplicate last', async () => {
        const t = await setUp()
        await start(t, 'taken')
        await expectCode(t.mux.create(options(t, 'a.b', { cwd: t.file, command: [] })), 'invalid_name')
        await expectCode(t.mux.create(options(t, 'taken', { cwd: t.file })), 'invalid_input')
        await expectCode(t.mux.create(options(t, 'taken', { width: 0 })), 'invalid_input')
        await expectCode(t.mux.create(options(t, 'taken')), 'multiplexer_failed')
      })
    })

    describe('typing and keys', () => {
      it('types text literally, newlines as LF, and never presses Enter', async () => {
        const t = await setUp()
        await start(t, 'typed')
        const text = `echo $(rm -rf ~); \`id\` 'q' "d" \\ #{pane_id} ;\n\tsecond line é中😀;`
        await t.mux.typeText('typed', text)
        expect(await settled(() => t.received('typed'), (r) => r === text)).toBe(text)
      })

      it('turns CR into LF and drops control characters, so typing never submits or interrupts', async () => {
        const t = await setUp()
        await start(t, 'controls')
        await t.mux.typeText('controls', 'a\r\nb\rc\u0003d\u001be\u007f\u0000f')
        expect(await settled(() => t.received('controls'), (r) => r === 'a\nb\ncdef')).toBe('a\nb\ncdef')
        expect(await t.mux.exists('controls')).toBe(true)
      })

      it('typing nothing (or only control characters) does nothing, even for a missing terminal', async () => {
        const t = await setUp()
        await start(t, 'quiet')
        await t.mux.typeText('quiet', '')
        await t.mux.typeText('quiet', '\u0003\u001b')
        await expect(t.mux.typeText('nothing', '')).resolves.toBeUndefined()
        await t.mux.typeText('quiet', 'end')
        expect(await settled(() => t.received('quiet'), (r) => r === 'end')).toBe('end')
      })

      it('sends each key as the bytes a keyboard sends: Escape as ESC, Enter as CR, the rest as themselves', async () => {
        const t = await setUp()
        await start(t, 'keys')
        for (const key of SENDABLE_KEYS) await t.mux.sendKey('keys', key)
        const expected = SENDABLE_KEYS.map((k) => (k === 'Escape' ? '\u001b' : k === 'Enter' ? '\r' : k)).join('')
        expect(await settled(() => t.received('keys'), (r) => r === expected)).toBe(expected)
      })

      it('refuses a key it may not send with invalid_input, sending nothing', async () => {
        const t = await setUp()
        await start(t, 'no-tab')
        for (const key of ['Tab', 'C-c', 'Y', '', 'Enter Enter']) await expectCode(t.mux.sendKey('no-tab', key as never), 'invalid_input', JSON.stringify(key))
        await expectCode(t.mux.sendKey('nothing', 'Tab' as never), 'invalid_input')
        await t.mux.sendKey('no-tab', 'y')
        expect(await settled(() => t.received('no-tab'), (r) => r === 'y')).toBe('y')
      })

      it('typing into, sending keys to or labelling a missing terminal: multiplexer_failed', async () => {
        const t = await setUp()
        await start(t, 'other') // a server is running
        await expectCode(t.mux.typeText('nothing', 'hi'), 'multiplexer_failed')
        await expectCode(t.mux.sendKey('nothing', 'Enter'), 'multiplexer_failed')
        await expectCode(t.mux.setLabel('nothing', 'x'), 'multiplexer_failed')
        await expectCode(t.mux.capture('nothing'), 'multiplexer_failed')
      })
    })

    describe('capture', () => {
      it("gives the screen's rows as plain text, one line per row, with what was typed on it", async () => {
        const t = await setUp()
        await start(t, 'screen', { width: 60, height: 12 })
        await t.mux.typeText('screen', 'hello wörld 中文')
        const screen = await settled(() => t.mux.capture('screen'), (s) => s.includes('hello wörld 中文'))
        expect(screen).toContain('hello wörld 中文')
        expect(screen.endsWith('\n')).toBe(true)
        expect(rows(screen)).toHaveLength(12)
        expect(screen).not.toContain('\u001b')
        expect(rows(screen).every((row) => !row.endsWith(' '))).toBe(true)
      })

      it('adds no rows when there is no history, however many are asked for', async () => {
        const t = await setUp()
        await start(t, 'fresh', { width: 40, height: 8 })
        const screen = await t.mux.capture('fresh')
        expect(rows(screen)).toHaveLength(8)
        expect(await t.mux.capture('fresh', 0)).toBe(screen)
        expect(await t.mux.capture('fresh', 100)).toBe(screen)
      })

      it('adds exactly the history rows asked for, oldest first, above the screen', async () => {
        const t = await setUp()
        await start(t, 'scroll', { width: 40, height: 10 })
        const lines = Array.from({ length: 30 }, (_, i) => `row ${String(i + 1).padStart(2, '0')}`)
        await t.mux.typeText('scroll', lines.join('\n'))
        const screen = await settled(() => t.mux.capture('scroll'), (s) => s.includes('row 30'))
        expect(screen).toContain('row 30')
        expect(screen).not.toContain('row 01')
        expect(rows(screen)).toHaveLength(10)

        const some = await t.mux.capture('scroll', 5)
        expect(rows(some)).toHaveLength(15)
        expect(rows(some).slice(5)).toEqual(rows(screen))
        const all = await t.mux.capture('scroll', 1000)
        expect(rows(all).slice(-10)).toEqual(rows(screen))
        const found = lines.map((line) => rows(all).findIndex((row) => row.includes(line)))
        expect(found.every((i) => i >= 0)).toBe(true)
        expect(found).toEqual([...found].sort((a, b) => a - b))
      })

      it('refuses a scrollback that is not a whole number of rows with invalid_input', async () => {
        const t = await setUp()
        await start(t, 'bad-scroll')
        for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) await expectCode(t.mux.capture('bad-scroll', n), 'invalid_input', String(n))
        await expectCode(t.mux.capture('nothing', -1), 'invalid_input')
      })
    })

    describe('environment', () => {
      it('gives back the variables a terminal was created with (a token survives for adoption); a missing terminal: multiplexer_failed', async () => {
        const t = await setUp()
        await start(t, 'envy', { env: { CLAUDE_SESSION_MANAGER_TOKEN: 'tok-=+/x', OTHER: 'a b' } })
        const env = await t.mux.environment!('envy')
        expect(env).toMatchObject({ CLAUDE_SESSION_MANAGER_TOKEN: 'tok-=+/x', OTHER: 'a b' })
        await expectCode(t.mux.environment!('missing'), 'multiplexer_failed')
      })
    })

    describe('labels', () => {
      it("shows the label in the terminal's status bar, control characters as spaces, # as itself", async () => {
        const t = await setUp()
        await start(t, 'lab')
        await start(t, 'other')
        await t.mux.setLabel('lab', 'fix-login a1b2')
        expect(await t.label('lab')).toBe('fix-login a1b2')
        await t.mux.setLabel('lab', '#{session_name} #(echo hacked)\nnext\tcol 100%;')
        expect(await t.label('lab')).toBe('#{session_name} #(echo hacked) next col 100%;')
        expect(await t.label('other')).toBeNull()
      })
    })
  })
}
