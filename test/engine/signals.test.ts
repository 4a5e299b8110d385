// Recording rules for signals (CONTRACT "Recording rules"), one rule per test.
import { describe, expect, it } from "vitest";
import { SignalRefusedError } from "../../src/engine/limits";
import { driver, recorder } from "./helpers";

describe("signals without target information", () => {
  it("buy when flat opens long with initialQuantity", () => {
    const d = driver(recorder({ initialQuantity: 2 }));
    const out = d.signal({ action: "buy" }, 25600);
    expect(out.result).toBe("opened");
    expect(out.opened).toMatchObject({ side: "long", quantity: 2, avgEntryPrice: 25600, status: "open", id: "id1" });
    expect(out.position?.fills).toEqual([{ at: d.now(), side: "buy", quantity: 2, price: 25600, reason: "open", priceSource: "signal", feedPrice: null }]);
    expect(out.changed).toHaveLength(1);
    expect(out.closedIds).toEqual([]);
  });

  it("rounds the fill price to the tick", () => {
    const d = driver();
    expect(d.signal({ action: "sell" }, 25600.1).position).toMatchObject({ side: "short", avgEntryPrice: 25600 });
  });

  it("buy when long adds (volume-weighted average) if allowAdd", () => {
    const d = driver(recorder({ addQuantity: 2 }));
    d.signal({ action: "buy" }, 100);
    const out = d.signal({ action: "buy" }, 101);
    expect(out.result).toBe("added");
    expect(out.position).toMatchObject({ quantity: 3, maxQuantity: 3, avgEntryPrice: 100.666666667 });
    expect(out.position?.fills[1]).toMatchObject({ side: "buy", quantity: 2, price: 101, reason: "add" });
  });

  it("buy when long is ignored without allowAdd", () => {
    const d = driver(recorder({ allowAdd: false }));
    d.signal({ action: "buy" }, 100);
    const out = d.signal({ action: "buy" }, 101);
    expect(out).toMatchObject({ result: "ignored", reason: "add_not_allowed", changed: [] });
    expect(out.position?.quantity).toBe(1);
  });

  it("sell when long reverses: closes (reverse) and opens a new short", () => {
    const d = driver(recorder({ initialQuantity: 1 }));
    d.signal({ action: "buy", quantity: 2 }, 100);
    const out = d.signal({ action: "sell", quantity: 3 }, 101);
    expect(out.result).toBe("reversed");
    expect(out.closed?.position).toMatchObject({ status: "closed", exitReason: "reverse", exitPrice: 101, realizedPnl: 4 });
    expect(out.closed?.trade).toMatchObject({ side: "long", quantity: 2, entryPrice: 100, exitPrice: 101, grossPnl: 4, exitReason: "reverse" });
    expect(out.opened).toMatchObject({ side: "short", quantity: 3, avgEntryPrice: 101 });
    expect(out.opened?.id).not.toBe(out.closed?.position.id);
    expect(out.position).toEqual(out.opened);
    expect(out.closedIds).toEqual([out.closed?.position.id]);
    expect(out.changed.map((s) => s.id)).toEqual([out.opened?.id]);
  });

  it("sell when long only closes when reverseOnOpposite is off", () => {
    const d = driver(recorder({ reverseOnOpposite: false }));
    d.signal({ action: "buy" }, 100);
    const out = d.signal({ action: "sell" }, 99);
    expect(out.result).toBe("closed");
    expect(out.closed?.trade.exitReason).toBe("signal");
    expect(out.opened).toBeUndefined();
    expect(out.position?.status).toBe("closed");
    expect(d.book.open()).toEqual([]);
  });

  it("close: all, partial, over-quantity, flat", () => {
    const d = driver();
    expect(d.signal({ action: "close" }, 100)).toMatchObject({ result: "ignored", reason: "no_open_position", position: null });
    d.signal({ action: "sell", quantity: 5 }, 100);
    const partial = d.signal({ action: "close", quantity: 2 }, 99);
    expect(partial.result).toBe("reduced");
    expect(partial.position).toMatchObject({ quantity: 3, maxQuantity: 5, avgEntryPrice: 100, realizedPnl: 4, exitPrice: 99 });
    expect(partial.position?.fills[1]).toMatchObject({ side: "buy", quantity: 2, reason: "reduce" });
    const all = d.signal({ action: "close", quantity: 10 }, 98);
    expect(all.result).toBe("closed");
    expect(all.closed?.position.fills[2]).toMatchObject({ side: "buy", quantity: 3, price: 98, reason: "signal" });
    expect(all.closed?.trade).toMatchObject({ quantity: 5, exitPrice: 98.4, grossPnl: 4 + 12 });
  });

  it("add: explicit add ignores allowAdd, ignored when flat", () => {
    const d = driver(recorder({ allowAdd: false, addQuantity: 3 }));
    expect(d.signal({ action: "add" }, 100)).toMatchObject({ result: "ignored", reason: "no_open_position" });
    d.signal({ action: "sell" }, 100);
    const out = d.signal({ action: "add" }, 102);
    expect(out.result).toBe("added");
    expect(out.position).toMatchObject({ side: "short", quantity: 4, avgEntryPrice: 101.5 });
  });
});

