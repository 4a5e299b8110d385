// CONTRACT `?pairing=entries` in the engine (src/engine/entry-lots.ts): one chunk per (entry fill, exit fill) pair,
// exits matched first-in-first-out, a partial exit splitting the entry it closes, each chunk with its own run-up and
// drawdown from its own entry (fill prices count, as for position excursions), commission and P&L summing to the
// trade's to the cent, and the same chunks after any restart. Every expected number is worked out by hand in the
// comments. MNQ: tick 0.25, $0.50 per tick, so 1 point = $2 per contract.
import { describe, expect, it } from "vitest";
import { DurableBook } from "../../src/durable/durable-book";
import { SymbolBook } from "../../src/engine/book";
import { addLot, allocateCents, MAX_ENTRY_TRADES, startLots, takeLots, toEntryTrades } from "../../src/engine/entry-lots";
import type { ClosedPosition, NormalizedSignal, PositionState } from "../../src/engine/types";
import { driver, MNQ, recorder, t } from "./helpers";
import { MemoryBookStore } from "./memory-book-store";

/** The fields a chunk is judged on (times checked separately where they matter). */
const money = (c: ClosedPosition) =>
  c.entryTrades!.map((x) => ({ entry: x.entryPrice, exit: x.exitPrice, qty: x.quantity, gross: x.grossPnl, comm: x.commission, pnl: x.pnl, runup: x.runup, dd: x.drawdown, why: x.exitReason }));

