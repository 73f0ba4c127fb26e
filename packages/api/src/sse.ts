/**
 * Reads a text/event-stream body chunk by chunk: calls `onEvent` with each complete event's name
 * (`message` when it has none) and data lines joined; comments and events without data are skipped.
 */
export function sseParser(onEvent: (name: string, data: string) => void): (chunk: string) => void {
  let buffer = ''
  return (chunk) => {
    buffer += chunk
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let name = 'message'
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim()
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
      }
      if (data.length > 0) onEvent(name, data.join('\n'))
    }
  }
}
