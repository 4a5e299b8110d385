// The recorders list with `?summary=true` (issue #12: net P&L, trades, open, max drawdown, last signal per recorder).
import { describe, expect, it } from "vitest";
import { api, apiJson, createRecorder, expectError, freshMnq, signal } from "../helpers";

describe("GET /api/recorders?summary=true", () => {
  it("gives each recorder its net P&L, closed trades, open positions, max drawdown and last signal", async () => {
    const busy = await createRecorder({ name: "busy" });
    const idle = await createRecorder({ name: "idle" });
    const { ticker } = freshMnq();
    // MNQ, $2 a point, no commission: +40, then −20 (drawdown 20 from the peak of 40), then one open long.
    await signal(busy, { ticker, action: "buy", price: 25600 });
    await signal(busy, { ticker, action: "close", price: 25620 });
    await signal(busy, { ticker, action: "sell", price: 25600 });
    await signal(busy, { ticker, action: "close", price: 25610 });
    // (a different price: the same body within 10 s would be answered as a duplicate of the first buy)
    const last = await signal(busy, { ticker, action: "buy", price: 25601 });
    expect(last.result).toBe("opened");

    const { recorders } = await apiJson("GET", "/api/recorders?summary=true");
    const byId = new Map(recorders.map((r: any) => [r.id, r]));
    const b: any = byId.get(busy.id);
    expect(b.summary).toMatchObject({ netProfit: 20, totalClosedTrades: 2, openPositions: 1, maxDrawdown: 20 });
    expect(Date.parse(b.summary.lastSignalAt)).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect((byId.get(idle.id) as any).summary).toEqual({ netProfit: 0, totalClosedTrades: 0, openPositions: 0, maxDrawdown: 0, lastSignalAt: null });
    // Never the token, with or without the summary.
    expect(JSON.stringify(recorders)).not.toMatch(/token"\s*:\s*"[^"]/);

    // Without the flag the list is as before.
    const plain = await apiJson("GET", "/api/recorders");
    expect(plain.recorders.find((r: any) => r.id === busy.id).summary).toBeUndefined();
  });

  it("refuses a summary flag it does not know, 400", async () => {
    const res = await api("GET", "/api/recorders?summary=yes");
    expect(res.status).toBe(400);
    expectError(await res.json(), "invalid_request");
  });
});
