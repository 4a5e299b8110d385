// CONTRACT "Backtest beside live", `?pairing=entries` on /stats, /equity and /trades.csv, through HTTP as a user
// drives it: a DCA'd position (three entries) through the real webhook and ticks at the symbol object's tick seam,
// the object evicted between the entries and the exits, then the reports with one trade per entry fill, exits
// matched first-in-first-out (a partial exit splitting the entry it closes), each with its own run-up and drawdown.
// Every expected number is worked out by hand below. MNQ: tick 0.25, $0.50 per tick, so 1 point = $2 a contract.
import { describe, expect, it } from "vitest";
import { waitFor } from "../feed/helpers";
import { api, apiJson, createRecorder, evictSymbol, expectError, freshMnq, signal, symbolStub, tick, tradesOf } from "../helpers";

/** Exit rows of the CSV by trade number: [price, qty, net P&L, run-up, drawdown, cumulative P&L]. */
function exitRows(csv: string): Record<string, string[]> {
  const lines = csv.trim().split("\r\n").slice(1);
  const out: Record<string, string[]> = {};
  for (const line of lines) {
    const f = line.split(",");
    if (f[1].startsWith("Exit")) out[f[0]] = [f[4], f[5], f[7], f[9], f[11], f[13]];
  }
  return out;
}

function entryPrices(csv: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of csv.trim().split("\r\n").slice(1)) {
    const f = line.split(",");
    if (f[1].startsWith("Entry")) out[f[0]] = f[4];
  }
  return out;
}