describe("signals with target information", () => {
  it("moves to exactly the target", () => {
    const d = driver();
    expect(d.signal({ targetSize: 2 }, 100).result).toBe("opened");
    expect(d.signal({ targetSize: 2 }, 100)).toMatchObject({ result: "ignored", reason: "already_at_target" });
    expect(d.signal({ targetSize: 5 }, 101)).toMatchObject({ result: "added", position: { quantity: 5 } });
    expect(d.signal({ targetSize: 1 }, 102)).toMatchObject({ result: "reduced", position: { quantity: 1 } });
    const rev = d.signal({ targetSize: -3, action: "buy" }, 103); // target wins over action
    expect(rev.result).toBe("reversed");
    expect(rev.closed?.trade.exitReason).toBe("reverse");
    expect(rev.opened).toMatchObject({ side: "short", quantity: 3 });
    const flat = d.signal({ targetSize: 0 }, 104);
    expect(flat.result).toBe("closed");
    expect(flat.closed?.trade.exitReason).toBe("signal");
    expect(d.signal({ targetSize: 0 }, 104)).toMatchObject({ result: "ignored", reason: "already_at_target" });
  });

  it("target adds ignore allowAdd", () => {
    const d = driver(recorder({ allowAdd: false }));
    d.signal({ targetSize: 1 }, 100);
    expect(d.signal({ targetSize: 2 }, 100).result).toBe("added");
  });

  it("marketPosition without size", () => {
    const d = driver(recorder({ initialQuantity: 2 }));
    expect(d.signal({ targetSide: "long" }, 100)).toMatchObject({ result: "opened", position: { quantity: 2 } });
    expect(d.signal({ targetSide: "long", quantity: 7 }, 100)).toMatchObject({ result: "ignored", reason: "already_at_target" });
    expect(d.signal({ targetSide: "short", quantity: 1 }, 100)).toMatchObject({ result: "reversed", position: { side: "short", quantity: 1 } });
    expect(d.signal({ targetSide: "flat" }, 100).result).toBe("closed");
    expect(d.signal({ targetSide: "flat" }, 100)).toMatchObject({ result: "ignored", reason: "already_at_target" });
  });

  it("marketPosition's side signs an unsigned size", () => {
    const d = driver();
    expect(d.signal({ targetSide: "short", targetSize: 2 }, 100).position).toMatchObject({ side: "short", quantity: 2 });
  });
});

