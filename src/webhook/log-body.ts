// What the signal log keeps of a webhook body (CONTRACT: at most its first 8 KiB, `bodyTruncated: true` beyond):
// the parsed JSON when the text fits, else the first 8 KiB of the text itself (cut at a character boundary).
export const LOG_BODY_LIMIT = 8 * 1024;

export function logBody(text: string, parsed: unknown): { body: unknown; bodyTruncated: boolean } {
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= LOG_BODY_LIMIT) return { body: parsed === undefined ? text : parsed, bodyTruncated: false };
  // A multi-byte character cut in half decodes to U+FFFD: drop it.
  const head = new TextDecoder().decode(bytes.subarray(0, LOG_BODY_LIMIT)).replace(/\uFFFD$/, "");
  return { body: head, bodyTruncated: true };
}
