// The admin JSON API of CONTRACT.md, through HTTP.
import { describe, expect, it } from "vitest";
import { api, apiJson, createRecorder, expectError, freshMnq, openPositions, signal, tick, webhook } from "../helpers";

describe("recorders", () => {
  it("create returns the token once; list/read never do; patch, rotate and delete work", async () => {
    const rec = await createRecorder({ name: "alpha", symbol: "MNQ1!", commissionPerContract: 0.5, takeProfitTicks: 40 });
    expect(rec.webhookToken).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, URL-safe
    expect(rec.webhookPath).toBe(`/webhook/${rec.webhookToken}`);
    expect(rec).toMatchObject({ name: "alpha", symbol: "MNQ1!", enabled: true, initialQuantity: 1, allowAdd: true, reverseOnOpposite: true, dedupeWindowSeconds: 10 });

    const { recorders } = await apiJson("GET", "/api/recorders");
    const listed = recorders.find((r: any) => r.id === rec.id);
    expect(listed).toBeTruthy();
    const text = JSON.stringify(recorders);
    expect(text).not.toContain(rec.webhookToken);
    expect(text).not.toContain("tokenHash");
    const { recorder: one } = await apiJson("GET", `/api/recorders/${rec.id}`);
    expect(one.webhookToken).toBeUndefined();

    const { recorder: patched } = await apiJson("PATCH", `/api/recorders/${rec.id}`, { initialQuantity: 2, enabled: false });
    expect(patched).toMatchObject({ initialQuantity: 2, enabled: false, name: "alpha" });

    const { recorder: rotated } = await apiJson("POST", `/api/recorders/${rec.id}/rotate-token`);
    expect(rotated.webhookToken).not.toBe(rec.webhookToken);
    await apiJson("PATCH", `/api/recorders/${rec.id}`, { enabled: true });
    expect((await webhook(rec, { action: "buy", price: 25600 })).status).toBe(404); // the old token is dead
    const ok = await signal(rotated, { action: "buy", price: 25600 }); // default symbol MNQ1!
    expect(ok.position).toMatchObject({ symbol: "MNQ", quantity: 2, takeProfitPrice: 25610 });

    // Deleting a recorder with an open position is refused; after closing it, it goes.
    const del = await api("DELETE", `/api/recorders/${rec.id}`);
    expect(del.status).toBe(409);
    expectError(await del.json(), "recorder_has_open_positions");
    await signal(rotated, { action: "close", price: 25600 });
    expect((await api("DELETE", `/api/recorders/${rec.id}`)).status).toBe(200);
    expect((await api("GET", `/api/recorders/${rec.id}`)).status).toBe(404);
  });

  it("bad settings are a 400 naming every field, and change nothing", async () => {
    const r = await api("POST", "/api/recorders", { name: "", initialQuantity: -1, bogus: 1 });
    expect(r.status).toBe(400);
    const json: any = await r.json();
    expectError(json, "invalid_request");
    const fields = json.error.details.map((d: any) => d.field).join(" ");
    expect(fields).toContain("name");
    expect(fields).toContain("initialQuantity");
    const bad = await api("PATCH", "/api/recorders/nope", { initialQuantity: 1 });
    expect(bad.status).toBe(404);
    expectError(await bad.json(), "not_found");
    const notJson = await exportsFetchRaw("POST", "/api/recorders", "{not json");
    expect(notJson.status).toBe(400);
    expectError(await notJson.json(), "invalid_json");
  });
});

