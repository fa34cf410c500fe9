/**
 * Text as it enters the domain: free of control characters and within byte limits (DynamoDB and the API
 * count UTF-8 bytes, not characters). Every source's text passes through here.
 */

const encoder = new TextEncoder();

export const byteLength = (text: string): number => encoder.encode(text).length;

/** C0 control characters other than tab and newline, and DEL: they corrupt terminals, mail and logs. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point of this pattern is to find control characters and strip them
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

/** `text` with line ends made `\n` and every other control character but tab removed. */
export const withoutControlCharacters = (text: string): string => text.replace(/\r\n?/g, '\n').replace(CONTROL_CHARACTERS, '');

/** `text` cut to at most `maxBytes` UTF-8 bytes, on a character boundary. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text;
  let cut = new TextDecoder().decode(encoder.encode(text).slice(0, maxBytes));
  // A cut inside a multi-byte character decodes to U+FFFD at the end: drop it.
  while (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return cut;
}

/** `text` within `maxBytes`, ending with a marker that says how much was cut. */
export function boundWithMarker(raw: string, maxBytes: number): string {
  const text = withoutControlCharacters(raw);
  const total = byteLength(text);
  if (total <= maxBytes) return text;
  const marker = (shown: number) => `\n\n[… cut: ${shown} of ${total} bytes shown]`;
  const kept = cutToBytes(text, maxBytes - byteLength(marker(maxBytes)));
  return kept + marker(byteLength(kept));
}

/** `text` on one line, trimmed, `fallback` when empty, cut with `...` to at most `maxBytes`. */
export function fitLine(text: string, maxBytes: number, fallback: string): string {
  const line = withoutControlCharacters(text).replace(/\s+/g, ' ').trim() || fallback;
  return byteLength(line) <= maxBytes ? line : `${cutToBytes(line, maxBytes - 3)}...`;
}

/** `text` cut to at most `maxCharacters` characters (code points), ending with `…` where it was cut. */
export function fitCharacters(text: string, maxCharacters: number): string {
  const characters = [...text];
  return characters.length <= maxCharacters ? text : `${characters.slice(0, maxCharacters - 1).join('')}…`;
}
