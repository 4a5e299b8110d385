// Prices reach positions through the real feed: the symbol's Durable Object holds a quote socket to the fake
// TradingView server, and every tick here is sent by that server over the socket (no tick() RPC).
import { describe, expect, it } from "vitest";
import { encodeFrame, encodeMessage } from "../../src/feed/codec";
import { control, raw, state, tick, waitFor } from "../feed/helpers";
import { createRecorder, signal, tradesOf, webhook } from "../helpers";
import { feedReady, inObject, open, prepare, symbolStatus, ticksProcessed, mnqContracts } from "./helpers";

const uniqueMnq = mnqContracts(2300);

async function opened(settings: Record<string, unknown> = {}, tag?: string) {
  const { ticker, feedSymbol } = uniqueMnq();
  await prepare(feedSymbol, { tag });
  // The fake's anonymous feed is delayed_streaming_900 with current lp_time: these tests are about the feed's
  // plumbing, so signals apply at once (alignment has its own tests).
  const rec = await createRecorder({ delayedFeed: "immediate", ...settings });
  const r = await signal(rec, { ticker, action: "buy", price: 25600 });
  expect(r.result).toBe("opened");
  await feedReady(feedSymbol);
  return { ticker, feedSymbol, rec };
}

describe("ticks from the fake TradingView server", () => {
  it("the CONTRACT scenario: buy 25600, tick 25580, tick 25595, close 25610", async () => {
    const { ticker, feedSymbol, rec } = await opened();
    // The fake server knew no price for this symbol: its snapshot carried none, so nothing moved yet.
    expect((await symbolStatus(feedSymbol)).ticksProcessed).toBe(0);

    expect((await tick({ symbol: feedSymbol, price: 25580 })).delivered).toBe(1);
    await ticksProcessed(feedSymbol, 1);
    let [p] = await open(rec.id);
    expect(p).toMatchObject({ unrealizedPnl: -40, worstUnrealizedPnl: -40, worstPrice: 25580, bestUnrealizedPnl: 0, lastPrice: 25580 });

    await tick({ symbol: feedSymbol, price: 25595 });
    await ticksProcessed(feedSymbol, 2);
    [p] = await open(rec.id);
    expect(p).toMatchObject({ unrealizedPnl: -10, worstUnrealizedPnl: -40, lastPrice: 25595 });

    const closed = await signal(rec, { ticker, action: "close", price: 25610 });
    expect(closed.position).toMatchObject({ status: "closed", realizedPnl: 20, exitPrice: 25610 });
    expect(closed.trade).toMatchObject({ pnl: 20, maxAdverse: -40, maxFavorable: 20 });
    const [t] = await tradesOf(rec.id);
    expect(t).toMatchObject({ maxAdverse: -40, maxFavorable: 20, pnl: 20 });

    const st = await symbolStatus(feedSymbol);
    expect(st).toMatchObject({ feedSymbol, openPositions: 0, ticksProcessed: 2 });
    expect(st.feed).toMatchObject({ state: "streaming", lastPrice: 25595, reconnects: 0, updateMode: "delayed_streaming_900", delayed: true });
  });

  it("batched packets with a heartbeat inside: every price counts, the heartbeat is answered", async () => {
    const tag = "do-batch";
    const { feedSymbol, rec } = await opened({}, tag);
    await tick({ symbol: feedSymbol, batch: [25590, 25570, { price: 25585, fields: { bid: 25584.75 } }], heartbeat: true });
    await ticksProcessed(feedSymbol, 3);
    const [p] = await open(rec.id);
    expect(p).toMatchObject({ worstUnrealizedPnl: -60, worstPrice: 25570, lastPrice: 25585, unrealizedPnl: -30 });
    await waitFor(async () => (await state({ tag })).connections[0]?.heartbeatsEchoed === 1, 3000, "heartbeat echoed");
    expect((await state({ tag })).connections[0]).toMatchObject({ heartbeatsMismatched: 0, violations: [] });
  });

  it("non-ASCII payloads (lengths in UTF-16 units), deltas without lp and malformed frames change nothing", async () => {
    const { feedSymbol, rec } = await opened();
    const q = (v: unknown) => encodeMessage("qsd", ["{qs}", { n: feedSymbol, s: "ok", v }]);
    // Korean (1 unit per character, 3 UTF-8 bytes) and an emoji (2 UTF-16 units): a byte-counting parser desyncs.
    const data =
      q({ description: "마이크로 E-미니 나스닥 100 📈", bid: 25599.75, ask: 25600.25 }) +
      q({ volume: 123_456 }) +
      encodeFrame("{not json") +
      q({ lp: 25620, lp_time: Math.floor(Date.now() / 1000), description: "odd ~m~5~m~ text" }) +
      encodeFrame("~h~9001");
    expect((await raw({ symbol: feedSymbol, data })).delivered).toBe(1);
    await ticksProcessed(feedSymbol, 1);
    const st = await symbolStatus(feedSymbol);
    expect(st.ticksProcessed).toBe(1); // only the delta with lp was a tick
    const [p] = await open(rec.id);
    expect(p).toMatchObject({ lastPrice: 25620, bestUnrealizedPnl: 40, worstUnrealizedPnl: 0 });
  });

  it("float noise is rounded to the instrument's tick before the engine sees it", async () => {
    const { feedSymbol, rec } = await opened();
    await tick({ symbol: feedSymbol, price: 25580.000000000004 });
    await ticksProcessed(feedSymbol, 1);
    let [p] = await open(rec.id);
    expect(p).toMatchObject({ lastPrice: 25580, worstPrice: 25580, worstUnrealizedPnl: -40 });
    await tick({ symbol: feedSymbol, price: 25609.999999999996 });
    await ticksProcessed(feedSymbol, 2);
    [p] = await open(rec.id);
    expect(p).toMatchObject({ lastPrice: 25610, bestPrice: 25610, bestUnrealizedPnl: 20 });
    expect((await symbolStatus(feedSymbol)).feed.lastPrice).toBe(25610);
  });
});

