// The peers' payloads (reference/peers.md) through the webhook, with hand-computed fills and P&L:
// TradersPost quantityType (fixed_quantity / dollar_amount / percent_of_equity with the recorder's
// initialCapital / anything else 400), action cancel, orderType limit / stop with limitPrice / stopPrice (result
// "pending", filled by a tick that reaches it, expired by the next opposite signal), the TradersPost trailing
// stopLoss, and PickMyTrade's trail / trail_stop / trail_trigger / breakeven / breakeven_offset.
// MNQ: tick 0.25, $0.50 per tick per contract, so 1 point = $2 per contract; a contract at 25600 is worth
// 25600 × $2 = $51,200.
import { describe, expect, it } from "vitest";
import { waitFor } from "../feed/helpers";
import { feedReady, mnqContracts, prepare } from "../feed-do/helpers";
import { apiJson, createRecorder, evictSymbol, openPositions, signal, symbolStub, tick, tradesOf, webhook } from "../helpers";

const uniqueMnq = mnqContracts(4830);

/** The fake's anonymous feed reports delayed data: signals here apply at once. */
const IMMEDIATE = { delayedFeed: "immediate", dedupeWindowSeconds: 0 } as const;

async function tradeOf(recorderId: string): Promise<any> {
  return waitFor(async () => (await tradesOf(recorderId))[0], 10_000, "the trade in D1");
}

async function only(recorderId: string): Promise<any> {
  const ps = await openPositions(recorderId);
  expect(ps).toHaveLength(1);
  return ps[0];
}

async function refused(rec: { webhookPath: string }, body: unknown, status: number, code: string): Promise<any> {
  const r = await webhook(rec, body);
  const json: any = await r.json();
  expect(r.status, JSON.stringify(json)).toBe(status);
  expect(json.ok).toBe(false);
  expect(json.error.code).toBe(code);
  return json.error;
}

describe("TradersPost quantityType", () => {
  it("fixed_quantity: contracts", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    const r = await signal(rec, { ticker, action: "buy", quantityType: "fixed_quantity", quantity: "3", price: "25600" });
    expect(r).toMatchObject({ result: "opened", position: { quantity: 3 } });
  });

  it("dollar_amount: contracts from price × point value, rounded down", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    // $120,000 / $51,200 = 2.34 -> 2 contracts.
    const r = await signal(rec, { ticker, action: "buy", quantityType: "dollar_amount", quantity: "120000", price: "25600" });
    expect(r).toMatchObject({ result: "opened", position: { quantity: 2, avgEntryPrice: 25600 } });
    // An add of $102,399.99 at 25600: 1.99… -> 1 contract.
    expect(await signal(rec, { ticker, action: "buy", quantityType: "dollar_amount", quantity: 102_399.99, price: 25600 })).toMatchObject({ result: "added", position: { quantity: 3 } });
    // At 12800 the same $51,200 buys 2 (a price that moves the point value's worth).
    const cheap = await createRecorder(IMMEDIATE);
    expect(await signal(cheap, { ticker, action: "sell", quantityType: "dollar_amount", quantity: 51_200, price: 12800 })).toMatchObject({ position: { side: "short", quantity: 2 } });
    // Less than one contract's worth: nothing to do.
    const small = await createRecorder(IMMEDIATE);
    expect(await signal(small, { ticker, action: "buy", quantityType: "dollar_amount", quantity: 51_199, price: 25600 })).toMatchObject({
      result: "ignored",
      reason: "quantity_rounds_to_zero",
      position: null,
    });
  });

  it("percent_of_equity: a percent of the recorder's initialCapital; without it, refused", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, initialCapital: 200_000 });
    // 60 % of $200,000 = $120,000 -> 2 contracts at 25600.
    expect(await signal(rec, { ticker, action: "buy", quantityType: "percent_of_equity", quantity: 60, price: 25600 })).toMatchObject({ result: "opened", position: { quantity: 2 } });
    // 25 % = $50,000 at 25000 ($50,000 a contract) -> 1 more.
    expect(await signal(rec, { ticker, action: "buy", quantityType: "percent_of_equity", quantity: "25", price: 25000 })).toMatchObject({ result: "added", position: { quantity: 3 } });

    const without = await createRecorder(IMMEDIATE);
    const e = await refused(without, { ticker, action: "buy", quantityType: "percent_of_equity", quantity: 50, price: 25600 }, 400, "invalid_signal");
    expect(e.details.map((d: any) => d.field)).toEqual(["quantityType"]);
    expect(e.message).toContain("initialCapital");
    expect(await openPositions(without.id)).toEqual([]);
  });

  it("any other quantityType is 400 invalid_signal naming quantityType", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    for (const quantityType of ["risk_dollar_amount", "percent_of_position", "contracts"]) {
      const e = await refused(rec, { ticker, action: "buy", quantityType, quantity: 1, price: 25600 }, 400, "invalid_signal");
      expect(e.details.map((d: any) => d.field)).toEqual(["quantityType"]);
      expect(e.message).toContain("quantityType");
    }
    expect(await openPositions(rec.id)).toEqual([]);
  });
});

