/**
 * How deeply a request body may nest objects and arrays. Claude Code's hook payloads nest 4
 * deep; a tool's input or response (an MCP tool's JSON) may nest more, so the bound is generous,
 * yet far below where recursive code (JSON.stringify, the validators) runs out of stack.
 */
export const MAX_JSON_DEPTH = 128

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * The deepest nesting of `{`/`[` in JSON text, counting only brackets outside strings; stops
 * counting once past `limit`. One loop, no recursion: safe for any input, valid JSON or not.
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) {
      inString = true
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++
      if (depth > deepest) {
        deepest = depth
        if (deepest > limit) return deepest
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--
    }
  }
  return deepest
}
