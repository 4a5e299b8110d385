// The exit and risk rules (CONTRACT "Exits and risk rules") through SymbolBook, hand-computed on MNQ (tick 0.25,
// $0.50 per tick per contract): take-profit legs, trailing stop, break-even, slippage, daily limits, session ends
// by the clock, pending limit/stop entries, direction filter. Plus regressions of bugs the randomized test
// (random-rules.test.ts) found, each named after what broke.
import { describe, expect, it } from "vitest";
import { DurableBook } from "../../src/durable/durable-book";
import { SymbolBook } from "../../src/engine/book";
import type { NormalizedSignal, RecorderSettings, SessionSpec } from "../../src/engine/types";
import { MNQ, recorder } from "./helpers";
import { MemoryBookStore } from "./memory-book-store";

/** 2025-01-02 (a Thursday) 09:30 EST + s seconds. */
const T0 = Date.UTC(2025, 0, 2, 14, 30, 0);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function setup(over: Partial<RecorderSettings> = {}) {
  let n = 0;
  const book = new SymbolBook({ newId: () => `id${++n}` });
  const rec = recorder(over);
  return {
    book,
    rec,
    signal: (signal: NormalizedSignal, price: number, s: number) => book.applySignal({ recorder: rec, instrument: MNQ, signal, price, at: at(s) }),
    tick: (price: number, s: number) => book.applyTick(price, at(s)),
    pos: () => book.get(rec.id),
  };
}

const WEEKDAY_SESSION: SessionSpec[] = [{ days: ["mon", "tue", "wed", "thu", "fri"], start: "09:30", end: "16:00" }];

