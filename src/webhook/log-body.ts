// What the signal log keeps of a webhook body (CONTRACT: at most its first 8 KiB, `bodyTruncated: true` beyond):
// the parsed JSON when the text fits, else the first 8 KiB of the text itself (cut at a character boundary).
export const LOG_BODY_LIMIT = 8 * 1024;

const UTF8_OUT = new TextEncoder();
const UTF8_IN = new TextDecoder();

export function logBody(text: string, parsed: unknown): { body: unknown; bodyTruncated: boolean } {
  const whole = { body: parsed === undefined ? text : parsed, bodyTruncated: false };
  // A UTF-16 code unit is at most 3 UTF-8 bytes: a short text fits without being encoded (every alert body).
  if (text.length * 3 <= LOG_BODY_LIMIT) return whole;
  const bytes = UTF8_OUT.encode(text);
  if (bytes.byteLength <= LOG_BODY_LIMIT) return whole;
  // A multi-byte character cut in half decodes to U+FFFD: drop it.
  const head = UTF8_IN.decode(bytes.subarray(0, LOG_BODY_LIMIT)).replace(/\uFFFD$/, "");
  return { body: head, bodyTruncated: true };
}
