// Reads a request body as text, refusing more than `limit` bytes without buffering an unbounded stream from outside.
// A body with a Content-Length within the limit (every TradingView alert, every API client) is read in one call,
// without the stream's reader loop. A request from outside is framed by its Content-Length, so its body is that
// long; only a Request built inside a Worker could carry a longer body under a smaller header, and it would then be
// buffered before the size check below refuses it. A body without one (chunked) is read chunk by chunk and refused
// as soon as it passes the limit.
import { ApiError } from "../lib/errors";

export const WEBHOOK_BODY_LIMIT = 64 * 1024;

/** One decoder for every body: `decode` without `stream` keeps no state between calls, and constructing a
 * TextDecoder is not free in workerd (it showed as ~0.5 ms per webhook in the burst profile, docs/BENCHMARKS.md). */
const UTF8 = new TextDecoder();

export async function readBodyLimited(req: Request, limit = WEBHOOK_BODY_LIMIT): Promise<string> {
  const tooLarge = () =>
    new ApiError(413, "payload_too_large", `The body is larger than ${limit / 1024} KiB; alert messages are small JSON objects.`);
  const header = req.headers.get("Content-Length");
  const declared = header !== null && /^\d{1,15}$/.test(header) ? Number(header) : NaN;
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!req.body) return "";
  if (Number.isFinite(declared)) {
    const all = await req.arrayBuffer();
    if (all.byteLength > limit) throw tooLarge();
    return UTF8.decode(all);
  }
  return UTF8.decode(await readStreamLimited(req.body, limit, tooLarge));
}

async function readStreamLimited(body: ReadableStream<Uint8Array>, limit: number, tooLarge: () => ApiError): Promise<Uint8Array> {
  const reader = body.getReader();
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
  return all;
}