describe("take-profit legs", () => {
  it("a gap tick through two legs fills both at their levels, in order", () => {
    const { signal, tick, pos } = setup({ takeProfitLegs: [{ ticks: 8, percent: 50 }, { ticks: 16, percent: 50 }], commissionPerContract: 0.62 });
    signal({ action: "buy", quantity: 2 }, 25600, 1);
    expect(pos()!.takeProfitPrice).toBe(25602); // leg 1: 8 ticks
    // 25605 is past both 25602 and 25604.
    const out = tick(25605, 2);
    expect(out.exits).toHaveLength(1);
    const { position, trade } = out.exits[0];
    expect(position.fills.map((f) => [f.reason, f.side, f.quantity, f.price])).toEqual([
      ["open", "buy", 2, 25600],
      ["take_profit_1", "sell", 1, 25602],
      ["take_profit_2", "sell", 1, 25604],
    ]);
    expect(position.exitReason).toBe("take_profit_2");
    expect(position.exitPrice).toBe(25603);
    // 8 ticks × $0.50 + 16 ticks × $0.50 = $12 gross; 4 contract-sides × $0.62 = $2.48.
    expect(trade.grossPnl).toBe(12);
    expect(trade.commission).toBe(2.48);
    expect(trade.pnl).toBe(9.52);
    expect(trade.exitReason).toBe("take_profit_2");
    // Valued at the tick (the excursion comes first): 2 contracts × 20 ticks × $0.50.
    expect(trade.maxFavorable).toBe(20);
  });

  it("a leg between ticks: the first exits its share and the position stays open with the next leg", () => {
    const { signal, tick, pos } = setup({ takeProfitLegs: [{ ticks: 4, percent: 30 }, { ticks: 8, percent: 30 }, { ticks: 12, percent: 40 }] });
    signal({ action: "buy", quantity: 4 }, 25600, 1);
    const out = tick(25601.25, 2); // past leg 1 (25601), not leg 2
    expect(out.exits).toEqual([]);
    expect(out.changed!.map((s) => s.id)).toEqual([pos()!.id]);
    // 30% of 4 = 1.2, rounded down to the step: 1.
    expect(pos()!.quantity).toBe(3);
    expect(pos()!.realizedPnl).toBe(2);
    expect(pos()!.takeProfitPrice).toBe(25602);
    tick(25602, 3); // leg 2: 1 more
    expect(pos()!.quantity).toBe(2);
    const last = tick(25603, 4); // leg 3: the rest
    expect(last.exits[0].position.fills.map((f) => [f.reason, f.quantity, f.price])).toEqual([
      ["open", 4, 25600],
      ["take_profit_1", 1, 25601],
      ["take_profit_2", 1, 25602],
      ["take_profit_3", 2, 25603],
    ]);
    expect(last.exits[0].trade.grossPnl).toBe(2 + 4 + 12);
  });

  it("1 contract 50/50 with quantityStep 1: leg 1 exits nothing, leg 2 all", () => {
    const { signal, tick, pos } = setup({ takeProfitLegs: [{ ticks: 8, percent: 50 }, { ticks: 16, percent: 50 }] });
    signal({ action: "buy", quantity: 1 }, 25600, 1);
    expect(pos()!.takeProfitPrice).toBe(25602);
    const first = tick(25602, 2);
    expect(first.exits).toEqual([]);
    expect(pos()!.quantity).toBe(1);
    expect(pos()!.fills).toHaveLength(1);
    // Leg 1 is done: the take-profit shown is leg 2's, and the state is reported to persist (legsDone moved).
    expect(pos()!.takeProfitPrice).toBe(25604);
    expect(first.changed?.[0].legsDone).toBe(1);
    const second = tick(25604, 3);
    expect(second.exits[0].position.fills.map((f) => [f.reason, f.quantity, f.price])).toEqual([
      ["open", 1, 25600],
      ["take_profit_2", 1, 25604],
    ]);
    expect(second.exits[0].trade.pnl).toBe(8);
  });

  it("quantityStep 0.5: 1.5 contracts 50/50 exit 0.5 then 1", () => {
    const { signal, tick } = setup({ quantityStep: 0.5, takeProfitLegs: [{ ticks: 8, percent: 50 }, { ticks: 16, percent: 50 }] });
    signal({ action: "buy", quantity: 1.5 }, 25600, 1);
    const out = tick(25610, 2);
    expect(out.exits[0].position.fills.map((f) => [f.reason, f.quantity, f.price])).toEqual([
      ["open", 1.5, 25600],
      ["take_profit_1", 0.5, 25602],
      ["take_profit_2", 1, 25604],
    ]);
    expect(out.exits[0].trade.grossPnl).toBe(2 + 8); // 0.5 × 8 × 0.5 + 1 × 16 × 0.5
  });

  it("an add recomputes the legs from the new average and quantity", () => {
    const { signal, tick, pos } = setup({ takeProfitLegs: [{ ticks: 8, percent: 50 }, { ticks: 16, percent: 50 }] });
    signal({ action: "buy", quantity: 2 }, 25600, 1);
    tick(25602, 2); // leg 1: 1 contract at 25602
    expect(pos()!.quantity).toBe(1);
    signal({ action: "buy", quantity: 3 }, 25598, 3); // average (25600 + 3 × 25598) / 4 = 25598.5
    expect(pos()!.avgEntryPrice).toBe(25598.5);
    expect(pos()!.takeProfitPrice).toBe(25600.5); // leg 1 again, from the new average
    tick(25600.5, 4);
    expect(pos()!.quantity).toBe(2); // 50% of 4
  });
});

