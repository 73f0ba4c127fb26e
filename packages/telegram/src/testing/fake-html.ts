const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'span', 'tg-spoiler', 'blockquote', 'tg-emoji'])
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' }

/**
 * Telegram's HTML parse mode, strictly enough for tests: the supported tags only, properly
 * nested, and `&` only as an entity. Gives the text as shown, or the error Telegram would give.
 */
export function checkHtml(html: string): { text: string } | { error: string } {
  const open: string[] = []
  let out = ''
  for (let i = 0; i < html.length; ) {
    const ch = html[i]!
    if (ch === '<') {
      const m = /^<(\/?)([a-zA-Z][\w-]*)((?:\s+[^>]*)?)>/.exec(html.slice(i))
      if (!m) return { error: `Unsupported start tag at byte offset ${byteOffset(html, i)}` }
      const [whole, closing, rawName] = m as unknown as [string, string, string]
      const name = rawName.toLowerCase()
      if (!TAGS.has(name)) return { error: `Unsupported start tag "${name}" at byte offset ${byteOffset(html, i)}` }
      if (closing) {
        if (open.pop() !== name) return { error: `Unmatched end tag at byte offset ${byteOffset(html, i)}, expected "</${open.at(-1) ?? ''}>", found "</${name}>"` }
      } else {
        open.push(name)
      }
      i += whole.length
      continue
    }
    if (ch === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(html.slice(i))
      if (!m) return { error: `Character '&' is reserved and must be escaped at byte offset ${byteOffset(html, i)}` }
      const name = m[1]!
      out += NAMED[name] ?? String.fromCodePoint(name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10))
      i += m[0].length
      continue
    }
    out += ch
    i++
  }
  if (open.length > 0) return { error: `Can't find end tag corresponding to start tag "${open.at(-1)}"` }
  return { text: out }
}

const byteOffset = (s: string, i: number): number => Buffer.byteLength(s.slice(0, i), 'utf8')
