import { describe, expect, it } from "vitest";
import { computeStats, type Stats } from "../../src/stats/metrics";
import { assertAllFinite, sequence, trade } from "./helpers";

const MIN = 60_000;

describe("computeStats: empty", () => {
  it("0 trades: zeros for sums, null for averages/ratios, nothing NaN or infinite", () => {
    const s = computeStats([]);
    const expected: Stats = {
      netProfit: 0,
      grossProfit: 0,
      grossLoss: 0,
      profitFactor: null,
      totalClosedTrades: 0,
      winningTrades: 0,
      losingTrades: 0,
      breakevenTrades: 0,
      percentProfitable: null,
      avgTrade: null,
      avgWinningTrade: null,
      avgLosingTrade: null,
      ratioAvgWinAvgLoss: null,
      largestWinningTrade: null,
      largestLosingTrade: null,
      maxDrawdown: 0,
      maxRunup: 0,
      netProfitPercent: null,
      maxDrawdownPercent: null,
      maxRunupPercent: null,
      maxContractsHeld: 0,
      commissionPaid: 0,
      openPnl: 0,
      avgTimeInTradeMs: null,
      avgTimeInWinningTradeMs: null,
      avgTimeInLosingTradeMs: null,
      sharpeRatio: null,
      sortinoRatio: null,
      ratioPeriod: null,
      avgMaeWinners: null,
      avgMfeLosers: null,
      avgMfeCaptured: null,
      mfeCaptured: null,
      totalOpenTrades: 0,
      scratchedTrades: 0,
      avgMae: null,
      avgMfe: null,
    };
    expect(s).toEqual(expected);
    assertAllFinite(s);
    // A JSON round trip loses nothing (NaN/Infinity would become null, undefined would vanish).
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(JSON.stringify(s)).not.toMatch(/NaN|Infinity/);
  });

  it("0 trades with options: openPnl is still reported", () => {
    const s = computeStats([], { openPnl: -12.345, riskFreeRate: 0.05, initialCapital: 1000 });
    expect(s.openPnl).toBe(-12.35);
    // With a capital but no trade: nothing gained, nothing lost; Sharpe/Sortino have no period.
    expect(s).toMatchObject({ netProfitPercent: 0, maxDrawdownPercent: 0, maxRunupPercent: 0, sharpeRatio: null, sortinoRatio: null, ratioPeriod: null });
    assertAllFinite(s);
  });
});

describe("computeStats: single trades", () => {
  it("one winning trade", () => {
    const s = computeStats([
      trade({
        pnl: 125.5,
        commission: 1.5,
        quantity: 2,
        maxFavorable: 150,
        maxAdverse: -20,
        openedAt: "2026-03-02T10:00:00Z",
        closedAt: "2026-03-02T10:30:00Z",
      }),
    ]);
    expect(s).toEqual({
      netProfit: 125.5,
      grossProfit: 125.5,
      grossLoss: 0,
      profitFactor: null,
      totalClosedTrades: 1,
      winningTrades: 1,
      losingTrades: 0,
      breakevenTrades: 0,
      percentProfitable: 100,
      avgTrade: 125.5,
      avgWinningTrade: 125.5,
      avgLosingTrade: null,
      ratioAvgWinAvgLoss: null,
      largestWinningTrade: 125.5,
      largestLosingTrade: null,
      maxDrawdown: 0,
      maxRunup: 125.5,
      netProfitPercent: null, // no initial capital
      maxDrawdownPercent: null,
      maxRunupPercent: null,
      maxContractsHeld: 2,
      commissionPaid: 1.5,
      openPnl: 0,
      avgTimeInTradeMs: 1_800_000,
      avgTimeInWinningTradeMs: 1_800_000,
      avgTimeInLosingTradeMs: null,
      sharpeRatio: null, // a single day: fewer than 3 periods
      sortinoRatio: null,
      ratioPeriod: null,
      avgMaeWinners: -20,
      avgMfeLosers: null,
      avgMfeCaptured: expect.closeTo(0.8366666667, 9), // 125.5 / 150
      mfeCaptured: expect.closeTo(0.8366666667, 9), // one trade: the same share
      totalOpenTrades: 0,
      scratchedTrades: 0,
      avgMae: -20,
      avgMfe: 150,
    });
    assertAllFinite(s);
  });

  it("one losing trade: losses are positive, drawdown from the initial 0 peak", () => {
    const s = computeStats([
      trade({
        pnl: -80.25,
        commission: 0.75,
        maxFavorable: 12.5,
        maxAdverse: -95,
        openedAt: "2026-03-02T10:00:00Z",
        closedAt: "2026-03-02T10:05:00Z",
      }),
    ]);
    expect(s).toMatchObject({
      netProfit: -80.25,
      grossProfit: 0,
      grossLoss: 80.25,
      profitFactor: 0, // 0 / 80.25: defined
      totalClosedTrades: 1,
      winningTrades: 0,
      losingTrades: 1,
      breakevenTrades: 0,
      percentProfitable: 0,
      avgTrade: -80.25,
      avgWinningTrade: null,
      avgLosingTrade: 80.25,
      ratioAvgWinAvgLoss: null,
      largestWinningTrade: null,
      largestLosingTrade: 80.25,
      maxDrawdown: 80.25,
      maxRunup: 0,
      maxContractsHeld: 1,
      commissionPaid: 0.75,
      avgTimeInTradeMs: 5 * MIN,
      avgTimeInWinningTradeMs: null,
      avgTimeInLosingTradeMs: 5 * MIN,
      avgMaeWinners: null,
      avgMfeLosers: 12.5,
      avgMfeCaptured: -6.42, // -80.25 / 12.5
      scratchedTrades: 0,
      avgMae: -95,
      avgMfe: 12.5,
    });
    assertAllFinite(s);
  });
});