describe("TradersPost cancel", () => {
  it("is ignored with reason cancel_not_applicable, flat or not; the position is untouched", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    // TradersPost's cancel body carries no price: it needs none (no wait for the feed, no 422 no_price).
    const t0 = Date.now();
    expect(await signal(rec, { ticker, action: "cancel" })).toMatchObject({ ok: true, result: "ignored", reason: "cancel_not_applicable", position: null });
    expect(Date.now() - t0).toBeLessThan(1500);
    await signal(rec, { ticker, action: "buy", quantity: 2, price: 25600 });
    const r = await signal(rec, { ticker, action: "cancel", sentiment: "flat", quantity: 2, price: 25610 });
    expect(r).toMatchObject({ result: "ignored", reason: "cancel_not_applicable", position: { status: "open", quantity: 2, avgEntryPrice: 25600 } });
    expect(await signal(rec, { ticker, action: "cancel", id: "c-1" })).toMatchObject({ result: "ignored", position: { quantity: 2 } });
    expect(await signal(rec, { ticker, action: "cancel", id: "c-1" })).toMatchObject({ result: "ignored", duplicate: true });
    const p = await only(rec.id);
    expect(p.fills).toHaveLength(1);
    const rows = await waitFor(async () => {
      const { signals } = await apiJson("GET", `/api/signals?recorderId=${rec.id}`);
      return signals.length >= 5 ? signals : null;
    }, 10_000, "signal log");
    expect(rows.filter((x: any) => x.status === "applied" && x.result === "ignored")).toHaveLength(3);
  });

  it("is answered at once on a recorder that aligns signals to a delayed feed (never scheduled)", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, { hb: 1000 });
    // Another recorder's position starts the feed; the fake's anonymous feed reports delayed_streaming_900.
    await signal(await createRecorder(IMMEDIATE), { ticker, action: "buy", price: 25600 });
    expect((await feedReady(feedSymbol)).feed.delayed).toBe(true);
    const rec = await createRecorder({ delayedFeed: "align" });
    expect((await signal(rec, { ticker, action: "buy", price: 25600 })).result).toBe("scheduled");
    expect(await signal(rec, { ticker, action: "cancel" })).toMatchObject({ result: "ignored", reason: "cancel_not_applicable" });
  });
});

