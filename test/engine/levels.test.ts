// Take-profit / stop-loss: specs, recorder defaults, recompute after add, and tick triggers.
import { describe, expect, it } from "vitest";
import { driver, recorder } from "./helpers";

describe("level specs", () => {
  it("price, ticks, amount, percent (long)", () => {
    const d = driver(recorder());
    const p = d.signal({ action: "buy", quantity: 2, takeProfit: { price: 25650.1 }, stopLoss: { ticks: 40 } }, 25600).position!;
    expect(p.takeProfitPrice).toBe(25650);
    expect(p.stopLossPrice).toBe(25590);
    const q = d.signal({ action: "buy", quantity: 0, takeProfit: { amount: 50 }, stopLoss: { percent: 1 } }, 25600).position!;
    // amount $50 for 3 contracts at $0.5/tick: 33.33 ticks -> 33 ticks = 8.25 points
    expect(q.quantity).toBe(3);
    expect(q.takeProfitPrice).toBe(25608.25);
    expect(q.stopLossPrice).toBe(25344);
  });

  it("short levels are mirrored", () => {
    const d = driver(recorder({ takeProfitTicks: 8, stopLossTicks: 4 }));
    const p = d.signal({ action: "sell" }, 100).position!;
    expect(p.takeProfitPrice).toBe(98);
    expect(p.stopLossPrice).toBe(101);
  });

  it("recorder defaults apply only when the signal gives none", () => {
    const d = driver(recorder({ takeProfitTicks: 8, stopLossTicks: 4 }));
    const p = d.signal({ action: "buy", stopLoss: { price: 90 } }, 100).position!;
    expect(p.takeProfitPrice).toBe(102);
    expect(p.stopLossPrice).toBe(90);
  });

  it("relative levels follow the new average after an add; a price stays", () => {
    const d = driver(recorder({ takeProfitTicks: 8 }));
    d.signal({ action: "buy", stopLoss: { price: 95 } }, 100);
    const p = d.signal({ action: "buy" }, 101).position!;
    expect(p.avgEntryPrice).toBe(100.5);
    expect(p.takeProfitPrice).toBe(102.5);
    expect(p.stopLossPrice).toBe(95);
    // off-tick average 100.333.. + 2 points = 102.333.. -> nearest tick 102.25
    const q = d.signal({ action: "buy" }, 100).position!;
    expect(q.takeProfitPrice).toBe(102.25);
  });

  it("a later signal's TP/SL replaces the position's, even when the signal is otherwise ignored", () => {
    const d = driver(recorder({ allowAdd: false }));
    d.signal({ targetSize: 1, stopLoss: { ticks: 10 } }, 100);
    const out = d.signal({ targetSize: 1, stopLoss: { price: 99.5 } }, 100.5);
    expect(out).toMatchObject({ result: "ignored", reason: "already_at_target", position: { stopLossPrice: 99.5 } });
    expect(out.changed).toHaveLength(1);
  });

  it("a reversal's levels apply to the new position", () => {
    const d = driver();
    d.signal({ action: "buy", takeProfit: { ticks: 4 } }, 100);
    const out = d.signal({ action: "sell", stopLoss: { ticks: 4 } }, 100);
    expect(out.opened).toMatchObject({ takeProfitPrice: null, stopLossPrice: 101 });
  });
});

describe("TP/SL on ticks", () => {
  it("take-profit exits at its level", () => {
    const d = driver(recorder({ takeProfitTicks: 4, stopLossTicks: 4 }));
    d.signal({ action: "buy" }, 100);
    expect(d.tick(100.75).exits).toEqual([]);
    const { exits } = d.tick(101.5);
    expect(exits).toHaveLength(1);
    expect(exits[0].trade).toMatchObject({ exitReason: "take_profit", exitPrice: 101, grossPnl: 2, maxFavorable: 3 });
    expect(exits[0].position.fills[1]).toMatchObject({ side: "sell", price: 101, reason: "take_profit" });
    expect(d.book.open()).toEqual([]);
    expect(d.tick(90).exits).toEqual([]); // ticks never touch closed positions
  });

  it("stop-loss exits at its level, or where the tick gapped through it", () => {
    const a = driver(recorder({ stopLossTicks: 4 }));
    a.signal({ action: "buy" }, 100);
    expect(a.tick(99).exits[0].trade).toMatchObject({ exitReason: "stop_loss", exitPrice: 99, grossPnl: -2 });
    const b = driver(recorder({ stopLossTicks: 4 }));
    b.signal({ action: "sell" }, 100);
    const gap = b.tick(103).exits[0];
    expect(gap.trade).toMatchObject({ exitReason: "stop_loss", exitPrice: 103, grossPnl: -6, maxAdverse: -6 });
  });

  it("take-profit wins a tie", () => {
    const d = driver(recorder({ stopLossTicks: 4 }));
    // A signal cannot set crossed levels (wrong side: refused), but a fixed take-profit and a relative default
    // stop can cross after an add: TP stays at 101 while the stop follows the new average (105) to 104.
    d.signal({ action: "buy", takeProfit: { price: 101 } }, 100);
    d.signal({ action: "buy" }, 110);
    expect(d.tick(103).exits[0].trade).toMatchObject({ exitReason: "take_profit", exitPrice: 101 });
  });

  it("excursions update before levels are checked", () => {
    const d = driver(recorder({ stopLossTicks: 4 }));
    d.signal({ action: "buy" }, 100);
    const { exits } = d.tick(97);
    expect(exits[0].trade).toMatchObject({ exitPrice: 97, maxAdverse: -6 });
    expect(exits[0].position).toMatchObject({ worstPrice: 97, worstUnrealizedPnl: -6 });
  });

  it("a position with an overridden tick rounds the feed price to its own tick", () => {
    const d = driver(recorder({ stopLossTicks: 2 }), { root: "MNQ", feedSymbol: "CME_MINI:MNQ1!", tickSize: 1, tickValue: 2 });
    d.signal({ action: "buy" }, 100.25);
    expect(d.book.get("r1")?.avgEntryPrice).toBe(100);
    expect(d.tick(98.75).exits).toEqual([]); // 99 on a 1-point tick: above the stop at 98
    expect(d.tick(97.6).exits[0].trade).toMatchObject({ exitPrice: 98, grossPnl: -4 });
  });
});
