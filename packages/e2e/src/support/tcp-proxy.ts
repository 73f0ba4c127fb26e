/**
 * A TCP proxy on 127.0.0.1 in front of a local port, whose "network" a test can cut (every
 * connection dropped, new ones refused) and restore: a dropped network without touching the
 * server or the browser.
 */
import { createServer, connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export interface TcpProxy {
  port: number
  /** Drops every connection and refuses new ones until `restore`. */
  cut(): void
  restore(): void
  close(): Promise<void>
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let down = false
  const server = createServer((client) => {
    if (down) return client.destroy()
    const upstream = connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => undefined)
    }
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true
      for (const s of sockets) s.destroy()
    },
    restore() {
      down = false
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