describe("TradersPost orderType limit / stop", () => {
  it("a buy limit is pending, untouched by ticks above it, filled at its price by the tick that reaches it", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, commissionPerContract: 0.5 });
    const r = await signal(rec, { ticker, action: "buy", quantity: 2, orderType: "limit", limitPrice: "25590", price: 25600, takeProfit: { limitPrice: 25600 } });
    expect(r).toMatchObject({ ok: true, result: "pending", position: null });
    await tick(feedSymbol, 25595);
    expect(await openPositions(rec.id)).toEqual([]);
    await tick(feedSymbol, 25590);
    const p = await waitFor(async () => (await openPositions(rec.id))[0], 10_000, "the filled entry");
    expect(p).toMatchObject({ side: "long", quantity: 2, avgEntryPrice: 25590, takeProfitPrice: 25600, commission: 1 });
    expect(p.fills).toEqual([expect.objectContaining({ side: "buy", quantity: 2, price: 25590, reason: "open", priceSource: "feed", feedPrice: 25590 })]);
    expect(p.openedAt).toBe(p.fills[0].at);
    // Its take-profit came with it: 2 × 10 points × $2 = $40, commission 4 × $0.50 = $2.
    await tick(feedSymbol, 25600);
    expect(await tradeOf(rec.id)).toMatchObject({ entryPrice: 25590, exitPrice: 25600, exitReason: "take_profit", grossPnl: 40, commission: 2, pnl: 38 });
  });

  it("a sell stop waits for the price to fall to it; a buy stop for it to rise", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const sellStop = await createRecorder(IMMEDIATE);
    const buyStop = await createRecorder(IMMEDIATE);
    expect(await signal(sellStop, { ticker, action: "sell", orderType: "stop", stopPrice: 25590, price: 25600 })).toMatchObject({ result: "pending", position: null });
    expect(await signal(buyStop, { ticker, action: "buy", orderType: "stop", stopPrice: "25610", price: 25600 })).toMatchObject({ result: "pending", position: null });
    await tick(feedSymbol, 25595);
    await tick(feedSymbol, 25605);
    expect(await openPositions(sellStop.id)).toEqual([]);
    expect(await openPositions(buyStop.id)).toEqual([]);
    await tick(feedSymbol, 25610);
    expect(await waitFor(async () => (await openPositions(buyStop.id))[0], 10_000, "buy stop filled")).toMatchObject({ side: "long", avgEntryPrice: 25610 });
    expect(await openPositions(sellStop.id)).toEqual([]);
    await tick(feedSymbol, 25590);
    expect(await waitFor(async () => (await openPositions(sellStop.id))[0], 10_000, "sell stop filled")).toMatchObject({ side: "short", avgEntryPrice: 25590 });
    // The long from 25610 is at −$40 now; the short at 0.
    expect((await only(buyStop.id)).unrealizedPnl).toBe(-40);
  });

  it("expires with the next opposite signal", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    expect((await signal(rec, { ticker, action: "buy", orderType: "limit", limitPrice: 25590, price: 25600 })).result).toBe("pending");
    // A market sell opens a short at 25600 and the buy limit expires: the tick at 25590 fills nothing.
    expect(await signal(rec, { ticker, action: "sell", price: 25600 })).toMatchObject({ result: "opened", position: { side: "short" } });
    await tick(feedSymbol, 25590);
    const p = await only(rec.id);
    expect(p).toMatchObject({ side: "short", quantity: 1, avgEntryPrice: 25600, unrealizedPnl: 20 });
    expect(p.fills).toHaveLength(1);
    // A pending sell limit at 25610 expires with the next buy (which closes the short at 25595: +$10).
    expect((await signal(rec, { ticker, action: "sell", orderType: "limit", limitPrice: 25610, price: 25595 })).result).toBe("pending");
    const c = await signal(rec, { ticker, action: "close", price: 25595 });
    expect(c).toMatchObject({ result: "closed", trade: { pnl: 10 } });
    await tick(feedSymbol, 25610);
    expect(await openPositions(rec.id)).toEqual([]);
    expect(await tradesOf(rec.id)).toHaveLength(1);
  });
});

