// Builds the page to dist/: index.html, assets/app.js, assets/app.css. Prints each file's size
// and gzip size, and fails when the page (without the terminal's xterm.js) passes its budget.
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const BUDGET_GZIP_BYTES = 150 * 1024
const out = new URL('./dist/', import.meta.url)
rmSync(out, { recursive: true, force: true })
mkdirSync(new URL('assets/', out), { recursive: true })

// the terminal (xterm.js) is a chunk of its own, loaded by the session page only
const result = await build({
  entryPoints: { app: new URL('./src/main.tsx', import.meta.url).pathname },
  outdir: new URL('assets/', out).pathname,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  splitting: true,
  metafile: true,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  // the API client from its sources (browser-safe by lint): the page builds without the API's dist
  alias: { '@claude-sessions/api/client': new URL('../../packages/api/src/client.ts', import.meta.url).pathname },
  legalComments: 'none',
  logLevel: 'warning',
})
copyFileSync(new URL('./src/app.css', import.meta.url), new URL('assets/app.css', out))
copyFileSync(new URL('./node_modules/@xterm/xterm/css/xterm.css', import.meta.url), new URL('assets/xterm.css', out))
copyFileSync(new URL('./index.html', import.meta.url), new URL('index.html', out))

const gzipOf = (file) => gzipSync(readFileSync(new URL(file, out))).length
const line = (file) => {
  const body = readFileSync(new URL(file, out))
  console.log(`${file.padEnd(28)} ${String(body.length).padStart(8)} B  ${String(gzipOf(file)).padStart(7)} B gzip`)
  return gzipOf(file)
}
// the page: what the wall needs (the entry, the chunks it imports statically, the HTML and CSS)
const outputs = result.metafile.outputs
const entry = Object.keys(outputs).find((f) => f.endsWith('/assets/app.js'))
const staticChunks = new Set()
const walk = (file) => {
  for (const imp of outputs[file].imports) if (imp.kind === 'import-statement' && !staticChunks.has(imp.path)) (staticChunks.add(imp.path), walk(imp.path))
}
walk(entry)
const rel = (f) => f.slice(f.indexOf('/dist/') + '/dist/'.length)
const pageFiles = ['index.html', 'assets/app.css', rel(entry), ...[...staticChunks].map(rel)]
let total = 0
for (const file of pageFiles) total += line(file)
console.log(`page without the terminal (gzip) ${total} B of ${BUDGET_GZIP_BYTES} B budget`)
let terminal = gzipOf('assets/xterm.css')
line('assets/xterm.css')
for (const f of Object.keys(outputs).map(rel)) if (f.endsWith('.js') && !pageFiles.includes(f)) terminal += line(f)
console.log(`the terminal, loaded with a session page (gzip) ${terminal} B`)
writeFileSync(new URL('sizes.json', out), JSON.stringify({ pageGzipBytes: total, terminalGzipBytes: terminal, budgetGzipBytes: BUDGET_GZIP_BYTES }))
if (total > BUDGET_GZIP_BYTES) {
  console.error(`the page is ${total} B gzip, over its ${BUDGET_GZIP_BYTES} B budget`)
  process.exit(1)
}
