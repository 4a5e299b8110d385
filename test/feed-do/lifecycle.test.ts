// The feed's life inside the symbol's Durable Object: drops, silence, heartbeats, idle close, eviction, delayed data.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { control, sleep, state, tick, waitFor } from "../feed/helpers";
import { createRecorder, evictSymbol, signal, symbolStub, apiJson } from "../helpers";
import { feedReady, inObject, open, prepare, symbolStatus, ticksProcessed, mnqContracts } from "./helpers";

const uniqueMnq = mnqContracts(2400);

const SEQUENCE = ["set_auth_token", "quote_create_session", "quote_set_fields", "quote_add_symbols", "quote_fast_symbols"];

describe("feed lifecycle in the symbol object", () => {
  it("a dropped connection mid-trade reconnects and re-subscribes; only ticks it received move the excursions", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    // A slow first retry leaves a window in which the market moves while we are disconnected.
    await prepare(feedSymbol, { backoffBaseMs: 1500, backoffCapMs: 1500 });
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await feedReady(feedSymbol);
    await tick({ symbol: feedSymbol, price: 25590 });
    await ticksProcessed(feedSymbol, 1);

    expect(await control<{ dropped: number }>("drop", { symbol: feedSymbol }).then((r) => r.dropped)).toBe(1);
    await waitFor(async () => (await symbolStatus(feedSymbol)).feed.state === "backoff", 3000, "backoff");
    // Nobody hears these: a dip to 25500 while disconnected must not appear as a drawdown. (Stamped with the next
    // whole second: lp_time has 1 s resolution, and a snapshot stamped with the open's own second but received a
    // second later would be, by the market-time rule, earlier than the open.)
    const lpTime = Math.ceil(Date.now() / 1000);
    expect((await tick({ symbol: feedSymbol, price: 25500, lpTime })).delivered).toBe(0);
    expect((await tick({ symbol: feedSymbol, price: 25605, lpTime })).delivered).toBe(0);

    const s = await waitFor(async () => {
      const s = await state({ symbol: feedSymbol });
      return s.connections.length === 2 && s.connections[1].open && s.connections[1].symbols.includes(feedSymbol) ? s : null;
    }, 5000, "re-subscribed");
    expect(s.connections[1].methods).toEqual(SEQUENCE);
    expect(s.connections[1].sessions[0].id).not.toBe(s.connections[0].sessions[0].id);
    expect(s.connections[1].violations).toEqual([]);
    // The new session's snapshot carries the server's current price: a price we did receive.
    await ticksProcessed(feedSymbol, 2);
    const [p] = await open(rec.id);
    expect(p).toMatchObject({ worstUnrealizedPnl: -20, worstPrice: 25590, bestUnrealizedPnl: 10, lastPrice: 25605 });
    const st = await symbolStatus(feedSymbol);
    expect(st.feed).toMatchObject({ state: "streaming", reconnects: 1, error: null });
    expect(st.ticksProcessed).toBe(2);
  });

  it("answers the server's heartbeats", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, { tag: "do-hb", hb: 80 });
    await signal(await createRecorder(), { ticker, action: "buy", price: 25600 });
    await waitFor(async () => (await state({ tag: "do-hb" })).connections[0]?.heartbeatsEchoed >= 5, 5000, "5 heartbeats echoed");
    const c = (await state({ tag: "do-hb" })).connections[0];
    expect(c).toMatchObject({ heartbeatsMismatched: 0, violations: [], open: true });
    expect((await symbolStatus(feedSymbol)).feed.reconnects).toBe(0);
  });

  it("treats ~watchdog of silence as a dead connection and reconnects", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, { tag: "do-silent", hb: 100, watchdogMs: 400 });
    await signal(await createRecorder(), { ticker, action: "buy", price: 25600 });
    await feedReady(feedSymbol);
    await sleep(600); // heartbeats keep it alive past the watchdog period
    expect((await symbolStatus(feedSymbol)).feed.reconnects).toBe(0);
    await control("silence", { tag: "do-silent", ms: 10_000 });
    const s = await waitFor(async () => {
      const s = await state({ tag: "do-silent" });
      return s.connections.length >= 2 && s.connections[1].symbols.includes(feedSymbol) ? s : null;
    }, 5000, "reconnect after silence");
    expect(s.connections[0]).toMatchObject({ open: false, closedBy: "client" });
    expect((await symbolStatus(feedSymbol)).feed.reconnects).toBeGreaterThanOrEqual(1);
  });

  it("stays connected through keepalive alarms while positions are open, closes when idle", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, { idleFeedMs: 300 });
    const rec = await createRecorder({ delayedFeed: "immediate" }); // the fake's anonymous feed is delayed
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await feedReady(feedSymbol);
    const stub = symbolStub(feedSymbol);
    expect(await runDurableObjectAlarm(stub)).toBe(true); // keepalive armed; the feed stays
    expect(await runDurableObjectAlarm(stub)).toBe(true); // and re-armed by the alarm itself
    expect((await symbolStatus(feedSymbol)).feed.state).toBe("connected"); // no price yet, but subscribed
    expect((await state({ symbol: feedSymbol })).connectionCount).toBe(1);

    await signal(rec, { ticker, action: "close", price: 25610 });
    expect(await runDurableObjectAlarm(stub)).toBe(true); // within the idle period: still connected
    expect((await state({ symbol: feedSymbol })).openConnections).toBe(1);
    await sleep(350);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const s = await waitFor(async () => {
      const s = await state({ symbol: feedSymbol });
      return s.openConnections === 0 ? s : null;
    }, 3000, "closed when idle");
    const c = s.connections[0];
    expect(c.closedBy).toBe("client");
    expect(c.methods.slice(-2)).toEqual(["quote_remove_symbols", "quote_delete_session"]);
    expect((await symbolStatus(feedSymbol)).feed.state).toBe("idle");
    // Nothing left to keep alive: no alarm re-armed.
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("an evicted object with open positions reconnects by itself (its alarm rebuilds it)", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await feedReady(feedSymbol);
    await tick({ symbol: feedSymbol, price: 25590 });
    await ticksProcessed(feedSymbol, 1);

    const stub = symbolStub(feedSymbol);
    await evictSymbol(stub); // the platform drops the socket and the instance
    await waitFor(async () => (await state({ symbol: feedSymbol })).openConnections === 0, 3000, "socket gone");
    await tick({ symbol: feedSymbol, price: 25570 }); // while nobody listens
    // Nothing but the keepalive alarm wakes it: the rebuilt object reconnects and re-subscribes.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const s = await waitFor(async () => {
      const s = await state({ symbol: feedSymbol });
      return s.connections.length === 2 && s.connections[1].open && s.connections[1].symbols.includes(feedSymbol) ? s : null;
    }, 5000, "reconnected after eviction");
    expect(s.connections[1].methods).toEqual(SEQUENCE);
    await tick({ symbol: feedSymbol, price: 25620 });
    await waitFor(async () => (await open(rec.id))[0]?.lastPrice === 25620, 3000, "live again");
    const [p] = await open(rec.id);
    // 25570 (snapshot after reconnect) was received; excursions from before the eviction were kept.
    expect(p).toMatchObject({ worstPrice: 25570, worstUnrealizedPnl: -60, bestUnrealizedPnl: 40 });
    expect(await inObject(feedSymbol, (_o, st) => st.storage.getAlarm())).not.toBeNull();
  });
});

