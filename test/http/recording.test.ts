// The recording rules end to end: webhook -> Worker -> symbol Durable Object -> D1, all through HTTP.
import { describe, expect, it } from "vitest";
import { createRecorder, freshMnq, openPositions, signal, tick, tradesOf, webhook } from "../helpers";

describe("the original system's verified scenario (MNQ, $0.50 per 0.25 tick, 1 contract)", () => {
  it("buy 25600, tick 25580, tick 25595, close 25610", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder();
    const opened = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(opened).toMatchObject({ ok: true, result: "opened", symbol: "MNQ", recorderId: rec.id });
    expect(opened.position).toMatchObject({ side: "long", quantity: 1, avgEntryPrice: 25600, status: "open", feedSymbol });

    await tick(feedSymbol, 25580);
    let [p] = await openPositions(rec.id);
    expect(p).toMatchObject({ unrealizedPnl: -40, worstUnrealizedPnl: -40, worstPrice: 25580, bestUnrealizedPnl: 0 });

    await tick(feedSymbol, 25595);
    [p] = await openPositions(rec.id);
    expect(p).toMatchObject({ unrealizedPnl: -10, worstUnrealizedPnl: -40, lastPrice: 25595 });

    const closed = await signal(rec, { ticker, action: "close", price: 25610 });
    expect(closed.result).toBe("closed");
    expect(closed.position).toMatchObject({ status: "closed", realizedPnl: 20, exitPrice: 25610, exitReason: "signal" });
    expect(closed.trade).toMatchObject({ grossPnl: 20, pnl: 20, maxAdverse: -40, maxFavorable: 20, exitReason: "signal" });

    expect(await openPositions(rec.id)).toEqual([]);
    const trades = await tradesOf(rec.id);
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ entryPrice: 25600, exitPrice: 25610, pnl: 20, maxAdverse: -40, maxFavorable: 20, side: "long", quantity: 1 });
  });
});

describe("DCA, partial exits, reversals", () => {
  it("adds at a new volume-weighted average entry", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ initialQuantity: 1, addQuantity: 2 });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const added = await signal(rec, { ticker, action: "buy", price: 25590 });
    expect(added.result).toBe("added");
    // (1×25600 + 2×25590) / 3 = 25593.333…
    expect(added.position.quantity).toBe(3);
    expect(added.position.avgEntryPrice).toBeCloseTo(25593.3333333, 6);
    // The add's own price is valued with the quantity held before it: 1 × (25590 − 25600) × $2 = −$20.
    expect(added.position.worstUnrealizedPnl).toBe(-20);
    const closed = await signal(rec, { ticker, action: "sell", price: 25600 }, 200);
    expect(closed.result).toBe("reversed");
    // 3 × (25600 − 25593.333) / 0.25 × 0.5 = +$40
    expect(closed.trade.grossPnl).toBe(40);
    expect(closed.trade.quantity).toBe(3);
  });

  it("ignores an add when allowAdd is off, with a reason", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ allowAdd: false });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const r = await signal(rec, { ticker, action: "buy", price: 25610 });
    expect(r.result).toBe("ignored");
    expect(r.reason).toBeTruthy();
    expect(r.position.quantity).toBe(1);
  });

  it("partial exit books only the quantity exited", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ initialQuantity: 3, commissionPerContract: 0.25 });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const r = await signal(rec, { ticker, action: "exit", quantity: 1, price: 25620 });
    expect(r.result).toBe("reduced");
    expect(r.position).toMatchObject({ quantity: 2, maxQuantity: 3, realizedPnl: 40, avgEntryPrice: 25600, status: "open" });
    expect(r.position.commission).toBe(1); // 3 contracts in + 1 out
    const done = await signal(rec, { ticker, action: "flat", price: 25590 });
    expect(done.result).toBe("closed");
    // +40 on the first contract, 2 × (−10/0.25 × 0.5) = −40 on the others
    expect(done.trade).toMatchObject({ grossPnl: 0, commission: 1.5, pnl: -1.5, quantity: 3 });
    expect(done.trade.exitPrice).toBeCloseTo((25620 + 2 * 25590) / 3, 6);
  });

  it("reverses on an opposite signal without target information", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    const first = await signal(rec, { ticker, action: "buy", price: 25600 });
    const r = await signal(rec, { ticker, action: "sell", price: 25580 });
    expect(r.result).toBe("reversed");
    expect(r.trade).toMatchObject({ side: "long", pnl: -40, exitReason: "reverse", positionId: first.position.id });
    expect(r.position).toMatchObject({ side: "short", quantity: 1, avgEntryPrice: 25580, status: "open" });
    expect(r.position.id).not.toBe(first.position.id);
  });

  it("only closes on an opposite signal when reverseOnOpposite is off", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ reverseOnOpposite: false });
    await signal(rec, { ticker, action: "sell", price: 25600 });
    const r = await signal(rec, { ticker, action: "buy", price: 25590 });
    expect(r.result).toBe("closed");
    expect(r.trade).toMatchObject({ side: "short", pnl: 20, exitReason: "signal" });
    expect(await openPositions(rec.id)).toEqual([]);
  });

  it("moves to the target of a strategy alert, so a replayed alert is harmless", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    expect((await signal(rec, { ticker, action: "buy", positionSize: "2", price: 25600 })).result).toBe("opened");
    expect((await signal(rec, { ticker, action: "buy", position_size: "2", price: 25601 })).result).toBe("ignored");
    const rev = await signal(rec, { ticker, action: "sell", positionSize: "-1", price: 25610 });
    expect(rev.result).toBe("reversed");
    expect(rev.trade).toMatchObject({ side: "long", quantity: 2, grossPnl: 40 });
    expect(rev.position).toMatchObject({ side: "short", quantity: 1 });
    const flat = await signal(rec, { ticker, action: "buy", marketPosition: "flat", price: 25600 });
    expect(flat.result).toBe("closed");
    expect(flat.trade).toMatchObject({ side: "short", pnl: 20 });
  });

  it("TradersPost's exit (sentiment flat) closes", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", sentiment: "long", quantity: "1", price: "25600.25" });
    const r = await signal(rec, { ticker, action: "sell", sentiment: "flat", price: "25610.25" });
    expect(r.result).toBe("closed");
    expect(r.trade.pnl).toBe(20);
  });
});