describe("pending entries: slippage, restart", () => {
  it("a stop entry fills slipped like a market order, a limit entry never", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const stop = await createRecorder({ ...IMMEDIATE, slippageTicks: 2 });
    const limit = await createRecorder({ ...IMMEDIATE, slippageTicks: 2 });
    expect((await signal(stop, { ticker, action: "buy", orderType: "stop", stopPrice: 25610, price: 25600 })).result).toBe("pending");
    expect((await signal(limit, { ticker, action: "sell", orderType: "limit", limitPrice: 25610, price: 25600 })).result).toBe("pending");
    await tick(feedSymbol, 25610);
    // Buy stop at 25610 + 2 ticks = 25610.5; sell limit at 25610.
    expect(await waitFor(async () => (await openPositions(stop.id))[0], 10_000, "stop filled")).toMatchObject({ side: "long", avgEntryPrice: 25610.5 });
    expect(await waitFor(async () => (await openPositions(limit.id))[0], 10_000, "limit filled")).toMatchObject({ side: "short", avgEntryPrice: 25610 });
  });

  it("a pending entry survives a restart of the symbol's object", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    expect((await signal(rec, { ticker, action: "buy", quantity: 3, orderType: "limit", limitPrice: 25590, price: 25600 })).result).toBe("pending");
    await tick(feedSymbol, 25595);
    await evictSymbol(symbolStub(feedSymbol));
    await tick(feedSymbol, 25590);
    expect(await waitFor(async () => (await openPositions(rec.id))[0], 10_000, "filled")).toMatchObject({ side: "long", quantity: 3, avgEntryPrice: 25590 });
  });
});

describe("TradersPost trailing stopLoss", () => {
  it("the documented body: trailAmount in price units, trailing from the entry at once", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    const r = await signal(rec, {
      ticker,
      action: "buy",
      quantity: "1",
      signalPrice: "25600",
      takeProfit: { limitPrice: "25650" },
      stopLoss: { type: "trailing_stop", trailAmount: "5" },
    });
    // 5 points behind the best price (the entry): 25595.
    expect(r).toMatchObject({ result: "opened", position: { takeProfitPrice: 25650, stopLossPrice: 25595 } });
    await tick(feedSymbol, 25604);
    expect((await only(rec.id)).stopLossPrice).toBe(25599);
    await tick(feedSymbol, 25610);
    expect((await only(rec.id)).stopLossPrice).toBe(25605);
    await tick(feedSymbol, 25607);
    expect((await only(rec.id)).stopLossPrice).toBe(25605);
    await tick(feedSymbol, 25605);
    // (25605 − 25600) × $2 = $10; best $20.
    expect(await tradeOf(rec.id)).toMatchObject({ exitReason: "trailing_stop", exitPrice: 25605, pnl: 10, maxFavorable: 20 });
  });

  it("trailPercent: a percent of the fill price, in whole ticks", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    // 0.01 % of 25600 = 2.56 points = 10.24 ticks -> 10 ticks = 2.5 points: a short's stop at 25602.5.
    const r = await signal(rec, { ticker, action: "sell", price: 25600, stopLoss: { type: "trailing_stop", trailPercent: "0.01" } });
    expect(r.position.stopLossPrice).toBe(25602.5);
    await tick(feedSymbol, 25596);
    expect((await only(rec.id)).stopLossPrice).toBe(25598.5);
    await tick(feedSymbol, 25598.5);
    // (25600 − 25598.5) × $2 = $3.
    expect(await tradeOf(rec.id)).toMatchObject({ side: "short", exitReason: "trailing_stop", exitPrice: 25598.5, pnl: 3 });
  });
});

