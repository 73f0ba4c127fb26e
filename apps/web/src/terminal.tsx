import type { TerminalClientMessage, TerminalServerMessage } from '@claude-sessions/api/client'
import { FitAddon } from '@xterm/addon-fit'
import { Terminal } from '@xterm/xterm'
import { useEffect, useRef, useState } from 'preact/hooks'
import { KEY_ROW } from './terminal-keys.js'

type Link = 'connecting' | 'open' | 'closed'

/**
 * The session's real terminal (xterm.js over the dashboard's WebSocket bridge). Read-only by
 * default, drawn at the terminal's own size; "Take control" types and sizes it to this page.
 * A reload or a dropped network just attaches again: the agent is never touched.
 */
export function TerminalPanel({ sessionId }: { sessionId: string }) {
  const host = useRef<HTMLDivElement>(null)
  const socket = useRef<WebSocket | null>(null)
  const fit = useRef<FitAddon | null>(null)
  const [link, setLink] = useState<Link>('connecting')
  const [control, setControl] = useState(false)
  const [elsewhere, setElsewhere] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const send = (message: TerminalClientMessage): void => {
    if (socket.current?.readyState === WebSocket.OPEN) socket.current.send(JSON.stringify(message))
  }

  useEffect(() => {
    const term = new Terminal({ convertEol: false, cursorBlink: false, disableStdin: true, fontSize: 13, scrollback: 1000, screenReaderMode: false })
    const fitAddon = new FitAddon()
    term.loadAddon(fitAddon)
    fit.current = fitAddon
    term.open(host.current!)
    // the terminal object on its element: tests and benchmarks read its buffer (the screen reader's text is the DOM)
    Object.assign(host.current!, { xterm: term })
    let controlNow = false
    let retry: ReturnType<typeof setTimeout> | undefined
    let stopped = false
    const connect = (): void => {
      setLink('connecting')
      const ws = new WebSocket(`${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api/web/terminal/${encodeURIComponent(sessionId)}`)
      ws.binaryType = 'arraybuffer'
      socket.current = ws
      ws.onopen = () => setLink('open')
      ws.onmessage = (e: MessageEvent<ArrayBuffer | string>) => {
        if (typeof e.data !== 'string') {
          term.write(new Uint8Array(e.data))
          return
        }
        const message = JSON.parse(e.data) as TerminalServerMessage
        if (message.type === 'hello') {
          term.reset()
          term.resize(message.cols, message.rows)
          controlNow = message.control
          term.options.disableStdin = !message.control
          setControl(message.control)
          setElsewhere(message.controlledElsewhere)
          setError(null)
        } else if (message.type === 'control') {
          setElsewhere(message.controlledElsewhere)
        } else setError(message.message)
      }
      ws.onclose = () => {
        setLink('closed')
        controlNow = false
        setControl(false)
        if (!stopped) retry = setTimeout(connect, 1_000)
      }
    }
    connect()
    const typed = term.onData((data) => {
      if (controlNow) send({ type: 'input', data })
    })
    const onResize = (): void => {
      const size = fitAddon.proposeDimensions()
      if (size !== undefined && controlNow) {
        fitAddon.fit()
        send({ type: 'resize', cols: size.cols, rows: size.rows })
      }
    }
    window.addEventListener('resize', onResize)
    return () => {
      stopped = true
      clearTimeout(retry)
      window.removeEventListener('resize', onResize)
      typed.dispose()
      socket.current?.close()
      term.dispose()
    }
  }, [sessionId])

  const take = (): void => {
    const size = fit.current?.proposeDimensions()
    const cols = Math.max(20, Math.min(500, size?.cols ?? 80))
    const rows = Math.max(5, Math.min(200, size?.rows ?? 24))
    send({ type: 'take', cols, rows })
  }

  return (
    <section aria-label="Terminal" class="terminal-panel">
      <div class="terminal-bar">
        <span role="status" class="terminal-status">
          {link === 'open' ? (control ? 'You have control' : elsewhere ? 'Read-only: another page has control' : 'Read-only') : link === 'connecting' ? 'Attaching…' : 'Terminal connection lost — reattaching'}
        </span>
        {control ? (
          <button type="button" onClick={() => send({ type: 'release' })}>
            Release control
          </button>
        ) : (
          <button type="button" onClick={take} disabled={link !== 'open' || elsewhere}>
            Take control
          </button>
        )}
      </div>
      {error !== null ? (
        <p role="alert" class="error">
          {error}
        </p>
      ) : null}
      <div class="terminal-host" ref={host} />
      {control ? (
        <div class="key-row" role="toolbar" aria-label="Keys">
          {KEY_ROW.map((k) => (
            <button type="button" key={k.name} aria-label={k.name} onClick={() => send({ type: 'input', data: k.data })}>
              {k.label}
            </button>
          ))}
        </div>
      ) : null}
    </section>
  )
}