describe("trailing stop and break-even", () => {
  it("a trailing stop arms at its trigger, ratchets with the best price, never loosens, then exits", () => {
    const { signal, tick, pos } = setup({ stopLossTicks: 10, trailingStop: { triggerTicks: 4, distanceTicks: 6 } });
    signal({ action: "buy" }, 25600, 1);
    const steps: [number, number][] = [
      [25600.5, 25597.5], // +2 ticks: not armed, the fixed stop (10 ticks)
      [25601, 25599.5], // +4: armed, best − 6 ticks
      [25602, 25600.5],
      [25601.5, 25600.5], // a pull-back does not move it
      [25603, 25601.5],
      [25602.75, 25601.5],
    ];
    let s = 2;
    for (const [price, stop] of steps) {
      expect(tick(price, s++).exits).toEqual([]);
      expect(pos()!.stopLossPrice, `after ${price}`).toBe(stop);
    }
    const out = tick(25601.5, s);
    expect(out.exits).toHaveLength(1);
    const { position, trade } = out.exits[0];
    expect(position.exitReason).toBe("trailing_stop");
    expect(position.exitPrice).toBe(25601.5);
    expect(trade.pnl).toBe(3); // 6 ticks
  });

  it("a gap past the trailing stop fills at the tick's price", () => {
    const { signal, tick } = setup({ trailingStop: { triggerTicks: 0, distanceTicks: 4 } });
    signal({ action: "sell" }, 25600, 1);
    tick(25598, 2); // best 25598: stop 25599
    const out = tick(25601, 3);
    expect(out.exits[0].position.exitReason).toBe("trailing_stop");
    expect(out.exits[0].position.exitPrice).toBe(25601);
  });

  it("a signal's trailing stop in price units, with a trigger", () => {
    const { signal, tick, pos } = setup();
    signal({ action: "buy", trailingStop: { distance: 2, trigger: 1 } }, 25600, 1); // 8 ticks behind, from +4 ticks
    expect(pos()!.stopLossPrice).toBeNull();
    tick(25601, 2);
    expect(pos()!.stopLossPrice).toBe(25599);
    tick(25605, 3);
    expect(pos()!.stopLossPrice).toBe(25603);
    // A later signal without one keeps it.
    signal({ action: "add" }, 25604, 4);
    expect(pos()!.stopLossPrice).toBe(25603);
  });

  it("break-even moves the stop to entry + offset at its trigger; exit reason break_even", () => {
    const { signal, tick, pos } = setup({ stopLossTicks: 12, breakEven: { triggerTicks: 8, offsetTicks: 1 } });
    signal({ action: "buy" }, 25600, 1);
    expect(pos()!.stopLossPrice).toBe(25597);
    tick(25601.75, 2); // +7 ticks: not yet
    expect(pos()!.stopLossPrice).toBe(25597);
    tick(25602, 3); // +8: entry + 1 tick
    expect(pos()!.stopLossPrice).toBe(25600.25);
    tick(25601, 4);
    expect(pos()!.stopLossPrice).toBe(25600.25); // stays once armed
    const out = tick(25600.25, 5);
    expect(out.exits[0].position.exitReason).toBe("break_even");
    expect(out.exits[0].position.exitPrice).toBe(25600.25);
    expect(out.exits[0].trade.pnl).toBe(0.5);
  });

  it("break-even on a short: entry − offset", () => {
    const { signal, tick, pos } = setup({ breakEven: { triggerTicks: 4, offsetTicks: 2 } });
    signal({ action: "sell" }, 25600, 1);
    expect(pos()!.stopLossPrice).toBeNull();
    tick(25599, 2);
    expect(pos()!.stopLossPrice).toBe(25599.5);
    const out = tick(25599.75, 3);
    expect(out.exits[0].position.exitReason).toBe("break_even");
    expect(out.exits[0].position.exitPrice).toBe(25599.75); // gapped past 25599.5
  });
});