describe("commission and trade totals", () => {
  it("charges every fill and nets the trade", () => {
    const d = driver(recorder({ commissionPerContract: 0.62 }));
    d.signal({ action: "buy", quantity: 2 }, 25600);
    d.signal({ action: "buy", quantity: 1 }, 25590);
    d.signal({ action: "close", quantity: 1 }, 25610);
    const out = d.signal({ action: "close" }, 25620);
    const trade = out.closed!.trade;
    // entries 2 + 1, exits 1 + 2 contracts: 6 × 0.62
    expect(trade.commission).toBe(3.72);
    expect(trade.entryPrice).toBe(25596.6666667);
    expect(trade.exitPrice).toBe(25616.6666667);
    // avg 25596.666..: points × $2/point × qty: 13.33×2×1 + 23.33×2×2 = 26.67 + 93.33 = 120
    expect(trade.grossPnl).toBe(120);
    expect(trade.pnl).toBe(116.28);
    expect(out.closed!.position.commission).toBe(3.72);
  });

  it("trade entry price averages all entries, position keeps its running average", () => {
    const d = driver();
    d.signal({ action: "buy", quantity: 2 }, 100);
    d.signal({ action: "close", quantity: 1 }, 110);
    const added = d.signal({ action: "add", quantity: 1 }, 120);
    expect(added.position?.avgEntryPrice).toBe(110);
    const out = d.signal({ action: "close" }, 110);
    expect(out.closed?.trade).toMatchObject({ entryPrice: 106.666666667, exitPrice: 110, quantity: 2 });
    // 1 × (110−100) ticks×4 × $0.5 = 20, then 2 × 0 = 0
    expect(out.closed?.trade.grossPnl).toBe(20);
  });

  it("refuses a price <= 0", () => {
    const d = driver();
    expect(() => d.signal({ action: "buy" }, 0)).toThrow();
    expect(() => d.signal({ action: "buy" }, -1)).toThrow();
    expect(() => d.signal({ action: "buy" }, 0.1)).toThrow(); // rounds to 0 on a 0.25 tick
    expect(() => d.tick(0)).toThrow();
    expect(d.book.open()).toEqual([]);
  });
});

describe("manual close and lookups", () => {
  it("closes by id", () => {
    const d = driver();
    const id = d.signal({ action: "buy" }, 100).position!.id;
    expect(d.book.getById(id)?.recorderId).toBe("r1");
    expect(d.book.get("r1")?.id).toBe(id);
    const out = d.book.closeManual(id, 101, d.now());
    expect(out?.trade).toMatchObject({ exitReason: "manual", grossPnl: 2, positionId: id });
    expect(d.book.closeManual(id, 101, d.now())).toBeNull();
    expect(d.book.get("r1")).toBeUndefined();
  });
});

describe("bounds (found by the hostile suite)", () => {
  it("a quantity or target below the smallest step is refused before anything changes", () => {
    const d = driver();
    d.signal({ targetSize: 2 }, 100);
    expect(() => d.signal({ targetSize: 5e-324 }, 101)).toThrow(SignalRefusedError);
    expect(() => d.signal({ action: "buy", quantity: 1e-13 }, 101)).toThrow(SignalRefusedError);
    expect(d.book.get("r1")).toMatchObject({ quantity: 2, status: "open" });
  });

  it("a reduction that takes all that is left (float noise) closes the position and books its trade", () => {
    const d = driver();
    d.signal({ targetSize: 0.3 }, 100);
    const out = d.signal({ targetSize: 0.1 + 0.2 - 0.3 + 1e-6 }, 101); // leaves 1e-6: a reduction
    expect(out.result).toBe("reduced");
    const all = driver();
    all.signal({ action: "buy", quantity: 0.1 }, 100);
    all.signal({ action: "add", quantity: 0.2 }, 100);
    const closed = all.signal({ action: "close", quantity: 0.30000000000000004 }, 102);
    expect(closed.result).toBe("closed");
    expect(closed.closed?.trade).toMatchObject({ exitReason: "signal", exitPrice: 102 });
    expect(all.book.size).toBe(0);
  });
});