describe("positions, trades, signals", () => {
  it("manual close at a given price; without one, never at a price that is not from a live feed", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder();
    const a = await signal(rec, { ticker, action: "buy", price: 25600 });
    const closed = await apiJson("POST", `/api/positions/${a.position.id}/close`, { price: 25590 });
    expect(closed.trade).toMatchObject({ exitReason: "manual", exitPrice: 25590, pnl: -20 });

    const b = await signal(rec, { ticker, action: "sell", price: 25600 });
    await tick(feedSymbol, 25595.25); // the object saw a price, but no live feed has one (the fake sends none)
    const refused = await api("POST", `/api/positions/${b.position.id}/close`, {});
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as any).error.code).toBe("no_price");
    const c2 = await apiJson("POST", `/api/positions/${b.position.id}/close`, { price: 25595.25 });
    expect(c2.trade).toMatchObject({ exitReason: "manual", exitPrice: 25595.25, pnl: 9.5 });
    expect((await api("POST", `/api/positions/${b.position.id}/close`, {})).status).toBe(404);

    const { positions } = await apiJson("GET", `/api/positions?status=closed&recorderId=${rec.id}`);
    expect(positions.map((p: any) => p.exitReason)).toEqual(["manual", "manual"]);
    expect(positions[0].fills.length).toBe(2);
  });

  it("trades page newest first with a cursor, and filter by time", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    for (let i = 0; i < 5; i++) {
      await signal(rec, { ticker, action: "buy", price: 25600 + i });
      await signal(rec, { ticker, action: "close", price: 25604 + i });
    }
    const p1 = await apiJson("GET", `/api/trades?recorderId=${rec.id}&limit=2`);
    expect(p1.trades).toHaveLength(2);
    expect(p1.nextCursor).toBeTruthy();
    const p2 = await apiJson("GET", `/api/trades?recorderId=${rec.id}&limit=2&cursor=${p1.nextCursor}`);
    const p3 = await apiJson("GET", `/api/trades?recorderId=${rec.id}&limit=2&cursor=${p2.nextCursor}`);
    expect(p3.nextCursor).toBeNull();
    const all = [...p1.trades, ...p2.trades, ...p3.trades];
    expect(new Set(all.map((t: any) => t.id)).size).toBe(5);
    expect(all.map((t: any) => t.entryPrice)).toEqual([25604, 25603, 25602, 25601, 25600]);
    const future = await apiJson("GET", `/api/trades?recorderId=${rec.id}&from=2999-01-01T00:00:00Z`);
    expect(future.trades).toEqual([]);
    const bad = await api("GET", `/api/trades?limit=0`);
    expect(bad.status).toBe(400);
  });

  it("the signal log holds applied, duplicate and rejected signals with their bodies", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", price: 25600, id: "x1", strategy: "kept" });
    await signal(rec, { ticker, action: "buy", price: 25600, id: "x1" });
    await webhook(rec, { ticker, action: "nope" });
    const { signals } = await apiJson("GET", `/api/signals?recorderId=${rec.id}&limit=10`);
    expect(signals.map((s: any) => s.status).sort()).toEqual(["applied", "duplicate", "rejected"]);
    const applied = signals.find((s: any) => s.status === "applied");
    expect(applied).toMatchObject({ result: "opened", body: { strategy: "kept" } });
    expect(signals.find((s: any) => s.status === "rejected").error.code).toBe("invalid_signal");

    const other = await createRecorder({ allowAdd: false });
    await signal(other, { ticker, action: "close", price: 25600 });
    const { signals: log } = await apiJson("GET", `/api/signals?recorderId=${other.id}`);
    expect(log[0]).toMatchObject({ status: "applied", result: "ignored", reason: "no_open_position" });
  });

  it("open positions carry live values; /status lists the symbol", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder({ initialQuantity: 2 });
    await signal(rec, { ticker, action: "short", price: 25600 });
    await tick(feedSymbol, 25610);
    await tick(feedSymbol, 25590);
    const [p] = await openPositions(rec.id);
    expect(p).toMatchObject({ unrealizedPnl: 40, worstUnrealizedPnl: -40, bestUnrealizedPnl: 40, lastPrice: 25590 });
    const status = await apiJson("GET", "/status");
    const s = status.symbols.find((x: any) => x.feedSymbol === feedSymbol);
    expect(s).toMatchObject({ openPositions: 1, ticksProcessed: 2, feed: { lastPrice: 25590 } });
    expect(typeof s.feed.state).toBe("string");
  });
});

describe("reports", () => {
  it("stats, equity and the Strategy Tester CSV", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ name: "report" });
    const empty = await apiJson("GET", `/api/recorders/${rec.id}/stats`);
    expect(empty.stats).toMatchObject({ totalClosedTrades: 0, netProfit: 0, profitFactor: null });
    expect(JSON.stringify(empty)).not.toMatch(/NaN|Infinity/);

    await signal(rec, { ticker, action: "buy", price: 25600 });
    await signal(rec, { ticker, action: "close", price: 25620 }); // +40
    await signal(rec, { ticker, action: "sell", price: 25600 });
    await signal(rec, { ticker, action: "close", price: 25610 }); // −20
    const { stats } = await apiJson("GET", `/api/recorders/${rec.id}/stats`);
    expect(stats).toMatchObject({ netProfit: 20, grossProfit: 40, grossLoss: 20, profitFactor: 2, totalClosedTrades: 2, percentProfitable: 50, maxDrawdown: 20, maxRunup: 40 });

    const { points } = await apiJson("GET", `/api/recorders/${rec.id}/equity`);
    expect(points.map((p: any) => p.equity)).toEqual([0, 40, 20]);

    const csv = await api("GET", `/api/recorders/${rec.id}/trades.csv`);
    expect(csv.headers.get("Content-Type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe("Trade #,Type,Date/Time,Signal,Price USD,Position size (qty),Position size (value),Net P&L USD,Net P&L %,Run-up USD,Run-up %,Drawdown USD,Drawdown %,Cumulative P&L USD,Cumulative P&L %");
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^2,Exit short,/);
    expect(lines[2]).toMatch(/^2,Entry short,/);
    expect(lines[3]).toMatch(/^1,Exit long,/);
  });
});

async function exportsFetchRaw(method: string, path: string, body: string) {
  const { exports } = await import("cloudflare:workers");
  return exports.default.fetch(`http://recorder.test${path}`, { method, headers: { Authorization: "Bearer test-admin-token" }, body });
}