describe("a signal without a price", () => {
  it("waits for the feed's first tick when the feed is just starting", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol);
    const rec = await createRecorder();
    const t0 = Date.now();
    const pending = webhook(rec, { ticker, action: "buy" });
    await waitFor(async () => (await state({ symbol: feedSymbol })).connections.some((c) => c.open && c.symbols.includes(feedSymbol)), 3000, "subscribed");
    await tick({ symbol: feedSymbol, price: 25612.3 });
    const r = await pending;
    expect(r.status).toBe(200);
    const body: any = await r.json();
    expect(body).toMatchObject({ result: "opened", position: { avgEntryPrice: 25612.25 } });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it("takes the server's snapshot price when the symbol has one", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await control("config", { prices: { [feedSymbol]: 25633.5 } });
    await prepare(feedSymbol);
    const rec = await createRecorder();
    const r = await signal(rec, { ticker, action: "sell" });
    expect(r.position).toMatchObject({ side: "short", avgEntryPrice: 25633.5 });
  });

  it("is refused with no_price after ~2 s when no tick comes (TradingView gives 3 s in all)", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder();
    const t0 = Date.now();
    const r = await webhook(rec, { ticker, action: "buy" });
    const ms = Date.now() - t0;
    expect(r.status).toBe(422);
    expect(((await r.json()) as any).error.code).toBe("no_price");
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(3000);
    // The feed did connect (and stays wanted for a while): a later priceless signal gets the first tick.
    await feedReady(feedSymbol);
  });

  it("a priced signal never waits on the feed, even one that cannot connect", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, { tag: "do-reject429", reject: 429, backoffBaseMs: 200, backoffCapMs: 400 });
    const rec = await createRecorder();
    const t0 = Date.now();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(Date.now() - t0).toBeLessThan(1000);
    await waitFor(async () => (await symbolStatus(feedSymbol)).feed.state === "backoff", 3000, "backoff");
    const st = await symbolStatus(feedSymbol);
    expect(st.feed.error).toMatch(/429/);
    await inObject(feedSymbol, (obj) => obj.feed.stop()); // do not keep knocking for the rest of the run
  });
});
