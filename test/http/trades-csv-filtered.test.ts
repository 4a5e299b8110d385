// GET /api/trades.csv (issue #12): the trades screen's download is the list as filtered — recorder, symbol, dates,
// across recorders too — in the Strategy Tester "List of trades" layout; and /status's per-symbol `health`.
import { describe, expect, it } from "vitest";
import { TRADES_CSV_HEADER } from "../../src/stats";
import { api, apiJson, createRecorder, expectError, freshMnq, signal } from "../helpers";

async function csv(path: string): Promise<{ status: number; text: string; disposition: string | null }> {
  const res = await api("GET", path);
  return { status: res.status, text: await res.text(), disposition: res.headers.get("Content-Disposition") };
}

/** CSV data lines (two per trade: exit row first). */
const rows = (text: string) => text.split("\r\n").filter(Boolean).slice(1);

describe("GET /api/trades.csv", () => {
  it("has exactly the trades GET /api/trades lists for the same filters", async () => {
    const a = await createRecorder({ name: "csv A", initialCapital: 10_000 });
    const b = await createRecorder({ name: "csv B" });
    const { ticker } = freshMnq();
    await signal(a, { ticker, action: "buy", price: 25600 });
    await signal(a, { ticker, action: "close", price: 25610 }); // +$20
    await signal(a, { ticker, action: "sell", price: 25610 });
    await signal(a, { ticker, action: "close", price: 25605 }); // +$10
    await signal(b, { ticker, action: "buy", price: 25600 });
    await signal(b, { ticker, action: "close", price: 25590 }); // −$20

    // One recorder: its 2 trades, its capital's cumulative %, its name in the file name.
    const one = await csv(`/api/trades.csv?recorderId=${a.id}`);
    expect(one.status).toBe(200);
    expect(one.text.split("\r\n")[0]).toBe(TRADES_CSV_HEADER);
    expect(rows(one.text)).toHaveLength(4);
    expect(one.disposition).toMatch(/filename="csv_A_trades\.csv"/);
    expect(rows(one.text)[0]).toMatch(/^2,Exit short,.*,30\.00,0\.30$/); // cumulative $30 = 0.30 % of $10 000

    // Both recorders (no recorder filter): every matching trade, the same set the JSON list has.
    const from = new Date(Date.now() - 5 * 60_000).toISOString();
    const both = await csv(`/api/trades.csv?symbol=MNQ&from=${encodeURIComponent(from)}`);
    const list = await apiJson("GET", `/api/trades?symbol=MNQ&from=${encodeURIComponent(from)}&limit=1000`);
    expect(rows(both.text)).toHaveLength(list.trades.length * 2);
    expect(list.trades.length).toBeGreaterThanOrEqual(3);
    expect(both.disposition).toMatch(/all_recorders_MNQ_trades\.csv/);

    // A date window that holds none: just the header.
    const none = await csv(`/api/trades.csv?recorderId=${a.id}&to=2000-01-01T00:00:00Z`);
    expect(none.status).toBe(200);
    expect(rows(none.text)).toHaveLength(0);
  });

  it("refuses bad filters like GET /api/trades, and an unknown recorder, with the API's error shape", async () => {
    const bad = await api("GET", "/api/trades.csv?from=yesterday");
    expect(bad.status).toBe(400);
    expectError(await bad.json(), "invalid_request");
    const unknown = await api("GET", "/api/trades.csv?recorderId=nope");
    expect(unknown.status).toBe(404);
    const anon = await api("GET", "/api/trades.csv", undefined, "wrong");
    expect(anon.status).toBe(401);
  });
});

describe("GET /status health", () => {
  it("gives every symbol a health word and the Worker's clock", async () => {
    const rec = await createRecorder({ name: "status health" });
    const { ticker, feedSymbol } = freshMnq();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const st = await apiJson("GET", "/status");
    expect(Math.abs(Date.parse(st.now) - Date.now())).toBeLessThan(60_000);
    const sym = st.symbols.find((s: any) => s.feedSymbol === feedSymbol);
    expect(sym).toBeDefined();
    expect(["live", "delayed", "stale", "down"]).toContain(sym.health.state);
    expect(sym.health).toHaveProperty("secondsSinceTick");
    expect(sym.health).toHaveProperty("delaySeconds");
  });
});
