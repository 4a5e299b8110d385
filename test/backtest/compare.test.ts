// The matcher and the summary, directly (pure). Every expected number is worked out by hand in the comments.
// MNQ: tick 0.25.
import { describe, expect, it } from "vitest";
import { compareTrades } from "../../src/backtest/compare";
import type { BacktestTrade } from "../../src/backtest/types";
import type { Trade } from "../../src/engine/types";

const T0 = Date.parse("2024-03-05T14:30:00.000Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function bt(tradeNo: number, side: "long" | "short", entrySec: number, entryPrice: number, exitPrice: number | null, pnl: number | null, runup: number | null = null, drawdown: number | null = null): BacktestTrade {
  const open = exitPrice === null;
  return { tradeNo, side, entryAt: at(entrySec), entryPrice, entrySignal: null, exitAt: open ? null : at(entrySec + 600), exitPrice, exitSignal: null, quantity: 1, pnl, runup, drawdown };
}

function live(id: string, side: "long" | "short", entrySec: number, entryPrice: number, exitPrice: number, pnl: number, maxFavorable = 0, maxAdverse = 0, symbol = "MNQ"): Trade {
  return { id, positionId: id, recorderId: "r", symbol, side, quantity: 1, entryPrice, exitPrice, grossPnl: pnl, commission: 0, pnl, maxFavorable, maxAdverse, openedAt: at(entrySec), closedAt: at(entrySec + 600), exitReason: "signal" };
}

const MNQ = { toleranceSeconds: 300, tickSize: (s: string) => (s === "MNQ" ? 0.25 : undefined) };

describe("matching", () => {
  it("nearest unmatched live trade of the same side within the tolerance; the rest missed or extra", () => {
    const backtest = [
      bt(1, "long", 0, 100, 110, 20), // live a (+4 s) and b (+200 s) are candidates: a is nearer
      bt(2, "long", 60, 100, 110, 20), // a is taken: b (+140 s)
      bt(3, "short", 0, 100, 90, 20), // only long live trades near: missed
      bt(4, "long", 10_000, 100, 110, 20), // nothing within 300 s: missed
    ];
    const lives = [live("b", "long", 200, 100, 110, 20), live("a", "long", 4, 100, 110, 20), live("c", "long", 5_000, 100, 110, 20)];
    const r = compareTrades(backtest, lives, MNQ);
    expect(r.trades.map((t) => [t.backtest?.tradeNo ?? null, t.live?.id ?? null])).toEqual([
      [1, "a"], // t = 0
      [3, null], // t = 0, Trade # 3 after 1
      [2, "b"], // t = 60
      [null, "c"], // t = 5 000
      [4, null], // t = 10 000
    ]);
    expect(r.summary).toMatchObject({ backtestTrades: 4, liveTrades: 3, matched: 2, missedInLive: 2, extraInLive: 1 });
  });

  it("the tolerance is inclusive; 0 needs the same instant; a tie goes to the earlier live entry", () => {
    const one = (tol: number, lives: Trade[]) => compareTrades([bt(1, "long", 100, 100, 110, 20)], lives, { ...MNQ, toleranceSeconds: tol }).trades.find((t) => t.backtest)!.live?.id ?? null;
    expect(one(300, [live("x", "long", 400, 100, 110, 20)])).toBe("x"); // exactly 300 s
    expect(one(299, [live("x", "long", 400, 100, 110, 20)])).toBe(null);
    expect(one(0, [live("x", "long", 100, 100, 110, 20)])).toBe("x");
    expect(one(300, [live("late", "long", 130, 100, 110, 20), live("early", "long", 70, 100, 110, 20)])).toBe("early"); // both 30 s away
    // Same entry time (a partial exit lists one entry twice): the one listed first.
    expect(one(300, [live("p:0", "long", 100, 100, 110, 20), live("p:1", "long", 100, 100, 110, 20)])).toBe("p:0");
  });

  it("backtest trades are matched in entry order (then Trade #), whatever order they are given in", () => {
    const lives = [live("a", "long", 0, 100, 110, 20), live("b", "long", 1, 100, 110, 20)];
    const r = compareTrades([bt(2, "long", 0, 100, 110, 20), bt(1, "long", 0, 100, 110, 20)], lives, MNQ);
    expect(r.trades.map((t) => [t.backtest!.tradeNo, t.live!.id])).toEqual([[1, "a"], [2, "b"]]);
  });

  it("an open backtest trade takes part in nothing (a live position still open is not a trade either)", () => {
    const r = compareTrades([bt(1, "long", 0, 100, null, null), bt(2, "long", 30, 100, 110, 20)], [live("a", "long", 1, 100, 110, 20)], MNQ);
    // Without the exclusion the open trade (entered at 0) would take "a" (1 s away).
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ backtest: { tradeNo: 2 }, live: { id: "a" }, entryLagSeconds: -29 });
    expect(r.summary).toMatchObject({ backtestTrades: 1, matched: 1, missedInLive: 0, extraInLive: 0, netProfitBacktest: 20 });
  });
});

