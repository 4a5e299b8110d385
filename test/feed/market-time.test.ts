// Market time of each price (CONTRACT "Market time") over a real socket to the fake TradingView server:
// lp_time, the current-second rule, receipt time, receipt time − N for delayed_streaming_N, and marketLagMs with
// the fake's delay knob. A fixed clock (`now`) makes the expected times exact; no test measures wall-clock speed.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { control, makeFeed, setDelay, state, subscribed, tick, waitFor, type Harness } from "./helpers";

const VALID = "mkttime-valid-token"; // a real-time ("streaming") token on the fake server

const live: Harness[] = [];
const delayed: string[] = [];
function feedFor(opts: Parameters<typeof makeFeed>[0]): Harness {
  const h = makeFeed(opts);
  live.push(h);
  return h;
}
async function delay(symbol: string, seconds: number | null): Promise<void> {
  await setDelay(symbol, seconds);
  delayed.push(symbol);
}
beforeAll(async () => {
  await control("config", { validTokens: [VALID] });
});
afterEach(async () => {
  for (const h of live.splice(0)) h.feed.stop();
  for (const s of delayed.splice(0)) await setDelay(s, null);
});

/** A fixed clock: 2025-10-09T08:53:20.437Z. */
const FIXED_MS = 1_760_000_000_437;
const FIXED_S = 1_760_000_000;

