import { existsSync } from 'node:fs'
import { basename, dirname, isAbsolute, join } from 'node:path'

const CACHE_MAX = 1000

/**
 * The project of a working directory: the name of its git root (the nearest directory up from it
 * holding `.git`), else its last component. Cached per directory: it is asked on every tool hook.
 */
export function projectResolver(exists: (path: string) => boolean = existsSync): (cwd: string | null) => string | null {
  const cache = new Map<string, string | null>()
  const find = (cwd: string): string | null => {
    if (!isAbsolute(cwd)) return null
    for (let dir = cwd; ; dir = dirname(dir)) {
      if (exists(join(dir, '.git'))) return basename(dir) || null
      if (dirname(dir) === dir) break
    }
    return basename(cwd) || null
  }
  return (cwd) => {
    if (cwd === null || cwd === '') return null
    const known = cache.get(cwd)
    if (known !== undefined) return known
    const project = find(cwd)
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!)
    cache.set(cwd, project)
    return project
  }
}