describe("computeStats: sets of trades", () => {
  it("all winners: profitFactor and win/loss ratio are null, never Infinity", () => {
    const s = computeStats(sequence([10, 20, 30.5]));
    expect(s).toMatchObject({
      netProfit: 60.5,
      grossProfit: 60.5,
      grossLoss: 0,
      profitFactor: null,
      winningTrades: 3,
      losingTrades: 0,
      percentProfitable: 100,
      avgTrade: 20.17, // 60.5 / 3 = 20.1666…
      avgWinningTrade: 20.17,
      avgLosingTrade: null,
      ratioAvgWinAvgLoss: null,
      largestWinningTrade: 30.5,
      largestLosingTrade: null,
      maxDrawdown: 0,
      maxRunup: 60.5,
    });
    assertAllFinite(s);
    expect(JSON.stringify(s)).not.toMatch(/NaN|Infinity/);
  });

  it("all losers", () => {
    const s = computeStats(sequence([-10, -20]));
    expect(s).toMatchObject({
      netProfit: -30,
      grossProfit: 0,
      grossLoss: 30,
      profitFactor: 0,
      winningTrades: 0,
      losingTrades: 2,
      percentProfitable: 0,
      avgTrade: -15,
      avgWinningTrade: null,
      avgLosingTrade: 15,
      ratioAvgWinAvgLoss: null,
      largestWinningTrade: null,
      largestLosingTrade: 20,
      maxDrawdown: 30, // 0 → -10 → -30
      maxRunup: 0,
    });
    assertAllFinite(s);
  });

  it("breakeven trades are neither winners nor losers but count as closed trades", () => {
    const trades = [
      trade({ id: "a", pnl: 0, maxFavorable: 10, openedAt: "2026-03-02T09:00:00Z", closedAt: "2026-03-02T09:04:00Z" }),
      trade({ id: "b", pnl: 50, openedAt: "2026-03-02T09:10:00Z", closedAt: "2026-03-02T09:20:00Z" }),
      trade({ id: "c", pnl: -25, openedAt: "2026-03-02T09:30:00Z", closedAt: "2026-03-02T09:32:00Z" }),
      trade({ id: "d", pnl: 0, openedAt: "2026-03-02T09:40:00Z", closedAt: "2026-03-02T09:42:00Z" }),
    ];
    const s = computeStats(trades);
    expect(s).toMatchObject({
      totalClosedTrades: 4,
      winningTrades: 1,
      losingTrades: 1,
      breakevenTrades: 2,
      percentProfitable: 25,
      netProfit: 25,
      avgTrade: 6.25, // 25 / 4
      profitFactor: 2, // 50 / 25
      ratioAvgWinAvgLoss: 2,
      avgTimeInTradeMs: 4.5 * MIN, // (4 + 10 + 2 + 2) / 4
      avgTimeInWinningTradeMs: 10 * MIN,
      avgTimeInLosingTradeMs: 2 * MIN,
      scratchedTrades: 1, // "a": was 10 in profit, closed at 0 with 0 commission; "d" never was in profit
      avgMfeCaptured: 0, // only "a" had MFE > 0: 0 / 10
    });
  });

  it("mixed list: hand-computed drawdown and run-up", () => {
    // equity:  -50, -80, 120,   0,  40, -60
    // peak:      0,   0, 120, 120, 120, 120  → drawdowns 50, 80, 0, 120, 80, 180 → max 180
    // trough:  -50, -80, -80, -80, -80, -80  → run-ups 0, 0, 200, 80, 120, 20     → max 200
    const s = computeStats(sequence([-50, -30, 200, -120, 40, -100]));
    expect(s).toMatchObject({
      netProfit: -60,
      grossProfit: 240,
      grossLoss: 300,
      profitFactor: 0.8,
      winningTrades: 2,
      losingTrades: 4,
      avgWinningTrade: 120,
      avgLosingTrade: 75,
      ratioAvgWinAvgLoss: 1.6,
      largestWinningTrade: 200,
      largestLosingTrade: 120,
      maxDrawdown: 180,
      maxRunup: 200,
      avgTrade: -10,
    });
    expect(s.percentProfitable).toBeCloseTo(33.3333333333, 9);
  });

  it("drawdown measured from the initial 0 peak when equity never goes above 0", () => {
    // equity -50, -80, -60: the peak is the start (0), so the drawdown is 80, not 30 or 0.
    const s = computeStats(sequence([-50, -30, 20]));
    expect(s.maxDrawdown).toBe(80);
    expect(s.maxRunup).toBe(20); // from the trough -80 to -60
  });

  it("run-up measured from the initial 0 trough", () => {
    // equity 100, 70, 120: trough stays 0 → run-up 120; peak 100 → drawdown 30
    const s = computeStats(sequence([100, -30, 50]));
    expect(s.maxRunup).toBe(120);
    expect(s.maxDrawdown).toBe(30);
  });

  it("commission: net P&L decides winner/loser; commissionPaid sums; scratched = MFE > 0 and |pnl| ≤ commission", () => {
    const trades = sequence([7.5, -1, 4, -4.01, 0.1, 0.2]);
    const over = [
      { commission: 2.5, maxFavorable: 12 }, // gross 10, net 7.5: winner, not scratched (7.5 > 2.5)
      { commission: 4, maxFavorable: 8 }, // gross +3 but net -1: a loser; scratched (1 ≤ 4)
      { commission: 4, maxFavorable: 5 }, // net exactly +4 = commission: scratched (boundary)
      { commission: 4, maxFavorable: 5 }, // net -4.01: 4.01 > 4, not scratched
      { commission: 0.62, maxFavorable: 0 }, // no MFE: never scratched
      { commission: 0.62, maxFavorable: 0.5 }, // 0.2 ≤ 0.62: scratched
    ];
    trades.forEach((t, i) => {
      Object.assign(t, over[i]);
      t.grossPnl = t.pnl + t.commission;
    });
    const s = computeStats(trades);
    expect(s.commissionPaid).toBe(15.74); // 2.5 + 4 + 4 + 4 + 0.62 + 0.62
    expect(s.netProfit).toBe(6.79); // 7.5 - 1 + 4 - 4.01 + 0.1 + 0.2
    expect(s.grossProfit).toBe(11.8); // 7.5 + 4 + 0.1 + 0.2 (cent-exact, no 11.799999…)
    expect(s.grossLoss).toBe(5.01);
    expect(s.winningTrades).toBe(4);
    expect(s.losingTrades).toBe(2);
    expect(s.scratchedTrades).toBe(3);
    expect(s.largestLosingTrade).toBe(4.01);
  });

  it("money is cent-exact: sums of float-noisy P&L", () => {
    const s = computeStats(sequence([0.1, 0.2, 0.3, -0.6]));
    expect(s.netProfit).toBe(0);
    expect(s.grossProfit).toBe(0.6);
    expect(s.maxRunup).toBe(0.6);
    expect(s.maxDrawdown).toBe(0.6);
    expect(Object.is(s.netProfit, -0)).toBe(false);
  });

  it("out-of-order input gives the same result as close order (closedAt as an instant, then id)", () => {
    const inOrder = sequence([-50, -30, 200, -120, 40, -100]);
    const shuffled = [inOrder[3], inOrder[0], inOrder[5], inOrder[2], inOrder[4], inOrder[1]];
    expect(computeStats(shuffled)).toEqual(computeStats(inOrder));
    expect(computeStats(shuffled).maxDrawdown).toBe(180);

    // "10:00+01:00" is 09:00Z: it closes before "09:30Z" even though the string sorts after it.
    const a = trade({ id: "a", pnl: -100, openedAt: "2026-03-02T08:00:00Z", closedAt: "2026-03-02T10:00:00+01:00" });
    const b = trade({ id: "b", pnl: 100, openedAt: "2026-03-02T09:10:00Z", closedAt: "2026-03-02T09:30:00Z" });
    const s = computeStats([b, a]);
    expect(s.maxDrawdown).toBe(100); // -100 first (from peak 0), then back to 0
    expect(s.maxRunup).toBe(100);
  });

  it("averages: times in trade, MAE of winners, MFE of losers, MFE captured", () => {
    const trades = [
      trade({ pnl: 40, maxFavorable: 80, maxAdverse: -10, openedAt: "2026-03-02T09:00:00Z", closedAt: "2026-03-02T09:10:00Z" }),
      trade({ pnl: 60, maxFavorable: 60, maxAdverse: -25.01, openedAt: "2026-03-02T10:00:00Z", closedAt: "2026-03-02T10:20:00Z" }),
      trade({ pnl: -30, maxFavorable: 15, maxAdverse: -45, openedAt: "2026-03-02T11:00:00Z", closedAt: "2026-03-02T11:05:00Z" }),
      trade({ pnl: -20, maxFavorable: 0, maxAdverse: -20, openedAt: "2026-03-02T12:00:00Z", closedAt: "2026-03-02T12:05:00Z" }),
    ];
    const s = computeStats(trades, { openPnl: 3.005 });
    expect(s.avgTimeInTradeMs).toBe(10 * MIN); // (10 + 20 + 5 + 5) / 4
    expect(s.avgTimeInWinningTradeMs).toBe(15 * MIN);
    expect(s.avgTimeInLosingTradeMs).toBe(5 * MIN);
    expect(s.avgMaeWinners).toBe(-17.51); // (-10 - 25.01) / 2 = -17.505 → half away from zero
    expect(s.avgMfeLosers).toBe(7.5); // (15 + 0) / 2
    expect(s.avgMfeCaptured).toBeCloseTo(-0.1666666667, 9); // (40/80 + 60/60 + -30/15) / 3 = (0.5 + 1 - 2) / 3; the MFE-0 trade is excluded
    // Of the 155 of open profit those three reached, 40 + 60 − 30 = 70 was kept.
    expect(s.mfeCaptured).toBeCloseTo(70 / 155, 12);
    expect(computeStats(trades, { openTrades: 2 }).totalOpenTrades).toBe(2);
    expect(s.avgMae).toBe(-25); // (-10 - 25.01 - 45 - 20) / 4 = -25.0025
    expect(s.avgMfe).toBe(38.75); // (80 + 60 + 15 + 0) / 4
    expect(s.openPnl).toBe(3.01);
    expect(s.maxContractsHeld).toBe(1);
  });
});

