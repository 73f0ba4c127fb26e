/**
 * What typing may send. CR (alone or in CRLF) becomes LF: a CR is what Enter sends, and
 * typing must never submit. Other C0 controls and DEL are dropped (ESC would start a key
 * sequence, ^C would interrupt the program); tab and LF are kept.
 */
export function typableText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
}
