// The baseline server: node:http on 127.0.0.1, reads the request body and replies `{}`.
// What the real server costs beyond this is the framework, the guards, the service and the store.
// Prints `listening on <url>` on stderr, like `sm server`; exits on SIGTERM/SIGINT.
import { createServer } from 'node:http'

const server = createServer((req, res) => {
  req.on('data', () => {})
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' })
    res.end('{}')
  })
})
server.keepAliveTimeout = 30_000
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`noop server: listening on http://127.0.0.1:${server.address().port}\n`)
})
const stop = () => {
  server.close(() => process.exit(0))
  server.closeAllConnections()
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