describe("computeStats: Sharpe and Sortino (returns of equity, initial capital required)", () => {
  // Four calendar days: 2026-03-02 … 2026-03-05. Day 2 has two trades, day 3 none (return 0).
  const daily = [
    trade({ id: "d1", pnl: 100, openedAt: "2026-03-02T09:00:00Z", closedAt: "2026-03-02T10:00:00Z" }),
    trade({ id: "d2a", pnl: -20, openedAt: "2026-03-03T09:00:00Z", closedAt: "2026-03-03T10:00:00Z" }),
    trade({ id: "d2b", pnl: -30, openedAt: "2026-03-03T11:00:00Z", closedAt: "2026-03-03T12:00:00Z" }),
    trade({ id: "d4", pnl: 150, openedAt: "2026-03-05T09:00:00Z", closedAt: "2026-03-05T10:00:00Z" }),
  ];
  const day = (d: string, pnl: number) =>
    trade({ pnl, openedAt: `2026-03-${d}T09:00:00Z`, closedAt: `2026-03-${d}T10:00:00Z` });

  it("null without an initial capital (a USD P&L is not a return), whatever the risk-free rate", () => {
    for (const initialCapital of [undefined, null, 0, -1000, Number.NaN, Number.POSITIVE_INFINITY]) {
      const s = computeStats(daily, { riskFreeRate: 0.05, initialCapital });
      expect(s).toMatchObject({ sharpeRatio: null, sortinoRatio: null, ratioPeriod: null });
      assertAllFinite(s);
    }
  });

  it("daily with initialCapital: relative returns, risk-free per calendar day", () => {
    // capital 10000; day returns: 100/10000 = 0.01, -101/10100 = -0.01, 0/9999 = 0, 99.99/9999 = 0.01
    // rf = 0.0365 / 365 = 0.0001; mean = 0.0025; excess = 0.0024
    // deviations 0.0075, -0.0125, -0.0025, 0.0075 → squares sum 2.75e-4; /4 = 6.875e-5
    // downside (r - rf): 0.0099, -0.0101, -0.0001, 0.0099 → 1.0201e-4 + 1e-8 = 1.0202e-4; /4 = 2.5505e-5
    const trades = [
      trade({ pnl: 100, openedAt: "2026-03-02T09:00:00Z", closedAt: "2026-03-02T10:00:00Z" }),
      trade({ pnl: -101, openedAt: "2026-03-03T09:00:00Z", closedAt: "2026-03-03T10:00:00Z" }),
      trade({ pnl: 99.99, openedAt: "2026-03-05T09:00:00Z", closedAt: "2026-03-05T10:00:00Z" }),
    ];
    const s = computeStats(trades, { initialCapital: 10_000, riskFreeRate: 0.0365 });
    expect(s.ratioPeriod).toBe("daily");
    expect(s.sharpeRatio).toBeCloseTo(0.0024 / Math.sqrt(6.875e-5), 9); // 0.28945…
    expect(s.sortinoRatio).toBeCloseTo(0.0024 / Math.sqrt(2.5505e-5), 9); // 0.47522…
  });

  it("monthly when the trading period covers ≥ 3 months (empty months count as 0); default risk-free 2 %/year", () => {
    // capital 10000. Jan +500 → 500/10000 = 0.05 (equity 10500); Feb nothing → 0;
    // Mar -525 → -525/10500 = -0.05 (equity 9975); Apr +997.50 → 997.5/9975 = 0.10.
    // returns [0.05, 0, -0.05, 0.10]: mean 0.025; rf = 0.02 / 12 = 0.0016667; excess = 0.0233333
    // deviations 0.025, -0.025, -0.075, 0.075 → squares 0.000625 × 2 + 0.005625 × 2 = 0.0125; /4 = 0.003125
    //   Sharpe = 0.0233333 / sqrt(0.003125) = 0.0233333 / 0.0559017 = 0.41740
    // downside min(0, r - rf)²: 0, (-0.0016667)² = 2.7778e-6, (-0.0516667)² = 2.669444e-3, 0 → sum 2.672222e-3;
    //   /4 = 6.680556e-4 → DD = 0.0258468; Sortino = 0.0233333 / 0.0258468 = 0.90275
    const trades = [
      trade({ pnl: 500, openedAt: "2026-01-15T10:00:00Z", closedAt: "2026-01-15T11:00:00Z" }),
      trade({ pnl: -525, openedAt: "2026-03-10T10:00:00Z", closedAt: "2026-03-10T11:00:00Z" }),
      trade({ pnl: 997.5, openedAt: "2026-04-19T10:00:00Z", closedAt: "2026-04-20T11:00:00Z" }),
    ];
    const s = computeStats(trades, { initialCapital: 10_000 });
    const rf = 0.02 / 12;
    expect(s.ratioPeriod).toBe("monthly");
    expect(s.sharpeRatio).toBeCloseTo((0.025 - rf) / Math.sqrt(0.003125), 9);
    expect(s.sharpeRatio).toBeCloseTo(0.4174, 4);
    expect(s.sortinoRatio).toBeCloseTo((0.025 - rf) / Math.sqrt((rf ** 2 + (0.05 + rf) ** 2) / 4), 9);
    expect(s.sortinoRatio).toBeCloseTo(0.90275, 4);
  });

  it("just under 3 months stays daily", () => {
    const trades = [
      trade({ pnl: 300, openedAt: "2026-01-15T10:00:00Z", closedAt: "2026-01-15T11:00:00Z" }),
      trade({ pnl: -100, openedAt: "2026-04-15T09:00:00Z", closedAt: "2026-04-15T09:59:59Z" }),
    ];
    expect(computeStats(trades, { initialCapital: 10_000 }).ratioPeriod).toBe("daily");
  });

  it("two periods are enough", () => {
    // capital 1000: day 1 +10 → 0.01 (equity 1010); day 2 -10.10 → -0.01. mean 0; rf = 0.02 / 365
    // SD = sqrt((0.01² + 0.01²) / 2) = 0.01 → Sharpe = -rf / 0.01 = -0.0054794521
    // downside: day 1 is above rf; day 2: (-0.01 - rf)² → DD = (0.01 + rf) / sqrt(2); Sortino = -rf / DD = -0.0077068
    const s = computeStats([day("02", 10), day("03", -10.1)], { initialCapital: 1000 });
    const rf = 0.02 / 365;
    expect(s.ratioPeriod).toBe("daily");
    expect(s.sharpeRatio).toBeCloseTo(-rf / 0.01, 12);
    expect(s.sortinoRatio).toBeCloseTo(-rf / ((0.01 + rf) / Math.SQRT2), 12);
  });

  it("null when undefined: one period, zero deviation, no downside, an account wiped out", () => {
    // One day (two trades on it): one period.
    const oneDay = [day("02", 10), trade({ pnl: -5, openedAt: "2026-03-02T11:00:00Z", closedAt: "2026-03-02T12:00:00Z" })];
    expect(computeStats(oneDay, { initialCapital: 1000 })).toMatchObject({ sharpeRatio: null, sortinoRatio: null, ratioPeriod: null });

    // Identical returns: 100/10000 = 101/10100 = 102.01/10201 = 0.01 → SD 0; every day above rf → no downside.
    const flat = [day("02", 100), day("03", 101), day("04", 102.01)];
    expect(computeStats(flat, { initialCapital: 10_000 })).toMatchObject({ sharpeRatio: null, sortinoRatio: null, ratioPeriod: null });

    // Returns [0.01, 0.02, 0.03] (100/10000, 202/10100, 309.06/10302): mean 0.02, SD = sqrt(2e-4 / 3) = 0.0081650;
    // Sharpe = (0.02 - 0.02/365) / 0.0081650 = 2.44277; every day above rf → Sortino null.
    const rising = [day("02", 100), day("03", 202), day("04", 309.06)];
    const s = computeStats(rising, { initialCapital: 10_000 });
    expect(s.sharpeRatio).toBeCloseTo((0.02 - 0.02 / 365) / Math.sqrt(2e-4 / 3), 9);
    expect(s.sharpeRatio).toBeCloseTo(2.44277, 4);
    expect(s.sortinoRatio).toBeNull();
    expect(s.ratioPeriod).toBe("daily");
    assertAllFinite(s);

    // Capital 100, day 1 -150: equity -50 at the start of day 2, no base for a return.
    const wiped = [day("02", -150), day("03", 10), day("04", 5)];
    expect(computeStats(wiped, { initialCapital: 100 })).toMatchObject({ sharpeRatio: null, sortinoRatio: null, ratioPeriod: null });
  });
});

