// CONTRACT "More than one recorder per alert": a recorder with `followsRecorderId` records every signal that
// reaches its leader's webhook, with its own settings; the leader's reply adds `followers: [{recorderId, result,
// reason?}]`; each recorder dedupes on its own; a follower's refusal never changes the leader's answer.
// MNQ: tick 0.25, $0.50 per tick per contract, so 1 point = $2 per contract.
import { describe, expect, it } from "vitest";
import { waitFor } from "../feed/helpers";
import { mnqContracts } from "../feed-do/helpers";
import { api, apiJson, createRecorder, openPositions, signal, tick, tradesOf } from "../helpers";

const uniqueMnq = mnqContracts(4940);

/** The fake's anonymous feed reports delayed data: signals here apply at once. */
const IMMEDIATE = { delayedFeed: "immediate" } as const;

async function tradeOf(recorderId: string): Promise<any> {
  return waitFor(async () => (await tradesOf(recorderId))[0], 10_000, "the trade in D1");
}

describe("followers", () => {
  it("record the leader's signals with their own settings; a follower with its own commission gets its own P&L", async () => {
    const { ticker } = uniqueMnq();
    const leader = await createRecorder({ ...IMMEDIATE, name: "leader" });
    const f1 = await createRecorder({ ...IMMEDIATE, name: "f1", followsRecorderId: leader.id, commissionPerContract: 1.25, initialQuantity: 2 });
    const f2 = await createRecorder({ ...IMMEDIATE, name: "f2", followsRecorderId: leader.id, directionFilter: "short" });

    const o = await signal(leader, { ticker, action: "buy", price: 25600 });
    expect(o).toMatchObject({ ok: true, recorderId: leader.id, result: "opened", position: { recorderId: leader.id, quantity: 1, commission: 0 } });
    expect(o.followers).toEqual([
      { recorderId: f1.id, result: "opened" },
      { recorderId: f2.id, result: "ignored", reason: "direction_filtered" },
    ]);
    const [fp] = await openPositions(f1.id);
    expect(fp).toMatchObject({ quantity: 2, avgEntryPrice: 25600, commission: 2.5 });
    expect(await openPositions(f2.id)).toEqual([]);

    const c = await signal(leader, { ticker, action: "close", price: 25610 });
    expect(c.followers).toEqual([
      { recorderId: f1.id, result: "closed" },
      { recorderId: f2.id, result: "ignored", reason: "no_open_position" },
    ]);
    // Leader: 1 × 10 points × $2 = $20, no commission.
    expect(c.trade).toMatchObject({ quantity: 1, grossPnl: 20, commission: 0, pnl: 20 });
    // f1: 2 × 10 points × $2 = $40 gross, commission (2 + 2) × $1.25 = $5, net $35.
    expect(await tradeOf(f1.id)).toMatchObject({ recorderId: f1.id, quantity: 2, grossPnl: 40, commission: 5, pnl: 35 });
    expect(await tradesOf(f2.id)).toEqual([]);
    const { stats } = await apiJson("GET", `/api/recorders/${f1.id}/stats`);
    expect(stats).toMatchObject({ netProfit: 35, commissionPaid: 5, totalClosedTrades: 1 });

    // A follower's own webhook records for itself alone; its reply has no followers.
    const own = await signal(f1, { ticker, action: "sell", price: 25600 });
    expect(own).toMatchObject({ recorderId: f1.id, result: "opened", position: { side: "short", quantity: 2 } });
    expect(own.followers).toBeUndefined();
    expect(await openPositions(leader.id)).toEqual([]);
  });

  it("follow their own exit rules on ticks", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const leader = await createRecorder({ ...IMMEDIATE, stopLossTicks: 40 });
    const f = await createRecorder({ ...IMMEDIATE, followsRecorderId: leader.id, takeProfitTicks: 8, slippageTicks: 1 });
    const o = await signal(leader, { ticker, action: "sell", price: 25600 });
    expect(o.followers).toEqual([{ recorderId: f.id, result: "opened" }]);
    // Leader short at 25600, stop 25610. Follower sold 1 tick lower at 25599.75, take-profit 8 ticks below: 25597.75.
    expect((await openPositions(f.id))[0]).toMatchObject({ avgEntryPrice: 25599.75, takeProfitPrice: 25597.75, stopLossPrice: null });
    await tick(feedSymbol, 25597.5);
    // Follower: (25599.75 − 25597.75) × $2 = $4 at its take-profit (never slipped). The leader stays open.
    expect(await tradeOf(f.id)).toMatchObject({ exitReason: "take_profit", exitPrice: 25597.75, pnl: 4 });
    expect((await openPositions(leader.id))[0]).toMatchObject({ quantity: 1, stopLossPrice: 25610 });
    await tick(feedSymbol, 25611); // gaps past the leader's stop: −$22
    expect(await tradeOf(leader.id)).toMatchObject({ exitReason: "stop_loss", exitPrice: 25611, pnl: -22 });
  });

  it("each recorder dedupes on its own", async () => {
    const { ticker } = uniqueMnq();
    const leader = await createRecorder({ ...IMMEDIATE });
    const f = await createRecorder({ ...IMMEDIATE, followsRecorderId: leader.id, dedupeWindowSeconds: 0 });

    // By id: a retry of the leader's alert is a duplicate for both; each repeats its own first answer.
    const first = await signal(leader, { ticker, action: "buy", price: 25600, id: "a-1" });
    expect(first.followers).toEqual([{ recorderId: f.id, result: "opened" }]);
    const retry = await signal(leader, { ticker, action: "buy", price: 25600, id: "a-1" });
    expect(retry).toMatchObject({ duplicate: true, result: "opened", signalId: first.signalId });
    expect(retry.followers).toEqual([{ recorderId: f.id, result: "opened" }]);
    expect((await openPositions(leader.id))[0].quantity).toBe(1);
    expect((await openPositions(f.id))[0].quantity).toBe(1);

    // An id the follower already took through its own webhook is a duplicate for it alone.
    expect((await signal(f, { ticker, action: "buy", price: 25601, id: "b-1" })).result).toBe("added");
    const viaLeader = await signal(leader, { ticker, action: "buy", price: 25602, id: "b-1" });
    expect(viaLeader).toMatchObject({ result: "added", position: { quantity: 2 } });
    expect(viaLeader.duplicate).toBeUndefined();
    expect(viaLeader.followers).toEqual([{ recorderId: f.id, result: "added" }]);
    expect((await openPositions(f.id))[0].quantity).toBe(2); // not added twice

    // Without an id, each uses its own dedupeWindowSeconds: the leader's 10 s makes the repeat a duplicate, the
    // follower's 0 applies it again.
    const body = JSON.stringify({ ticker, action: "buy", price: 25604 });
    expect((await signal(leader, body)).followers).toEqual([{ recorderId: f.id, result: "added" }]);
    const again = await signal(leader, body);
    expect(again.duplicate).toBe(true);
    expect(again.followers).toEqual([{ recorderId: f.id, result: "added" }]);
    expect((await openPositions(leader.id))[0].quantity).toBe(3);
    expect((await openPositions(f.id))[0].quantity).toBe(4);
  });

  it("a follower's refusal is listed and never changes the leader's answer", async () => {
    const { ticker } = uniqueMnq();
    const leader = await createRecorder({ ...IMMEDIATE });
    const strict = await createRecorder({ ...IMMEDIATE, followsRecorderId: leader.id, maxSignalAgeSeconds: 60 });
    const capped = await createRecorder({ ...IMMEDIATE, followsRecorderId: leader.id, maxContracts: 1 });
    const time = new Date(Date.now() - 5 * 60_000).toISOString();
    const r = await signal(leader, { ticker, action: "buy", quantity: 2, price: 25600, time });
    expect(r).toMatchObject({ result: "opened", position: { quantity: 2 } });
    expect(r.followers).toEqual([
      { recorderId: strict.id, result: "rejected", reason: "stale_signal" },
      { recorderId: capped.id, result: "opened" },
    ]);
    expect(await openPositions(strict.id)).toEqual([]);
    expect((await openPositions(capped.id))[0].quantity).toBe(1);
    const more = await signal(leader, { ticker, action: "buy", price: 25601 });
    expect(more.followers).toEqual([
      { recorderId: strict.id, result: "opened" },
      { recorderId: capped.id, result: "ignored", reason: "max_contracts" },
    ]);
    // The follower's signal log has its refusal.
    const rows = await waitFor(async () => {
      const { signals } = await apiJson("GET", `/api/signals?recorderId=${strict.id}`);
      return signals.length >= 2 ? signals : null;
    }, 10_000, "follower's signal log");
    expect(rows.map((s: any) => s.status).sort()).toEqual(["applied", "rejected"]);
    expect(rows.find((s: any) => s.status === "rejected").error.code).toBe("stale_signal");
  });

  it("a disabled follower records nothing; a follower of a follower is refused", async () => {
    const { ticker } = uniqueMnq();
    const leader = await createRecorder({ ...IMMEDIATE });
    const f = await createRecorder({ ...IMMEDIATE, followsRecorderId: leader.id, enabled: false });
    const r = await signal(leader, { ticker, action: "buy", price: 25600 });
    expect(r.followers).toBeUndefined();
    expect(await openPositions(f.id)).toEqual([]);
    const chain = await api("POST", "/api/recorders", { name: "chain", followsRecorderId: f.id });
    expect(chain.status).toBe(400);
    expect(((await chain.json()) as any).error.details).toEqual([expect.objectContaining({ field: "followsRecorderId" })]);
  });
});
