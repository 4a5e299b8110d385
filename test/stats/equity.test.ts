import { describe, expect, it } from "vitest";
import { equitySeries } from "../../src/stats/equity";
import { computeStats } from "../../src/stats/metrics";
import { capitalCents, fromCents, roundCents, roundPct, roundTo, toCents } from "../../src/stats/money";
import { sequence, trade } from "./helpers";

describe("equitySeries", () => {
  it("empty → []", () => {
    expect(equitySeries([])).toEqual([]);
    expect(equitySeries([], { includeStart: true })).toEqual([]);
  });

  it("equity, running peak (start = 0) and drawdown ≤ 0 per closed trade", () => {
    const trades = sequence([-50, -30, 200, -120, 40, -100]);
    const pts = equitySeries(trades);
    expect(pts.map((p) => [p.tradeId, p.pnl, p.equity, p.peak, p.drawdown])).toEqual([
      ["s000", -50, -50, 0, -50],
      ["s001", -30, -80, 0, -80],
      ["s002", 200, 120, 120, 0],
      ["s003", -120, 0, 120, -120],
      ["s004", 40, 40, 120, -80],
      ["s005", -100, -60, 120, -180],
    ]);
    expect(pts[0].time).toBe("2026-03-02T09:00:30.000Z");
    for (const p of pts) expect(Object.is(p.drawdown, -0)).toBe(false);
  });

  it("optional start point at the first openedAt", () => {
    const pts = equitySeries(sequence([25.5, -10]), { includeStart: true });
    expect(pts).toEqual([
      { time: "2026-03-02T09:00:00.000Z", tradeId: null, pnl: 0, equity: 0, peak: 0, drawdown: 0 },
      { time: "2026-03-02T09:00:30.000Z", tradeId: "s000", pnl: 25.5, equity: 25.5, peak: 25.5, drawdown: 0 },
      { time: "2026-03-02T09:01:30.000Z", tradeId: "s001", pnl: -10, equity: 15.5, peak: 25.5, drawdown: -10 },
    ]);
  });

  it("sorts by closedAt, then id for equal close times", () => {
    const same = "2026-03-02T10:00:00Z";
    const pts = equitySeries([
      trade({ id: "z", pnl: 1, closedAt: "2026-03-02T11:00:00Z" }),
      trade({ id: "b", pnl: 2, closedAt: same }),
      trade({ id: "a", pnl: 3, closedAt: same }),
    ]);
    expect(pts.map((p) => p.tradeId)).toEqual(["a", "b", "z"]);
    expect(pts.map((p) => p.equity)).toEqual([3, 5, 6]);
  });

  it("cent-exact cumulative sums", () => {
    const pts = equitySeries(sequence([0.1, 0.2, 0.3]));
    expect(pts.map((p) => p.equity)).toEqual([0.1, 0.3, 0.6]);
  });
});

describe("equitySeries with an initial capital", () => {
  it("adds equityPercent (return on capital) and drawdownPercent (fall from the account's peak)", () => {
    // capital 1000, pnl -50, -30, 200, -120, 40, -100
    // equity (cumulative P&L): -50, -80, 120, 0, 40, -60 → equityPercent = equity / 1000: -5, -8, 12, 0, 4, -6
    // account peak = 1000 + peak: 1000, 1000, 1120, 1120, 1120, 1120
    // drawdownPercent = (equity - peak) / account peak: -5, -8, 0, -120/1120 = -10.714 → -10.71,
    //                   -80/1120 = -7.143 → -7.14, -180/1120 = -16.071 → -16.07
    const trades = sequence([-50, -30, 200, -120, 40, -100]);
    const pts = equitySeries(trades, { includeStart: true, initialCapital: 1000 });
    expect(pts.map((p) => [p.tradeId, p.equity, p.equityPercent, p.drawdownPercent])).toEqual([
      [null, 0, 0, 0],
      ["s000", -50, -5, -5],
      ["s001", -80, -8, -8],
      ["s002", 120, 12, 0],
      ["s003", 0, 0, -10.71],
      ["s004", 40, 4, -7.14],
      ["s005", -60, -6, -16.07],
    ]);
    // The stats' maxDrawdownPercent is the deepest point of the series.
    const minPct = Math.min(...pts.map((p) => p.drawdownPercent ?? 0));
    expect(computeStats(trades, { initialCapital: 1000 }).maxDrawdownPercent).toBe(-minPct);
    for (const p of pts) expect(Object.is(p.drawdownPercent, -0)).toBe(false);
  });

  it("without a usable capital the points are exactly those without the option", () => {
    const trades = sequence([25.5, -10]);
    const plain = equitySeries(trades, { includeStart: true });
    for (const initialCapital of [undefined, null, 0, -5, Number.NaN]) {
      const pts = equitySeries(trades, { includeStart: true, initialCapital });
      expect(pts).toEqual(plain);
      for (const p of pts) expect("equityPercent" in p || "drawdownPercent" in p).toBe(false);
    }
  });
});

describe("money rounding", () => {
  it("half away from zero, robust to float noise", () => {
    expect(roundCents(1.005)).toBe(1.01); // 1.005 × 100 = 100.49999999999999 in binary
    expect(roundCents(-1.005)).toBe(-1.01);
    expect(roundCents(2.675)).toBe(2.68);
    expect(roundCents(1.255)).toBe(1.26);
    expect(roundCents(0.125)).toBe(0.13);
    expect(roundCents(-0.125)).toBe(-0.13);
    expect(roundCents(0.1 + 0.2)).toBe(0.3);
    expect(roundCents(1.004999)).toBe(1);
    expect(roundCents(123456789.125)).toBe(123456789.13);
    expect(Object.is(roundCents(-0.001), -0)).toBe(false);
    expect(roundCents(Number.NaN)).toBe(0);
    expect(roundCents(Number.POSITIVE_INFINITY)).toBe(0);
    expect(roundTo(-17.505, 2)).toBe(-17.51);
    expect(toCents(19.99)).toBe(1999);
    expect(toCents(-0.015)).toBe(-2);
    expect(fromCents(-1750.5)).toBe(-17.51);
    expect(roundPct(0.005)).toBe(0.01);
    expect(roundPct(-16.0714285)).toBe(-16.07);
    expect(Object.is(roundPct(-0.0001), -0)).toBe(false);
  });

  it("capitalCents: a usable capital in cents, else null", () => {
    expect(capitalCents(10_000)).toBe(1_000_000);
    expect(capitalCents(1000.005)).toBe(100_001);
    expect(capitalCents(0.01)).toBe(1);
    for (const bad of [undefined, null, 0, -1, 0.004, Number.NaN, Number.POSITIVE_INFINITY, 1e300]) {
      expect(capitalCents(bad)).toBeNull();
    }
  });
});