describe("take-profit and stop-loss hit by ticks", () => {
  it("exits at the take-profit level", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder({ takeProfitTicks: 20, stopLossTicks: 40 });
    const o = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(o.position).toMatchObject({ takeProfitPrice: 25605, stopLossPrice: 25590 });
    await tick(feedSymbol, 25603);
    await tick(feedSymbol, 25607); // through the level: a limit exits at its level
    expect(await openPositions(rec.id)).toEqual([]);
    const [t] = await tradesOf(rec.id);
    expect(t).toMatchObject({ exitReason: "take_profit", exitPrice: 25605, pnl: 10, maxFavorable: 14 });
  });

  it("a tick that gaps through the stop exits at the tick's price", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "sell", price: 25600, stopLoss: { stopPrice: 25610 }, takeProfit: { limitPrice: 25550 } });
    await tick(feedSymbol, 25605);
    await tick(feedSymbol, 25620); // gapped past 25610
    const [t] = await tradesOf(rec.id);
    expect(t).toMatchObject({ side: "short", exitReason: "stop_loss", exitPrice: 25620, pnl: -40, maxAdverse: -40 });
  });

  it("a stop touched exactly exits at its level; take-profit wins a tie", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const a = await createRecorder();
    await signal(a, { ticker, action: "buy", price: 25600, sl: 25590, tp: 25700 });
    await tick(feedSymbol, 25590);
    expect((await tradesOf(a.id))[0]).toMatchObject({ exitReason: "stop_loss", exitPrice: 25590, pnl: -20 });

    const b = await createRecorder({ stopLossTicks: 4 });
    // A signal cannot set crossed levels (wrong side), but a fixed take-profit and the recorder's relative stop
    // cross after an add (TP 25601 stays, the stop follows the new average 25605 to 25604): both are hit by one
    // tick, and the take-profit wins.
    await signal(b, { ticker, action: "buy", price: 25600, takeProfit: 25601 });
    await signal(b, { ticker, action: "buy", price: 25610 });
    await tick(feedSymbol, 25602);
    expect((await tradesOf(b.id))[0]).toMatchObject({ exitReason: "take_profit", exitPrice: 25601 });
  });

  it("TP/SL given in ticks, USD and percent", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ initialQuantity: 2 });
    const r = await signal(rec, { ticker, action: "buy", price: 25600, takeProfit: { amount: 50 }, stopLoss: { percent: 0.1 } });
    // $50 on 2 contracts at $2/point = 12.5 points; 0.1 % of 25600 = 25.6 → nearest tick 25.5 or 25.75
    expect(r.position.takeProfitPrice).toBe(25612.5);
    expect(r.position.stopLossPrice).toBeCloseTo(25574.5, 6);
  });

  it("ticks after a position closed change nothing", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await signal(rec, { ticker, action: "close", price: 25600 });
    await tick(feedSymbol, 25000);
    const [t] = await tradesOf(rec.id);
    expect(t).toMatchObject({ maxAdverse: 0, maxFavorable: 0, pnl: 0 });
  });
});

