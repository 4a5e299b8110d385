// CONTRACT "Prices the record can trust" — fresh feed prices only, and where a fill's price came from.
// Driven through HTTP (webhook, admin API) over the symbol object's real socket to the fake TradingView server.
// A price the object remembers (its last tick, shown in /status) is never booked once its feed went idle or the
// object restarted: a signal without a price then waits up to 2 s for a fresh one, else 422 no_price.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { control, sleep, state, tick, waitFor } from "../feed/helpers";
import { api, apiJson, createRecorder, evictSymbol, signal, symbolStub, webhook } from "../helpers";
import { feedReady, mnqContracts, open, prepare, symbolStatus, ticksProcessed } from "./helpers";

const uniqueMnq = mnqContracts(3200);

/** The fake's anonymous feed reports delayed_streaming_900 (with current lp_time): these tests are about fresh
 * prices, not alignment, so their recorders apply signals at once. */
const IMMEDIATE = { delayedFeed: "immediate" } as const;

/** Fake heartbeats every second: the feed stays live (its watchdog is 5 s) however slow the machine is. */
const PREP = { hb: 1000 };

/** Until the fake has an open connection of the object subscribed to the symbol (its snapshot follows). */
async function subscribedOpen(feedSymbol: string): Promise<void> {
  await waitFor(async () => {
    const s = await state({ symbol: feedSymbol });
    return s.connections.some((c) => c.open && c.symbols.includes(feedSymbol));
  }, 10_000, `${feedSymbol} subscribed at the fake server`);
  await sleep(50); // the fake sends its snapshot 5 ms after the subscription
}

async function signalsOf(recorderId: string): Promise<any[]> {
  const { signals } = await apiJson<{ signals: any[] }>("GET", `/api/signals?recorderId=${recorderId}`);
  return signals;
}

async function closedPositions(recorderId: string): Promise<any[]> {
  const { positions } = await apiJson<{ positions: any[] }>("GET", `/api/positions?status=closed&recorderId=${recorderId}`);
  return positions;
}

/**
 * A symbol whose object had a live feed with last price 25620 and then went idle: the feed stopped by the
 * object's alarm after the short idle period, and the fake server forgot the price (so a reconnect's snapshot
 * cannot carry it: only a tick pushed by the test is a fresh price). The object still remembers 25620.
 */
async function idleAfterPrice(): Promise<{ ticker: string; feedSymbol: string; rec: { id: string; webhookPath: string } }> {
  const { ticker, feedSymbol } = uniqueMnq();
  await prepare(feedSymbol, { ...PREP, idleFeedMs: 300 });
  const rec = await createRecorder(IMMEDIATE);
  await signal(rec, { ticker, action: "buy", price: 25600 });
  await feedReady(feedSymbol);
  await tick({ symbol: feedSymbol, price: 25620 });
  await ticksProcessed(feedSymbol, 1);
  const closed = await signal(rec, { ticker, action: "close", price: 25610 });
  expect(closed.result).toBe("closed");

  // The idle period passes and the alarm stops the feed.
  await sleep(400);
  const stub = symbolStub(feedSymbol);
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  await waitFor(async () => (await state({ symbol: feedSymbol })).openConnections === 0, 10_000, "feed stopped when idle");
  await waitFor(async () => (await symbolStatus(feedSymbol)).feed.state === "idle", 10_000, "feed idle in /status");
  await control("reset", { symbol: feedSymbol });

  // Remembered, and shown, but no longer live.
  const st = await symbolStatus(feedSymbol);
  expect(st.feed.lastPrice).toBe(25620);
  return { ticker, feedSymbol, rec };
}

