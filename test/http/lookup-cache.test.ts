// The webhook's lookup cached in the isolate (src/webhook/lookup-cache.ts), honoured only where the recorder's
// lease vouches for its epoch (src/durable/rate-lease.ts), revoked by every change made through the API
// (src/api/revoke-lookups.ts). Through HTTP, in the one isolate the Worker and these tests share: every change
// below is seen by the very next signal, although that signal's lookup is cached.
// MNQ: tick 0.25, $0.50 per tick per contract, so 1 point = $2 per contract.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { mnqContracts } from "../feed-do/helpers";
import { sha256Hex } from "../../src/lib/crypto";
import { LIFE_MS, LookupCache, lookupCache } from "../../src/webhook/lookup-cache";
import { runInDurableObject } from "cloudflare:test";
import { findWithFollowers } from "../../src/recorders/repository";
import { api, apiJson, createRecorder, evictSymbol, expectError, signal, symbolStub, webhook, type TestRecorder } from "../helpers";

const uniqueMnq = mnqContracts(5600);
/** The fake's anonymous feed reports delayed data: signals here apply at once. Repeated bodies are meant. */
const IMMEDIATE = { delayedFeed: "immediate", dedupeWindowSeconds: 0, commissionPerContract: 0 } as const;

const tokenOf = (rec: { webhookPath: string }) => rec.webhookPath.split("/").pop()!;
const cachedRow = async (rec: { webhookPath: string }) => lookupCache.get(await sha256Hex(tokenOf(rec)), Date.now())?.recorder;

/** The gate's insides, for the two faults no API can make (an unreached lease, a gate older than its table). */
type GateInternals = {
  ledger: { reclaimed(state: null, nowMs: number, reached: boolean): void };
  symbols: Set<string>;
  symbolsComplete: boolean;
  ctx: DurableObjectState;
};
const inGate = <R>(recorderId: string, fn: (g: GateInternals) => R | Promise<R>) =>
  (runInDurableObject as unknown as (s: unknown, cb: (g: GateInternals) => R | Promise<R>) => Promise<R>)(env.GATES.getByName(recorderId), fn);
const leaseHolder = (recorderId: string) => env.GATES.getByName(recorderId).leaseHolder();

/** A recorder whose lookup is cached and vouched for: one round trip (open, close) on `ticker`. */
async function warm(settings: Record<string, unknown> = {}, ticker = uniqueMnq().ticker): Promise<TestRecorder> {
  const rec = await createRecorder({ ...IMMEDIATE, ...settings });
  expect((await signal(rec, { ticker, action: "buy", price: 25600 })).result).toBe("opened");
  expect((await signal(rec, { ticker, action: "close", price: 25601 })).result).toBe("closed");
  expect(await cachedRow(rec), "cached after a lookup from D1").toBeDefined();
  return rec;
}