describe("duplicates", () => {
  it("a signal id seen before is not applied again; the first result is repeated", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    const first = await signal(rec, { ticker, action: "buy", price: 25600, id: "alert-1" });
    const again = await signal(rec, { ticker, action: "buy", price: 25650, alertId: "alert-1" });
    expect(again).toMatchObject({ duplicate: true, result: "opened", signalId: first.signalId });
    const [p] = await openPositions(rec.id);
    expect(p.quantity).toBe(1);
  });

  it("a byte-identical body within the window is a duplicate; outside it, or with window 0, it is not", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ dedupeWindowSeconds: 10 });
    const body = JSON.stringify({ ticker, action: "buy", price: 25600 });
    await signal(rec, body);
    const dup = await signal(rec, body);
    expect(dup.duplicate).toBe(true);
    expect((await openPositions(rec.id))[0].quantity).toBe(1);
    // A different byte sequence is a new signal.
    const add = await signal(rec, body.replace("}", " }"));
    expect(add.result).toBe("added");

    const { ticker: t2 } = freshMnq();
    const off = await createRecorder({ dedupeWindowSeconds: 0 });
    const b2 = JSON.stringify({ ticker: t2, action: "buy", price: 25600 });
    await signal(off, b2);
    expect((await signal(off, b2)).result).toBe("added");
  });
});

describe("TradersPost strategy template (sentiment = the side after the order)", () => {
  const order = (ticker: string, action: string, sentiment: string, quantity: number, price: number) => ({
    ticker,
    action,
    sentiment,
    quantity: String(quantity),
    price: String(price),
  });

  it("a partial exit reduces, a reversal lands on the strategy's size, flat closes", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    expect((await signal(rec, order(ticker, "buy", "long", 2, 25600))).result).toBe("opened");
    const partial = await signal(rec, order(ticker, "sell", "long", 1, 25610));
    expect(partial.result).toBe("reduced");
    expect(partial.position).toMatchObject({ side: "long", quantity: 1, realizedPnl: 20 });
    // long 1 -> short 1: TradingView sends contracts = 2
    const rev = await signal(rec, order(ticker, "sell", "short", 2, 25620));
    expect(rev.result).toBe("reversed");
    expect(rev.position).toMatchObject({ side: "short", quantity: 1 });
    expect(rev.trade).toMatchObject({ side: "long", quantity: 2, grossPnl: 60 });
    const flat = await signal(rec, { ticker, action: "buy", sentiment: "flat", quantity: "1", price: "25610" });
    expect(flat.result).toBe("closed");
    expect(flat.trade).toMatchObject({ side: "short", grossPnl: 20 });
  });

  it("an order that cannot land on the announced side is ignored, not guessed", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    const r = await signal(rec, order(ticker, "sell", "long", 1, 25600)); // a partial exit of a long we never saw
    expect(r).toMatchObject({ result: "ignored", reason: "sentiment_mismatch" });
  });
});

describe("prices and tick sizes", () => {
  it("recorders with different tick sizes on one symbol each see the feed at their own tick", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const coarse = await createRecorder({ tickSize: 1, tickValue: 2 }); // first on the symbol, with an override
    await signal(coarse, { ticker, action: "buy", price: 25600 });
    const table = await createRecorder();
    await signal(table, { ticker, action: "buy", price: 25600 });
    await tick(feedSymbol, 25600.75);
    await tick(feedSymbol, 25599.75);
    const [p] = await openPositions(table.id);
    expect(p).toMatchObject({ bestPrice: 25600.75, bestUnrealizedPnl: 1.5, worstPrice: 25599.75, worstUnrealizedPnl: -0.5 });
    const [c] = await openPositions(coarse.id);
    expect(c).toMatchObject({ bestPrice: 25601, bestUnrealizedPnl: 2, worstUnrealizedPnl: 0 });
  });

  it("a positive price that rounds to 0 is never booked: it counts as absent (422 no_price, not a 5xx)", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    const r = await webhook(rec, { ticker, action: "buy", price: 0.1 });
    expect(r.status).toBe(422);
    expect(((await r.json()) as any).error.code).toBe("no_price");
  });
});