describe("computeStats: percent figures (initial capital)", () => {
  it("null without a usable initial capital; the money figures do not change", () => {
    const trades = sequence([-50, -30, 200]);
    const base = computeStats(trades);
    for (const initialCapital of [undefined, null, 0, -1, 0.004, Number.NaN, Number.POSITIVE_INFINITY]) {
      const s = computeStats(trades, { initialCapital });
      expect(s).toMatchObject({ netProfitPercent: null, maxDrawdownPercent: null, maxRunupPercent: null });
      expect(s).toEqual(base);
      assertAllFinite(s);
    }
  });

  it("hand-computed: net profit %, drawdown % of the running peak, run-up % of the running trough", () => {
    // capital 1000, pnl -50, -30, 200, -120, 40, -100
    // equity:   950,  920, 1120, 1000, 1040,  940
    // peak:    1000, 1000, 1120, 1120, 1120, 1120 → falls 5 %, 8 %, 0, 120/1120 = 10.714 %, 80/1120 = 7.143 %,
    //                                               180/1120 = 16.0714 % → max 16.07
    // trough:   950,  920,  920,  920,  920,  920 → rises 0, 0, 200/920 = 21.7391 %, 80/920, 120/920, 20/920 → 21.74
    // net profit -60 / 1000 = -6 %
    const s = computeStats(sequence([-50, -30, 200, -120, 40, -100]), { initialCapital: 1000 });
    expect(s).toMatchObject({
      netProfit: -60,
      maxDrawdown: 180,
      maxRunup: 200,
      netProfitPercent: -6,
      maxDrawdownPercent: 16.07,
      maxRunupPercent: 21.74,
    });
    assertAllFinite(s);
  });

  it("the largest relative fall need not be the largest fall in USD", () => {
    // capital 100, pnl -50, +950, -100 → equity 50, 1000, 900
    // falls: 50 from 100 (50 %), 100 from 1000 (10 %): maxDrawdown = 100 USD but maxDrawdownPercent = 50
    // rises from the trough 50: 950 (1900 %), then 850 (1700 %) → 1900; net +800 / 100 = 800 %
    const s = computeStats(sequence([-50, 950, -100]), { initialCapital: 100 });
    expect(s).toMatchObject({ maxDrawdown: 100, maxDrawdownPercent: 50, maxRunup: 950, maxRunupPercent: 1900, netProfitPercent: 800 });
  });

  it("an account taken below 0: drawdown above 100 %, no run-up from a trough ≤ 0", () => {
    // capital 100, pnl -150, +30, +60 → equity -50, -20, 40. Falls from the peak 100: 150 %, 120 %, 60 % → 150.
    // The trough is -50: no percent base, so no run-up percent (0) although maxRunup is 90 USD. Net -60 %.
    const s = computeStats(sequence([-150, 30, 60]), { initialCapital: 100 });
    expect(s).toMatchObject({ maxDrawdownPercent: 150, maxRunup: 90, maxRunupPercent: 0, netProfitPercent: -60 });
    assertAllFinite(s);
  });

  it("rounded to 2 decimals, half away from zero, never -0", () => {
    // 0.40 / 8000 = 0.005 % → 0.01; -0.40 → -0.01; 100 / 3000 = 3.3333 % → 3.33; 0.01 / 8000 = 0.000125 % → 0
    expect(computeStats(sequence([0.4]), { initialCapital: 8000 }).netProfitPercent).toBe(0.01);
    expect(computeStats(sequence([-0.4]), { initialCapital: 8000 }).netProfitPercent).toBe(-0.01);
    expect(computeStats(sequence([100]), { initialCapital: 3000 }).netProfitPercent).toBe(3.33);
    const tiny = computeStats(sequence([-0.01]), { initialCapital: 8000 });
    expect(Object.is(tiny.netProfitPercent, -0)).toBe(false);
    expect(tiny.netProfitPercent).toBe(0);
    expect(tiny.maxDrawdownPercent).toBe(0); // 0.000125 % rounds to 0
  });

  it("capital given with float noise or sub-cent digits is taken to the cent", () => {
    // 1000.004 → 1000.00; 1000.005 → 1000.01 (half away from zero). 10 / 1000.01 = 0.99999 % → 1
    expect(computeStats(sequence([10]), { initialCapital: 1000.004 }).netProfitPercent).toBe(1);
    expect(computeStats(sequence([10]), { initialCapital: 1000.005 }).netProfitPercent).toBe(1);
  });

  it("input order does not matter", () => {
    const inOrder = sequence([-50, -30, 200, -120, 40, -100]);
    const shuffled = [inOrder[3], inOrder[0], inOrder[5], inOrder[2], inOrder[4], inOrder[1]];
    expect(computeStats(shuffled, { initialCapital: 1000 })).toEqual(computeStats(inOrder, { initialCapital: 1000 }));
  });
});
