// GET /api/live: the snapshot, and the `symbol` messages a webhook or a price causes. The symbol objects' live
// clocks are manual here (test/worker.ts): a publish that is not immediate would wait for a timer only the test
// fires, so a message that arrives proves it went at once, and publish counts are exact whatever the machine's speed.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { tick as fakeTick } from "../feed/helpers";
import { createRecorder, openPositions, signal } from "../helpers";
import { feedReady, mnqContracts, prepare } from "../feed-do/helpers";
import { connect, hub, liveSymbol, type LiveClient } from "./helpers";

const uniqueMnq = mnqContracts(3600);
let clients: LiveClient[] = [];

/** A fresh symbol whose keepalive alarm stays out of the way and whose live clock is manual. */
async function freshSymbol(manualClock = true) {
  const s = uniqueMnq();
  await prepare(s.feedSymbol, { keepaliveMs: 3_600_000 });
  if (manualClock) await liveSymbol(s.feedSymbol).setLiveClock(Date.now());
  return s;
}

async function open(): Promise<LiveClient> {
  const c = await connect();
  clients.push(c);
  return c;
}

beforeAll(async () => {
  // No lease renewal during these tests (it would add messages and watch() calls of its own).
  await hub().setRenewEvery(3_600_000);
});

afterEach(() => {
  for (const c of clients) c.close();
  clients = [];
});

describe("the snapshot", () => {
  it("lists every open position opened through the webhook, as GET /api/positions?status=open, with each symbol's feed", async () => {
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const a = await freshSymbol();
    const b = await freshSymbol();
    const c = await freshSymbol();
    const ra = await signal(rec, { ticker: a.ticker, action: "buy", price: 25600 });
    const rb = await signal(rec, { ticker: b.ticker, action: "sell", price: 25700, quantity: 2 });
    // A position that closed before the dashboard connected is not listed, nor is its symbol.
    await signal(rec, { ticker: c.ticker, action: "buy", price: 25600 });
    await signal(rec, { ticker: c.ticker, action: "close", price: 25610 });

    const client = await open();
    const snap = client.snapshot()!;
    const mine = snap.positions.filter((p) => p.recorderId === rec.id);
    expect(mine.map((p) => p.id).sort()).toEqual([ra.position.id, rb.position.id].sort());
    expect(mine).toEqual(await openPositions(rec.id));
    const feeds = snap.feeds.map((f) => f.feedSymbol);
    expect(feeds).toContain(a.feedSymbol);
    expect(feeds).toContain(b.feedSymbol);
    expect(feeds).not.toContain(c.feedSymbol);
    const fa = snap.feeds.find((f) => f.feedSymbol === a.feedSymbol)!;
    // The feed as /status gives it, and its health.
    expect(fa).toMatchObject({ feedSymbol: a.feedSymbol, state: expect.any(String), lastTickAt: null, lastPrice: null, health: { state: expect.any(String) } });
    expect(Object.keys(fa.health).sort()).toEqual(["delaySeconds", "lastTickReceivedAt", "reason", "secondsSinceTick", "state"]);
  });
});

describe("symbol messages", () => {
  it("a webhook open, add, reversal and close each arrive at once", async () => {
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const { ticker, feedSymbol } = await freshSymbol();
    const client = await open();

    const opened = await signal(rec, { ticker, action: "buy", price: 25600 });
    let m = await client.update(feedSymbol, (u) => u.positions.some((p) => p.id === opened.position.id), "the open");
    expect(m).toMatchObject({ type: "symbol", feedSymbol, feed: { feedSymbol } });
    expect(m.positions).toEqual([opened.position]);
    expect(Number.isNaN(Date.parse(m.at))).toBe(false);

    const added = await signal(rec, { ticker, action: "buy", price: 25590 });
    expect(added.result).toBe("added");
    m = await client.update(feedSymbol, (u) => u.positions[0]?.quantity === 2, "the add");
    expect(m.positions).toEqual([added.position]);

    const reversed = await signal(rec, { ticker, action: "sell", price: 25620 });
    expect(reversed.result).toBe("reversed");
    m = await client.update(feedSymbol, (u) => u.positions[0]?.id === reversed.position.id, "the reversal");
    expect(m.positions).toMatchObject([{ side: "short", quantity: 1 }]);

    const closed = await signal(rec, { ticker, action: "close", price: 25610 });
    expect(closed.result).toBe("closed");
    m = await client.update(feedSymbol, (u) => u.positions.length === 0, "the close", client.updates(feedSymbol).indexOf(m) + 1);
    expect(m.positions).toEqual([]);
    // Nothing waits for a timer: every one of them went at once.
    expect(await liveSymbol(feedSymbol).liveInfo()).toMatchObject({ pending: false });
  });

  it("a price from the feed that changes the P&L arrives", async () => {
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const { ticker, feedSymbol } = await freshSymbol(false);
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await feedReady(feedSymbol);
    const client = await open();
    expect((await fakeTick({ symbol: feedSymbol, price: 25580 })).delivered).toBe(1);
    const m = await client.update(feedSymbol, (u) => u.positions[0]?.unrealizedPnl === -40, "the tick's P&L");
    expect(m.positions[0]).toMatchObject({ lastPrice: 25580, worstUnrealizedPnl: -40 });
    expect(m.feed).toMatchObject({ feedSymbol, lastPrice: 25580, state: "streaming" });
    expect(["live", "delayed"]).toContain(m.feed.health.state);
    expect(m.feed.lastTickAt).not.toBeNull();
  });

  it("ticks within one second: one publish at once, then one trailing publish with the last state", async () => {
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const { ticker, feedSymbol } = await freshSymbol();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const client = await open();
    const sym = liveSymbol(feedSymbol);
    await hub().resetPublishCount(feedSymbol);
    await sym.advanceLiveClock(5_000);

    const prices = [25590, 25585, 25580, 25595, 25570];
    for (const p of prices) await sym.tick(p);
    await client.update(feedSymbol, (u) => u.feed.lastPrice === 25590, "the first tick, at once");
    expect(await sym.liveInfo()).toMatchObject({ pending: true, manualTimers: 1 });
    expect(await hub().publishCount(feedSymbol)).toBe(1);

    await sym.advanceLiveClock(1_000);
    const last = await client.update(feedSymbol, (u) => u.feed.lastPrice === 25570, "the trailing publish");
    expect(last.positions[0]).toMatchObject({ unrealizedPnl: -60, worstUnrealizedPnl: -60, bestUnrealizedPnl: 0, lastPrice: 25570 });
    expect(await sym.liveInfo()).toMatchObject({ pending: false, manualTimers: 0 });
    expect(await hub().publishCount(feedSymbol)).toBe(2);
    // Only those two reached the socket after the snapshot.
    expect(client.updates(feedSymbol).map((u) => u.feed.lastPrice)).toEqual([25590, 25570]);
  });
});
