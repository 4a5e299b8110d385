// Fresh feed prices only (CONTRACT "Fresh feed prices only"): livePrice() and waitForPrice() against the fake
// TradingView server. A price is live only on the connection that received it, while the socket is open and
// frames keep coming; nothing remembered from before a reconnect, restart or stop is ever offered.
import { afterEach, describe, expect, it } from "vitest";
import { encodeFrame } from "../../src/feed/codec";
import { control, makeFeed, raw, sleep, state, subscribed, tick, waitFor, wsUrl, type Harness } from "./helpers";

const live: Harness[] = [];
function feedFor(opts: Parameters<typeof makeFeed>[0]): Harness {
  const h = makeFeed(opts);
  live.push(h);
  return h;
}
afterEach(() => {
  for (const h of live.splice(0)) h.feed.stop();
});

/** Waits until the fake has exactly `n` connections for `symbol` and the last one is open and subscribed. */
async function connectionNumber(symbol: string, n: number) {
  return waitFor(async () => {
    const s = await state({ symbol });
    const c = s.connections.at(-1);
    return s.connectionCount === n && c?.open && c.symbols.includes(symbol) ? s : null;
  }, 8000, `${symbol} connection #${n}`);
}

describe("livePrice", () => {
  it("is null before start and before any price; then the last price with market and receipt time", async () => {
    const sym = "LIVEPX:FIRST1!"; // no price on the server: the snapshot carries none
    const h = feedFor({ symbol: sym });
    expect(h.feed.livePrice()).toBeNull();
    h.feed.start();
    await subscribed(sym);
    await waitFor(() => h.feed.status().updateMode !== null, 5000, "snapshot");
    expect(h.feed.status().state).toBe("connected");
    expect(h.feed.livePrice()).toBeNull();

    const before = Date.now();
    await tick({ symbol: sym, price: 42.5, lpTime: 1_760_000_000 });
    await waitFor(() => h.feed.livePrice(), 5000, "live price");
    const p = h.feed.livePrice()!;
    expect(p).toEqual({ price: 42.5, at: "2025-10-09T08:53:20.000Z", receivedAtMs: expect.any(Number) });
    expect(p.receivedAtMs).toBeGreaterThanOrEqual(before);
    expect(h.feed.status().lastTickReceivedAt).toBe(new Date(p.receivedAtMs).toISOString());
    expect(await h.feed.waitForPrice(0)).toBe(42.5); // live: answered at once
  });

  it("is null after a reconnect until a price arrives on the new connection", async () => {
    const sym = "LIVEPX:RECONN1!";
    const h = feedFor({ symbol: sym });
    h.feed.start();
    await subscribed(sym);
    await tick({ symbol: sym, price: 100 });
    await waitFor(() => h.feed.livePrice()?.price === 100, 5000, "live 100");

    // The server drops the connection and forgets the symbol's price: the new snapshot has no price.
    await control("reset", { symbol: sym });
    await waitFor(() => h.feed.livePrice() === null, 5000, "not live after the drop");
    await connectionNumber(sym, 1); // reset forgot the old connection: the new one is the only one listed
    await waitFor(() => h.feed.status().state === "connected", 5000, "connected again");
    await sleep(100); // let the (priceless) snapshot arrive
    expect(h.feed.status()).toMatchObject({ state: "connected", lastPrice: 100, reconnects: 1 }); // shown, not live
    expect(h.feed.livePrice()).toBeNull();
    expect(await h.feed.waitForPrice(150)).toBeNull(); // never the remembered 100

    await tick({ symbol: sym, price: 101 });
    await waitFor(() => h.feed.livePrice()?.price === 101, 5000, "live 101");
  });

  it("is null right after restart() and after stop()", async () => {
    const sym = "LIVEPX:RESTART1!";
    await tick({ symbol: sym, price: 7 });
    const h = feedFor({ symbol: sym });
    h.feed.start();
    await waitFor(() => h.feed.livePrice()?.price === 7, 5000, "live (snapshot)");
    h.feed.restart();
    expect(h.feed.livePrice()).toBeNull();
    await waitFor(() => h.feed.livePrice()?.price === 7, 5000, "live again (new snapshot)");
    await connectionNumber(sym, 2);

    h.feed.stop();
    expect(h.feed.livePrice()).toBeNull();
    expect(await h.feed.waitForPrice(0)).toBeNull();
    expect(h.feed.status()).toMatchObject({ state: "stopped", lastPrice: 7 });
  });

  it("is null once the watchdog period passes without a frame; a heartbeat makes it live again", async () => {
    // A controllable clock: the watchdog timer (real time) is far off; only the clock moves.
    let skew = 0;
    const sym = "LIVEPX:WATCHDOG1!";
    const h = feedFor({ symbol: sym, url: wsUrl({ tag: "livepx-wd1", hb: 600_000 }), watchdogMs: 60_000, now: () => Date.now() + skew });
    h.feed.start();
    await subscribed(sym);
    await tick({ symbol: sym, price: 12.25 });
    await waitFor(() => h.feed.livePrice()?.price === 12.25, 5000, "live");

    skew += 61_000; // no frame "for 61 s"
    expect(h.feed.livePrice()).toBeNull();
    expect(h.feed.status().state).toBe("streaming"); // the socket is still open; its price is not live
    expect(await h.feed.waitForPrice(100)).toBeNull();

    // A heartbeat is a frame: the connection is alive again, and its price (received on it) is live.
    await raw({ tag: "livepx-wd1", data: encodeFrame("~h~1") });
    await waitFor(() => h.feed.livePrice()?.price === 12.25, 5000, "live after a heartbeat");
  });

  it("is null when the connection goes silent (real watchdog), and stays null in backoff", async () => {
    const sym = "LIVEPX:SILENT1!";
    const h = feedFor({ symbol: sym, url: wsUrl({ tag: "livepx-silent1", hb: 100 }), watchdogMs: 500, backoffBaseMs: 20_000, backoffCapMs: 20_000 });
    h.feed.start();
    await subscribed(sym);
    await tick({ symbol: sym, price: 3.5 });
    await waitFor(() => h.feed.livePrice()?.price === 3.5, 5000, "live");
    await control("silence", { tag: "livepx-silent1", ms: 30_000 });
    await waitFor(() => h.feed.status().state === "backoff", 8000, "watchdog fired");
    expect(h.feed.livePrice()).toBeNull();
    expect(h.feed.status().lastPrice).toBe(3.5);
  });
});

