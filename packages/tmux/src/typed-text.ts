/**
 * What typing may send. CR (alone or in CRLF) becomes LF: a CR is what Enter sends, and
 * typing must never submit. Other C0 controls and DEL are dropped (ESC would start a key
 * sequence, ^C would interrupt the program); tab and LF are kept.
 */
export function typableText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
}

/**
 * Splits `text` into pieces of at most `size` code points. It splits between code points,
 * so a surrogate pair (emoji) is never cut in half.
 */
export function chunkText(text: string, size: number): string[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`)
  const chunks: string[] = []
  let current = ''
  let count = 0
  for (const codePoint of text) {
    current += codePoint
    if (++count === size) {
      chunks.push(current)
      current = ''
      count = 0
    }
  }
  if (current !== '') chunks.push(current)
  return chunks
}
