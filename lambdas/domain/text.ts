/** Text within byte limits: DynamoDB and the API count UTF-8 bytes, not characters. */

const encoder = new TextEncoder();

export const byteLength = (text: string): number => encoder.encode(text).length;

/** `text` cut to at most `maxBytes` UTF-8 bytes, on a character boundary. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text;
  let cut = new TextDecoder().decode(encoder.encode(text).slice(0, maxBytes));
  // A cut inside a multi-byte character decodes to U+FFFD at the end: drop it.
  while (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return cut;
}

/** `text` within `maxBytes`, ending with a marker that says how much was cut. */
export function boundWithMarker(text: string, maxBytes: number): string {
  const total = byteLength(text);
  if (total <= maxBytes) return text;
  const marker = (shown: number) => `\n\n[… cut: ${shown} of ${total} bytes shown]`;
  const kept = cutToBytes(text, maxBytes - byteLength(marker(maxBytes)));
  return kept + marker(byteLength(kept));
}

/** `text` on one line, trimmed, `fallback` when empty, cut with `...` to at most `maxBytes`. */
export function fitLine(text: string, maxBytes: number, fallback: string): string {
  const line = text.replace(/\s+/g, ' ').trim() || fallback;
  return byteLength(line) <= maxBytes ? line : `${cutToBytes(line, maxBytes - 3)}...`;
}