describe("slippage", () => {
  it("slips market entries and a stop exit (from the gap price), never a take-profit", () => {
    const { signal, tick, pos } = setup({ slippageTicks: 2, takeProfitTicks: 8, stopLossTicks: 8 });
    signal({ action: "buy" }, 25600, 1);
    // The slipped price is the fill price: it moves the average, and the levels with it.
    expect(pos()!.avgEntryPrice).toBe(25600.5);
    expect(pos()!.fills[0].price).toBe(25600.5);
    expect(pos()!.takeProfitPrice).toBe(25602.5);
    expect(pos()!.stopLossPrice).toBe(25598.5);
    const stop = tick(25598, 2); // gapped past the stop: from 25598, 2 ticks worse
    expect(stop.exits[0].position.exitReason).toBe("stop_loss");
    expect(stop.exits[0].position.exitPrice).toBe(25597.5);
    expect(stop.exits[0].trade.pnl).toBe(-6); // −12 ticks

    signal({ action: "sell" }, 25600, 3); // a short fills 2 ticks lower
    expect(pos()!.avgEntryPrice).toBe(25599.5);
    const tp = tick(25596, 4); // past the take-profit 25597.5
    expect(tp.exits[0].position.exitReason).toBe("take_profit");
    expect(tp.exits[0].position.exitPrice).toBe(25597.5);
    expect(tp.exits[0].trade.pnl).toBe(4); // 8 ticks, no slippage
  });
});

describe("daily limits", () => {
  it("a loss limit flattens at its level, then entries wait for the next trading day", () => {
    const { signal, tick, pos } = setup({ dailyLossLimit: 10, flattenOnDailyLimit: true });
    signal({ action: "buy" }, 25600, 1);
    signal({ action: "close" }, 25596, 2); // −16 ticks: −$8 today
    signal({ action: "buy", quantity: 2 }, 25600, 3);
    // $2 left at $1 a tick (2 contracts): the level is 2 ticks down, 25599.5.
    expect(tick(25599.75, 4).exits).toEqual([]);
    const out = tick(25599.5, 5);
    expect(out.exits).toHaveLength(1);
    expect(out.exits[0].position.exitReason).toBe("daily_limit");
    expect(out.exits[0].position.exitPrice).toBe(25599.5);
    expect(out.exits[0].trade.pnl).toBe(-2); // 2 contracts × 2 ticks
    // The day's closed net is −$10: entries wait for the next trading day; exits would still pass.
    const blocked = signal({ action: "buy" }, 25600, 8);
    expect(blocked).toMatchObject({ result: "ignored", reason: "daily_limit" });
    expect(signal({ action: "sell" }, 25600, 9)).toMatchObject({ result: "ignored", reason: "daily_limit" });
    // The trading day ends at 18:00 New York (23:00Z): 8.5 h after 09:30.
    expect(signal({ action: "buy" }, 25600, 8.5 * 3600 - 1)).toMatchObject({ result: "ignored", reason: "daily_limit" });
    expect(signal({ action: "buy" }, 25600, 8.5 * 3600)).toMatchObject({ result: "opened" });
    expect(pos()!.quantity).toBe(1);
  });

  it("a profit target flattens a gap at the tick's price", () => {
    const { signal, tick } = setup({ dailyProfitTarget: 5, flattenOnDailyLimit: true, slippageTicks: 1 });
    signal({ action: "buy" }, 25600, 1); // fills at 25600.25
    // $5 = 10 ticks: the level is 25602.75; a gap to 25604 fills there, slipped 1 tick.
    expect(tick(25602.5, 2).exits).toEqual([]);
    const out = tick(25604, 3);
    expect(out.exits[0].position.exitReason).toBe("daily_limit");
    expect(out.exits[0].position.exitPrice).toBe(25603.75);
  });
});