describe("waitForPrice", () => {
  it("never resolves with a price from before a reconnect", async () => {
    const sym = "LIVEPX:WAITRC1!";
    const h = feedFor({ symbol: sym, backoffBaseMs: 300, backoffCapMs: 300 });
    h.feed.start();
    await subscribed(sym);
    await tick({ symbol: sym, price: 200 });
    expect(await h.feed.waitForPrice(5000)).toBe(200);

    await control("reset", { symbol: sym }); // drop + forget the price
    await waitFor(() => h.feed.livePrice() === null, 5000, "not live");
    let settled: number | null | undefined;
    const waiting = h.feed.waitForPrice(15_000).then((p) => (settled = p));
    await connectionNumber(sym, 1);
    await waitFor(() => h.feed.status().state === "connected", 5000, "reconnected");
    await sleep(150);
    expect(settled).toBeUndefined(); // reconnected, but no price yet: still waiting

    await tick({ symbol: sym, price: 201 });
    await waiting;
    expect(settled).toBe(201);
  });

  it("waits across a reconnect for the new connection's first price; fresh ignores the live one", async () => {
    const sym = "LIVEPX:WAITRC2!";
    // backoff 0.5–1 s: the tick below lands while the feed is disconnected
    const h = feedFor({ symbol: sym, backoffBaseMs: 1000, backoffCapMs: 1000 });
    h.feed.start();
    await subscribed(sym);
    await tick({ symbol: sym, price: 300 });
    expect(await h.feed.waitForPrice(5000)).toBe(300);
    expect(await h.feed.waitForPrice(100, { fresh: true })).toBeNull(); // nothing new arrives

    await control("drop", { symbol: sym }); // the server keeps its price: the new snapshot brings it afresh
    await waitFor(() => h.feed.livePrice() === null, 5000, "not live");
    const calledAt = Date.now();
    const next = h.feed.waitForLivePrice(15_000);
    await tick({ symbol: sym, price: 299.5 }); // while disconnected: reaches nobody, only updates the server
    const p = await next;
    expect(p?.price).toBe(299.5); // the new connection's snapshot
    expect(p!.receivedAtMs).toBeGreaterThanOrEqual(calledAt);
    expect(h.feed.status().reconnects).toBe(1);
  });
});