describe("?pairing=entries", () => {
  it("a DCA'd position: one trade per entry, FIFO exits, each with its own run-up and drawdown; round trips unchanged", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder({ delayedFeed: "immediate", initialQuantity: 2, commissionPerContract: 0.5 });
    const stub = symbolStub(feedSymbol);

    await signal(rec, { ticker, action: "buy", price: 25600 }); // A: 2 at 25600
    await tick(feedSymbol, 25596);
    await signal(rec, { ticker, action: "buy", quantity: 1, price: 25598 }); // B: 1 at 25598
    await tick(feedSymbol, 25606);
    const added = await signal(rec, { ticker, action: "buy", quantity: 1, price: 25605 }); // C: 1 at 25605
    expect(added.position).toMatchObject({ quantity: 4, avgEntryPrice: 25600.75 });
    await tick(feedSymbol, 25590);
    // A restart between the entries and the exits: the lots come back from the checkpoint, 25590 from the journal.
    await evictSymbol(stub);
    expect((await signal(rec, { ticker, action: "close", quantity: 1, price: 25604 })).result).toBe("reduced"); // 1 of A
    await tick(feedSymbol, 25612);
    expect((await signal(rec, { ticker, action: "close", quantity: 2, price: 25610 })).result).toBe("reduced"); // rest of A, B
    await tick(feedSymbol, 25595);
    const last = await signal(rec, { ticker, action: "close", price: 25601 }); // C
    expect(last.result).toBe("closed");

    // The round trip: avg entry (2 × 25600 + 25598 + 25605) / 4 = 25600.75; gross 1 × 3.25 + 2 × 9.25 + 1 × 0.25
    // = 22 points = $44; commission 8 contracts × $0.50 = $4; net $40.
    expect(last.trade).toMatchObject({ quantity: 4, grossPnl: 44, commission: 4, pnl: 40 });
    expect(last.trade).not.toHaveProperty("entryTrades");
    const [trade] = await waitFor(async () => {
      const ts = await tradesOf(rec.id);
      return ts.length === 1 ? ts : undefined;
    }, 10_000, "the trade in D1");
    expect(trade).toMatchObject({ pnl: 40 });
    expect(trade).not.toHaveProperty("entryTrades"); // /api/trades lists round trips (the CONTRACT Trade)

    // Per entry, in close order (commission: each chunk's share of its entry and its exit, $0.50 a contract each):
    // 1. A (1 of 2) out at 25604: prices 25600 25596 25598 25606 25605 25590 25604 → gross +4 pts = $8, run-up
    //    +6 pts = $12, drawdown −10 pts = −$20; commission $1; net $7.
    // 2. A (the other 1) out at 25610: also 25612 25610 → gross $20, run-up +12 pts = $24, drawdown −$20; net $19.
    // 3. B out at 25610: 25598 25606 25605 25590 25604 25612 25610 → gross +12 pts = $24, run-up +14 pts = $28,
    //    drawdown −8 pts = −$16; net $23.
    // 4. C out at 25601: 25605 25590 25604 25612 25610 25595 25601 → gross −4 pts = −$8, run-up +7 pts = $14,
    //    drawdown −15 pts = −$30; net −$9.
    // Net 7 + 19 + 23 − 9 = 40, the round trip's.
    const q = "?pairing=entries";
    const { stats } = await apiJson("GET", `/api/recorders/${rec.id}/stats${q}`);
    expect(stats).toMatchObject({
      totalClosedTrades: 4,
      winningTrades: 3,
      losingTrades: 1,
      percentProfitable: 75,
      netProfit: 40,
      grossProfit: 49,
      grossLoss: 9,
      largestWinningTrade: 23,
      largestLosingTrade: 9,
      commissionPaid: 4,
      maxRunup: 49, // equity 0 → 7 → 26 → 49 → 40
      maxDrawdown: 9,
      maxContractsHeld: 4, // the position's, however its trades are listed
    });
    expect(stats.profitFactor).toBeCloseTo(49 / 9, 2);

    const { points } = await apiJson("GET", `/api/recorders/${rec.id}/equity${q}`);
    expect(points.map((p: any) => [p.pnl, p.equity])).toEqual([
      [0, 0],
      [7, 7],
      [19, 26],
      [23, 49],
      [-9, 40],
    ]);

    const csvRes = await api("GET", `/api/recorders/${rec.id}/trades.csv${q}`);
    expect(csvRes.status).toBe(200);
    const csv = await csvRes.text();
    expect(csv.trim().split("\r\n")).toHaveLength(1 + 2 * 4);
    expect(exitRows(csv)).toEqual({
      "1": ["25604.00", "1", "7.00", "12.00", "-20.00", "7.00"],
      "2": ["25610.00", "1", "19.00", "24.00", "-20.00", "26.00"],
      "3": ["25610.00", "1", "23.00", "28.00", "-16.00", "49.00"],
      "4": ["25601.00", "1", "-9.00", "14.00", "-30.00", "40.00"],
    });
    expect(entryPrices(csv)).toEqual({ "1": "25600.00", "2": "25600.00", "3": "25598.00", "4": "25605.00" });

    // The default is the round trip, as before, and `pairing=round_trips` says so explicitly.
    const plain = await apiJson("GET", `/api/recorders/${rec.id}/stats`);
    expect(plain.stats).toMatchObject({ totalClosedTrades: 1, winningTrades: 1, netProfit: 40, maxContractsHeld: 4 });
    expect(await apiJson("GET", `/api/recorders/${rec.id}/stats?pairing=round_trips`)).toEqual(plain);
    const plainEquity = await apiJson("GET", `/api/recorders/${rec.id}/equity`);
    expect(plainEquity.points.map((p: any) => p.equity)).toEqual([0, 40]);
    const plainCsv = await (await api("GET", `/api/recorders/${rec.id}/trades.csv`)).text();
    // Round trip: run-up and drawdown are the position's. Best: 3 held at avg 25600.75 when 25612 printed,
    // +11.25 pts × 3 × $2 = $67.50; worst: 4 held at 25590, −10.75 pts × 4 × $2 = −$86. Exit price
    // (25604 + 2 × 25610 + 25601) / 4 = 25606.25.
    expect(trade).toMatchObject({ maxFavorable: 67.5, maxAdverse: -86, exitPrice: 25606.25 });
    expect(exitRows(plainCsv)).toEqual({ "1": ["25606.25", "4", "40.00", "67.50", "-86.00", "40.00"] });
  });

  it("a bad pairing is 400 invalid_request naming the field, on all three reports", async () => {
    const rec = await createRecorder();
    for (const path of ["stats", "equity", "trades.csv"]) {
      const r = await api("GET", `/api/recorders/${rec.id}/${path}?pairing=fifo`);
      expect(r.status, path).toBe(400);
      const json = (await r.json()) as any;
      expectError(json, "invalid_request");
      expect(json.error.details).toEqual([expect.objectContaining({ field: "pairing" })]);
    }
    // A valid one on a recorder without trades: empty, not an error.
    const { stats } = await apiJson("GET", `/api/recorders/${rec.id}/stats?pairing=entries`);
    expect(stats.totalClosedTrades).toBe(0);
  });
});