describe("sessions", () => {
  const rules = { timezone: "America/New_York", sessions: WEEKDAY_SESSION, flattenAtSessionEnd: true };

  it("the clock with no tick closes at the session end, at the last price", () => {
    const { book, signal, tick } = setup(rules);
    signal({ action: "buy", quantity: 2 }, 25600, 60);
    tick(25604, 120);
    tick(25603.5, 180);
    const end = Date.UTC(2025, 0, 2, 21, 0, 0); // 16:00 EST
    expect(book.nextClockMs()).toBe(end);
    expect(book.applyClock(end - 1).exits).toEqual([]);
    const out = book.applyClock(end + 5 * 60_000); // the alarm ran a little late
    expect(out.exits).toHaveLength(1);
    const { position, trade } = out.exits[0];
    expect(position.exitReason).toBe("session_end");
    expect(position.closedAt).toBe("2025-01-02T21:00:00.000Z");
    expect(position.exitPrice).toBe(25603.5);
    expect(trade.pnl).toBe(14); // 2 contracts × 14 ticks
    expect(book.size).toBe(0);
    expect(book.nextClockMs()).toBeNull();
  });

  it("a position opened after the last tick (a quiet market) is closed by the clock too", () => {
    const { book, signal, tick } = setup(rules);
    tick(25600, 10);
    signal({ action: "sell" }, 25601, 60); // after the last tick: waits for the feed to reach it
    const out = book.applyClock(Date.UTC(2025, 0, 2, 21, 0, 0));
    expect(out.exits.map((e) => [e.position.exitReason, e.position.exitPrice, e.position.closedAt])).toEqual([["session_end", 25601, "2025-01-02T21:00:00.000Z"]]);
  });

  it("a tick after the session end closes first at the last price before it", () => {
    const { signal, tick } = setup({ ...rules, slippageTicks: 1 });
    signal({ action: "buy" }, 25600, 60); // 25600.25
    tick(25602, 120);
    const out = tick(25590, 7 * 3600); // 16:30 EST
    expect(out.exits.map((e) => [e.position.exitReason, e.position.exitPrice, e.position.closedAt])).toEqual([["session_end", 25601.75, "2025-01-02T21:00:00.000Z"]]);
  });

  it("entries outside every session are ignored; exits pass", () => {
    const { signal } = setup({ ...rules, flattenAtSessionEnd: false });
    expect(signal({ action: "buy" }, 25600, -60)).toMatchObject({ result: "ignored", reason: "outside_session" }); // 09:29
    expect(signal({ action: "buy" }, 25600, 0)).toMatchObject({ result: "opened" });
    expect(signal({ action: "add" }, 25600, 7 * 3600)).toMatchObject({ result: "ignored", reason: "outside_session" });
    expect(signal({ action: "close" }, 25600, 7 * 3600 + 1)).toMatchObject({ result: "closed" });
  });
});

describe("pending limit / stop entries", () => {
  it("a limit buy waits, then a tick below its price fills it at the better price, without slippage", () => {
    const { book, signal, tick, pos } = setup({ slippageTicks: 2 });
    const placed = signal({ action: "buy", order: { type: "limit", limitPrice: 25595 } }, 25600, 1);
    expect(placed.result).toBe("pending");
    expect(placed.position).toBeNull();
    expect(book.pendingOrders()).toMatchObject([{ side: "buy", type: "limit", price: 25595 }]);
    expect(tick(25597, 2)).toEqual({ exits: [] });
    const out = tick(25594, 3);
    expect(out.opened).toHaveLength(1);
    expect(out.opened![0].fills).toMatchObject([{ reason: "open", side: "buy", quantity: 1, price: 25594, at: at(3), priceSource: "feed", feedPrice: 25594 }]);
    expect(pos()!.avgEntryPrice).toBe(25594);
    expect(book.pendingOrders()).toEqual([]);
  });

  it("a stop buy fills at its price or the gap price, slipped", () => {
    const { signal, tick, pos } = setup({ slippageTicks: 1 });
    signal({ action: "buy", order: { type: "stop", stopPrice: 25605 } }, 25600, 1);
    tick(25604.75, 2);
    expect(pos()).toBeUndefined();
    tick(25606, 3);
    expect(pos()!.fills[0].price).toBe(25606.25);
  });

  it("a pending stop expires with an opposite signal", () => {
    const { book, signal, tick, pos } = setup();
    signal({ action: "buy", order: { type: "stop", stopPrice: 25610 } }, 25600, 1);
    expect(book.pendingOrders()).toHaveLength(1);
    // A signal in the same direction leaves it.
    signal({ action: "buy" }, 25600, 2);
    expect(book.pendingOrders()).toHaveLength(1);
    // One in the other direction (here a close) expires it.
    expect(signal({ action: "close" }, 25601, 3).result).toBe("closed");
    expect(book.pendingOrders()).toEqual([]);
    expect(tick(25611, 4)).toEqual({ exits: [] });
    expect(pos()).toBeUndefined();
  });

  it("a cancel is not applicable to market orders", () => {
    const { signal } = setup();
    expect(signal({ cancel: true }, 25600, 1)).toMatchObject({ result: "ignored", reason: "cancel_not_applicable" });
  });
});

