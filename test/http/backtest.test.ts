// CONTRACT "Backtest beside live" through HTTP: importing a TradingView "List of trades" CSV, replacing and
// deleting it, and the comparison with live trades recorded through the real webhook (Worker → symbol object →
// D1). Live trades are made now, so each hand-written CSV places its trades relative to the live entries it is meant
// to match (a few seconds earlier, as a bar-close alert arrives after the bar's time), written in the recorder's
// timezone (UTC here) with whole seconds. MNQ: tick 0.25, $2 per point per contract; no commission.
import { env, exports } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { parseListOfTrades } from "../../src/backtest/csv";
import { replaceBacktest } from "../../src/backtest/store";
import { ADMIN, api, apiJson, createRecorder, expectError, freshMnq, signal, tradesOf } from "../helpers";
import { NEW_HEADER, NEW_LAYOUT, OLD_LAYOUT } from "../backtest/fixtures";

async function postCsv(id: string, body: string): Promise<Response> {
  return exports.default.fetch(`http://recorder.test/api/recorders/${id}/backtest`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "text/csv" },
    body,
  });
}

async function importCsv(id: string, body: string): Promise<number> {
  const r = await postCsv(id, body);
  const json = (await r.json()) as any;
  if (r.status !== 200) throw new Error(`import -> ${r.status} ${JSON.stringify(json)}`);
  return json.imported;
}

async function comparison(id: string, query = ""): Promise<any> {
  return apiJson("GET", `/api/recorders/${id}/comparison${query}`);
}

