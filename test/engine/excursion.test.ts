// Worst/best unrealized P&L (MAE/MFE), including the CONTRACT scenario and fill prices.
import { describe, expect, it } from "vitest";
import { driver, recorder, t } from "./helpers";

describe("excursions", () => {
  it("CONTRACT scenario: MNQ buy 25600, tick 25580, tick 25595, close 25610", () => {
    const d = driver();
    d.signal({ action: "buy" }, 25600);
    d.tick(25580);
    expect(d.book.get("r1")).toMatchObject({ unrealizedPnl: -40, worstUnrealizedPnl: -40, worstPrice: 25580, lastPrice: 25580 });
    d.tick(25595);
    expect(d.book.get("r1")).toMatchObject({ unrealizedPnl: -10, worstUnrealizedPnl: -40, bestUnrealizedPnl: 0 });
    const out = d.signal({ action: "close" }, 25610);
    expect(out.closed?.position).toMatchObject({ realizedPnl: 20, unrealizedPnl: 0, status: "closed", exitPrice: 25610 });
    expect(out.closed?.trade).toMatchObject({ grossPnl: 20, pnl: 20, maxAdverse: -40, maxFavorable: 20 });
  });

  it("start at 0 at the entry, at open time", () => {
    const d = driver();
    const p = d.signal({ action: "sell" }, 100).position!;
    expect(p).toMatchObject({ worstUnrealizedPnl: 0, bestUnrealizedPnl: 0, worstPrice: 100, bestPrice: 100, worstAt: p.openedAt, bestAt: p.openedAt });
  });

  it("an add's price is valued with the old quantity and average", () => {
    const d = driver();
    d.signal({ action: "buy" }, 100);
    // add at 98 with 1 contract at 100: −2 points = −$4 (not −$8 with 2 contracts)
    const p = d.signal({ action: "buy" }, 98).position!;
    expect(p).toMatchObject({ worstUnrealizedPnl: -4, worstPrice: 98, avgEntryPrice: 99, unrealizedPnl: -4 });
  });

  it("an exit's own price counts in full, partial exits too", () => {
    const d = driver();
    d.signal({ action: "buy", quantity: 3 }, 100);
    const p = d.signal({ action: "close", quantity: 1 }, 105).position!;
    expect(p.bestUnrealizedPnl).toBe(30); // 3 contracts × 5 points × $2
    const out = d.signal({ action: "close" }, 104);
    expect(out.closed?.trade.maxFavorable).toBe(30);
  });

  it("ties keep the earliest; never reset", () => {
    const d = driver();
    d.signal({ action: "buy" }, 100);
    d.tick(99); // at t(2)
    d.tick(99);
    d.tick(100);
    expect(d.book.get("r1")).toMatchObject({ worstUnrealizedPnl: -2, worstAt: t(2), unrealizedPnl: 0 });
  });

  it("every position sees every tick, whenever it is read", () => {
    const d = driver();
    const r2 = recorder({ id: "r2" });
    d.signal({ action: "buy" }, 100);
    d.book.applySignal({ recorder: r2, instrument: { root: "MNQ", feedSymbol: "CME_MINI:MNQ1!", tickSize: 0.25, tickValue: 0.5 }, signal: { action: "sell" }, price: 100, at: t(1) });
    expect(d.tick(99)).toEqual({ exits: [] }); // t(2)
    d.tick(101); // t(3)
    d.tick(99); // t(4): a tie with t(2) for r1, keeps t(2)
    d.tick(100.5); // t(5)
    expect(d.book.get("r1")).toMatchObject({ worstUnrealizedPnl: -2, worstAt: t(2), bestUnrealizedPnl: 2, bestAt: t(3), lastPrice: 100.5, unrealizedPnl: 1 });
    expect(d.book.get("r2")).toMatchObject({ worstUnrealizedPnl: -2, worstAt: t(3), bestUnrealizedPnl: 2, bestAt: t(2), lastPrice: 100.5, unrealizedPnl: -1 });
    const [s1] = d.book.states();
    expect(s1).toMatchObject({ worstAt: t(2), bestAt: t(3), lastPriceTicks: 402 });
  });
});
