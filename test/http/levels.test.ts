// CONTRACT "Levels on the right side": a take-profit or stop-loss already crossed when it is set is refused with
// 400 invalid_signal, details [{field: "takeProfit"|"stopLoss", problem: "wrong_side"}] (whatever alias the body
// used) and a message naming both prices; nothing is applied (no position, the signal log row "rejected").
// For a signal that only moves the levels of an open position, the price is the current feed price, else the
// signal's price. Through the webhook and the admin API, over the fake TradingView server's feed.
import { describe, expect, it } from "vitest";
import { tick, waitFor } from "../feed/helpers";
import { feedReady, mnqContracts, prepare, ticksProcessed } from "../feed-do/helpers";
import { apiJson, createRecorder, openPositions, signal, webhook } from "../helpers";

const uniqueMnq = mnqContracts(3300);

/** The fake's anonymous feed is delayed: the feed's delay is not the point here, signals apply at once. */
const IMMEDIATE = { delayedFeed: "immediate" } as const;

/** Fake heartbeats every second: the feed stays live (its watchdog is 5 s) however slow the machine is. */
const PREP = { hb: 1000 };

async function rejected(rec: { id: string }, count = 1): Promise<any[]> {
  return waitFor(async () => {
    const { signals } = await apiJson<{ signals: any[] }>("GET", `/api/signals?recorderId=${rec.id}&status=rejected`);
    return signals.length >= count ? signals : null;
  }, 10_000, `${count} rejected signal(s) in the log`);
}

async function allSignals(rec: { id: string }): Promise<any[]> {
  const { signals } = await apiJson<{ signals: any[] }>("GET", `/api/signals?recorderId=${rec.id}`);
  return signals;
}

/** Posts `body`, expects 400 invalid_signal with exactly these wrong-side fields, and a message naming the
 * level and the price. Returns the error. */
async function wrongSide(
  rec: { webhookPath: string },
  body: Record<string, unknown>,
  fields: Array<"takeProfit" | "stopLoss">,
  named: string[],
): Promise<any> {
  const r = await webhook(rec, body);
  const json: any = await r.json();
  expect(r.status, JSON.stringify(json)).toBe(400);
  expect(json.ok).toBe(false);
  expect(json.error.code).toBe("invalid_signal");
  expect(json.error.details).toEqual(fields.map((field) => ({ field, problem: "wrong_side" })));
  // Each price as a number of its own (not a digit run inside another price).
  for (const n of named) expect(json.error.message).toMatch(new RegExp(`(^|[^0-9.])${n.replace(".", "\\.")}(?![0-9]|\\.[0-9])`));
  return json.error;
}