describe("a signal without a price after the feed went idle", () => {
  it("restarts the feed and books the fresh tick it waits for, never the remembered price", async () => {
    const { ticker, feedSymbol, rec } = await idleAfterPrice();
    const pending = webhook(rec, { ticker, action: "buy" });
    await subscribedOpen(feedSymbol);
    expect((await tick({ symbol: feedSymbol, price: 25700 })).delivered).toBe(1);
    const r = await pending;
    const body: any = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ result: "opened", position: { side: "long", avgEntryPrice: 25700 } });
    expect(body.position.fills).toHaveLength(1);
    expect(body.position.fills[0]).toMatchObject({ side: "buy", price: 25700, priceSource: "feed", feedPrice: 25700 });
    const [p] = await open(rec.id);
    expect(p).toMatchObject({ avgEntryPrice: 25700 });
  });

  it("is refused 422 no_price when no fresh price comes within ~2 s (the remembered one is not used)", async () => {
    const { ticker, feedSymbol, rec } = await idleAfterPrice();
    const r = await webhook(rec, { ticker, action: "buy" });
    const body: any = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(422);
    expect(body).toMatchObject({ ok: false, error: { code: "no_price" } });
    // It did try: the feed was started again to look for a fresh price.
    expect((await state({ symbol: feedSymbol })).connections.length).toBeGreaterThanOrEqual(1);
    expect(await open(rec.id)).toEqual([]);
    const rows = await waitFor(async () => {
      const rows = await signalsOf(rec.id);
      return rows.some((s) => s.status === "rejected") ? rows : null;
    }, 10_000, "the refusal in the signal log");
    const rejected = rows.filter((s) => s.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0].error).toMatchObject({ code: "no_price" });
    // Still only the first round trip.
    expect(await closedPositions(rec.id)).toHaveLength(1);
  });

  it("a price of 0 is a priceless signal too: it is not booked at 0 nor at the remembered price", async () => {
    const { ticker, rec } = await idleAfterPrice();
    const r = await webhook(rec, { ticker, action: "sell", price: 0 });
    const body: any = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(422);
    expect(body.error.code).toBe("no_price");
    expect(await open(rec.id)).toEqual([]);
  });
});

describe("a priced signal while the feed is idle", () => {
  it("is booked at its own price, with feedPrice null (the remembered price is not a live one)", async () => {
    const { ticker, rec } = await idleAfterPrice();
    const r = await signal(rec, { ticker, action: "sell", price: 25655 });
    expect(r).toMatchObject({ result: "opened", position: { side: "short", avgEntryPrice: 25655 } });
    expect(r.position.fills).toEqual([expect.objectContaining({ price: 25655, priceSource: "signal", feedPrice: null })]);
  });
});

describe("after a restart", () => {
  it("the remembered last price is never booked: signals and manual closes wait for a fresh one", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, PREP);
    const rec = await createRecorder(IMMEDIATE);
    const other = await createRecorder(IMMEDIATE);
    const opened = await signal(rec, { ticker, action: "buy", price: 25600 });
    await feedReady(feedSymbol);
    await tick({ symbol: feedSymbol, price: 25620 });
    await ticksProcessed(feedSymbol, 1);
    expect((await open(rec.id))[0]).toMatchObject({ lastPrice: 25620 });

    // The fake forgets the price (a reconnect's snapshot cannot carry it), then the platform restarts the object.
    await control("reset", { symbol: feedSymbol });
    const stub = symbolStub(feedSymbol);
    await evictSymbol(stub);
    await waitFor(async () => (await state({ symbol: feedSymbol })).openConnections === 0, 10_000, "socket gone");
    // The restarted object remembers 25620 (its position shows it), but no live price.
    expect((await open(rec.id))[0]).toMatchObject({ lastPrice: 25620 });
    expect((await symbolStatus(feedSymbol)).feed.lastPrice).toBe(25620);

    // A signal without a price: no fresh tick within 2 s -> no_price (not 25620).
    const r = await webhook(other, { ticker, action: "sell" });
    const body: any = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(422);
    expect(body.error.code).toBe("no_price");
    expect(await open(other.id)).toEqual([]);

    // A manual close without a price: likewise.
    const c = await api("POST", `/api/positions/${opened.position.id}/close`, {});
    const cbody: any = await c.json();
    expect(c.status, JSON.stringify(cbody)).toBe(422);
    expect(cbody.error.code).toBe("no_price");
    expect(await open(rec.id)).toHaveLength(1);

    // A fresh tick on the restarted feed: now a manual close without a price uses it.
    await subscribedOpen(feedSymbol);
    expect((await tick({ symbol: feedSymbol, price: 25640 })).delivered).toBe(1);
    await waitFor(async () => (await open(rec.id))[0]?.lastPrice === 25640, 10_000, "the fresh tick reached the position");
    const closed = await apiJson("POST", `/api/positions/${opened.position.id}/close`, {});
    expect(closed.position).toMatchObject({ status: "closed", exitPrice: 25640, exitReason: "manual" });
    expect(closed.position.fills.at(-1)).toMatchObject({ side: "sell", price: 25640, reason: "manual", priceSource: "feed", feedPrice: 25640 });
    expect(closed.trade).toMatchObject({ entryPrice: 25600, exitPrice: 25640, pnl: 80 });
  });

  it("a signal without a price right after a restart gets the fresh tick it waits for", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, PREP);
    const rec = await createRecorder(IMMEDIATE);
    const other = await createRecorder(IMMEDIATE);
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await feedReady(feedSymbol);
    await tick({ symbol: feedSymbol, price: 25620 });
    await ticksProcessed(feedSymbol, 1);
    await control("reset", { symbol: feedSymbol });
    await evictSymbol(symbolStub(feedSymbol));
    await waitFor(async () => (await state({ symbol: feedSymbol })).openConnections === 0, 10_000, "socket gone");

    const pending = webhook(other, { ticker, action: "sell" });
    await subscribedOpen(feedSymbol);
    await tick({ symbol: feedSymbol, price: 25590 });
    const r = await pending;
    const body: any = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ result: "opened", position: { side: "short", avgEntryPrice: 25590 } });
    expect(body.position.fills[0]).toMatchObject({ price: 25590, priceSource: "feed", feedPrice: 25590 });
  });
});

