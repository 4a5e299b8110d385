// All / Long / Short columns (issue #12): each side its own summary, hand-computed.
import { describe, expect, it } from "vitest";
import { computeStats, statsBySide } from "../../src/stats";
import type { Trade } from "../../src/engine/types";

function trade(id: string, side: "long" | "short", pnl: number, closedAt: string): Trade {
  return {
    id, positionId: id, recorderId: "r", symbol: "MNQ", side, quantity: 1, entryPrice: 100, exitPrice: 100,
    grossPnl: pnl, commission: 0, pnl, maxFavorable: Math.max(pnl, 0), maxAdverse: Math.min(pnl, 0),
    openedAt: "2026-03-02T14:00:00.000Z", closedAt, exitReason: "signal",
  };
}

describe("statsBySide", () => {
  it("splits trades and open P&L by side; All is the usual summary", () => {
    // Close order: long +100, short −30, long −50, short +20.
    const trades = [
      trade("a", "long", 100, "2026-03-02T15:00:00.000Z"),
      trade("b", "short", -30, "2026-03-02T15:01:00.000Z"),
      trade("c", "long", -50, "2026-03-02T15:02:00.000Z"),
      trade("d", "short", 20, "2026-03-02T15:03:00.000Z"),
    ];
    const s = statsBySide(trades, { openPnl: { long: 12.5, short: -2.25 } });
    expect(s.all).toEqual(computeStats(trades, { openPnl: 10.25 }));
    // Long: +100 then −50: net 50, drawdown 50 (from its own peak 100), PF 2.
    expect(s.long).toMatchObject({ netProfit: 50, totalClosedTrades: 2, maxDrawdown: 50, profitFactor: 2, percentProfitable: 50, openPnl: 12.5 });
    // Short: −30 then +20: net −10, drawdown 30 (from the start), PF 20/30.
    expect(s.short).toMatchObject({ netProfit: -10, totalClosedTrades: 2, maxDrawdown: 30, openPnl: -2.25 });
    expect(s.short.profitFactor).toBeCloseTo(2 / 3, 12);
    // The whole account fell 80 from its peak of 100 (100 → 70 → 20).
    expect(s.all.maxDrawdown).toBe(80);
  });

  it("a side with no trade has an empty column (counts 0, averages null)", () => {
    const s = statsBySide([trade("a", "long", 10, "2026-03-02T15:00:00.000Z")]);
    expect(s.short).toMatchObject({ netProfit: 0, totalClosedTrades: 0, percentProfitable: null, avgTrade: null, openPnl: 0 });
  });
});