describe("entry guards", () => {
  it("directionFilter long: a reversal into a short only closes; a sell when flat is ignored", () => {
    const { signal, pos } = setup({ directionFilter: "long" });
    signal({ action: "buy" }, 25600, 1);
    const out = signal({ action: "sell" }, 25604, 2);
    expect(out.result).toBe("closed");
    expect(out.reason).toBe("direction_filtered");
    expect(out.closed!.trade.pnl).toBe(8);
    expect(out.opened).toBeUndefined();
    expect(pos()).toBeUndefined();
    expect(signal({ action: "sell" }, 25604, 3)).toMatchObject({ result: "ignored", reason: "direction_filtered" });
  });

  it("maxContracts cuts a fill to the cap; cooldown ignores entries, not exits", () => {
    const { signal, pos } = setup({ maxContracts: 3, cooldownSeconds: 60 });
    expect(signal({ action: "buy", quantity: 2 }, 25600, 0).result).toBe("opened");
    expect(signal({ action: "add", quantity: 5 }, 25600, 30)).toMatchObject({ result: "ignored", reason: "cooldown" });
    expect(signal({ action: "add", quantity: 5 }, 25600, 60).result).toBe("added");
    expect(pos()!.quantity).toBe(3);
    expect(signal({ action: "add" }, 25600, 200)).toMatchObject({ result: "ignored", reason: "max_contracts" });
    expect(signal({ action: "close", quantity: 1 }, 25600, 201).result).toBe("reduced");
  });

  it("money sizing rounds down to the quantity step (nothing left: quantity_rounds_to_zero)", () => {
    const { signal, pos } = setup({ initialCapital: 100_000 });
    // One MNQ at 25600 is worth 25600 × $2 = $51,200.
    expect(signal({ action: "buy", sizing: { dollarAmount: 40_000 } }, 25600, 1)).toMatchObject({ result: "ignored", reason: "quantity_rounds_to_zero" });
    expect(signal({ action: "buy", sizing: { percentOfEquity: 120 } }, 25600, 2).result).toBe("opened");
    expect(pos()!.quantity).toBe(2);
  });
});

