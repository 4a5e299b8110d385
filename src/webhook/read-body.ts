// Reads a request body as text, refusing more than `limit` bytes without buffering an unbounded stream.
import { ApiError } from "../lib/errors";

export const WEBHOOK_BODY_LIMIT = 64 * 1024;

export async function readBodyLimited(req: Request, limit = WEBHOOK_BODY_LIMIT): Promise<string> {
  const tooLarge = () =>
    new ApiError(413, "payload_too_large", `The body is larger than ${limit / 1024} KiB; alert messages are small JSON objects.`);
  const declared = Number(req.headers.get("Content-Length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