describe("market time", () => {
  it("is lp_time when the packet's lp_time is an earlier second; the local ms within the current second", async () => {
    const sym = "MKTTIME:LPTIME1!";
    const h = feedFor({ symbol: sym, token: VALID, now: () => FIXED_MS });
    h.feed.start();
    await subscribed(sym);
    await waitFor(() => h.feed.status().state === "connected", 5000, "connected");

    await tick({ symbol: sym, price: 100, lpTime: FIXED_S - 30 });
    await waitFor(() => h.prices.length === 1, 5000, "first price");
    expect(h.prices[0]).toEqual({ price: 100, at: "2025-10-09T08:52:50.000Z" });
    expect(h.infos[0]).toMatchObject({ receivedAtMs: FIXED_MS, marketLagMs: 30_437, updateMode: "streaming", lpTimeInPacket: true });
    expect(h.feed.status()).toMatchObject({
      lastTickAt: "2025-10-09T08:52:50.000Z",
      lastTickReceivedAt: "2025-10-09T08:53:20.437Z",
      marketLagMs: 30_437,
    });

    // lp_time in the current second: the local clock with its milliseconds
    await tick({ symbol: sym, price: 101, lpTime: FIXED_S });
    await waitFor(() => h.prices.length === 2, 5000, "second price");
    expect(h.prices[1]).toEqual({ price: 101, at: "2025-10-09T08:53:20.437Z" });
    expect(h.feed.status().marketLagMs).toBe(0);

    // an explicit lp_time is sent even when unchanged; an older one is reported as is (not forced monotonic)
    await tick({ symbol: sym, price: 102, lpTime: FIXED_S });
    await tick({ symbol: sym, price: 103, lpTime: FIXED_S - 3600 });
    await waitFor(() => h.prices.length === 4, 5000, "more prices");
    expect(h.infos[2].lpTimeInPacket).toBe(true);
    expect(h.prices[2].at).toBe("2025-10-09T08:53:20.437Z");
    expect(h.prices[3]).toEqual({ price: 103, at: "2025-10-09T07:53:20.000Z" });
    expect(h.feed.status().marketLagMs).toBe(3_600_437);

    // a packet without lp_time keeps the feed's (merged) lp_time
    await tick({ symbol: sym, batch: [{ price: 104, lpTime: FIXED_S - 5 }, { price: 105, time: FIXED_S - 5 }] });
    await waitFor(() => h.prices.length === 6, 5000, "batched prices");
    expect(h.infos[5].lpTimeInPacket).toBe(false);
    expect(h.prices[5]).toEqual({ price: 105, at: "2025-10-09T08:53:15.000Z" });
  });

  it("is the receipt time for a real-time price without lp_time", async () => {
    const sym = "MKTTIME:NOLP1!";
    const h = feedFor({ symbol: sym, token: VALID, now: () => FIXED_MS });
    h.feed.start();
    await subscribed(sym);
    await tick({ symbol: sym, price: 50.5, lpTime: null });
    await waitFor(() => h.prices.length === 1, 5000, "price");
    expect(h.feed.status().updateMode).toBe("streaming");
    expect(h.prices[0]).toEqual({ price: 50.5, at: "2025-10-09T08:53:20.437Z" });
    expect(h.infos[0]).toMatchObject({ lpTimeInPacket: false, marketLagMs: 0 });
    expect(h.feed.status().marketLagMs).toBe(0);
  });

  it("is receipt time − N s for delayed_streaming_N without lp_time", async () => {
    const sym = "MKTTIME:DELAYNOLP1!";
    await delay(sym, 900);
    const h = feedFor({ symbol: sym, token: VALID, now: () => FIXED_MS });
    h.feed.start();
    await subscribed(sym);
    await waitFor(() => h.feed.status().updateMode === "delayed_streaming_900", 5000, "delayed mode");
    expect(h.feed.status().delayed).toBe(true);
    await tick({ symbol: sym, price: 7, lpTime: null });
    await waitFor(() => h.prices.length === 1, 5000, "price");
    expect(h.prices[0]).toEqual({ price: 7, at: new Date(FIXED_MS - 900_000).toISOString() });
    expect(h.feed.status()).toMatchObject({
      lastTickAt: "2025-10-09T08:38:20.437Z",
      lastTickReceivedAt: "2025-10-09T08:53:20.437Z",
      marketLagMs: 900_000,
    });

    // another N: the delay is read from the mode, not assumed to be 900
    const sym2 = "MKTTIME:DELAYNOLP2!";
    await delay(sym2, 60);
    const h2 = feedFor({ symbol: sym2, now: () => FIXED_MS });
    h2.feed.start();
    await subscribed(sym2);
    await tick({ symbol: sym2, price: 8, lpTime: null });
    await waitFor(() => h2.prices.length === 1, 5000, "price");
    expect(h2.feed.status().updateMode).toBe("delayed_streaming_60");
    expect(h2.prices[0].at).toBe(new Date(FIXED_MS - 60_000).toISOString());
    expect(h2.feed.status().marketLagMs).toBe(60_000);
  });

  it("a snapshot after a price without lp_time carries no lp_time either", async () => {
    const sym = "MKTTIME:SNAPNOLP1!";
    await delay(sym, 900);
    await tick({ symbol: sym, price: 9.5, lpTime: null }); // nobody subscribed yet: sets the server's price
    const h = feedFor({ symbol: sym, now: () => FIXED_MS });
    h.feed.start();
    await waitFor(() => h.prices.length === 1, 5000, "snapshot price");
    expect(h.prices[0]).toEqual({ price: 9.5, at: new Date(FIXED_MS - 900_000).toISOString() });
    expect(h.infos[0]).toMatchObject({ lpTimeInPacket: false, updateMode: "delayed_streaming_900" });
  });

  it("marketLagMs follows the fake's delay knob (lp_time N s behind wall time)", async () => {
    const sym = "MKTTIME:LAG1!";
    await delay(sym, 900);
    const h = feedFor({ symbol: sym, token: VALID }); // real clock
    h.feed.start();
    await subscribed(sym);
    await tick({ symbol: sym, price: 25600.25 });
    await waitFor(() => h.prices.length === 1, 5000, "price");
    const s = h.feed.status();
    expect(s).toMatchObject({ updateMode: "delayed_streaming_900", delayed: true });
    // lp_time is a whole second 900 s before the server's clock: the lag is 900 s plus under a second, plus transit.
    expect(s.marketLagMs).toBeGreaterThanOrEqual(900_000);
    expect(s.marketLagMs).toBeLessThan(900_000 + 60_000);
    expect(Date.parse(s.lastTickReceivedAt!) - Date.parse(s.lastTickAt!)).toBe(s.marketLagMs);
    expect(Date.parse(h.prices[0].at) % 1000).toBe(0); // lp_time itself, not the local clock

    // The knob changes while connected: the new update_mode is pushed at once, later lp_times follow it.
    await setDelay(sym, 120);
    await waitFor(() => h.feed.status().updateMode === "delayed_streaming_120", 5000, "mode pushed");
    await tick({ symbol: sym, price: 25600.5 });
    await waitFor(() => h.prices.length === 2, 5000, "second price");
    expect(h.feed.status().marketLagMs).toBeGreaterThanOrEqual(120_000);
    expect(h.feed.status().marketLagMs).toBeLessThan(120_000 + 60_000);

    // Removing it: back to the token's own mode (streaming), lp_time current.
    await setDelay(sym, null);
    await waitFor(() => h.feed.status().updateMode === "streaming", 5000, "streaming again");
    expect(h.feed.status().delayed).toBe(false);
    await tick({ symbol: sym, price: 25600.75 });
    await waitFor(() => h.prices.length === 3, 5000, "third price");
    expect(h.feed.status().marketLagMs).toBeLessThan(60_000);
    const c = (await state({ symbol: sym })).connections.at(-1)!;
    expect(c.violations).toEqual([]);
  });
});
