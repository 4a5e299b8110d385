// CONTRACT "Exits and risk rules", the exit settings, through HTTP: takeProfitLegs, trailingStop, breakEven,
// slippageTicks, sessions + flattenAtSessionEnd. Each expected fill, exit reason and P&L is computed by hand in
// the comments. MNQ: tick 0.25, $0.50 per tick per contract, so 1 point = $2 per contract.
// The take-profit legs gap test and the trailing-stop ratchet test run over the fake TradingView server's feed
// (every tick sent over the quote socket); the others drive the symbol object's tick seam.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tick as feedTick, waitFor } from "../feed/helpers";
import { feedReady, inObject, mnqContracts, prepare, ticksProcessed } from "../feed-do/helpers";
import { apiJson, createRecorder, evictSymbol, openPositions, signal, symbolStub, tick, tradesOf } from "../helpers";

const uniqueMnq = mnqContracts(4610);

/** The fake's anonymous feed reports delayed data: these tests are about exits, so signals apply at once. */
const IMMEDIATE = { delayedFeed: "immediate" } as const;

/** Fake heartbeats every second: the feed stays live however slow the machine is. */
const PREP = { hb: 1000 };

/** A trade of the recorder once D1 has it (exits of a tick are delivered right after the tick). */
async function tradeOf(recorderId: string): Promise<any> {
  return waitFor(async () => (await tradesOf(recorderId))[0], 10_000, "the trade in D1");
}

/** Sends prices over the fake TradingView server and waits until the object has processed them all. */
function overTheFeed(feedSymbol: string) {
  let sent = 0;
  return async (price: number) => {
    expect((await feedTick({ symbol: feedSymbol, price })).delivered).toBe(1);
    await ticksProcessed(feedSymbol, ++sent);
  };
}

async function only(recorderId: string): Promise<any> {
  const ps = await openPositions(recorderId);
  expect(ps).toHaveLength(1);
  return ps[0];
}