describe("wrong-side levels on a new position", () => {
  it("the issue's example: ES1! buy at 6908.25 with takeProfit \"20\" (points sent as a price)", async () => {
    const rec = await createRecorder(IMMEDIATE);
    const body = { ticker: "ES1!", action: "buy", takeProfit: "20", price: "6908.25" };
    await wrongSide(rec, body, ["takeProfit"], ["20", "6908.25"]);
    expect(await openPositions(rec.id)).toEqual([]);
    const [row] = await rejected(rec);
    expect(row).toMatchObject({ status: "rejected", error: { code: "invalid_signal", details: [{ field: "takeProfit", problem: "wrong_side" }] } });
    expect(row.body).toMatchObject({ ticker: "ES1!", takeProfit: "20" });
    expect((await allSignals(rec)).map((s) => s.status)).toEqual(["rejected"]);
    // Nothing applied: the same alert with a sane level opens the position.
    const ok = await signal(rec, { ticker: "ES1!", action: "buy", takeProfit: "6928.25", price: "6908.25" });
    expect(ok).toMatchObject({ result: "opened", position: { avgEntryPrice: 6908.25, takeProfitPrice: 6928.25, quantity: 1 } });
  });

  it("long: a stop-loss at or above the price, a take-profit at the price; both named when both are wrong", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    await wrongSide(rec, { ticker, action: "buy", price: 25600, stopLoss: 25650 }, ["stopLoss"], ["25650", "25600"]);
    await wrongSide(rec, { ticker, action: "buy", price: 25600, stopLoss: 25600 }, ["stopLoss"], ["25600"]);
    await wrongSide(rec, { ticker, action: "buy", price: 25600, takeProfit: 25600 }, ["takeProfit"], ["25600"]);
    const e = await wrongSide(rec, { ticker, action: "buy", price: 25600, takeProfit: 25500, stopLoss: 25700 }, ["takeProfit", "stopLoss"], ["25500", "25700", "25600"]);
    expect(e.message.length).toBeGreaterThan(20);
    expect(await openPositions(rec.id)).toEqual([]);
    const rows = await rejected(rec, 4);
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r.error.code).toBe("invalid_signal");
  });

  it("short: a take-profit at or above the price, a stop-loss at or below it", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    await wrongSide(rec, { ticker, action: "sell", price: 25600, takeProfit: 25700 }, ["takeProfit"], ["25700", "25600"]);
    await wrongSide(rec, { ticker, action: "sell", price: 25600, stopLoss: 25500 }, ["stopLoss"], ["25500", "25600"]);
    await wrongSide(rec, { ticker, action: "sell", price: 25600, takeProfit: 25600 }, ["takeProfit"], ["25600"]);
    await wrongSide(rec, { ticker, action: "short", price: 25600, takeProfit: 25650, stopLoss: 25550 }, ["takeProfit", "stopLoss"], ["25650", "25550", "25600"]);
    expect(await openPositions(rec.id)).toEqual([]);
    expect(await rejected(rec, 4)).toHaveLength(4);
    // The right sides are accepted.
    const ok = await signal(rec, { ticker, action: "sell", price: 25600, takeProfit: 25500, stopLoss: 25700 });
    expect(ok).toMatchObject({ result: "opened", position: { side: "short", takeProfitPrice: 25500, stopLossPrice: 25700 } });
  });

  it("a reversal checks the levels against the new side", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    await signal(rec, { ticker, action: "buy", price: 25600 });
    // Reversing into a short at 25620 with a take-profit above it: refused, and the long stays as it was.
    await wrongSide(rec, { ticker, action: "sell", price: 25620, takeProfit: 25640 }, ["takeProfit"], ["25640", "25620"]);
    const [p] = await openPositions(rec.id);
    expect(p).toMatchObject({ side: "long", quantity: 1, avgEntryPrice: 25600, status: "open" });
    expect(p.fills).toHaveLength(1);
  });

  it("PickMyTrade tp / sl are named takeProfit / stopLoss", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    await wrongSide(rec, { symbol: ticker, data: "buy", quantity: 1, price: 25600, tp: 20 }, ["takeProfit"], ["20", "25600"]);
    await wrongSide(rec, { symbol: ticker, data: "buy", quantity: 1, price: 25600, sl: 25610 }, ["stopLoss"], ["25610", "25600"]);
    await wrongSide(rec, { symbol: ticker, data: "sell", quantity: 1, price: 25600, tp: 25610, sl: 25590 }, ["takeProfit", "stopLoss"], ["25610", "25590", "25600"]);
    expect(await openPositions(rec.id)).toEqual([]);
    const rows = await rejected(rec, 3);
    for (const r of rows) for (const d of r.error.details) expect(["takeProfit", "stopLoss"]).toContain(d.field);
    const ok = await signal(rec, { symbol: ticker, data: "buy", quantity: 1, price: 25600, tp: 25620, sl: 25590 });
    expect(ok.position).toMatchObject({ takeProfitPrice: 25620, stopLossPrice: 25590 });
  });

  it("TradersPost {stopPrice} / {limitPrice} are named stopLoss / takeProfit", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder(IMMEDIATE);
    await wrongSide(rec, { ticker, action: "buy", signalPrice: 25600, stopLoss: { type: "stop", stopPrice: 25650 } }, ["stopLoss"], ["25650", "25600"]);
    await wrongSide(rec, { ticker, action: "buy", signalPrice: 25600, takeProfit: { limitPrice: 25550 } }, ["takeProfit"], ["25550", "25600"]);
    await wrongSide(rec, { ticker, action: "sell", signalPrice: 25600, takeProfit: { limitPrice: 25650 }, stopLoss: { stopPrice: 25550 } }, ["takeProfit", "stopLoss"], ["25650", "25550", "25600"]);
    expect(await openPositions(rec.id)).toEqual([]);
    expect(await rejected(rec, 3)).toHaveLength(3);
  });

  it("relative levels ({ticks}) are on the right side by construction", async () => {
    const { ticker } = uniqueMnq();
    const long = await createRecorder(IMMEDIATE);
    const a = await signal(long, { ticker, action: "buy", price: 25600, takeProfit: { ticks: 20 }, stopLoss: { ticks: 8 } });
    expect(a.position).toMatchObject({ side: "long", takeProfitPrice: 25605, stopLossPrice: 25598 });
    const short = await createRecorder(IMMEDIATE);
    const b = await signal(short, { ticker, action: "sell", price: 25600, takeProfit: { ticks: 20 }, stopLoss: { ticks: 8 } });
    expect(b.position).toMatchObject({ side: "short", takeProfitPrice: 25595, stopLossPrice: 25602 });
  });
});

