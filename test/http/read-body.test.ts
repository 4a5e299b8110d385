// The webhook body's two reads (src/webhook/read-body.ts): with a Content-Length (every other test here) in one
// call; without one (a chunked body) chunk by chunk, refused 413 payload_too_large as soon as it passes 64 KiB.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { apiJson, createRecorder, expectError, freshMnq } from "../helpers";

/** Posts `chunks` as a stream: no Content-Length, as a chunked upload. */
function streamed(path: string, chunks: Uint8Array[]): Promise<Response> {
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      const next = chunks.shift();
      if (next) c.enqueue(next);
      else c.close();
    },
  });
  return exports.default.fetch(`http://recorder.test${path}`, { method: "POST", headers: { "Content-Type": "text/plain" }, body });
}

describe("webhook body without a Content-Length", () => {
  it("is read whole across chunks (a character split between two of them too)", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const bytes = new TextEncoder().encode(JSON.stringify({ ticker, action: "buy", price: 25600, comment: "café" }));
    const split = bytes.length - 3; // inside "é" (2 bytes), before `"}`
    const r = await streamed(rec.webhookPath, [bytes.slice(0, 10), bytes.slice(10, split), bytes.slice(split)]);
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).result).toBe("opened");
    const { signals } = await apiJson("GET", `/api/signals?recorderId=${rec.id}`);
    expect(signals[0].body.comment).toBe("café");
  });

  it("is refused 413 payload_too_large past 64 KiB", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const head = new TextEncoder().encode(JSON.stringify({ ticker, action: "buy", price: 25600 }).slice(0, -1) + ',"comment":"');
    const filler = new TextEncoder().encode("x".repeat(16 * 1024));
    const r = await streamed(rec.webhookPath, [head, filler, filler, filler, filler, new TextEncoder().encode('"}')]);
    expect(r.status).toBe(413);
    expectError(await r.json(), "payload_too_large");
    const { signals } = await apiJson("GET", `/api/signals?recorderId=${rec.id}`);
    expect(signals).toEqual([]);
  });
});
