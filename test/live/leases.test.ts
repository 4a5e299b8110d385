// Who publishes when: a symbol that becomes active while a dashboard is open learns it is watched from the
// directory's reply to its setActive (no watch() call); once the last dashboard closed, publishing stops — at
// the first publish the hub answers "nobody listens", or when the lease lapses — and the hub renews nothing.
// The symbols' live clocks are manual (test/worker.ts): the lease lapses by moving that clock, not by waiting.
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../feed/helpers";
import { createRecorder, evictSymbol, signal, symbolStub } from "../helpers";
import { mnqContracts, prepare } from "../feed-do/helpers";
import { connect as connectLive, hub, hubSockets, liveSymbol, type LiveClient } from "./helpers";

const uniqueMnq = mnqContracts(3800);
let clients: LiveClient[] = [];

async function connect(): Promise<LiveClient> {
  const c = await connectLive();
  clients.push(c);
  return c;
}

beforeAll(async () => {
  await hub().setRenewEvery(3_600_000);
});

// A failed test leaves no socket open for the next one.
afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await hubSockets(0);
});

async function freshSymbol() {
  const s = uniqueMnq();
  await prepare(s.feedSymbol, { keepaliveMs: 3_600_000 });
  await liveSymbol(s.feedSymbol).setLiveClock(Date.now());
  return s;
}

/** Five ticks a second apart from `from` down, then a close: the symbol stays unwatched, with no publish pending. */
async function ticksThenClose(sym: ReturnType<typeof liveSymbol>, rec: { webhookPath: string }, ticker: string, from: number) {
  for (let i = 0; i < 5; i++) {
    await sym.tick(from - i);
    await sym.advanceLiveClock(1_000);
  }
  await signal(rec, { ticker, action: "close", price: 25610 });
  expect(await sym.liveInfo()).toMatchObject({ watching: false, pending: false, manualTimers: 0 });
}

describe("leases", () => {
  it("a symbol that becomes active while a socket is open is watched through the directory's reply", async () => {
    const client = await connect();
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const { ticker, feedSymbol } = await freshSymbol();
    const sym = liveSymbol(feedSymbol);
    expect(await sym.liveInfo()).toMatchObject({ watching: false });

    const r = await signal(rec, { ticker, action: "buy", price: 25600 });
    const m = await client.update(feedSymbol, (u) => u.positions[0]?.id === r.position.id, "the new symbol's open");
    expect(m.positions).toEqual([r.position]);
    expect(await sym.liveInfo()).toMatchObject({ watching: true });
    // No request of its own: the webhook's applySignal only.
    expect(await sym.rpcCounts()).toEqual({ applySignal: 1 });
    client.close();
    await hubSockets(0);
  });

  it("after the last socket closed, the next publish hears nobody listens: no more publishes", async () => {
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const { ticker, feedSymbol } = await freshSymbol();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const sym = liveSymbol(feedSymbol);
    const client = await connect();
    expect(await sym.liveInfo()).toMatchObject({ watching: true });
    client.close();
    await hubSockets(0);

    await hub().resetPublishCount(feedSymbol);
    await sym.advanceLiveClock(5_000);
    await sym.tick(25590);
    await waitFor(async () => !(await sym.liveInfo()).watching, 15_000, "the lease dropped");
    expect(await hub().publishCount(feedSymbol)).toBe(1);
    await ticksThenClose(sym, rec, ticker, 25580);
    expect(await hub().publishCount(feedSymbol)).toBe(1);
  });

  it("after the last socket closed, the lease lapses by itself: no publish at all, and no renewal", async () => {
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const { ticker, feedSymbol } = await freshSymbol();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const sym = liveSymbol(feedSymbol);
    const client = await connect();
    client.close();
    await hubSockets(0);
    await sym.resetRpcCounts();
    await hub().renewNow(); // no socket: nothing renewed
    expect(await sym.rpcCounts()).toEqual({});

    await hub().resetPublishCount(feedSymbol);
    await sym.advanceLiveClock(120_000); // past the 60 s lease (and the directory's)
    expect(await sym.liveInfo()).toMatchObject({ watching: false });
    await ticksThenClose(sym, rec, ticker, 25590);
    expect(await hub().publishCount(feedSymbol)).toBe(0);
  });

  it("a symbol object restarted while watched goes on publishing at once (its lease is stored, not only in memory)", async () => {
    const client = await connect();
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const { ticker, feedSymbol } = await freshSymbol();
    const r = await signal(rec, { ticker, action: "buy", price: 25600 });
    await client.update(feedSymbol, (u) => u.positions[0]?.id === r.position.id, "the open");
    const sym = liveSymbol(feedSymbol);
    await evictSymbol(symbolStub(feedSymbol));
    // No renewal by the hub (every hour in this file) and no directory call (already active): the stored lease.
    expect(await sym.liveInfo()).toMatchObject({ watching: true });
    const before = client.updates(feedSymbol).length;
    await signal(rec, { ticker, action: "close", price: 25610 });
    await client.update(feedSymbol, (u) => u.positions.length === 0, "the close after the symbol's restart", before);
  });

  it("the hub keeps nothing it needs in memory: evicted, its socket still gets the next change", async () => {
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const { ticker, feedSymbol } = await freshSymbol();
    const client = await connect();
    await evictDurableObject(env.LIVE.getByName("live"));
    const r = await signal(rec, { ticker, action: "buy", price: 25600 });
    await client.update(feedSymbol, (u) => u.positions[0]?.id === r.position.id, "the open after the hub's eviction");
    client.ws.send("ping");
    await waitFor(() => client.texts.includes("pong"), 15_000, "pong");
    client.close();
    await hubSockets(0);
  });
});