describe("pairing=entries in the engine", () => {
  it("a DCA'd position, 3 entries and 1 exit: 3 chunks, each with its own run-up and drawdown", () => {
    const d = driver(recorder({ commissionPerContract: 0.62 }));
    d.signal({ action: "buy" }, 100); // A at t(1)
    d.tick(95); // A only: its low
    d.tick(100);
    d.signal({ action: "buy" }, 99); // B at t(4)
    d.tick(104); // A, B: their high
    d.signal({ action: "buy" }, 103); // C at t(6)
    d.tick(97); // A, B, C
    const out = d.signal({ action: "close" }, 101);
    const c = out.closed!;
    // A: prices 100 95 100 99 104 103 97 101 → low 95, high 104: gross +1 pt = $2, run-up 4 pts = $8, dd −5 pts = −$10.
    // B: prices 99 104 103 97 101 → low 97, high 104: gross +2 pts = $4, run-up 5 pts = $10, dd −2 pts = −$4.
    // C: prices 103 97 101 → low 97, high 103 (its own entry): gross −2 pts = −$4, run-up $0, dd −6 pts = −$12.
    // Commission: entry 0.62 + exit 0.62 = $1.24 each; pnl = gross − 1.24.
    expect(money(c)).toEqual([
      { entry: 100, exit: 101, qty: 1, gross: 2, comm: 1.24, pnl: 0.76, runup: 8, dd: -10, why: "signal" },
      { entry: 99, exit: 101, qty: 1, gross: 4, comm: 1.24, pnl: 2.76, runup: 10, dd: -4, why: "signal" },
      { entry: 103, exit: 101, qty: 1, gross: -4, comm: 1.24, pnl: -5.24, runup: 0, dd: -12, why: "signal" },
    ]);
    expect(c.entryTrades!.map((x) => x.entryAt)).toEqual([t(1), t(4), t(6)]);
    expect(c.entryTrades!.every((x) => x.exitAt === t(8))).toBe(true);
    // The round trip: 3 contracts, gross $2, commission 6 × 0.62 = $3.72, net −$1.72 = 0.76 + 2.76 − 5.24.
    expect(c.trade).toMatchObject({ quantity: 3, grossPnl: 2, commission: 3.72, pnl: -1.72 });
  });

  it("a partial exit splits the entry it closes (FIFO), and the rest of that entry runs on", () => {
    const d = driver(recorder({ initialQuantity: 2, commissionPerContract: 1.1 }));
    d.signal({ action: "buy" }, 100); // A: 2 contracts
    d.tick(103);
    d.signal({ action: "buy" }, 102); // B: 1 contract
    d.tick(98);
    const part = d.signal({ action: "close", quantity: 1 }, 101);
    expect(part.result).toBe("reduced");
    d.tick(106);
    const out = d.signal({ action: "close" }, 105);
    // A(1 of 2) closed at 101: prices 100 103 102 98 101 → gross +1 pt = $2, run-up 3 pts = $6, dd −2 pts = −$4.
    // A(the other 1) at 105: prices also 106 105 → gross 5 pts = $10, run-up 6 pts = $12, dd −$4.
    // B at 105: prices 102 98 101 106 105 → gross 3 pts = $6, run-up 4 pts = $8, dd −4 pts = −$8.
    // Commission: A's entry $2.20 split 1.10 / 1.10, plus $1.10 of each exit: $2.20 each.
    expect(money(out.closed!)).toEqual([
      { entry: 100, exit: 101, qty: 1, gross: 2, comm: 2.2, pnl: -0.2, runup: 6, dd: -4, why: "signal" },
      { entry: 100, exit: 105, qty: 1, gross: 10, comm: 2.2, pnl: 7.8, runup: 12, dd: -4, why: "signal" },
      { entry: 102, exit: 105, qty: 1, gross: 6, comm: 2.2, pnl: 3.8, runup: 8, dd: -8, why: "signal" },
    ]);
    // The round trip is one trade of 3: gross 18, commission 6 × 1.10 = 6.60, net 11.40.
    expect(out.closed!.trade).toMatchObject({ quantity: 3, grossPnl: 18, commission: 6.6, pnl: 11.4 });
  });

  it("a partial exit spanning two entries closes the first and splits the second", () => {
    const d = driver();
    d.signal({ action: "sell", quantity: 1 }, 200); // A short 1
    d.signal({ action: "sell", quantity: 2 }, 198); // B short 2
    d.tick(195);
    d.signal({ action: "close", quantity: 2 }, 196); // A (1) and 1 of B
    d.tick(201);
    const out = d.signal({ action: "close" }, 199); // the other 1 of B
    // Short: run-up from the low, drawdown from the high.
    // A: 200 198 195 196 → gross +4 pts = $8, run-up 5 pts = $10, dd $0.
    // B(1) at 196: 198 195 196 → gross +2 pts = $4, run-up 3 pts = $6, dd $0.
    // B(1) at 199: 198 195 196 201 199 → gross −1 pt = −$2, run-up $6, dd −3 pts = −$6.
    expect(money(out.closed!)).toEqual([
      { entry: 200, exit: 196, qty: 1, gross: 8, comm: 0, pnl: 8, runup: 10, dd: 0, why: "signal" },
      { entry: 198, exit: 196, qty: 1, gross: 4, comm: 0, pnl: 4, runup: 6, dd: 0, why: "signal" },
      { entry: 198, exit: 199, qty: 1, gross: -2, comm: 0, pnl: -2, runup: 6, dd: -6, why: "signal" },
    ]);
  });

  it("a reversal closes every entry with reason reverse; the new side's entries start afresh", () => {
    const d = driver();
    d.signal({ action: "buy" }, 100);
    d.tick(96);
    d.signal({ action: "buy" }, 98);
    d.tick(103);
    const rev = d.signal({ action: "sell", quantity: 2 }, 102);
    expect(rev.result).toBe("reversed");
    // Long A 100: 100 96 98 103 102 → gross $4, run-up $6, dd −$8. Long B 98: 98 103 102 → gross $8, run-up $10, dd $0.
    expect(money(rev.closed!)).toEqual([
      { entry: 100, exit: 102, qty: 1, gross: 4, comm: 0, pnl: 4, runup: 6, dd: -8, why: "reverse" },
      { entry: 98, exit: 102, qty: 1, gross: 8, comm: 0, pnl: 8, runup: 10, dd: 0, why: "reverse" },
    ]);
    d.tick(104); // the short's worst; 96 before it never counts for it
    d.tick(100);
    const out = d.signal({ action: "close" }, 101);
    // Short 2 at 102: 102 104 100 101 → gross +1 pt × 2 = $4, run-up 2 pts × 2 = $8, dd −2 pts × 2 = −$8.
    expect(money(out.closed!)).toEqual([{ entry: 102, exit: 101, qty: 2, gross: 4, comm: 0, pnl: 4, runup: 8, dd: -8, why: "signal" }]);
    // One entry, no partial exit: the chunk is the round trip itself.
    expect(out.closed!.trade).toMatchObject({ grossPnl: 4, maxFavorable: 8, maxAdverse: -8 });
  });

  it("take-profit legs: each leg's chunk carries the leg's reason", () => {
    const d = driver(recorder({ initialQuantity: 2, takeProfitLegs: [{ ticks: 8, percent: 50 }, { ticks: 16, percent: 50 }] }));
    d.signal({ action: "buy" }, 100);
    d.tick(99);
    const out = d.tick(105); // gaps through 102 and 104
    // Leg 1 at 102: 100 99 105 102 → gross $4, run-up 5 pts = $10, dd −$2. Leg 2 at 104: gross $8, same extremes.
    expect(money(out.exits[0])).toEqual([
      { entry: 100, exit: 102, qty: 1, gross: 4, comm: 0, pnl: 4, runup: 10, dd: -2, why: "take_profit_1" },
      { entry: 100, exit: 104, qty: 1, gross: 8, comm: 0, pnl: 8, runup: 10, dd: -2, why: "take_profit_2" },
    ]);
  });

  it("cents: the chunks' commission and pnl add up exactly to the trade's (cumulative rounding, in chunk order)", () => {
    const d = driver(recorder({ commissionPerContract: 0.333 }));
    d.signal({ action: "buy" }, 100);
    d.signal({ action: "buy" }, 100);
    const out = d.signal({ action: "close" }, 100);
    // Exact: 0.666 per chunk, 1.332 in all → trade $1.33. Rounding each alone would give 0.67 + 0.67 = 1.34; the
    // running sums round to 0.67 and 1.33 (pinned to the trade's), so the chunks get 0.67 and 0.66.
    expect(out.closed!.trade.commission).toBe(1.33);
    expect(out.closed!.entryTrades!.map((c) => [c.commission, c.pnl])).toEqual([
      [0.67, -0.67],
      [0.66, -0.66],
    ]);
    expect(allocateCents([0.004, 0.004, 0.004], 0.01)).toEqual([0, 1, 0]);
    expect(allocateCents([-1.005, 2.5], 1.5)).toEqual([-101, 251]);
  });

  it("at most MAX_ENTRY_TRADES pairs per round trip (the D1 row stays bounded); beyond, none: the round trip only", () => {
    const closedWith = (entries: number) => {
      const d = driver();
      d.signal({ action: "buy" }, 100);
      const s = d.book.states()[0];
      // The lots alone (driving thousands of signals through the book would only be slower).
      const lots = startLots(t(1), 400, 1, 0);
      for (let i = 1; i < entries; i++) addLot(lots, t(1 + i), 400 + (i % 7), 1, 0);
      takeLots(lots, entries, 404, t(entries + 1), "signal", 0, true);
      const gross = lots.done.reduce((a, c) => a + (c.exitTicks - c.entryTicks), 0);
      return toEntryTrades({ ...s, status: "closed", quantity: 0, realizedTickPnl: gross, entryLots: lots });
    };
    const full = closedWith(MAX_ENTRY_TRADES)!;
    expect(full).toHaveLength(MAX_ENTRY_TRADES);
    // Entry i at 400 + (i mod 7) ticks (100 .. 101.50), all out at 404 (101): every entry's range since it is
    // 400 .. 406 (later entries print both), so entry 0 made +4 ticks ($2), run-up +6 ($3), drawdown 0; entry 6
    // (406) −2 ticks (−$1), run-up 0, drawdown −6 ticks (−$3).
    expect(full[0]).toMatchObject({ entryPrice: 100, exitPrice: 101, grossPnl: 2, runup: 3, drawdown: 0 });
    expect(full[6]).toMatchObject({ entryPrice: 101.5, exitPrice: 101, grossPnl: -1, runup: 0, drawdown: -3 });
    expect(closedWith(MAX_ENTRY_TRADES + 1)).toBeNull();
  });

  it("restart between the entries and the exits gives the same chunks (checkpoints + journal of extremes)", () => {
    const rec = recorder({ commissionPerContract: 0.5, initialQuantity: 2 });
    const steps: Array<{ sig: NormalizedSignal; px: number } | { tick: number }> = [
      { sig: { action: "buy" }, px: 100 },
      { tick: 93 }, // A only
      { tick: 101 },
      { sig: { action: "buy", quantity: 1 }, px: 100 },
      { tick: 108 },
      { tick: 103 },
      { sig: { action: "buy", quantity: 1 }, px: 104 },
      { tick: 96 },
      { tick: 99 },
      { sig: { action: "close", quantity: 3 }, px: 102 },
      { tick: 110 },
      { tick: 105 },
      { sig: { action: "close" }, px: 106 },
    ];
    const run = (restartAfter: (i: number) => boolean): ClosedPosition => {
      const store = new MemoryBookStore();
      let n = 0;
      const opts = { newId: () => `id${++n}` };
      let d = DurableBook.load(store, opts);
      let closed: ClosedPosition | undefined;
      steps.forEach((s, i) => {
        const at = t(i + 1);
        if ("tick" in s) d.tick(s.tick, at);
        else closed = d.signal({ recorder: rec, instrument: MNQ, signal: s.sig, price: s.px, at }).closed ?? closed;
        if (restartAfter(i)) d = DurableBook.load(store, opts); // memory gone: checkpoints + journal + last tick
      });
      return closed!;
    };
    const straight = run(() => false);
    // By hand: A = 2 at 100, B = 1 at 100, C = 1 at 104; the first exit (3 at 102) takes A and B, the last (1 at
    // 106) takes C. A: low 93, high 108 → gross 2 × 2 pts = $8, run-up 2 × 8 pts = $32, dd 2 × −7 pts = −$28;
    // B (entered after the 93): low 96, high 108 → $4, $16, −$8; C: low 96, high 110 → $4, $12, −$16.
    // Commission $0.50 a contract on each side: A $2, B $1, C $1.
    expect(money(straight)).toEqual([
      { entry: 100, exit: 102, qty: 2, gross: 8, comm: 2, pnl: 6, runup: 32, dd: -28, why: "signal" },
      { entry: 100, exit: 102, qty: 1, gross: 4, comm: 1, pnl: 3, runup: 16, dd: -8, why: "signal" },
      { entry: 104, exit: 106, qty: 1, gross: 4, comm: 1, pnl: 3, runup: 12, dd: -16, why: "signal" },
    ]);
    expect(run(() => true).entryTrades).toEqual(straight.entryTrades);
    for (let k = 0; k < steps.length - 1; k++) expect(run((i) => i === k).entryTrades, `restart after step ${k}`).toEqual(straight.entryTrades);
    // A restart in the middle of a run of ticks: the extremes since the checkpoint come back from the journal.
    expect(run((i) => i === 4 || i === 7 || i === 10).entryTrades).toEqual(straight.entryTrades);
  });

  it("the SymbolBook's own persistence (states() round trip) keeps the lots", () => {
    const rec = recorder();
    const d = driver(rec);
    d.signal({ action: "buy" }, 100);
    d.tick(92);
    d.signal({ action: "buy" }, 96);
    d.tick(99);
    let n = 0;
    const copy = SymbolBook.restore(JSON.parse(JSON.stringify(d.book.states())), { newId: () => `c${++n}` });
    const a = d.book.applySignal({ recorder: rec, instrument: MNQ, signal: { action: "close" }, price: 98, at: t(50) });
    const b = copy.applySignal({ recorder: rec, instrument: MNQ, signal: { action: "close" }, price: 98, at: t(50) });
    expect(b.closed!.entryTrades).toEqual(a.closed!.entryTrades);
    // A 100: low 92, high 100 → dd −$16, run-up 0; B 96: low 96, high 99 → run-up $6, dd 0.
    expect(money(a.closed!).map((c) => [c.runup, c.dd])).toEqual([
      [0, -16],
      [6, 0],
    ]);
  });

  it("a state saved before entry lots: one lot derived from the average entry; after a partial exit, none", () => {
    const rec = recorder();
    const d = driver(rec);
    d.signal({ action: "buy" }, 100);
    d.tick(98);
    d.signal({ action: "buy" }, 101);
    d.tick(104);
    const legacy = d.book.states().map((s) => {
      const { entryLots: _lots, ...old } = s;
      return old as PositionState;
    });
    const book = SymbolBook.restore(legacy, { newId: () => "z" });
    book.applyTick(103, t(20));
    const out = book.applySignal({ recorder: rec, instrument: MNQ, signal: { action: "close" }, price: 102, at: t(21) });
    // One lot of 2 at the average 100.5, its range from the saved worst/best/last prices (98 .. 104) and the ticks
    // since: gross 2 × 1.5 pts = $6 (the trade's), run-up 2 × 3.5 pts = $14, dd 2 × −2.5 pts = −$10.
    expect(money(out.closed!)).toEqual([{ entry: 100.5, exit: 102, qty: 2, gross: 6, comm: 0, pnl: 6, runup: 14, dd: -10, why: "signal" }]);
    expect(out.closed!.entryTrades![0].entryAt).toBe(out.closed!.trade.openedAt);

    // Partly exited before the save: its earlier exit cannot be paired any more, so no chunks (the round trip only).
    const e = driver(rec);
    e.signal({ action: "buy", quantity: 2 }, 100);
    e.signal({ action: "close", quantity: 1 }, 101);
    const partly = e.book.states().map((s) => {
      const { entryLots: _lots, ...old } = s;
      return old as PositionState;
    });
    const b2 = SymbolBook.restore(partly, { newId: () => "y" });
    const out2 = b2.applySignal({ recorder: rec, instrument: MNQ, signal: { action: "close" }, price: 102, at: t(30) });
    expect(out2.closed!.entryTrades).toBeNull();
    expect(out2.closed!.trade).toMatchObject({ grossPnl: 6, quantity: 2 });
  });
});