describe("PickMyTrade trail / breakeven", () => {
  it("trail_stop with trail_trigger (price units): trails once the price is trail_trigger beyond the entry", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    // Distance 2 points (8 ticks), trigger 3 points (12 ticks): armed at 25603, then 2 points behind the best.
    const r = await signal(rec, { symbol: ticker, data: "buy", quantity: 1, price: 25600, trail: 1, trail_stop: 2, trail_trigger: 3 });
    expect(r).toMatchObject({ result: "opened", position: { stopLossPrice: null } });
    await tick(feedSymbol, 25602.75);
    expect((await only(rec.id)).stopLossPrice).toBeNull();
    await tick(feedSymbol, 25603);
    expect((await only(rec.id)).stopLossPrice).toBe(25601);
    await tick(feedSymbol, 25604);
    expect((await only(rec.id)).stopLossPrice).toBe(25602);
    await tick(feedSymbol, 25602);
    // (25602 − 25600) × $2 = $4.
    expect(await tradeOf(rec.id)).toMatchObject({ exitReason: "trailing_stop", exitPrice: 25602, pnl: 4 });
  });

  it("a repeated entry alert that is ignored (allowAdd off) still sets its trail on the open position", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, allowAdd: false });
    await signal(rec, { symbol: ticker, data: "buy", quantity: 1, price: 25600 });
    await tick(feedSymbol, 25604);
    // Trail 1 point behind the best price so far (25604): 25603.
    const r = await signal(rec, { symbol: ticker, data: "buy", quantity: 1, price: 25604, trail_stop: 1 });
    expect(r).toMatchObject({ result: "ignored", reason: "add_not_allowed", position: { quantity: 1, stopLossPrice: 25603 } });
    await tick(feedSymbol, 25606); // ratchets to 25605
    expect((await only(rec.id)).stopLossPrice).toBe(25605);
    await tick(feedSymbol, 25605);
    expect(await tradeOf(rec.id)).toMatchObject({ exitReason: "trailing_stop", exitPrice: 25605, pnl: 10 });
  });

  it("trail 0 turns the trail off", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    const r = await signal(rec, { symbol: ticker, data: "sell", quantity: 1, price: 25600, trail: 0, trail_stop: 2, sl: 25610 });
    expect(r.position.stopLossPrice).toBe(25610);
  });

  it("breakeven / breakeven_offset (price units): the stop moves from sl to entry + offset, and exits there", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    // Trigger 4 points (25604), offset 1 point: the stop moves from 25590 to 25601.
    const r = await signal(rec, { symbol: ticker, data: "buy", quantity: 2, price: 25600, sl: 25590, breakeven: 4, breakeven_offset: 1 });
    expect(r.position.stopLossPrice).toBe(25590);
    await tick(feedSymbol, 25603.75);
    expect((await only(rec.id)).stopLossPrice).toBe(25590);
    await tick(feedSymbol, 25604);
    expect((await only(rec.id)).stopLossPrice).toBe(25601);
    await tick(feedSymbol, 25601);
    // 2 × 1 point × $2 = $4.
    expect(await tradeOf(rec.id)).toMatchObject({ quantity: 2, exitReason: "break_even", exitPrice: 25601, pnl: 4, maxFavorable: 16 });
  });

  it("a short's breakeven without an offset: the stop goes to the entry", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    const r = await signal(rec, { symbol: ticker, data: "sell", quantity: 1, price: "25600", breakeven: "2.5" });
    expect(r.position.stopLossPrice).toBeNull();
    await tick(feedSymbol, 25597.5);
    expect((await only(rec.id)).stopLossPrice).toBe(25600);
    await tick(feedSymbol, 25600.25); // gapped past the entry: exits at the tick's price, −$0.50
    expect(await tradeOf(rec.id)).toMatchObject({ exitReason: "break_even", exitPrice: 25600.25, pnl: -0.5 });
  });
});

describe("a pending order's position lands in D1 like any other", () => {
  it("closed positions list the filled entry", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    await signal(rec, { ticker, action: "sell", orderType: "limit", limitPrice: 25610, price: 25600 });
    await tick(feedSymbol, 25612); // a limit fills at its price or better: sold at 25612
    const p = await waitFor(async () => (await openPositions(rec.id))[0], 10_000, "filled");
    expect(p).toMatchObject({ side: "short", avgEntryPrice: 25612 });
    await signal(rec, { ticker, action: "close", price: 25602 });
    const t = await tradeOf(rec.id);
    expect(t).toMatchObject({ entryPrice: 25612, exitPrice: 25602, pnl: 20 });
    const { positions } = await apiJson("GET", `/api/positions?status=closed&recorderId=${rec.id}`);
    expect(positions[0].fills.map((f: any) => [f.side, f.price, f.reason])).toEqual([
      ["sell", 25612, "open"],
      ["buy", 25602, "signal"],
    ]);
  });
});