/** The recorder's live trades once D1 has all `n` of them, oldest entry first. */
async function liveTrades(id: string, n: number): Promise<any[]> {
  for (let i = 0; i < 200; i++) {
    const trades = await tradesOf(id);
    if (trades.length >= n) return trades.sort((a: any, b: any) => a.openedAt.localeCompare(b.openedAt));
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${n} trades in D1`);
}

/** An instant `seconds` before `iso`, cut to the whole second (the CSV's resolution here). */
function before(iso: string, seconds: number): number {
  return Math.floor(Date.parse(iso) / 1000) * 1000 - seconds * 1000;
}

/** "YYYY-MM-DD HH:MM:SS", as TradingView writes a time (in UTC, the recorder's timezone in these tests). */
function tv(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** Seconds from `backtestMs` to the live entry `iso` (the contract's entryLagSeconds: live − backtest). */
function lag(iso: string, backtestMs: number): number {
  return (Date.parse(iso) - backtestMs) / 1000;
}

const IMMEDIATE = { delayedFeed: "immediate", timezone: "UTC" } as const;

describe("import, replace, delete", () => {
  it("imports both layouts (trades, not rows), replaces, keeps the previous on a refusal, deletes", async () => {
    const rec = await createRecorder({ name: "import", timezone: "UTC" });
    expect(await apiJson("GET", `/api/recorders/${rec.id}/backtest`)).toEqual({ backtest: null });

    // 18 rows, 9 trades; #9 is open: stored and counted, left out of the comparison (8 closed, net 140.50).
    expect(await importCsv(rec.id, NEW_LAYOUT)).toBe(9);
    const info = await apiJson("GET", `/api/recorders/${rec.id}/backtest`);
    expect(info.backtest).toMatchObject({ trades: 9, currency: "USD", layout: "new" });
    expect(Date.parse(info.backtest.importedAt)).toBeGreaterThan(Date.now() - 60_000);
    let c = await comparison(rec.id);
    expect(c.summary).toEqual({
      backtestTrades: 8,
      liveTrades: 0,
      matched: 0,
      missedInLive: 8,
      extraInLive: 0,
      netProfitBacktest: 140.5,
      netProfitLive: 0,
      pnlFromMissed: -140.5,
      pnlFromExtra: 0,
      pnlFromSlippage: 0,
    });
    expect(c.trades.map((t: any) => t.backtest.tradeNo)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(c.trades[0]).toEqual({
      backtest: { tradeNo: 1, side: "long", entryAt: "2024-03-05T09:30:00.000Z", entryPrice: 18000, entrySignal: "Long", exitAt: "2024-03-05T09:45:00.000Z", exitPrice: 18010.25, exitSignal: "TP", quantity: 1, pnl: 20.5, runup: 25, drawdown: -5.5 },
      live: null,
      entrySlippageTicks: null,
      exitSlippageTicks: null,
      entryLagSeconds: null,
      pnlDiff: null,
      runupDiff: null,
      drawdownDiff: null,
    });

    // The older layout replaces it whole: trades #5–#8 are gone. (Its times are New York's: read in UTC here they
    // are 5 hours off, which changes nothing in this test.)
    expect(await importCsv(rec.id, OLD_LAYOUT)).toBe(5);
    c = await comparison(rec.id);
    expect(c.summary).toMatchObject({ backtestTrades: 4, netProfitBacktest: 110.5, pnlFromMissed: -110.5 });
    expect(c.trades.map((t: any) => t.backtest.tradeNo)).toEqual([1, 2, 3, 4]);
    expect((await apiJson("GET", `/api/recorders/${rec.id}/backtest`)).backtest).toMatchObject({ trades: 5, layout: "old" });

    // Refused imports change nothing: a malformed file names its line, an oversized one is 413.
    const broken = NEW_LAYOUT.replace("8,Entry short,2024-03-05 12:15", "8,Entry short,2024-13-05 12:15");
    let r = await postCsv(rec.id, broken);
    expect(r.status).toBe(400);
    const err = (await r.json()) as any;
    expectError(err, "invalid_csv");
    expect(err.error.message).toMatch(/^Line 5: Date\/Time "2024-13-05 12:15" is not a date/);
    expect(err.error.details).toEqual([{ line: 5, problem: expect.stringContaining("2024-13-05") }]);
    r = await postCsv(rec.id, NEW_LAYOUT + "x".repeat(5 * 1024 * 1024));
    expect(r.status).toBe(413);
    expectError(await r.json(), "payload_too_large");
    r = await postCsv(rec.id, "");
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error.message).toMatch(/^Line 1: the file is empty/);
    c = await comparison(rec.id);
    expect(c.summary).toMatchObject({ backtestTrades: 4, netProfitBacktest: 110.5 });
    expect((await apiJson("GET", `/api/recorders/${rec.id}/backtest`)).backtest).toMatchObject({ trades: 5, layout: "old" });

    expect(await apiJson("DELETE", `/api/recorders/${rec.id}/backtest`)).toEqual({ ok: true, deleted: 5 });
    c = await comparison(rec.id);
    expect(c).toEqual({
      summary: { backtestTrades: 0, liveTrades: 0, matched: 0, missedInLive: 0, extraInLive: 0, netProfitBacktest: 0, netProfitLive: 0, pnlFromMissed: 0, pnlFromExtra: 0, pnlFromSlippage: 0 },
      trades: [],
    });
    expect(await apiJson("GET", `/api/recorders/${rec.id}/backtest`)).toEqual({ backtest: null });
    expect(await apiJson("DELETE", `/api/recorders/${rec.id}/backtest`)).toEqual({ ok: true, deleted: 0 });
  });

  it("a file just under 5 MiB imports; the limit is on bytes as sent", async () => {
    const rec = await createRecorder({ name: "big", timezone: "UTC" });
    const lines = [NEW_HEADER];
    let n = 0;
    let size = NEW_HEADER.length + 2;
    // ~200-byte rows with long signal names, up to ~4.9 MiB.
    const sig = "S".repeat(100);
    while (size < 4.9 * 1024 * 1024) {
      n++;
      const t = tv(Date.UTC(2020, 0, 1) + n * 60_000);
      const a = `${n},Exit long,${t},${sig},18001.25,1,36000.00,2.50,0.01,3.00,0.01,-1.00,0.00,0,0`;
      const b = `${n},Entry long,${t},${sig},18000.00,1,36000.00,2.50,0.01,3.00,0.01,-1.00,0.00,0,0`;
      lines.push(a, b);
      size += a.length + b.length + 4;
    }
    expect(await importCsv(rec.id, lines.join("\r\n"))).toBe(n);
    const { summary } = await comparison(rec.id);
    expect(summary).toMatchObject({ backtestTrades: n, netProfitBacktest: n * 2.5, missedInLive: n });
  });

  it("unknown recorder: the 404 of the other recorder routes; deleting the recorder removes its import", async () => {
    for (const [method, path] of [["GET", "/comparison"], ["GET", "/backtest"], ["DELETE", "/backtest"]] as const) {
      const r = await api(method, `/api/recorders/nope${path}`);
      expect(r.status).toBe(404);
      expectError(await r.json(), "not_found");
    }
    const r = await postCsv("nope", NEW_LAYOUT);
    expect(r.status).toBe(404);
    expectError(await r.json(), "not_found");

    // Without the admin token: 401, like every /api route.
    const anon = await exports.default.fetch(`http://recorder.test/api/recorders/nope/backtest`, { method: "POST", body: NEW_LAYOUT });
    expect(anon.status).toBe(401);

    const rec = await createRecorder({ name: "to delete", timezone: "UTC" });
    await importCsv(rec.id, NEW_LAYOUT);
    const count = async (table: string) => (await env.DB.prepare(`select count(*) as n from ${table} where recorder_id = ?`).bind(rec.id).first<{ n: number }>())!.n;
    expect([await count("backtest_trades"), await count("backtest_imports")]).toEqual([9, 1]);
    await apiJson("DELETE", `/api/recorders/${rec.id}`);
    expect([await count("backtest_trades"), await count("backtest_imports")]).toEqual([0, 0]);
    // An import that lands after the recorder is gone (a race with DELETE) writes nothing and says so.
    const parsed = parseListOfTrades(NEW_LAYOUT, "UTC");
    if (!parsed.ok) throw new Error(parsed.message);
    expect(await replaceBacktest(drizzle(env.DB), rec.id, parsed, new Date().toISOString())).toBe(false);
    expect([await count("backtest_trades"), await count("backtest_imports")]).toEqual([0, 0]);
  });

  it("toleranceSeconds: a whole number 0…86400, default 300; anything else is 400 invalid_request", async () => {
    const rec = await createRecorder({ name: "tolerance" });
    for (const q of ["abc", "-1", "86401", "", "1e3", "1.5", " 300"]) {
      const r = await api("GET", `/api/recorders/${rec.id}/comparison?toleranceSeconds=${q}`);
      expect(r.status, q).toBe(400);
      const json = (await r.json()) as any;
      expectError(json, "invalid_request");
      expect(json.error.details[0].field).toBe("toleranceSeconds");
    }
    for (const q of ["", "?toleranceSeconds=0", "?toleranceSeconds=86400"]) expect((await comparison(rec.id, q)).summary.backtestTrades).toBe(0);
  });
});