describe("the webhook's cached lookup", () => {
  it("is used: with the recorder's row gone from D1 behind the API's back, its signals still record", async () => {
    const { ticker } = uniqueMnq();
    const rec = await warm({}, ticker);
    // Not through the API (which would revoke): only the cache can still find this recorder now.
    await env.DB.prepare("UPDATE recorders SET token_hash = 'moved' WHERE id = ?").bind(rec.id).run();
    expect((await signal(rec, { ticker, action: "buy", price: 25600 })).result, "from the cache, vouched by the lease").toBe("opened");
    expect((await signal(rec, { ticker, action: "close", price: 25602 })).trade.pnl).toBe(4);
  });

  it("without a lease where it lands (the object restarted, or the lease ended) the gate vouches: still no D1", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await warm({}, ticker);
    await evictSymbol(symbolStub(feedSymbol)); // its leases are in memory: gone
    await env.DB.prepare("UPDATE recorders SET token_hash = 'moved-too' WHERE id = ?").bind(rec.id).run();
    expect((await signal(rec, { ticker, action: "buy", price: 25600 })).result, "vouched by the gate").toBe("opened");
    expect(await leaseHolder(rec.id), "and leased again").toBe(feedSymbol);
  });

  it("a rotated token stops at once: 404 for every body, never a refusal logged under it; the new one works", async () => {
    const { ticker } = uniqueMnq();
    const rec = await warm({}, ticker);
    const { recorder: rotated } = await apiJson("POST", `/api/recorders/${rec.id}/rotate-token`);
    expectError(await (await webhook(rec, { ticker, action: "buy", price: 25600 })).json(), "unknown_token");
    expect((await webhook(rec, "not json")).status, "a bad body under the old token").toBe(404);
    expect((await webhook(rec, { action: "buy", price: 25600 })).status, "no ticker under the old token").toBe(404);
    expect(await cachedRow(rec)).toBeUndefined();
    expect((await signal(rotated, { ticker, action: "buy", price: 25600 })).result).toBe("opened");
    const log = (await apiJson("GET", `/api/signals?recorderId=${rec.id}&status=rejected`)).signals;
    expect(log, "nothing refused under the old token").toEqual([]);
  });

  it("disabled: 404 at once; enabled again: records", async () => {
    const { ticker } = uniqueMnq();
    const rec = await warm({}, ticker);
    await apiJson("PATCH", `/api/recorders/${rec.id}`, { enabled: false });
    expect((await webhook(rec, { ticker, action: "buy", price: 25600 })).status).toBe(404);
    await apiJson("PATCH", `/api/recorders/${rec.id}`, { enabled: true });
    expect((await signal(rec, { ticker, action: "buy", price: 25600 })).result).toBe("opened");
  });

  it("a changed setting applies to the very next signal", async () => {
    const { ticker } = uniqueMnq();
    const rec = await warm({ initialQuantity: 1 }, ticker);
    await apiJson("PATCH", `/api/recorders/${rec.id}`, { initialQuantity: 3 });
    expect((await signal(rec, { ticker, action: "buy", price: 25600 })).position.quantity).toBe(3);
    // ...and from the cache again afterwards (looked up once more, then vouched for at the new epoch).
    expect(await cachedRow(rec)).toMatchObject({ initialQuantity: 3 });
    expect((await signal(rec, { ticker, action: "close", price: 25601 })).trade.pnl).toBe(6);
  });

  it("another isolate's stale entry is refused where the lease holds a newer epoch", async () => {
    const { ticker } = uniqueMnq();
    const rec = await warm({ initialQuantity: 1 }, ticker);
    const hash = await sha256Hex(tokenOf(rec));
    const stale = lookupCache.get(hash, Date.now())!;
    await apiJson("PATCH", `/api/recorders/${rec.id}`, { initialQuantity: 2 });
    // This isolate looks the recorder up again; its lease is granted at the new epoch.
    expect((await signal(rec, { ticker, action: "buy", price: 25600 })).position.quantity).toBe(2);
    expect((await signal(rec, { ticker, action: "close", price: 25600 })).result).toBe("closed");
    // An isolate that cached the lookup before the change still has it: put it back, as it would be there.
    lookupCache.set(hash, stale, Date.now());
    expect((await signal(rec, { ticker, action: "buy", price: 25600 })).position.quantity, "the new setting, not the cached one").toBe(2);
    expect(await cachedRow(rec)).toMatchObject({ initialQuantity: 2 });
  });

  it("a new follower records the leader's very next signal", async () => {
    const { ticker } = uniqueMnq();
    const leader = await warm({}, ticker);
    const follower = await createRecorder({ ...IMMEDIATE, name: "follower", followsRecorderId: leader.id });
    const r = await signal(leader, { ticker, action: "buy", price: 25600 });
    expect(r.followers).toEqual([{ recorderId: follower.id, result: "opened" }]);
    expect(await cachedRow(leader), "a lookup with followers is never cached").toBeUndefined();
  });

  it("deleted: 404 at once", async () => {
    const { ticker } = uniqueMnq();
    const rec = await warm({}, ticker);
    const del = await api("DELETE", `/api/recorders/${rec.id}`);
    expect(del.status).toBe(200);
    expect((await webhook(rec, { ticker, action: "buy", price: 25600 })).status).toBe(404);
  });

  it("daily limits: a cached lookup adds no other symbol's P&L only while the recorder trades this symbol alone", async () => {
    // Limit $100. A −$60 trade on contract A, then −$50 on contract B: −$110 together, only −$50 on B alone. The
    // next entry on B must see A's loss (from D1): its lease there cannot say "only symbol".
    const a = uniqueMnq();
    const b = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, timezone: "UTC", tradingDayStart: "00:00", dailyLossLimit: 100 });
    await signal(rec, { ticker: a.ticker, action: "buy", price: 25600 });
    expect((await signal(rec, { ticker: a.ticker, action: "close", price: 25570 })).trade.pnl).toBe(-60);
    await signal(rec, { ticker: b.ticker, action: "buy", price: 25600 });
    expect((await signal(rec, { ticker: b.ticker, action: "close", price: 25575 })).trade.pnl).toBe(-50);
    // Its gate said so at B's first signal: the lookup is not cached any more (its day net needs D1).
    expect(await cachedRow(rec)).toBeUndefined();
    expect(await signal(rec, { ticker: b.ticker, action: "buy", price: 25575 })).toMatchObject({ result: "ignored", reason: "daily_limit" });
  });

  it("daily limits: a gate whose symbols predate it learns the recorder's other symbols from D1 once", async () => {
    // A position on B opened when the gate kept no symbols (emulated: B taken out of the gate's table, and the
    // table not yet completed from D1), closed today at −$60, past the $50 limit.
    const a = uniqueMnq();
    const b = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, timezone: "UTC", tradingDayStart: "00:00", dailyLossLimit: 50 });
    expect((await signal(rec, { ticker: b.ticker, action: "buy", price: 25600 })).result).toBe("opened");
    await inGate(rec.id, (g) => {
      g.symbols.delete(b.feedSymbol);
      g.symbolsComplete = false;
      g.ctx.storage.sql.exec("DELETE FROM symbols");
      g.ctx.storage.sql.exec("DELETE FROM symbols_complete");
    });
    const [pos] = (await apiJson("GET", `/api/positions?status=open&recorderId=${rec.id}`)).positions;
    await apiJson("POST", `/api/positions/${pos.id}/close`, { price: 25570 });
    for (const id of ["1", "2", "3"]) {
      expect(await signal(rec, { ticker: a.ticker, action: "buy", price: 25600, id }), `entry ${id}`).toMatchObject({ result: "ignored", reason: "daily_limit" });
    }
    expect(await inGate(rec.id, (g) => [...g.symbols].sort())).toEqual([a.feedSymbol, b.feedSymbol].sort());
  });

  it("daily limits on several symbols cost one symbol call per signal (the lookup stops being cached)", async () => {
    const a = uniqueMnq();
    const b = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, timezone: "UTC", tradingDayStart: "00:00", dailyLossLimit: 1000 });
    for (const action of ["buy", "close"]) await signal(rec, { ticker: a.ticker, action, price: 25600 });
    for (const action of ["buy", "close"]) await signal(rec, { ticker: b.ticker, action, price: 25600 });
    const stub = symbolStub(b.feedSymbol) as unknown as { resetRpcCounts(): Promise<void>; rpcCounts(): Promise<Record<string, number>> };
    await stub.resetRpcCounts();
    for (const action of ["buy", "close", "buy", "close"]) await signal(rec, { ticker: b.ticker, action, price: 25600 });
    expect((await stub.rpcCounts()).applySignal).toBe(4);
  });

  it("a lease its gate could not reclaim once is reclaimed by a later change (the old token stops at once)", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await warm({}, ticker);
    expect(await leaseHolder(rec.id)).toBe(feedSymbol);
    // Earlier, a reclaim of this lease timed out (the gate's own branch for it): its holder keeps it, at its epoch.
    await inGate(rec.id, (g) => g.ledger.reclaimed(null, Date.now(), false));
    await apiJson("POST", `/api/recorders/${rec.id}/rotate-token`);
    expect((await webhook(rec, { ticker, action: "buy", price: 25600 })).status).toBe(404);
  });

  it("a refused DELETE of a follower revokes its leader's cached lookups too (both when disabled and enabled again)", async () => {
    const { ticker } = uniqueMnq();
    const leader = await createRecorder({ ...IMMEDIATE, name: "leader" });
    const follower = await createRecorder({ ...IMMEDIATE, name: "follower", followsRecorderId: leader.id });
    expect((await signal(leader, { ticker, action: "buy", price: 25600 })).followers).toEqual([{ recorderId: follower.id, result: "opened" }]);
    // A leader signal while DELETE has the follower disabled is looked up without it, and cached: that row.
    const hash = await sha256Hex(tokenOf(leader));
    const duringDelete = { recorder: (await findWithFollowers(env.DB, tokenOf(leader), new Date()))!.recorder, notify: [] };
    expect((await api("DELETE", `/api/recorders/${follower.id}`)).status).toBe(409); // its position is open
    lookupCache.set(hash, duringDelete, Date.now());
    const closed = await signal(leader, { ticker, action: "close", price: 25610 });
    expect(closed.followers).toEqual([{ recorderId: follower.id, result: "closed" }]);
  });

  it("daily limits on the recorder's only symbol: cached, and its own losses still count", async () => {
    const { ticker } = uniqueMnq();
    const rec = await warm({ timezone: "UTC", tradingDayStart: "00:00", dailyLossLimit: 10 }, ticker); // +$2 so far
    await signal(rec, { ticker, action: "buy", price: 25600 });
    expect((await signal(rec, { ticker, action: "close", price: 25594 })).trade.pnl).toBe(-12); // day: −$10
    expect(await signal(rec, { ticker, action: "buy", price: 25594 })).toMatchObject({ result: "ignored", reason: "daily_limit" });
  });
});

describe("LookupCache", () => {
  const row = { recorder: { id: "r" }, notify: [] } as never;

  it("forgets an entry after its life", () => {
    const c = new LookupCache();
    c.set("h", row, 1_000);
    expect(c.get("h", 1_000 + LIFE_MS - 1)).toBe(row);
    expect(c.get("h", 1_000 + LIFE_MS)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it("keeps at most 10 000 entries, dropping the oldest first", () => {
    const c = new LookupCache();
    for (let i = 0; i < 10_001; i++) c.set(`h${i}`, row, 0);
    expect(c.size).toBe(10_000);
    expect(c.get("h0", 1)).toBeUndefined();
    expect(c.get("h1", 1)).toBe(row);
    expect(c.get("h10000", 1)).toBe(row);
  });
});
