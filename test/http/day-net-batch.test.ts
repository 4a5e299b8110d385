// CONTRACT "Exits and risk rules": the daily limits count "the recorder's realized net P&L for the trading day",
// on every symbol. The P&L of the other symbols comes from D1 with the webhook's lookup (one batch: recorder,
// followers, their recent P&L per feed symbol and 15-minute bucket aligned on each one's day start;
// src/recorders/day-pnl.ts) and is cut at each recorder's own trading-day start in the Worker
// (src/webhook/day-net.ts). Here, through HTTP, with trades put
// in D1 at chosen close times (the outbox would stamp them with the time of the test): a trade closed exactly at
// the day start counts, one a millisecond before (the previous minute) does not; a follower cuts at its own day
// start in its own timezone; a recorder without a limit neither counts nor is counted. The nets are pinned by a
// limit that is reached at the net and one a cent looser that is not. 1 MNQ point = $2 per contract.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { waitFor } from "../feed/helpers";
import { mnqContracts } from "../feed-do/helpers";
import { findWithFollowers } from "../../src/recorders/repository";
import { apiJson, createRecorder, signal, tradesOf } from "../helpers";

const uniqueMnq = mnqContracts(5400);
const MIN = 60_000;
const HOUR = 3_600_000;

/** The fake's anonymous feed reports delayed data: signals here apply at once. */
const BASE = { delayedFeed: "immediate", dedupeWindowSeconds: 0, commissionPerContract: 0 } as const;

let n = 0;
/** A closed position and its trade in D1, as the outbox writes them, closed at `closedAt` with net `pnl`. */
async function putTrade(recorderId: string, feedSymbol: string, closedAtMs: number, pnl: number): Promise<string> {
  const id = `day-net-batch-${n++}`;
  const closedAt = new Date(closedAtMs).toISOString();
  const openedAt = new Date(closedAtMs - MIN).toISOString();
  const symbol = feedSymbol.split(":")[1];
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO positions (id, recorder_id, symbol, feed_symbol, status, opened_at, closed_at, data, version) VALUES (?, ?, ?, ?, 'closed', ?, ?, '{}', 1)",
    ).bind(id, recorderId, symbol, feedSymbol, openedAt, closedAt),
    env.DB.prepare(
      `INSERT INTO trades (id, position_id, recorder_id, symbol, side, quantity, entry_price, exit_price, gross_pnl, commission, pnl,
         max_favorable, max_adverse, opened_at, closed_at, exit_reason) VALUES (?, ?, ?, ?, 'long', 1, 25600, 25600, ?, 0, ?, 0, 0, ?, ?, 'signal')`,
    ).bind(id, id, recorderId, symbol, pnl, pnl, openedAt, closedAt),
  ]);
  return id;
}

async function dropTrade(id: string): Promise<void> {
  await env.DB.batch([env.DB.prepare("DELETE FROM trades WHERE id = ?").bind(id), env.DB.prepare("DELETE FROM positions WHERE id = ?").bind(id)]);
}