describe("delayed data", () => {
  it("is flagged in /status and on positions opened under it, and the flag survives a restart", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    // Applied at once (alignment has its own tests): this is about the flag.
    const first = await createRecorder({ delayedFeed: "immediate" });
    const second = await createRecorder({ delayedFeed: "immediate" });
    // Opened before the feed ever reported its mode: not flagged (nothing known yet).
    const a = await signal(first, { ticker, action: "buy", price: 25600 });
    expect(a.position.delayedData).toBe(false);
    const ready = await feedReady(feedSymbol);
    expect(ready.feed).toMatchObject({ updateMode: "delayed_streaming_900", delayed: true });

    const b = await signal(second, { ticker, action: "sell", price: 25600 });
    expect(b.position).toMatchObject({ side: "short", delayedData: true });
    expect((await open(second.id))[0].delayedData).toBe(true);
    expect((await open(first.id))[0].delayedData).toBe(false);

    const { symbols } = await apiJson("GET", "/status");
    expect(symbols.find((s: any) => s.feedSymbol === feedSymbol).feed).toMatchObject({ updateMode: "delayed_streaming_900", delayed: true });

    await evictSymbol(symbolStub(feedSymbol));
    expect((await open(second.id))[0].delayedData).toBe(true);
    // A position opened right after the restart, before the new socket reports: the stored mode still applies.
    const third = await createRecorder({ delayedFeed: "immediate" });
    await evictSymbol(symbolStub(feedSymbol));
    const c = await signal(third, { ticker, action: "buy", price: 25601 });
    expect(c.position.delayedData).toBe(true);

    const closed = await signal(second, { ticker, action: "close", price: 25590 });
    expect(closed.position).toMatchObject({ status: "closed", delayedData: true });
    const { positions } = await apiJson("GET", `/api/positions?status=closed&recorderId=${second.id}`);
    expect(positions[0].delayedData).toBe(true);
  });
});