describe("takeProfitLegs", () => {
  it("over the fake feed: one tick gapping through both legs fills each at its own level", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, PREP);
    const rec = await createRecorder({
      ...IMMEDIATE,
      initialQuantity: 4,
      commissionPerContract: 0.5,
      takeProfitTicks: 100, // overridden by the legs
      takeProfitLegs: [{ ticks: 8, percent: 50 }, { ticks: 16, percent: 50 }],
    });
    // Long 4 at 25600: leg 1 at 25600 + 8 ticks = 25602 (2 contracts), leg 2 at 25600 + 16 ticks = 25604 (the rest).
    const o = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(o).toMatchObject({ result: "opened", position: { quantity: 4, avgEntryPrice: 25600, takeProfitPrice: 25602 } });
    await feedReady(feedSymbol);
    const send = overTheFeed(feedSymbol);

    await send(25601); // below leg 1: nothing
    let p = await only(rec.id);
    expect(p).toMatchObject({ quantity: 4, lastPrice: 25601, takeProfitPrice: 25602, unrealizedPnl: 8 });

    await send(25605); // gaps through 25602 and 25604
    const t = await tradeOf(rec.id);
    expect(await openPositions(rec.id)).toEqual([]);
    // Gross: 2 × (25602 − 25600) × $2 + 2 × (25604 − 25600) × $2 = 8 + 16 = $24.
    // Commission: (4 entry + 4 exit contracts) × $0.50 = $4. Net $20. Exit price (2×25602 + 2×25604) / 4 = 25603.
    // Best: excursions first, 4 contracts at 25605 = 5 points × $2 × 4 = $40.
    expect(t).toMatchObject({
      side: "long",
      quantity: 4,
      entryPrice: 25600,
      exitPrice: 25603,
      grossPnl: 24,
      commission: 4,
      pnl: 20,
      maxFavorable: 40,
      maxAdverse: 0,
      exitReason: "take_profit_2",
    });
    const { positions } = await apiJson("GET", `/api/positions?status=closed&recorderId=${rec.id}`);
    expect(positions).toHaveLength(1);
    const closed = positions[0];
    expect(closed).toMatchObject({ exitReason: "take_profit_2", exitPrice: 25603, realizedPnl: 24, quantity: 0, maxQuantity: 4 });
    expect(closed.fills.map((f: any) => [f.side, f.quantity, f.price, f.reason, f.priceSource])).toEqual([
      ["buy", 4, 25600, "open", "signal"],
      ["sell", 2, 25602, "take_profit_1", "feed"],
      ["sell", 2, 25604, "take_profit_2", "feed"],
    ]);
    // Both legs at the gap tick's market time; the feed price at the fills was the tick's.
    expect(closed.fills[1].at).toBe(closed.fills[2].at);
    expect(closed.fills[2].at).toBe(closed.closedAt);
    expect(closed.fills[1].feedPrice).toBe(25605);
  });

  it("a leg's share rounds down, the last leg takes the rest; the exit reason is the last exit's (a stop)", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder({
      ...IMMEDIATE,
      initialQuantity: 3,
      stopLossTicks: 8,
      takeProfitLegs: [{ ticks: 4, percent: 50 }, { ticks: 12, percent: 50 }],
    });
    // Short 3 at 25600: leg 1 at 25600 − 4 ticks = 25599 takes floor(3 × 50 %) = 1, leg 2 at 25600 − 12 ticks =
    // 25597 the other 2; stop 8 ticks above, 25602.
    const o = await signal(rec, { ticker, action: "sell", price: 25600 });
    expect(o.position).toMatchObject({ side: "short", quantity: 3, takeProfitPrice: 25599, stopLossPrice: 25602 });
    await tick(feedSymbol, 25599);
    let p = await only(rec.id);
    expect(p).toMatchObject({ quantity: 2, takeProfitPrice: 25597, stopLossPrice: 25602, realizedPnl: 2 });
    expect(p.fills.at(-1)).toMatchObject({ side: "buy", quantity: 1, price: 25599, reason: "take_profit_1" });
    await tick(feedSymbol, 25602); // back up to the stop: the 2 left exit at 25602
    const t = await tradeOf(rec.id);
    // Leg 1: +1 point × $2 = $2; stop: 2 × −2 points × $2 = −$8. Net −$6.
    expect(t).toMatchObject({ side: "short", quantity: 3, exitReason: "stop_loss", grossPnl: -6, pnl: -6 });
    expect(t.exitPrice).toBeCloseTo((25599 + 2 * 25602) / 3, 6);
  });

  it("an add recomputes the legs from the new average and quantity", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, initialQuantity: 2, takeProfitLegs: [{ ticks: 8, percent: 50 }, { ticks: 16, percent: 50 }] });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    // Leg 1 at 25602 for 1 contract. Add 2 at 25602: average 25601, legs at 25603 (2 of 4) and 25605 (2).
    const a = await signal(rec, { ticker, action: "buy", quantity: 2, price: 25602 });
    expect(a).toMatchObject({ result: "added", position: { quantity: 4, avgEntryPrice: 25601, takeProfitPrice: 25603 } });
    await tick(feedSymbol, 25603);
    const p = await only(rec.id);
    expect(p).toMatchObject({ quantity: 2, takeProfitPrice: 25605, realizedPnl: 8 }); // 2 × 2 points × $2
    await tick(feedSymbol, 25605.5);
    const t = await tradeOf(rec.id);
    // 2 × (25603 − 25601) × $2 + 2 × (25605 − 25601) × $2 = 8 + 16 = $24.
    expect(t).toMatchObject({ quantity: 4, entryPrice: 25601, exitPrice: 25604, pnl: 24, exitReason: "take_profit_2" });
  });
});

describe("trailingStop", () => {
  it("over the fake feed: arms at the trigger (inclusive), ratchets with new highs, never loosens, then is hit", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, PREP);
    const rec = await createRecorder({ ...IMMEDIATE, trailingStop: { triggerTicks: 8, distanceTicks: 4 } });
    const o = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(o.position.stopLossPrice).toBeNull(); // no stop until the trigger
    await feedReady(feedSymbol);
    const send = overTheFeed(feedSymbol);
    const stopAfter = async (price: number, stop: number | null) => {
      await send(price);
      const p = await only(rec.id);
      expect(p.lastPrice).toBe(price);
      expect(p.stopLossPrice, `stop after ${price}`).toBe(stop);
    };
    await stopAfter(25601.75, null); // best 7 ticks above 25600: not yet
    await stopAfter(25602, 25601); // 8 ticks: armed, 4 ticks (1 point) behind the best 25602
    await stopAfter(25603.5, 25602.5); // new best: the stop follows
    await stopAfter(25603, 25602.5); // a pull-back never loosens it
    await stopAfter(25605, 25604); // new best 25605
    await stopAfter(25604.25, 25604); // above the stop: still open
    await send(25604); // touches the stop: exits at its level
    const t = await tradeOf(rec.id);
    // (25604 − 25600) × $2 = $8; best was 25605 = $10.
    expect(t).toMatchObject({ exitReason: "trailing_stop", exitPrice: 25604, pnl: 8, maxFavorable: 10, maxAdverse: 0 });
    expect(await openPositions(rec.id)).toEqual([]);
  });

  it("a short's trail, gapped past: exits at the tick's price, slipped (slippageTicks)", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, trailingStop: { triggerTicks: 0, distanceTicks: 8 }, slippageTicks: 1 });
    // Short at 25600 slipped 1 tick against the trader: sold at 25599.75. Trigger 0: trails at once, 8 ticks = 2
    // points above the best (the entry): 25601.75.
    const o = await signal(rec, { ticker, action: "sell", price: 25600 });
    expect(o.position).toMatchObject({ avgEntryPrice: 25599.75, stopLossPrice: 25601.75 });
    await tick(feedSymbol, 25595); // best 25595: stop 25597
    expect((await only(rec.id)).stopLossPrice).toBe(25597);
    await tick(feedSymbol, 25596.5); // never loosens
    expect((await only(rec.id)).stopLossPrice).toBe(25597);
    await tick(feedSymbol, 25598); // gapped past 25597: fills at 25598, slipped 1 tick up to 25598.25
    const t = await tradeOf(rec.id);
    // (25599.75 − 25598.25) × $2 = $3.
    expect(t).toMatchObject({ side: "short", exitReason: "trailing_stop", entryPrice: 25599.75, exitPrice: 25598.25, pnl: 3 });
  });
});