describe("comparison with live trades from the webhook", () => {
  it("slippage, lag and P&L of matched trades (a reversal among them), a trade missed in live, one extra in live", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ name: "compare", ...IMMEDIATE });
    // A: long 25600 → 25610 = +20 (best +20 at the exit price).
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await signal(rec, { ticker, action: "close", price: 25610 });
    // B: long 25620, reversed at 25610 = −20 (worst −20); C: the short from the reversal, 25610 → 25600 = +20.
    await signal(rec, { ticker, action: "buy", price: 25620 });
    expect((await signal(rec, { ticker, action: "sell", price: 25610 })).result).toBe("reversed");
    await signal(rec, { ticker, action: "close", price: 25600 });
    // D: short 25650 → 25655 = −10 (worst −10): not in the backtest.
    await signal(rec, { ticker, action: "sell", price: 25650 });
    await signal(rec, { ticker, action: "close", price: 25655 });
    const [A, B, C, D] = await liveTrades(rec.id, 4);
    expect([A, B, C, D].map((t) => [t.side, t.pnl, t.maxFavorable, t.maxAdverse])).toEqual([
      ["long", 20, 20, 0],
      ["long", -20, 0, -20],
      ["short", 20, 20, 0],
      ["short", -10, 0, -10],
    ]);

    // The backtest, 3 s before each live entry; #1 two hours earlier (missed in live); #5 still open.
    //   #2 (A): bought 25599.75, sold 25610.50 → (25610.50 − 25599.75) × 2 = +21.50; run-up 23, drawdown −1.50.
    //           Live paid 25600: 1 tick more (+1); got 25610: 2 ticks less (+2); P&L 20 − 21.50 = −1.50;
    //           run-up 20 − 23 = −3; drawdown 0 − (−1.50) = +1.50.
    //   #3 (B): 25620 → 25610 (reversed by "Short") = −20, run-up 0, drawdown −20: the same as live, all 0.
    //   #4 (C): sold 25610.25, covered 25600 → +20.50. Live sold 25610: 1 tick less for a short = +1 adverse;
    //           covered 25600 = 0; P&L 20 − 20.50 = −0.50.
    const a = before(A.openedAt, 3);
    const b = before(B.openedAt, 3);
    const c = before(C.openedAt, 3);
    const m = a - 2 * 3_600_000;
    const exitOf = (t: any) => tv(before(t.closedAt, 0));
    const csvText = [
      NEW_HEADER,
      `5,Exit long,Open,,25700.00,1,51400.00,0.00,0.00,0.00,0.00,0.00,0.00,42.00,0.04`,
      `5,Entry long,${tv(before(D.closedAt, -60))},Long,25700.00,1,51400.00,0.00,0.00,0.00,0.00,0.00,0.00,42.00,0.04`,
      `4,Exit short,${exitOf(C)},Close,25600.00,1,51220.50,20.50,0.04,21.00,0.04,-0.50,0.00,42.00,0.04`,
      `4,Entry short,${tv(c)},Short,25610.25,1,51220.50,20.50,0.04,21.00,0.04,-0.50,0.00,42.00,0.04`,
      `3,Exit long,${exitOf(B)},Short,25610.00,1,51240.00,-20.00,-0.04,0.00,0.00,-20.00,-0.04,21.50,0.02`,
      `3,Entry long,${tv(b)},Long,25620.00,1,51240.00,-20.00,-0.04,0.00,0.00,-20.00,-0.04,21.50,0.02`,
      `2,Exit long,${exitOf(A)},Close,25610.50,1,51199.50,21.50,0.04,23.00,0.04,-1.50,0.00,41.50,0.04`,
      `2,Entry long,${tv(a)},Long,25599.75,1,51199.50,21.50,0.04,23.00,0.04,-1.50,0.00,41.50,0.04`,
      `1,Exit long,${tv(m + 3_600_000)},Close,25510.00,1,51000.00,20.00,0.04,20.00,0.04,0.00,0.00,20.00,0.02`,
      `1,Entry long,${tv(m)},Long,25500.00,1,51000.00,20.00,0.04,20.00,0.04,0.00,0.00,20.00,0.02`,
    ].join("\r\n");
    expect(await importCsv(rec.id, csvText)).toBe(5);

    const cmp = await comparison(rec.id, "?toleranceSeconds=300");
    // Backtest 20 + 21.50 − 20 + 20.50 = 42; live 20 − 20 + 20 − 10 = 10;
    // missed −20 (#1), extra −10 (D), slippage (20 − 21.50) + 0 + (20 − 20.50) = −2: 42 − 20 − 10 − 2 = 10.
    expect(cmp.summary).toEqual({
      backtestTrades: 4,
      liveTrades: 4,
      matched: 3,
      missedInLive: 1,
      extraInLive: 1,
      netProfitBacktest: 42,
      netProfitLive: 10,
      pnlFromMissed: -20,
      pnlFromExtra: -10,
      pnlFromSlippage: -2,
    });
    // Live rows are identified by position (their ids are per entry: `${trade id}:${entry index}`).
    const rows = cmp.trades;
    expect(rows.map((r: any) => [r.backtest?.tradeNo ?? null, r.live?.positionId ?? null])).toEqual([[1, null], [2, A.positionId], [3, B.positionId], [4, C.positionId], [null, D.positionId]]);
    const diffs = (r: any) => [r.entrySlippageTicks, r.exitSlippageTicks, r.entryLagSeconds, r.pnlDiff, r.runupDiff, r.drawdownDiff];
    expect(diffs(rows[0])).toEqual([null, null, null, null, null, null]);
    expect(diffs(rows[1])).toEqual([1, 2, lag(A.openedAt, a), -1.5, -3, 1.5]);
    expect(diffs(rows[2])).toEqual([0, 0, lag(B.openedAt, b), 0, 0, 0]);
    expect(diffs(rows[3])).toEqual([1, 0, lag(C.openedAt, c), -0.5, -1, 0.5]);
    expect(diffs(rows[4])).toEqual([null, null, null, null, null, null]);
    for (const i of [1, 2, 3]) expect(rows[i].entryLagSeconds).toBeGreaterThanOrEqual(3);
    expect(cmp.trades[1].live).toMatchObject({ positionId: A.positionId, side: "long", entryPrice: 25600, exitPrice: 25610, pnl: 20, openedAt: A.openedAt });

    // Tolerance 0: nothing is that close, so everything is missed or extra, and the identity still holds.
    const strict = await comparison(rec.id, "?toleranceSeconds=0");
    expect(strict.summary).toEqual({
      backtestTrades: 4,
      liveTrades: 4,
      matched: 0,
      missedInLive: 4,
      extraInLive: 4,
      netProfitBacktest: 42,
      netProfitLive: 10,
      pnlFromMissed: -42,
      pnlFromExtra: 10,
      pnlFromSlippage: 0,
    });

    // DELETE: the comparison shows no backtest, every live trade extra.
    await apiJson("DELETE", `/api/recorders/${rec.id}/backtest`);
    expect((await comparison(rec.id)).summary).toMatchObject({ backtestTrades: 0, liveTrades: 4, matched: 0, extraInLive: 4, netProfitBacktest: 0, netProfitLive: 10, pnlFromExtra: 10 });

    // The recorder's own List of trades export (UTC, minute resolution) compares as no slippage at all.
    const own = await api("GET", `/api/recorders/${rec.id}/trades.csv`);
    const ownText = await own.text();
    expect(await importCsv(rec.id, ownText)).toBe(4);
    const self = await comparison(rec.id);
    expect(self.summary).toMatchObject({ matched: 4, missedInLive: 0, extraInLive: 0, netProfitBacktest: 10, netProfitLive: 10, pnlFromSlippage: 0 });
    for (const t of self.trades) {
      expect([t.entrySlippageTicks, t.exitSlippageTicks, t.pnlDiff, t.runupDiff, t.drawdownDiff]).toEqual([0, 0, 0, 0, 0]);
      expect(t.entryLagSeconds).toBe(lag(t.live.openedAt, Math.floor(Date.parse(t.live.openedAt) / 60_000) * 60_000));
    }

    // In another time zone the export writes local times (as TradingView writes the chart's) and the import reads
    // them in that same zone: the same instants again (UTC+5:30, so a half-hour shift would show).
    await apiJson("PATCH", `/api/recorders/${rec.id}`, { timezone: "Asia/Kolkata" });
    const local = await (await api("GET", `/api/recorders/${rec.id}/trades.csv`)).text();
    expect(local).not.toBe(ownText);
    expect(await importCsv(rec.id, local)).toBe(4);
    const again = await comparison(rec.id);
    expect(again.summary).toMatchObject({ matched: 4, missedInLive: 0, extraInLive: 0, pnlFromSlippage: 0 });
    for (const t of again.trades) expect(t.entryLagSeconds).toBe(lag(t.live.openedAt, Math.floor(Date.parse(t.live.openedAt) / 60_000) * 60_000));
  });
});

