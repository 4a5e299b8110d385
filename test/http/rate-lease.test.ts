// The recorder's rate limit leased to the symbol object it trades on (src/durable/rate-lease.ts), through HTTP:
// one count across symbols and refusals, the lease held by the symbol in use, reclaimed by another symbol or by a
// refusal before any symbol, and regained by a restarted holder.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createRecorder, evictSymbol, expectError, freshMnq, symbolStub, webhook } from "../helpers";

function leaseHolder(recorderId: string): Promise<string | null> {
  return (env.GATES.getByName(recorderId) as unknown as { leaseHolder(): Promise<string | null> }).leaseHolder();
}

describe("rate limit on a lease", () => {
  it("counts one window across two symbols and the Worker's refusals; the lease follows the symbol in use", async () => {
    const a = freshMnq();
    const b = freshMnq();
    const rec = await createRecorder({ maxSignalsPerMinute: 5 });
    const send = (ticker: string, i: number) => webhook(rec, { ticker, action: i % 2 ? "sell" : "buy", price: 25600, id: `s${i}` });

    expect((await send(a.ticker, 0)).status).toBe(200);
    expect((await send(a.ticker, 1)).status).toBe(200);
    expect(await leaseHolder(rec.id)).toBe(a.feedSymbol); // counted by A's object, no gate hop for the second
    expect((await send(b.ticker, 2)).status).toBe(200); // B asks: the gate reclaims A's window first
    expect(await leaseHolder(rec.id)).toBeNull();
    expect((await webhook(rec, "not json")).status).toBe(400); // refused before a symbol: counted too (4)
    expect((await send(a.ticker, 3)).status).toBe(200); // 5
    const over = await send(b.ticker, 4);
    expect(over.status).toBe(429);
    expectError(await over.json(), "rate_limited");
    expect((await send(a.ticker, 5)).status).toBe(429);
  });

  it("a restarted holder asks again and keeps counting; a refusal before any symbol reclaims the lease", async () => {
    const a = freshMnq();
    const rec = await createRecorder({ maxSignalsPerMinute: 50 });
    const send = (i: number) => webhook(rec, { ticker: a.ticker, action: i % 2 ? "sell" : "buy", price: 25600, id: `r${i}` });
    expect((await send(0)).status).toBe(200);
    expect(await leaseHolder(rec.id)).toBe(a.feedSymbol);
    await evictSymbol(symbolStub(a.feedSymbol));
    expect((await send(1)).status).toBe(200);
    expect(await leaseHolder(rec.id)).toBe(a.feedSymbol);
    expect((await webhook(rec, "not json")).status).toBe(400);
    expect(await leaseHolder(rec.id)).toBeNull();
  });
});