describe("breakEven", () => {
  it("moves the stop to entry + offset once the trigger is reached; exits there", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, stopLossTicks: 20, breakEven: { triggerTicks: 12, offsetTicks: 2 }, commissionPerContract: 0.25 });
    // Long at 25600, fixed stop 20 ticks below: 25595. Trigger 12 ticks: 25603. Break-even stop: 25600 + 2 ticks.
    const o = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(o.position.stopLossPrice).toBe(25595);
    await tick(feedSymbol, 25602.75); // 11 ticks: not yet
    expect((await only(rec.id)).stopLossPrice).toBe(25595);
    await tick(feedSymbol, 25603); // 12 ticks: armed
    expect((await only(rec.id)).stopLossPrice).toBe(25600.5);
    await tick(feedSymbol, 25601); // a pull-back: still above it
    expect((await only(rec.id)).stopLossPrice).toBe(25600.5);
    await tick(feedSymbol, 25600.5);
    const t = await tradeOf(rec.id);
    // +0.5 point × $2 = $1 gross, commission 2 × $0.25 = $0.50, net $0.50. Best 3 points = $6.
    expect(t).toMatchObject({ exitReason: "break_even", exitPrice: 25600.5, grossPnl: 1, commission: 0.5, pnl: 0.5, maxFavorable: 6 });
  });

  it("a short's break-even, beside a tighter trailing stop: the tightest stop wins and names the exit", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const be = await createRecorder({ ...IMMEDIATE, breakEven: { triggerTicks: 8, offsetTicks: 4 } });
    const both = await createRecorder({ ...IMMEDIATE, breakEven: { triggerTicks: 8, offsetTicks: 4 }, trailingStop: { triggerTicks: 8, distanceTicks: 2 } });
    await signal(be, { ticker, action: "sell", price: 25600 });
    await signal(both, { ticker, action: "sell", price: 25600 });
    await tick(feedSymbol, 25598); // 8 ticks in favour: break-even at 25600 − 1 = 25599; trail at 25598 + 0.5 = 25598.5
    expect((await only(be.id)).stopLossPrice).toBe(25599);
    expect((await only(both.id)).stopLossPrice).toBe(25598.5);
    await tick(feedSymbol, 25598.5); // touches only the trail
    expect(await tradeOf(both.id)).toMatchObject({ exitReason: "trailing_stop", exitPrice: 25598.5, pnl: 3 });
    await tick(feedSymbol, 25599);
    // (25600 − 25599) × $2 = $2.
    expect(await tradeOf(be.id)).toMatchObject({ exitReason: "break_even", exitPrice: 25599, pnl: 2 });
  });
});