describe("on a delayed feed (delayedFeed align)", () => {
  it("a wrong-side level is refused at once against the signal's own price: nothing is scheduled", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, PREP);
    // The fake's anonymous feed reports delayed_streaming_900; a position of another recorder starts the feed.
    await signal(await createRecorder(IMMEDIATE), { ticker, action: "buy", price: 25000 });
    await feedReady(feedSymbol);
    const rec = await createRecorder();
    await wrongSide(rec, { ticker, action: "buy", price: 25600, takeProfit: 25590 }, ["takeProfit"], ["25590", "25600"]);
    await wrongSide(rec, { ticker, action: "sell", price: 25600, stopLoss: { stopPrice: 25590 } }, ["stopLoss"], ["25590", "25600"]);
    expect(await rejected(rec, 2)).toHaveLength(2);
    const { signals } = await apiJson<{ signals: any[] }>("GET", `/api/signals?recorderId=${rec.id}&status=scheduled`);
    expect(signals).toEqual([]);
    // The right side is accepted (and scheduled).
    expect((await signal(rec, { ticker, action: "buy", price: 25600, takeProfit: 25610 })).result).toBe("scheduled");
  });
});

describe("levels moved on an open position", () => {
  /** A long opened at 25600 whose feed's live price is now `feedPrice` (none when null). */
  async function longWithFeed(feedPrice: number | null, settings: Record<string, unknown> = {}) {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, PREP);
    const rec = await createRecorder({ ...IMMEDIATE, ...settings });
    const r = await signal(rec, { ticker, action: "buy", price: 25600, stopLoss: 25500 });
    expect(r).toMatchObject({ result: "opened", position: { stopLossPrice: 25500 } });
    await feedReady(feedSymbol);
    if (feedPrice !== null) {
      await tick({ symbol: feedSymbol, price: feedPrice });
      await ticksProcessed(feedSymbol, 1);
      await waitFor(async () => (await openPositions(rec.id))[0]?.lastPrice === feedPrice, 10_000, "live price on the position");
    }
    return { ticker, feedSymbol, rec };
  }

  it("a repeated buy (allowAdd false) moving the stop is checked against the current feed price, not the signal's", async () => {
    const { ticker, rec } = await longWithFeed(25640, { allowAdd: false });
    // 25645 is below the signal's price but above the market (25640): crossed.
    const e = await wrongSide(rec, { ticker, action: "buy", price: 25650, stopLoss: 25645 }, ["stopLoss"], ["25645", "25640"]);
    expect(e.message).not.toContain("25650");
    let [p] = await openPositions(rec.id);
    expect(p).toMatchObject({ stopLossPrice: 25500, quantity: 1 });
    const [row] = await rejected(rec);
    expect(row.error).toMatchObject({ code: "invalid_signal", details: [{ field: "stopLoss", problem: "wrong_side" }] });

    // 25630 is above the signal's price (25620) but below the market (25640): valid, the stop moves.
    const ok = await signal(rec, { ticker, action: "buy", price: 25620, stopLoss: 25630 });
    expect(ok).toMatchObject({ result: "ignored", reason: "add_not_allowed", position: { stopLossPrice: 25630, quantity: 1 } });
    [p] = await openPositions(rec.id);
    expect(p).toMatchObject({ stopLossPrice: 25630, quantity: 1, avgEntryPrice: 25600 });

    // A take-profit moved below the market is crossed too.
    await wrongSide(rec, { ticker, action: "buy", price: 25600, takeProfit: 25635 }, ["takeProfit"], ["25635", "25640"]);
    [p] = await openPositions(rec.id);
    expect(p.takeProfitPrice).toBeNull();
  });

  it("a strategy alert already at its target with a new stopLoss: same check", async () => {
    const { ticker, rec } = await longWithFeed(25640);
    await wrongSide(rec, { ticker, action: "buy", positionSize: 1, price: 25650, stopLoss: 25645 }, ["stopLoss"], ["25645", "25640"]);
    await wrongSide(rec, { ticker, action: "buy", marketPosition: "long", marketPositionSize: 1, price: 25650, sl: 25641 }, ["stopLoss"], ["25641", "25640"]);
    expect((await openPositions(rec.id))[0]).toMatchObject({ stopLossPrice: 25500 });
    const ok = await signal(rec, { ticker, action: "buy", positionSize: 1, price: 25620, stopLoss: 25630 });
    expect(ok).toMatchObject({ result: "ignored", reason: "already_at_target", position: { stopLossPrice: 25630 } });
  });

  it("a valid break-even stop above a long's entry but below the current price is accepted", async () => {
    const { ticker, rec } = await longWithFeed(25640, { allowAdd: false });
    const ok = await signal(rec, { ticker, action: "buy", price: 25640, stopLoss: 25600.25 });
    expect(ok).toMatchObject({ result: "ignored", position: { stopLossPrice: 25600.25, avgEntryPrice: 25600 } });
    const trailing = await signal(rec, { ticker, action: "buy", positionSize: 1, price: 25640, stopLoss: { stopPrice: 25620 } });
    expect(trailing.position).toMatchObject({ stopLossPrice: 25620 });
    expect((await openPositions(rec.id))[0]).toMatchObject({ stopLossPrice: 25620, status: "open" });
  });

  it("without a live feed price, the signal's price is the reference", async () => {
    // The fake server has no price for this symbol: the feed is connected but has not priced anything.
    const { ticker, rec } = await longWithFeed(null, { allowAdd: false });
    await wrongSide(rec, { ticker, action: "buy", price: 25650, stopLoss: 25660 }, ["stopLoss"], ["25660", "25650"]);
    expect((await openPositions(rec.id))[0]).toMatchObject({ stopLossPrice: 25500 });
    const ok = await signal(rec, { ticker, action: "buy", price: 25650, stopLoss: 25630 });
    expect(ok).toMatchObject({ result: "ignored", position: { stopLossPrice: 25630 } });
  });

  it("a short's levels moved: take-profit at or above the market is crossed", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, PREP);
    const rec = await createRecorder({ ...IMMEDIATE, allowAdd: false });
    await signal(rec, { ticker, action: "sell", price: 25600 });
    await feedReady(feedSymbol);
    await tick({ symbol: feedSymbol, price: 25560 });
    await ticksProcessed(feedSymbol, 1);
    await wrongSide(rec, { ticker, action: "sell", price: 25550, takeProfit: 25570 }, ["takeProfit"], ["25570", "25560"]);
    await wrongSide(rec, { ticker, action: "sell", price: 25600, stopLoss: 25555 }, ["stopLoss"], ["25555", "25560"]);
    // Break-even for a short: below its entry, above the market.
    const ok = await signal(rec, { ticker, action: "sell", price: 25560, stopLoss: 25590, takeProfit: 25500 });
    expect(ok).toMatchObject({ result: "ignored", position: { side: "short", stopLossPrice: 25590, takeProfitPrice: 25500 } });
  });
});