describe("where a fill's price came from", () => {
  it("priceSource and feedPrice on every fill of the webhook replies (and on the closed position)", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, PREP);
    const rec = await createRecorder({ ...IMMEDIATE, allowAdd: true });

    // No live feed yet (this signal starts it): the signal's price, feedPrice null.
    const a = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(a.result).toBe("opened");
    expect(a.position.fills).toEqual([expect.objectContaining({ side: "buy", quantity: 1, price: 25600, priceSource: "signal", feedPrice: null })]);

    await feedReady(feedSymbol);
    await tick({ symbol: feedSymbol, price: 25620 });
    await ticksProcessed(feedSymbol, 1);

    // A priced signal with a live feed: the signal's price, and the live price beside it.
    const b = await signal(rec, { ticker, action: "buy", price: 25605 });
    expect(b.result).toBe("added");
    expect(b.position.fills).toHaveLength(2);
    expect(b.position.fills[1]).toMatchObject({ side: "buy", price: 25605, priceSource: "signal", feedPrice: 25620 });

    // A priceless signal: the live feed price.
    const c = await signal(rec, { ticker, action: "buy" });
    expect(c.result).toBe("added");
    expect(c.position.fills).toHaveLength(3);
    expect(c.position.fills[2]).toMatchObject({ side: "buy", price: 25620, priceSource: "feed", feedPrice: 25620 });
    // Earlier fills are unchanged.
    expect(c.position.fills[0]).toMatchObject({ priceSource: "signal", feedPrice: null });
    expect(c.position.fills[1]).toMatchObject({ priceSource: "signal", feedPrice: 25620 });

    await tick({ symbol: feedSymbol, price: 25625.25 });
    await ticksProcessed(feedSymbol, 2);
    const d = await signal(rec, { ticker, action: "close", price: 25630 });
    expect(d.result).toBe("closed");
    expect(d.position.fills).toHaveLength(4);
    expect(d.position.fills[3]).toMatchObject({ side: "sell", quantity: 3, price: 25630, priceSource: "signal", feedPrice: 25625.25 });

    const [closed] = await waitFor(async () => {
      const rows = await closedPositions(rec.id);
      return rows.length === 1 ? rows : null;
    }, 10_000, "the closed position in D1");
    expect(closed.fills.map((f: any) => [f.priceSource, f.feedPrice])).toEqual([
      ["signal", null],
      ["signal", 25620],
      ["feed", 25620],
      ["signal", 25625.25],
    ]);
  });

  it("a manual close without a price takes the live feed price (fills show \"feed\"); with a price, \"signal\"", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, PREP);
    const rec = await createRecorder(IMMEDIATE);
    const first = await signal(rec, { ticker, action: "buy", price: 25600 });
    await feedReady(feedSymbol);
    await tick({ symbol: feedSymbol, price: 25650 });
    await ticksProcessed(feedSymbol, 1);
    const closed = await apiJson("POST", `/api/positions/${first.position.id}/close`, {});
    expect(closed.position).toMatchObject({ status: "closed", exitPrice: 25650, exitReason: "manual" });
    expect(closed.position.fills.at(-1)).toMatchObject({ side: "sell", price: 25650, reason: "manual", priceSource: "feed", feedPrice: 25650 });

    const second = await signal(rec, { ticker, action: "sell", price: 25660 });
    expect(second.result).toBe("opened");
    const byPrice = await apiJson("POST", `/api/positions/${second.position.id}/close`, { price: 25640 });
    expect(byPrice.position).toMatchObject({ status: "closed", exitPrice: 25640, exitReason: "manual" });
    expect(byPrice.position.fills.at(-1)).toMatchObject({ side: "buy", price: 25640, reason: "manual", priceSource: "signal", feedPrice: 25650 });
  });
});