// These two need the live side per entry (CONTRACT `?pairing=entries`: trades.entry_trades, filled by the symbol
// object). Until that lands, a pyramided or scaled-out position reads as ONE live trade and these fail on the
// live trade count — that is the expected failure, not a bug here.
describe("per-entry live trades (needs trades.entry_trades)", () => {
  it("pyramiding: 3 entries, one exit → 3 backtest trades matched to 3 live entry trades", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ name: "pyramid", ...IMMEDIATE, initialQuantity: 1, addQuantity: 1 });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    expect((await signal(rec, { ticker, action: "buy", price: 25610 })).result).toBe("added");
    expect((await signal(rec, { ticker, action: "buy", price: 25620 })).result).toBe("added");
    await signal(rec, { ticker, action: "close", price: 25630 });
    const [position] = await liveTrades(rec.id, 1);
    const fills = (await apiJson("GET", `/api/positions?status=closed&recorderId=${rec.id}`)).positions[0].fills;
    const [e1, e2, e3] = fills.slice(0, 3).map((f: any) => f.at);
    // Live, per entry (each from its own entry, prices seen: the adds' fill prices and the exit):
    //   25600 → 25630 = +60 (best +60), 25610 → 25630 = +40 (best +40), 25620 → 25630 = +20 (best +20).
    // Backtest: the same entries 2 s earlier, all out at 25630.25 (TradingView: one exit row per entry):
    //   +60.50 / +40.50 / +20.50, run-up 61 / 41 / 21, drawdown −1 each.
    // Per pair: entry 0 ticks; exit 1 tick less = +1; P&L −0.50; run-up −1; drawdown 0 − (−1) = +1.
    const out = tv(before(position.closedAt, 0));
    const csvText = [
      NEW_HEADER,
      `3,Exit long,${out},Close,25630.25,1,51240.00,20.50,0.04,21.00,0.04,-1.00,0.00,121.50,0.12`,
      `3,Entry long,${tv(before(e3, 2))},Long 3,25620.00,1,51240.00,20.50,0.04,21.00,0.04,-1.00,0.00,121.50,0.12`,
      `2,Exit long,${out},Close,25630.25,1,51220.00,40.50,0.08,41.00,0.08,-1.00,0.00,101.00,0.10`,
      `2,Entry long,${tv(before(e2, 2))},Long 2,25610.00,1,51220.00,40.50,0.08,41.00,0.08,-1.00,0.00,101.00,0.10`,
      `1,Exit long,${out},Close,25630.25,1,51200.00,60.50,0.12,61.00,0.12,-1.00,0.00,60.50,0.06`,
      `1,Entry long,${tv(before(e1, 2))},Long 1,25600.00,1,51200.00,60.50,0.12,61.00,0.12,-1.00,0.00,60.50,0.06`,
    ].join("\r\n");
    expect(await importCsv(rec.id, csvText)).toBe(3);
    const cmp = await comparison(rec.id);
    expect(cmp.summary).toEqual({
      backtestTrades: 3,
      liveTrades: 3,
      matched: 3,
      missedInLive: 0,
      extraInLive: 0,
      netProfitBacktest: 121.5,
      netProfitLive: 120,
      pnlFromMissed: 0,
      pnlFromExtra: 0,
      pnlFromSlippage: -1.5,
    });
    expect(cmp.trades.map((t: any) => [t.backtest.tradeNo, t.live.entryPrice, t.live.pnl, t.entrySlippageTicks, t.exitSlippageTicks, t.pnlDiff, t.runupDiff, t.drawdownDiff])).toEqual([
      [1, 25600, 60, 0, 1, -0.5, -1, 1],
      [2, 25610, 40, 0, 1, -0.5, -1, 1],
      [3, 25620, 20, 0, 1, -0.5, -1, 1],
    ]);
    expect(cmp.trades.map((t: any) => t.entryLagSeconds)).toEqual([lag(e1, before(e1, 2)), lag(e2, before(e2, 2)), lag(e3, before(e3, 2))]);
  });

  it("partial exit: one entry of 2, out 1 then 1 → 2 backtest trades with the same entry, each matched to its exit", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ name: "partial", ...IMMEDIATE, initialQuantity: 2 });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    expect((await signal(rec, { ticker, action: "exit", quantity: 1, price: 25610 })).result).toBe("reduced");
    await signal(rec, { ticker, action: "close", price: 25620 });
    const [position] = await liveTrades(rec.id, 1);
    const fills = (await apiJson("GET", `/api/positions?status=closed&recorderId=${rec.id}`)).positions[0].fills;
    const [entry, out1, out2] = fills.map((f: any) => f.at);
    // Live per entry (FIFO): 1 × 25600 → 25610 = +20 (best +20), 1 × 25600 → 25620 = +40 (best +40).
    // Backtest: the same, entry 1 s earlier: #1 out at 25610 (+20), #2 out at 25620 (+40). Every difference 0: a
    // wrong pairing of the two (same entry time) would show ±40 ticks of exit slippage.
    const e = tv(before(entry, 1));
    const csvText = [
      NEW_HEADER,
      `2,Exit long,${tv(before(out2, 0))},Close,25620.00,1,51200.00,40.00,0.08,40.00,0.08,0.00,0.00,60.00,0.06`,
      `2,Entry long,${e},Long,25600.00,1,51200.00,40.00,0.08,40.00,0.08,0.00,0.00,60.00,0.06`,
      `1,Exit long,${tv(before(out1, 0))},Half,25610.00,1,51200.00,20.00,0.04,20.00,0.04,0.00,0.00,20.00,0.02`,
      `1,Entry long,${e},Long,25600.00,1,51200.00,20.00,0.04,20.00,0.04,0.00,0.00,20.00,0.02`,
    ].join("\r\n");
    expect(await importCsv(rec.id, csvText)).toBe(2);
    const cmp = await comparison(rec.id);
    expect(position.quantity).toBe(2);
    expect(cmp.summary).toEqual({
      backtestTrades: 2,
      liveTrades: 2,
      matched: 2,
      missedInLive: 0,
      extraInLive: 0,
      netProfitBacktest: 60,
      netProfitLive: 60,
      pnlFromMissed: 0,
      pnlFromExtra: 0,
      pnlFromSlippage: 0,
    });
    expect(cmp.trades.map((t: any) => [t.backtest.tradeNo, t.live.exitPrice, t.entrySlippageTicks, t.exitSlippageTicks, t.pnlDiff, t.runupDiff, t.drawdownDiff])).toEqual([
      [1, 25610, 0, 0, 0, 0, 0],
      [2, 25620, 0, 0, 0, 0, 0],
    ]);
  });
});
