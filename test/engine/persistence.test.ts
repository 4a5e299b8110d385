// PositionState is the persisted thing: a restored book behaves identically.
import { describe, expect, it } from "vitest";
import { SymbolBook } from "../../src/engine/book";
import { driver, MNQ, recorder, t } from "./helpers";

describe("serialize / restore", () => {
  it("continues identically after a JSON round trip", () => {
    const rec = recorder({ takeProfitTicks: 40, commissionPerContract: 0.5 });
    const d = driver(rec);
    d.signal({ action: "buy", quantity: 2 }, 100);
    d.tick(98);
    d.signal({ action: "buy" }, 99);
    const saved = JSON.parse(JSON.stringify(d.book.states()));
    let n = 100;
    const copy = SymbolBook.restore(saved, { newId: () => `x${++n}` });
    let m = 100;
    const again = SymbolBook.restore(saved, { newId: () => `x${++m}` });
    expect(copy.open()).toEqual(d.book.open());
    const a = copy.applyTick(110, t(10));
    const b = again.applyTick(110, t(10));
    expect(a).toEqual(b);
    expect(a.exits[0].trade).toMatchObject({ exitReason: "take_profit", commission: 3, maxAdverse: -8, exitPrice: 109.75 });
  });

  it("states are copies; load skips closed states and rejects garbage", () => {
    const d = driver();
    d.signal({ action: "buy" }, 100);
    const [s] = d.book.states();
    s.quantity = 99;
    expect(d.book.get("r1")?.quantity).toBe(1);
    const book = new SymbolBook({ newId: () => "z" });
    book.load([{ ...s, status: "closed" }]);
    expect(book.open()).toEqual([]);
    expect(() => book.load([{ nope: 1 } as never])).toThrow();
  });

  it("replayPrice recovers extremes without triggering levels", () => {
    const d = driver(recorder({ stopLossTicks: 4 }));
    const id = d.signal({ action: "buy" }, 100).position!.id;
    const book = SymbolBook.restore(d.book.states(), { newId: () => "z" });
    expect(book.replayPrice(id, 95, t(9))).toBe(true);
    expect(book.get("r1")).toMatchObject({ worstUnrealizedPnl: -10, status: "open", lastPrice: 95 });
    expect(book.replayPrice("nope", 95, t(9))).toBe(false);
  });

  it("a book holds one symbol across recorders", () => {
    const book = new SymbolBook({ newId: (() => { let i = 0; return () => `p${++i}`; })() });
    book.applySignal({ recorder: recorder({ id: "a" }), instrument: MNQ, signal: { action: "buy" }, price: 100, at: t(1) });
    book.applySignal({ recorder: recorder({ id: "b" }), instrument: MNQ, signal: { action: "sell" }, price: 100, at: t(2) });
    expect(book.size).toBe(2);
    expect(book.open().map((p) => p.side).sort()).toEqual(["long", "short"]);
  });
});