/** The latest whole minute at or before `ms` whose epoch minute is ≡ `residue` (mod 15). */
function minuteOf(ms: number, residue: number): number {
  const m = Math.floor(ms / MIN);
  return (m - ((((m - residue) % 15) + 15) % 15)) * MIN;
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

describe("daily limits: the other symbols' day net from the webhook's one lookup", () => {
  it("cuts each recorder's trades at its own trading-day start, to the minute; recorders without a limit cost and count nothing", async () => {
    const now = Date.now();
    // The leader's day (UTC) began on the whole minute about 3 h ago; the follower's (Asia/Kathmandu, UTC+05:45, no
    // DST) about 5 h ago, so its tradingDayStart is that instant's Kathmandu clock time.
    // Both off the quarter hours (minutes ≡ 7 and 11 mod 15), so a bucket grid that ignored them would show.
    const leaderStart = minuteOf(now - 3 * HOUR, 7);
    const followerStart = minuteOf(now - 5 * HOUR, 11);
    const leader = await createRecorder({ ...BASE, name: "leader", timezone: "UTC", tradingDayStart: hhmm(leaderStart), dailyLossLimit: 1000 });
    const follower = await createRecorder({
      ...BASE,
      name: "follower",
      followsRecorderId: leader.id,
      timezone: "Asia/Kathmandu",
      tradingDayStart: hhmm(followerStart + (5 * 60 + 45) * MIN),
      dailyProfitTarget: 1000,
    });
    const unlimited = await createRecorder({ ...BASE, name: "no limit", followsRecorderId: leader.id });

    // One real round trip on another symbol, through the outbox: +1 point = +$2 for each of the three.
    const real = uniqueMnq();
    await signal(leader, { ticker: real.ticker, action: "buy", price: 25600 });
    expect((await signal(leader, { ticker: real.ticker, action: "close", price: 25601 })).trade.pnl).toBe(2);
    for (const r of [leader, follower]) await waitFor(async () => (await tradesOf(r.id)).length === 1, 10_000, "the real trade in D1");

    const other = uniqueMnq().feedSymbol;
    const other2 = uniqueMnq().feedSymbol;
    const probes = [uniqueMnq(), uniqueMnq(), uniqueMnq(), uniqueMnq()];
    // Leader: −10.25 at the day start exactly and −4.50 at its last millisecond of that minute (both count), −100 a
    // millisecond before the start (the previous minute: not), −1000 two hours before (not), +3.25 a minute ago, −2
    // on a third symbol. With the real +2: −10.25 − 4.50 + 3.25 − 2 + 2 = −11.50.
    await putTrade(leader.id, other, leaderStart, -10.25);
    await putTrade(leader.id, other, leaderStart + MIN - 1, -4.5);
    await putTrade(leader.id, other, leaderStart - 1, -100);
    await putTrade(leader.id, other, leaderStart - 2 * HOUR, -1000);
    await putTrade(leader.id, other, now - MIN, 3.25);
    await putTrade(leader.id, other2, now - 30 * MIN, -2);
    // Follower: +7.10 at its day start exactly (counts), +50 a millisecond before (not), +0.40 a millisecond before
    // the LEADER's start (inside the follower's day: counts), +5.15 a minute ago. With the real +2: +14.65.
    await putTrade(follower.id, other, followerStart, 7.1);
    await putTrade(follower.id, other, followerStart - 1, 50);
    await putTrade(follower.id, other, leaderStart - 1, 0.4);
    await putTrade(follower.id, other, now - MIN, 5.15);
    // No limit: its loss counts for nobody (and would swamp both nets if it leaked).
    await putTrade(unlimited.id, other, now - MIN, -9999);

    // The lookup itself: rows for the two recorders with a limit only, each in 15-minute buckets aligned on that
    // recorder's own day start (day-pnl.ts), so both day starts are bucket boundaries.
    const token = leader.webhookPath.split("/").pop()!;
    const found = await findWithFollowers(env.DB, token, new Date(now));
    const ids = new Set(found!.dayPnl.map((r) => r.recorderId));
    expect(ids).toEqual(new Set([leader.id, follower.id]));
    for (const [id, start] of [[leader.id, leaderStart], [follower.id, followerStart]] as const) {
      const buckets = found!.dayPnl.filter((r) => r.recorderId === id).map((r) => r.bucket);
      expect(buckets.every((b) => (b * MIN - start) % (15 * MIN) === 0), `${id}'s buckets on its day start's grid`).toBe(true);
      expect(buckets).toContain(start / MIN);
    }

    const limits = (loss: number | null, target: number) =>
      Promise.all([
        apiJson("PATCH", `/api/recorders/${leader.id}`, { dailyLossLimit: loss }),
        apiJson("PATCH", `/api/recorders/${follower.id}`, { dailyProfitTarget: target }),
      ]);
    // A probe: an entry on a symbol of its own. That symbol's trades are its object's to know, never D1's: with
    // −$500 (leader) and +$500 (follower) in D1 on it, and none in its object, the nets above hold.
    const buy = async (rec: { webhookPath: string }, probe: { ticker: string; feedSymbol: string }) => {
      const own = [await putTrade(leader.id, probe.feedSymbol, now - MIN, -500), await putTrade(follower.id, probe.feedSymbol, now - MIN, 500)];
      try {
        return await signal(rec, { ticker: probe.ticker, action: "buy", price: 25600 });
      } finally {
        for (const id of own) await dropTrade(id);
      }
    };

    // Reached at the nets: the leader's −11.50 against a $11.50 loss limit, the follower's +14.65 against a $14.65
    // target.
    await limits(11.5, 14.65);
    const reached = await buy(leader, probes[0]);
    expect(reached).toMatchObject({ result: "ignored", reason: "daily_limit" });
    expect(reached.followers).toEqual([
      { recorderId: follower.id, result: "ignored", reason: "daily_limit" },
      { recorderId: unlimited.id, result: "opened" },
    ]);
    // The follower's own webhook looks up its own day alone.
    expect(await buy(follower, probes[1]), "the follower's own webhook").toMatchObject({ result: "ignored", reason: "daily_limit" });

    // A cent looser: not reached.
    await limits(11.51, 14.66);
    const open = await buy(leader, probes[2]);
    expect(open.result).toBe("opened");
    expect(open.followers).toEqual([
      { recorderId: follower.id, result: "opened" },
      { recorderId: unlimited.id, result: "opened" },
    ]);

    // A leader without a limit still brings its follower's day.
    await limits(null, 14.65);
    const noLeaderLimit = await buy(leader, probes[3]);
    expect(noLeaderLimit.result).toBe("opened");
    expect(noLeaderLimit.followers).toEqual([
      { recorderId: follower.id, result: "ignored", reason: "daily_limit" },
      { recorderId: unlimited.id, result: "opened" },
    ]);
  });
});
