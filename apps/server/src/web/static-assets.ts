import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { StaticAssets } from '@claude-sessions/api'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
}

/** The built page's directory: next to the bundle (`web/`), or `apps/web/dist` in a checkout; null when not built. */
export function findWebAssetsDir(explicit?: string): string | null {
  const here = fileURLToPath(new URL('.', import.meta.url))
  const candidates = explicit !== undefined ? [explicit] : [join(here, 'web'), resolve(here, '../../web/dist'), resolve(here, '../../../web/dist')]
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null
}

/** Every file under `dir`, read once at start (the page is a few files, well under a megabyte). */
export function loadStaticAssets(dir: string | null): StaticAssets {
  const assets = new Map<string, { body: Uint8Array; type: string }>()
  if (dir === null) return assets
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name)
      if (statSync(path).isDirectory()) walk(path)
      else assets.set(`/${relative(dir, path).split(sep).join('/')}`, { body: readFileSync(path), type: TYPES[extname(name)] ?? 'application/octet-stream' })
    }
  }
  walk(dir)
  return assets
}
