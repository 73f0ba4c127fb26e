// Payloads decoded statically: base64, hex, C escapes and printf, as a pipeline's commands would decode them.
import { flagSet, type ResolvedCommand } from './shell-commands.js'

export function decoderOf(r: ResolvedCommand): ((s: string) => string | null) | null {
  const f = flagSet(r.args)
  const a = r.args.map((w) => w.text)
  switch (r.name) {
    case 'base64':
      return f.short.has('d') || f.short.has('D') || f.long.has('--decode') ? decodeBase64 : null
    case 'basenc':
    case 'base32':
    case 'uudecode':
      return f.short.has('d') || f.long.has('--decode') || r.name === 'uudecode' ? () => null : null
    case 'openssl':
      return (a[0] === 'base64' || a[0] === 'enc') && a.includes('-d') ? (a[0] === 'base64' || a.includes('-a') || a.includes('-base64') ? decodeBase64 : () => null) : null
    case 'xxd':
      return f.short.has('r') ? (s) => decodeHex(s) : null
    case 'rev':
      return (s) => s.split('\n').map((l) => [...l].reverse().join('')).join('\n')
    case 'gunzip':
    case 'zcat':
    case 'bunzip2':
    case 'xzcat':
    case 'unxz':
    case 'zstdcat':
      return () => null
    case 'gzip':
    case 'bzip2':
    case 'xz':
    case 'zstd':
      return f.short.has('d') || f.long.has('--decompress') ? () => null : null
    case 'tr':
      return null
    default:
      return null
  }
}

export function decodeBase64(s: string): string | null {
  const clean = s.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length === 0) return null
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  let bits = 0
  let acc = 0
  const bytes: number[] = []
  for (const ch of clean.replace(/=+$/, '')) {
    const v = ch === '-' ? 62 : ch === '_' ? 63 : alphabet.indexOf(ch)
    acc = (acc << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes.push((acc >> bits) & 0xff)
    }
  }
  return utf8(bytes)
}

export function decodeHex(s: string): string | null {
  const clean = s.replace(/^[0-9a-f]+:\s/gim, '').replace(/\s+/g, '').replace(/\\x/g, '')
  if (!/^([0-9a-f]{2})+$/i.test(clean)) return null
  const bytes: number[] = []
  for (let i = 0; i < clean.length; i += 2) bytes.push(parseInt(clean.slice(i, i + 2), 16))
  return utf8(bytes)
}

export function utf8(bytes: number[]): string | null {
  let out = ''
  for (const b of bytes) {
    if (b === 0) return null
    out += String.fromCharCode(b)
  }
  return out
}

/** C escapes as understood by `echo -e`, `printf` and `$'…'`. */
export function unescapeC(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{1,2}|0?[0-7]{1,3}|u[0-9a-fA-F]{4}|[nrtabfve\\'"])/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16))
    if (e[0] === 'u') return String.fromCharCode(parseInt(e.slice(1), 16))
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8))
    return ({ n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b' } as Record<string, string>)[e] ?? e
  })
}

export function printfOut(a: string[]): string {
  const fmt = a[0] ?? ''
  const rest = a.slice(1)
  let k = 0
  const out = unescapeC(fmt).replace(/%[-0-9.]*([sbdc%])/g, (_m, c: string) => (c === '%' ? '%' : c === 'b' ? unescapeC(rest[k++] ?? '') : (rest[k++] ?? '')))
  // Remaining arguments reuse the format, as printf does.
  return k > 0 && k < rest.length ? out + printfOut([fmt, ...rest.slice(k)]) : out
}