describe("differences of a pair (live − backtest, slippage adverse positive)", () => {
  it("long: paid 2 ticks more and got 1 tick less; 4.25 s late", () => {
    // Backtest 25600 → 25610 (+20.00, run-up 25.00, drawdown −5.50); live 25600.50 → 25609.75 = 9.25 points × $2 = 18.50.
    const r = compareTrades([bt(1, "long", 0, 25600, 25610, 20, 25, -5.5)], [live("a", "long", 4.25, 25600.5, 25609.75, 18.5, 22.5, -7)], MNQ);
    expect(r.trades[0]).toMatchObject({ entrySlippageTicks: 2, exitSlippageTicks: 1, entryLagSeconds: 4.25, pnlDiff: -1.5, runupDiff: -2.5, drawdownDiff: -1.5 });
  });

  it("short: a better fill is negative slippage; an early live entry is a negative lag", () => {
    // Short 25600 → 25590 backtest; live sold 25600.25 (1 tick better) and covered 25590.50 (2 ticks worse).
    const r = compareTrades([bt(1, "short", 10, 25600, 25590, 20)], [live("a", "short", 7, 25600.25, 25590.5, 19.5)], MNQ);
    expect(r.trades[0]).toMatchObject({ entrySlippageTicks: -1, exitSlippageTicks: 2, entryLagSeconds: -3, pnlDiff: -0.5, runupDiff: null, drawdownDiff: null });
  });

  it("ticks in 1/64 (ZN) and a tick size nobody knows", () => {
    const zn = compareTrades([bt(1, "long", 0, 110.5, 111, 500)], [live("a", "long", 0, 110.53125, 110.984375, 453.13, 0, 0, "ZN")], { toleranceSeconds: 300, tickSize: () => 0.015625 });
    expect(zn.trades[0]).toMatchObject({ entrySlippageTicks: 2, exitSlippageTicks: 1 }); // 0.03125 = 2/64, 0.015625 = 1/64
    const unknown = compareTrades([bt(1, "long", 0, 100, 110, 20)], [live("a", "long", 0, 101, 110, 18, 0, 0, "XYZ")], MNQ);
    expect(unknown.trades[0]).toMatchObject({ entrySlippageTicks: null, exitSlippageTicks: null, pnlDiff: -2 });
  });
});

describe("summary", () => {
  it("netProfitLive = netProfitBacktest + pnlFromMissed + pnlFromExtra + pnlFromSlippage, to the cent", () => {
    const backtest = [
      bt(1, "long", 0, 100, 110, 10.1), // matched with a (10.2): +0.10
      bt(2, "short", 100, 100, 90, 20.2), // matched with b (19.99): −0.21
      bt(3, "long", 5_000, 100, 110, -0.3), // missed: pnlFromMissed = +0.30
      bt(4, "long", 9_000, 100, null, null), // open: nothing
    ];
    const lives = [live("a", "long", 1, 100, 110, 10.2), live("b", "short", 101, 100, 90, 19.99), live("e", "long", 7_000, 100, 110, 0.7)];
    const { summary } = compareTrades(backtest, lives, MNQ);
    expect(summary).toEqual({
      backtestTrades: 3,
      liveTrades: 3,
      matched: 2,
      missedInLive: 1,
      extraInLive: 1,
      netProfitBacktest: 30, // 10.1 + 20.2 − 0.3
      netProfitLive: 30.89, // 10.2 + 19.99 + 0.7
      pnlFromMissed: 0.3,
      pnlFromExtra: 0.7,
      pnlFromSlippage: -0.11, // 0.10 − 0.21
    });
    // 30 + 0.3 + 0.7 − 0.11 = 30.89
  });

  it("no backtest, no live: zeros", () => {
    expect(compareTrades([], [], MNQ)).toEqual({
      summary: { backtestTrades: 0, liveTrades: 0, matched: 0, missedInLive: 0, extraInLive: 0, netProfitBacktest: 0, netProfitLive: 0, pnlFromMissed: 0, pnlFromExtra: 0, pnlFromSlippage: 0 },
      trades: [],
    });
  });
});
