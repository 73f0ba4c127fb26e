import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * Copies the WAL back into the database file on a worker thread, with its own connection, so
 * the event loop never stalls on a checkpoint (SQLite's automatic checkpoint runs inside the
 * commit that crosses the threshold: a multi-millisecond pause every few thousand events).
 * PASSIVE checkpoints never block the writer.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 1000')
const checkpoint = (mode) => { try { db.pragma('wal_checkpoint(' + mode + ')') } catch {} }
const timer = setInterval(() => checkpoint('PASSIVE'), workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

export interface Checkpointer {
  /** Stops the worker; resolves when it has closed its connection. */
  stop(): Promise<void>
}

/** Starts background checkpoints for the database at `path`. `onFailure` runs if the worker dies. */
export function startCheckpointer(path: string, intervalMs: number, onFailure: (err: Error) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, intervalMs, driver } })
  worker.unref()
  let stopping = false
  worker.on('error', (err) => {
    if (!stopping) onFailure(err)
  })
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  return {
    stop() {
      stopping = true
      // until it has exited: a stop awaited on the way out must not be cut short by an empty loop
      worker.ref()
      worker.postMessage('stop')
      return exited
    },
  }
}