// ---------- regressions (found by random-rules.test.ts) ----------
describe("regressions", () => {
  it("a tick stamped before a trading day's end, arriving after the clock passed it, counts the new day", () => {
    // exits.ts judged the daily-limit level by the tick's own stamp while the book had re-indexed it for the new
    // day: the books disagreed. Now the day's end is a state change made by the clock pass.
    const { book, signal, tick } = setup({ dailyLossLimit: 10, flattenOnDailyLimit: true });
    signal({ action: "buy" }, 25600, 1);
    signal({ action: "close" }, 25597, 2); // −$6 today
    signal({ action: "buy" }, 25600, 3); // level: $4 = 8 ticks down, 25598
    tick(25600, 4);
    expect(book.get("r1")!.lastPrice).toBe(25600);
    const dayEnd = Date.UTC(2025, 0, 2, 23, 0, 0);
    const clock = book.applyClock(dayEnd + 1000);
    expect(clock.changed?.map((s) => s.rules?.dayBase)).toEqual([0]);
    // Stamped 30 s before the day's end: yesterday's −$6 no longer counts, so −$1 is no limit.
    const out = book.applyTick(25598, new Date(dayEnd - 30_000).toISOString());
    expect(out.exits).toEqual([]);
  });

  it("the durable book fills a pending entry while no position is open, and keeps pending orders across restarts", () => {
    const store = new MemoryBookStore();
    let n = 0;
    const opts = { newId: () => `d${++n}` };
    let d = DurableBook.load(store, opts);
    const rec = recorder({ allowAdd: true });
    const input = (signal: NormalizedSignal, s: number) => ({ recorder: rec, instrument: MNQ, signal, price: 25600, at: at(s) });
    d.signal(input({ action: "buy", order: { type: "limit", limitPrice: 25590 } }, 1));
    expect(d.tick(25589, at(2))!.opened).toHaveLength(1);
    // A second pending entry, a restart, then the fill of that entry as an add (no `opened`): saved all the same.
    d.signal(input({ action: "buy", order: { type: "limit", limitPrice: 25580 } }, 3));
    d = DurableBook.load(store, opts);
    expect(d.book.pendingOrders()).toHaveLength(1);
    const add = d.tick(25579, at(4))!;
    expect(add.changed?.[0].quantity).toBe(2);
    d = DurableBook.load(store, opts);
    expect(d.book.pendingOrders()).toEqual([]);
    expect(d.book.get("r1")!.quantity).toBe(2);
  });

  it("a late tick (stamped before a live position's open) still fills pending entries", () => {
    const { book, signal, tick } = setup();
    const other = recorder({ id: "r2" });
    tick(25600, 1);
    book.applySignal({ recorder: other, instrument: MNQ, signal: { action: "sell", order: { type: "limit", limitPrice: 25605 } }, price: 25600, at: at(2) });
    signal({ action: "buy" }, 25600, 10);
    tick(25600, 11);
    const out = book.applyTick(25606, at(5)); // before r1's open: late
    expect(out.late).toBe(true);
    expect(out.opened?.map((p) => [p.recorderId, p.side, p.avgEntryPrice])).toEqual([["r2", "short", 25606]]);
  });

  it("levels of an entry a guard ignored are checked on the position as it is (not as the entry would leave it)", () => {
    const { book, signal, tick, pos } = setup({ cooldownSeconds: 600 });
    signal({ action: "buy" }, 25600, 1);
    tick(25590, 2);
    // As an add at 25590 the average would be 25595 and 24 ticks below it 25589: fine. But the add is ignored
    // (cooldown) and 24 ticks below the real average is 25594, above the price: refused, nothing changes.
    expect(() => book.applySignal({ recorder: recorder({ cooldownSeconds: 600 }), instrument: MNQ, signal: { action: "buy", stopLoss: { ticks: 24 } }, price: 25590, at: at(3), feedPrice: 25590 })).toThrow(
      /stop-loss 25594 is on the wrong side of the price 25590/,
    );
    expect(pos()!.stopLossPrice).toBeNull();
    // A level that is fine on the position as it is still moves (the add itself ignored).
    expect(signal({ action: "buy", stopLoss: { ticks: 48 } }, 25590, 4)).toMatchObject({ result: "ignored", reason: "cooldown" });
    expect(pos()!.stopLossPrice).toBe(25588);
  });

  it("orders a too-early tick reached keep their place in the list", () => {
    const { book, tick } = setup();
    const place = (id: string, price: number, s: number) =>
      book.applySignal({ recorder: recorder({ id }), instrument: MNQ, signal: { action: "sell", order: { type: "limit", limitPrice: price } }, price: 25600, at: at(s) });
    tick(25600, 1);
    place("a", 25610, 10);
    place("b", 25620, 11);
    book.applyTick(25615, at(5)); // reaches a's price, but before a was placed
    expect(book.pendingOrders().map((p) => p.recorderId)).toEqual(["a", "b"]);
  });
});