describe("slippageTicks", () => {
  it("adverse ticks on market fills (signals, stops, manual close), never on take-profit fills", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const s = { ...IMMEDIATE, slippageTicks: 2 };
    const tp = await createRecorder({ ...s, takeProfitTicks: 8 });
    const stop = await createRecorder({ ...s, stopLossTicks: 8 });
    const manual = await createRecorder(s);
    const byClose = await createRecorder(s);
    // Buy at 25600 slipped 2 ticks up: 25600.5 (the average); TP 25600.5 + 2 = 25602.5, stop 25598.5.
    for (const r of [tp, stop, manual, byClose]) {
      const o = await signal(r, { ticker, action: "buy", price: 25600 });
      expect(o.position.avgEntryPrice).toBe(25600.5);
      expect(o.position.fills[0]).toMatchObject({ price: 25600.5, priceSource: "signal" });
    }
    expect((await only(tp.id)).takeProfitPrice).toBe(25602.5);
    expect((await only(stop.id)).stopLossPrice).toBe(25598.5);
    // A signal's close at 25601: sold 2 ticks lower, 25600.5 -> $0.
    const c = await signal(byClose, { ticker, action: "close", price: 25601 });
    expect(c.trade).toMatchObject({ exitPrice: 25600.5, pnl: 0, exitReason: "signal" });
    // Manual close at 25610: 25609.5 -> (25609.5 − 25600.5) × $2 = $18.
    const [mp] = await openPositions(manual.id);
    const m = await apiJson("POST", `/api/positions/${mp.id}/close`, { price: 25610 });
    expect(m.trade).toMatchObject({ exitPrice: 25609.5, pnl: 18, exitReason: "manual" });

    await tick(feedSymbol, 25603); // take-profit at its level 25602.5, no slippage: 2 points = $4
    expect(await tradeOf(tp.id)).toMatchObject({ exitReason: "take_profit", exitPrice: 25602.5, pnl: 4 });
    expect((await openPositions(stop.id))[0]).toBeDefined();
    await tick(feedSymbol, 25598.5); // the stop at its level, slipped to 25598: −2.5 points = −$5
    expect(await tradeOf(stop.id)).toMatchObject({ exitReason: "stop_loss", exitPrice: 25598, pnl: -5 });

    // A short's entry and a gapped stop: sold at 25600 − 2 ticks = 25599.5, stop 25601.5; a tick at 25603 fills
    // at 25603 + 2 ticks = 25603.5: −4 points = −$8.
    const short = await createRecorder({ ...s, takeProfitTicks: 8, stopLossTicks: 8 });
    const o = await signal(short, { ticker, action: "sell", price: 25600 });
    expect(o.position).toMatchObject({ avgEntryPrice: 25599.5, stopLossPrice: 25601.5, takeProfitPrice: 25597.5 });
    await tick(feedSymbol, 25603);
    expect(await tradeOf(short.id)).toMatchObject({ exitReason: "stop_loss", exitPrice: 25603.5, pnl: -8 });
  });
});

/** HH:MM (UTC) of `ms`. */
function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}
const ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

describe("sessions", () => {
  it("flattenAtSessionEnd: the session ends with no tick after it; the position closes at the last price (slipped)", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const now = Date.now();
    // A session around now, in UTC, every day (one that spans midnight ends the next day: still contains now).
    const endMs = Math.floor((now + 120_000) / 60_000) * 60_000;
    const rec = await createRecorder({
      ...IMMEDIATE,
      timezone: "UTC",
      sessions: [{ days: ALL_DAYS, start: hhmm(now - 30 * 60_000), end: hhmm(endMs) }],
      flattenAtSessionEnd: true,
      slippageTicks: 1,
    });
    // Bought at 25600 + 1 tick = 25600.25.
    const o = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(o).toMatchObject({ result: "opened", position: { avgEntryPrice: 25600.25 } });
    await tick(feedSymbol, 25610);
    const stub = symbolStub(feedSymbol);
    // Before the end nothing happens.
    await inObject(feedSymbol, (obj) => obj.setClock(endMs - 1000));
    await runDurableObjectAlarm(stub);
    expect(await openPositions(rec.id)).toHaveLength(1);
    // After it, with no tick: the object's alarm closes it (a delayed feed's clock lags by its delay, 900 s at the
    // fake's anonymous feed, so the clock is moved past that too).
    await inObject(feedSymbol, (obj) => obj.setClock(endMs + 901_000));
    await runDurableObjectAlarm(stub);
    const t = await tradeOf(rec.id);
    // Last price 25610 sold 1 tick lower: 25609.75. (25609.75 − 25600.25) × $2 = $19. Stamped at the session's end.
    expect(t).toMatchObject({ exitReason: "session_end", exitPrice: 25609.75, pnl: 19, closedAt: new Date(endMs).toISOString() });
    expect(await openPositions(rec.id)).toEqual([]);
    await inObject(feedSymbol, (obj) => obj.setClock(null));
  });

  it("flattenAtSessionEnd: a first tick after the end closes at the last price before it, which never counts", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const now = Date.now();
    const endMs = Math.floor((now + 120_000) / 60_000) * 60_000;
    const rec = await createRecorder({ ...IMMEDIATE, timezone: "UTC", sessions: [{ days: ALL_DAYS, start: hhmm(now - 30 * 60_000), end: hhmm(endMs) }], flattenAtSessionEnd: true });
    await signal(rec, { ticker, action: "sell", price: 25600 });
    await tick(feedSymbol, 25590);
    // The next tick's market time is 5 s after the session's end: the short closes at 25590 first (+$20), stamped
    // at the end; the tick's 25650 never reaches it.
    await tick(feedSymbol, 25650, new Date(endMs + 5_000).toISOString());
    const t = await tradeOf(rec.id);
    expect(t).toMatchObject({ exitReason: "session_end", exitPrice: 25590, pnl: 20, maxAdverse: 0, maxFavorable: 20, closedAt: new Date(endMs).toISOString() });
  });

  it("outside every session entries are ignored (outside_session); exits still apply", async () => {
    const { ticker } = uniqueMnq();
    const now = Date.now();
    const rec = await createRecorder({ ...IMMEDIATE, timezone: "UTC", sessions: [{ days: ALL_DAYS, start: hhmm(now - 30 * 60_000), end: hhmm(now + 10 * 60_000) }] });
    const o = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(o.result).toBe("opened");
    // The session moves to later today (1 to 2 hours from now): now is outside it.
    await apiJson("PATCH", `/api/recorders/${rec.id}`, { sessions: [{ days: ALL_DAYS, start: hhmm(now + 60 * 60_000), end: hhmm(now + 120 * 60_000) }] });
    const add = await signal(rec, { ticker, action: "buy", price: 25605 });
    expect(add).toMatchObject({ result: "ignored", reason: "outside_session", position: { quantity: 1 } });
    // A reversal only closes: +$10.
    const rev = await signal(rec, { ticker, action: "sell", price: 25605 });
    expect(rev).toMatchObject({ result: "closed", reason: "outside_session", trade: { pnl: 10, exitReason: "signal" } });
    expect(await openPositions(rec.id)).toEqual([]);
    const open = await signal(rec, { ticker, action: "sell", price: 25600 });
    expect(open).toMatchObject({ result: "ignored", reason: "outside_session", position: null });
  });
});

