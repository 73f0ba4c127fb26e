// Builds the page to dist/: index.html, assets/app.js, assets/app.css. Prints each file's size
// and gzip size, and fails when the page (without the terminal's xterm.js) passes its budget.
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const BUDGET_GZIP_BYTES = 150 * 1024
const out = new URL('./dist/', import.meta.url)
rmSync(out, { recursive: true, force: true })
mkdirSync(new URL('assets/', out), { recursive: true })

await build({
  entryPoints: [new URL('./src/main.tsx', import.meta.url).pathname],
  outfile: new URL('assets/app.js', out).pathname,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
})
copyFileSync(new URL('./src/app.css', import.meta.url), new URL('assets/app.css', out))
copyFileSync(new URL('./index.html', import.meta.url), new URL('index.html', out))

const page = ['index.html', 'assets/app.js', 'assets/app.css']
let total = 0
for (const file of page) {
  const body = readFileSync(new URL(file, out))
  const gz = gzipSync(body).length
  total += gz
  console.log(`${file.padEnd(18)} ${String(body.length).padStart(8)} B  ${String(gz).padStart(7)} B gzip`)
}
console.log(`page total (gzip)   ${total} B of ${BUDGET_GZIP_BYTES} B budget`)
writeFileSync(new URL('sizes.json', out), JSON.stringify({ pageGzipBytes: total, budgetGzipBytes: BUDGET_GZIP_BYTES }))
if (total > BUDGET_GZIP_BYTES) {
  console.error(`the page is ${total} B gzip, over its ${BUDGET_GZIP_BYTES} B budget`)
  process.exit(1)
}
