// QuoteFeed against the fake TradingView server over a real socket (Workers runtime, outbound WebSocket).
// Every test uses its own symbol / tag / token, so test files can share the one fake server.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodeFrame, encodeMessage } from "../../src/feed/codec";
import { control, controlBase, makeFeed, raw, sleep, state, subscribed, tick, waitFor, wsUrl, type Harness } from "./helpers";

const live: Harness[] = [];
function feedFor(opts: Parameters<typeof makeFeed>[0]): Harness {
  const h = makeFeed(opts);
  live.push(h);
  return h;
}
// These tests expect a snapshot price for symbols they never priced: the fake server invents one for FEEDTEST:*.
beforeAll(async () => {
  await control("config", { inventPrices: ["FEEDTEST:"] });
});
afterEach(() => {
  for (const h of live.splice(0)) h.feed.stop();
});

describe("QuoteFeed", () => {
  it("connects with browser headers, follows the session sequence and receives prices", async () => {
    const sym = "FEEDTEST:BASIC1!";
    await tick({ symbol: sym, price: 25600.25, time: 1_760_000_000 });
    const h = feedFor({ symbol: sym });
    h.feed.start();
    expect(await h.feed.waitForPrice(5000)).toBe(25600.25); // snapshot
    expect(h.prices[0]).toEqual({ price: 25600.25, at: "2025-10-09T08:53:20.000Z" }); // from lp_time

    const st = await subscribed(sym);
    const c = st.connections[0];
    expect(c.headers.origin).toBe("https://www.tradingview.com");
    expect(c.headers.userAgent).toMatch(/Mozilla\/5\.0/);
    expect(c.headers.cacheControl).toBe("no-cache");
    expect(c.methods).toEqual(["set_auth_token", "quote_create_session", "quote_set_fields", "quote_add_symbols", "quote_fast_symbols"]);
    expect(c.violations).toEqual([]);
    expect(c.token).toBe("unauthorized_user_token");
    const add = c.received.find((m) => m.m === "quote_add_symbols")!;
    expect(add.p).toEqual([c.sessions[0].id, sym, { flags: ["force_permission"] }]);
    expect(c.sessions[0].id).toMatch(/^qs_[A-Za-z0-9]{12}$/);
    expect(c.sessions[0].fields).toEqual(expect.arrayContaining(["lp", "lp_time", "bid", "ask", "volume", "update_mode"]));

    const before = Date.now();
    await tick({ symbol: sym, price: 25601.5 });
    await waitFor(() => h.prices.length === 2, 3000, "second price");
    expect(h.prices[1].price).toBe(25601.5);
    expect(Date.parse(h.prices[1].at)).toBeGreaterThanOrEqual(before - 1000);
    const s = h.feed.status();
    expect(s).toMatchObject({ state: "streaming", lastPrice: 25601.5, reconnects: 0, error: null });
    expect(s.lastTickAt).toBe(h.prices[1].at);
  });

  it("passes float noise through raw (rounding is the Durable Object's job)", async () => {
    const sym = "FEEDTEST:FLOAT1!";
    const h = feedFor({ symbol: sym });
    h.feed.start();
    await h.feed.waitForPrice(5000);
    await tick({ symbol: sym, price: 25580.000000000004 });
    await raw({ symbol: sym, data: encodeFrame('{"m":"qsd","p":["{qs}",{"n":"FEEDTEST:FLOAT1!","s":"ok","v":{"lp":8004.8000000000001819}}]}') });
    await waitFor(() => h.prices.length === 3, 3000, "noisy prices");
    expect(h.prices[1].price).toBe(25580.000000000004);
    expect(h.prices[2].price).toBe(8004.8000000000001819);
  });

  it("answers every heartbeat with the same framed ~h~K", async () => {
    const sym = "FEEDTEST:HB1!";
    const h = feedFor({ symbol: sym, url: wsUrl({ tag: "hb1", hb: 50 }) });
    h.feed.start();
    await waitFor(async () => {
      const s = await state({ tag: "hb1" });
      return s.connections[0]?.heartbeatsEchoed >= 5;
    }, 5000, "5 heartbeats echoed");
    const c = (await state({ tag: "hb1" })).connections[0];
    expect(c.heartbeatsMismatched).toBe(0);
    expect(c.heartbeatsEchoed).toBeGreaterThanOrEqual(c.heartbeatsSent - 2);
    expect(c.violations).toEqual([]);
    expect(h.feed.status().reconnects).toBe(0);
  });

  it("handles batched packets with heartbeats, deltas without lp, non-ASCII and malformed frames", async () => {
    const sym = "FEEDTEST:BATCH1!";
    const h = feedFor({ symbol: sym, url: wsUrl({ tag: "batch1", hb: 60_000 }) });
    h.feed.start();
    await h.feed.waitForPrice(5000);
    await tick({ symbol: sym, batch: [101, 101.5, { price: 102, fields: { bid: 101.75 } }, 102.25], heartbeat: true });
    await waitFor(() => h.prices.length === 5, 3000, "batched prices");
    expect(h.prices.slice(1).map((p) => p.price)).toEqual([101, 101.5, 102, 102.25]);
    await waitFor(async () => (await state({ tag: "batch1" })).connections[0].heartbeatsEchoed === 1, 3000, "batched heartbeat echoed");

    // One raw message: a Korean description delta (no lp), a heartbeat, a bad frame, a price, a frame containing ~m~.
    const q = (v: unknown) => encodeMessage("qsd", ["{qs}", { n: sym, s: "ok", v }]);
    const data =
      q({ description: "마이크로 나스닥 선물 (연속)", bid: 102 }) +
      encodeFrame("~h~777") +
      encodeFrame("{broken json") +
      q({ lp: 103.5 }) +
      q({ description: "odd ~m~12~m~ text" }) +
      q({ lp: 104 });
    await raw({ symbol: sym, data });
    await waitFor(() => h.prices.length === 7, 3000, "prices after raw batch");
    expect(h.prices.slice(5).map((p) => p.price)).toEqual([103.5, 104]);
    expect(h.feed.malformedFrames).toBe(1);
    // the unsolicited ~h~777 was echoed too (the server counts it as a mismatch: it never sent it). The echo may
    // still be on its way to the server when the prices are in: wait for it rather than race it.
    const c = await waitFor(async () => {
      const conn = (await state({ tag: "batch1" })).connections[0];
      return conn.heartbeatsMismatched >= 1 && conn.received.length >= 5 ? conn : null;
    }, 10_000, "the echo of ~h~777 at the server");
    expect(c.heartbeatsMismatched).toBe(1);
    expect(c.received.length).toBe(5);
    expect(h.feed.status().state).toBe("streaming");
  });

  it("reconnects after a dropped connection and re-subscribes, inventing no price in the gap", async () => {
    const sym = "FEEDTEST:DROP1!";
    await tick({ symbol: sym, price: 200 });
    const h = feedFor({ symbol: sym, backoffBaseMs: 300, backoffCapMs: 300 });
    h.feed.start();
    await h.feed.waitForPrice(5000);
    await tick({ symbol: sym, price: 201 });
    await waitFor(() => h.prices.length === 2, 3000);

    await control("drop", { symbol: sym });
    await waitFor(() => h.feed.status().state === "backoff", 3000, "backoff");
    const gapStart = h.prices.length;
    // A tick while disconnected reaches nobody; nothing is invented locally either.
    expect((await tick({ symbol: sym, price: 199 })).delivered).toBe(0);
    expect(h.prices.length).toBe(gapStart);

    const st = await subscribed(sym, 1).then(() =>
      waitFor(async () => {
        const s = await state({ symbol: sym });
        return s.connectionCount === 2 && s.connections[1].open && s.connections[1].symbols.includes(sym) ? s : null;
      }, 5000, "second subscription"),
    );
    expect(st.connections[0].open).toBe(false);
    expect(st.connections[1].methods).toEqual(["set_auth_token", "quote_create_session", "quote_set_fields", "quote_add_symbols", "quote_fast_symbols"]);
    expect(st.connections[1].sessions[0].id).not.toBe(st.connections[0].sessions[0].id);
    // The only price after the gap is the server's fresh snapshot (its real last price), then live ticks.
    await waitFor(() => h.prices.length === gapStart + 1, 3000, "snapshot after reconnect");
    expect(h.prices[gapStart].price).toBe(199);
    await tick({ symbol: sym, price: 198.75 });
    await waitFor(() => h.prices.length === gapStart + 2, 3000);
    expect(h.feed.status()).toMatchObject({ state: "streaming", reconnects: 1, lastPrice: 198.75, error: null });
  });

  it("treats silence as a dead connection (watchdog) and reconnects", async () => {
    const sym = "FEEDTEST:SILENT1!";
    const h = feedFor({ symbol: sym, url: wsUrl({ tag: "silent1", hb: 100 }), watchdogMs: 400 });
    h.feed.start();
    await h.feed.waitForPrice(5000);
    await sleep(600); // heartbeats keep it alive past the watchdog period
    expect(h.feed.status().reconnects).toBe(0);
    await control("silence", { tag: "silent1", ms: 10_000 });
    const s = await waitFor(async () => {
      const s = await state({ tag: "silent1" });
      return s.connectionCount >= 2 && s.connections[1].symbols.includes(sym) ? s : null;
    }, 5000, "reconnect after silence");
    expect(s.connections[0].open).toBe(false);
    expect(s.connections[0].closedBy).toBe("client");
    expect(h.feed.status().reconnects).toBeGreaterThanOrEqual(1);
    await waitFor(() => h.feed.status().state === "streaming", 3000, "streaming again");
  });

  it("stops for good on a refused token (protocol_error), no reconnect loop", async () => {
    const sym = "FEEDTEST:REFUSED1!";
    const h = feedFor({ symbol: sym, token: "refused_token", url: wsUrl({ tag: "refused1" }) });
    h.feed.start();
    await waitFor(() => h.feed.status().state === "refused", 5000, "refused");
    expect(h.feed.status().error).toMatch(/bad auth token/);
    expect(await h.feed.waitForPrice(100)).toBeNull();
    h.feed.ensureConnected(); // the alarm must not revive it
    await sleep(1000);
    const s = await state({ tag: "refused1" });
    expect(s.connectionCount).toBe(1);
    expect(h.feed.status()).toMatchObject({ state: "refused", reconnects: 0, lastPrice: null });
    expect(h.prices).toEqual([]);
  });

  it("stops for good on an upgrade refused with 401/403", async () => {
    for (const status of [401, 403]) {
      const tag = `upgrade${status}`;
      const h = feedFor({ symbol: `FEEDTEST:UP${status}!`, url: wsUrl({ tag, reject: status }) });
      h.feed.start();
      await waitFor(() => h.feed.status().state === "refused", 5000, "refused");
      expect(h.feed.status().error).toBe(`upgrade refused: HTTP ${status}`);
      h.feed.ensureConnected();
      await sleep(400);
      expect((await state({ tag })).upgrades.map((u) => u.status)).toEqual([status]);
    }
  });

  it("backs off on 429 and gets through once the server accepts", async () => {
    const sym = "FEEDTEST:RATE1!";
    const h = feedFor({ symbol: sym, url: wsUrl({ tag: "rate1", reject: 429, rejectTimes: 2 }) });
    h.feed.start();
    expect(await h.feed.waitForPrice(5000)).not.toBeNull();
    expect((await state({ tag: "rate1" })).upgrades.map((u) => u.status)).toEqual([429, 429, 101]);
    expect(h.states).toContain("backoff");
    expect(h.feed.status()).toMatchObject({ state: "streaming", reconnects: 2, error: null });
  });

  it("flags delayed data (anonymous) and real-time data (valid token)", async () => {
    const anon = feedFor({ symbol: "FEEDTEST:DELAY1!" });
    anon.feed.start();
    await anon.feed.waitForPrice(5000);
    expect(anon.feed.status()).toMatchObject({ updateMode: "delayed_streaming_900", delayed: true });

    await control("config", { validTokens: ["feedtest-valid-token"] });
    const real = feedFor({ symbol: "FEEDTEST:REAL1!", token: "feedtest-valid-token" });
    real.feed.start();
    await real.feed.waitForPrice(5000);
    expect(real.feed.status()).toMatchObject({ updateMode: "streaming", delayed: false });
    expect((await state({ symbol: "FEEDTEST:REAL1!" })).connections[0].token).toBe("feedtest-valid-token");
  });

  it("reports an unknown symbol in status without reconnecting", async () => {
    await control("config", { unknownSymbols: ["FEEDTEST:NOSUCH1!"] });
    const h = feedFor({ symbol: "FEEDTEST:NOSUCH1!" });
    h.feed.start();
    await waitFor(() => h.feed.status().error !== null, 5000, "symbol error");
    expect(h.feed.status()).toMatchObject({ error: "symbol error: no_such_symbol", lastPrice: null, reconnects: 0 });
    expect(h.feed.status().state).toBe("connected");
    expect(await h.feed.waitForPrice(200)).toBeNull();

    const bad = feedFor({ symbol: "NOT_A_SYMBOL_FEEDTEST" });
    bad.feed.start();
    await waitFor(() => bad.feed.status().error === "symbol error: no_such_symbol", 5000, "malformed symbol error");
  });

  it("stop() sends the teardown and closes", async () => {
    const sym = "FEEDTEST:STOP1!";
    const h = feedFor({ symbol: sym });
    h.feed.start();
    await h.feed.waitForPrice(5000);
    const qs = h.feed.quoteSessionId;
    h.feed.stop();
    expect(h.feed.status().state).toBe("stopped");
    const s = await waitFor(async () => {
      const s = await state({ symbol: sym });
      return s.connections[0] && !s.connections[0].open ? s : null;
    }, 3000, "closed");
    const c = s.connections[0];
    expect(c.closedBy).toBe("client");
    expect(c.methods.slice(-2)).toEqual(["quote_remove_symbols", "quote_delete_session"]);
    expect(c.received.at(-2)!.p).toEqual([qs, sym]);
    expect(c.received.at(-1)!.p).toEqual([qs]);
    expect(c.sessions[0]).toMatchObject({ deleted: true, symbols: [] });
    expect(c.violations).toEqual([]);
    // no ticks after stop
    await tick({ symbol: sym, price: 1 });
    await sleep(200);
    expect(h.prices.length).toBe(1);
    h.feed.ensureConnected();
    expect(h.feed.status().state).toBe("stopped");
  });

  it("waitForPrice: last price, fresh price, timeout", async () => {
    const sym = "FEEDTEST:WAIT1!";
    const h = feedFor({ symbol: sym });
    expect(await h.feed.waitForPrice(50)).toBeNull(); // idle, nothing arrives
    h.feed.start();
    expect(await h.feed.waitForPrice(5000)).toBe(100); // unknown root -> server snapshot at 100
    expect(await h.feed.waitForPrice(0)).toBe(100);
    const fresh = h.feed.waitForPrice(3000, { fresh: true });
    await tick({ symbol: sym, price: 100.5 });
    expect(await fresh).toBe(100.5);
    expect(await h.feed.waitForPrice(100, { fresh: true })).toBeNull();
  });

  it("ensureConnected starts an idle feed, is a no-op when healthy, and survives a throwing onPrice", async () => {
    const sym = "FEEDTEST:ENSURE1!";
    const h = feedFor({
      symbol: sym,
      onPrice: () => {
        throw new Error("boom");
      },
    });
    h.feed.ensureConnected();
    await waitFor(() => h.feed.status().state === "streaming", 5000, "streaming");
    h.feed.ensureConnected();
    h.feed.ensureConnected();
    await tick({ symbol: sym, price: 100.25 });
    await waitFor(() => h.feed.status().lastPrice === 100.25, 3000);
    await sleep(100);
    expect((await state({ symbol: sym })).connectionCount).toBe(1);
    expect(h.feed.status().reconnects).toBe(0);
  });

  it("backoff grows exponentially with jitter and is capped", async () => {
    // The upgrade is refused with 404 (not a socket path): every attempt fails fast; random() = 0 gives the
    // lower bound exp/2.
    const times: number[] = [];
    const h = feedFor({
      symbol: "FEEDTEST:BACKOFF1!",
      url: `${controlBase}/not-a-socket`,
      random: () => 0,
      backoffBaseMs: 40,
      backoffCapMs: 320,
      onState: (s) => {
        if (s.state === "connecting") times.push(Date.now());
      },
    });
    h.feed.start();
    await waitFor(() => times.length >= 6, 8000, "6 attempts");
    h.feed.stop();
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // expected lower bounds: 20, 40, 80, 160, 160 (cap 320 / 2)
    const expected = [20, 40, 80, 160, 160];
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(expected[i] - 5));
    expect(gaps[4]).toBeLessThan(320 + 200);
    expect(h.feed.status().reconnects).toBeGreaterThanOrEqual(5);
  });
});