describe("after a restart of the symbol's object", () => {
  it("a ratcheted trailing stop, a done leg and an armed break-even are all still in force", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const trail = await createRecorder({ ...IMMEDIATE, trailingStop: { triggerTicks: 4, distanceTicks: 4 } });
    const legs = await createRecorder({ ...IMMEDIATE, initialQuantity: 2, takeProfitLegs: [{ ticks: 4, percent: 50 }, { ticks: 24, percent: 50 }] });
    const be = await createRecorder({ ...IMMEDIATE, breakEven: { triggerTicks: 16, offsetTicks: 1 } });
    for (const r of [trail, legs, be]) await signal(r, { ticker, action: "buy", price: 25600 });
    // Best 25605: trail at 25604; leg 1 (25601) done, leg 2 at 25606; break-even (trigger 25604) at 25600.25.
    await tick(feedSymbol, 25605);
    expect((await only(trail.id)).stopLossPrice).toBe(25604);
    expect(await only(legs.id)).toMatchObject({ quantity: 1, takeProfitPrice: 25606 });
    expect((await only(be.id)).stopLossPrice).toBe(25600.25);

    await evictSymbol(symbolStub(feedSymbol));
    expect((await only(trail.id)).stopLossPrice).toBe(25604);
    expect(await only(legs.id)).toMatchObject({ quantity: 1, takeProfitPrice: 25606, realizedPnl: 2 });
    expect((await only(be.id)).stopLossPrice).toBe(25600.25);

    await tick(feedSymbol, 25604);
    // Trail: (25604 − 25600) × $2 = $8.
    expect(await tradeOf(trail.id)).toMatchObject({ exitReason: "trailing_stop", exitPrice: 25604, pnl: 8, maxFavorable: 10 });
    await evictSymbol(symbolStub(feedSymbol));
    await tick(feedSymbol, 25606);
    // Legs: 1 × 1 point × $2 + 1 × 6 points × $2 = $14. Best: 2 contracts at 25605 (excursions before the leg
    // filled on that tick) = $20, more than 1 contract at 25606 = $12.
    expect(await tradeOf(legs.id)).toMatchObject({ exitReason: "take_profit_2", pnl: 14, maxFavorable: 20 });
    await tick(feedSymbol, 25600.25);
    // Break-even, touched: 1 tick = $0.50.
    expect(await tradeOf(be.id)).toMatchObject({ exitReason: "break_even", exitPrice: 25600.25, pnl: 0.5 });
  });
});
