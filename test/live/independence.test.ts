// Issue #13: object requests per second independent of the number of open dashboards. The same ticks with 1 and
// with 10 sockets open cause the same publish calls from the symbol object to the hub, and no other call to the
// symbol object; a lease renewal is one watch() per symbol, whatever the number of sockets.
import { beforeAll, describe, expect, it } from "vitest";
import { createRecorder, signal } from "../helpers";
import { mnqContracts, prepare } from "../feed-do/helpers";
import { connect, hub, hubSockets, liveSymbol, type LiveClient } from "./helpers";

const uniqueMnq = mnqContracts(3700);

beforeAll(async () => {
  await hub().setRenewEvery(3_600_000);
});

/** Three seconds of ticks: in each, three prices within the second, then the second passes. */
const SCRIPT = [
  [25590, 25580, 25585],
  [25570, 25575, 25560],
  [25600, 25610, 25605],
];

async function run(feedSymbol: string, sockets: number) {
  const sym = liveSymbol(feedSymbol);
  const clients: LiveClient[] = [];
  for (let i = 0; i < sockets; i++) clients.push(await connect());
  await hubSockets(sockets);
  await hub().resetPublishCount(feedSymbol);
  await sym.resetRpcCounts();
  await sym.advanceLiveClock(5_000);
  for (const second of SCRIPT) {
    for (const p of second) await sym.tick(p);
    await sym.advanceLiveClock(1_000);
  }
  // Every socket got the final state.
  for (const c of clients) await c.update(feedSymbol, (u) => u.feed.lastPrice === 25605, "the last price");
  expect(await sym.liveInfo()).toMatchObject({ pending: false });
  const publishes = await hub().publishCount(feedSymbol);
  const calls = await sym.rpcCounts();
  const perSocket = clients.map((c) => c.updates(feedSymbol).length);

  // A lease renewal: one watch() per active symbol, none per socket.
  await sym.resetRpcCounts();
  await hub().renewNow();
  const renewal = await sym.rpcCounts();

  for (const c of clients) c.close();
  await hubSockets(0);
  return { publishes, calls, perSocket, renewal };
}

describe("independent of the number of dashboards", () => {
  it("1 socket and 10 sockets: the same publishes, and no other symbol-object call", async () => {
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, { keepaliveMs: 3_600_000 });
    await liveSymbol(feedSymbol).setLiveClock(Date.now());
    await signal(rec, { ticker, action: "buy", price: 25600 });

    const one = await run(feedSymbol, 1);
    const ten = await run(feedSymbol, 10);
    // The first tick at once, then one publish a second: each second's last state, by the trailing timer.
    expect(one.publishes).toBe(1 + SCRIPT.length);
    expect(ten.publishes).toBe(one.publishes);
    expect(one.calls).toEqual({});
    expect(ten.calls).toEqual(one.calls);
    // Every socket saw the same messages.
    expect(new Set(ten.perSocket)).toEqual(new Set([one.perSocket[0]]));
    expect(one.renewal).toEqual({ watch: 1 });
    expect(ten.renewal).toEqual({ watch: 1 });
  });

  it("dashboards connecting together share one snapshot: one watch() per symbol for all of them", async () => {
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, { keepaliveMs: 3_600_000 });
    const r = await signal(rec, { ticker, action: "buy", price: 25600 });
    const sym = liveSymbol(feedSymbol);
    await sym.resetRpcCounts();
    const clients = await Promise.all(Array.from({ length: 10 }, () => connect()));
    for (const c of clients) expect(c.snapshot()!.positions.map((p) => p.id)).toContain(r.position.id);
    const watches = (await sym.rpcCounts()).watch ?? 0;
    expect(watches).toBeGreaterThanOrEqual(1);
    expect(watches).toBeLessThanOrEqual(10);
    for (const c of clients) c.close();
    await hubSockets(0);
  });
});
