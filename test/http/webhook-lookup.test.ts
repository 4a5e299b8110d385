// The webhook's lookup (src/recorders/webhook-lookup.ts) builds its SQL once and maps D1's rows itself, by the
// recorders table's column definitions. Here its answer is pinned to what drizzle's own select() returns for the
// same recorders — booleans, JSON settings (legs, trail, break-even, sessions), nulls and numbers alike — for a
// leader with followers (enabled ones only, oldest first), for a follower's own token (no followers), and for
// tokens that must find nothing (unknown, disabled).
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { findFollowers, findWithFollowers, getRecorder } from "../../src/recorders/repository";
import { apiJson, createRecorder } from "../helpers";

const tokenOf = (rec: { webhookPath: string }) => rec.webhookPath.split("/").pop()!;

describe("the webhook's lookup", () => {
  it("returns exactly the rows drizzle's select() returns, leader then enabled followers", async () => {
    const db = drizzle(env.DB);
    const leader = await createRecorder({
      name: "lookup leader",
      symbol: "MNQ",
      allowAdd: false,
      reverseOnOpposite: false,
      takeProfitLegs: [{ ticks: 8, percent: 50 }, { ticks: 16, percent: 50 }],
      trailingStop: { triggerTicks: 8, distanceTicks: 4 },
      breakEven: { triggerTicks: 12, offsetTicks: 2 },
      stopLossTicks: 20,
      commissionPerContract: 0.25,
      dailyLossLimit: 500,
      flattenOnDailyLimit: true,
      maxSignalAgeSeconds: 30,
    });
    const first = await createRecorder({ name: "follower 1", followsRecorderId: leader.id, quantityStep: 0.001 });
    const off = await createRecorder({ name: "follower off", followsRecorderId: leader.id });
    await apiJson("PATCH", `/api/recorders/${off.id}`, { enabled: false });
    const second = await createRecorder({ name: "follower 2", followsRecorderId: leader.id, dailyProfitTarget: 100 });

    const found = await findWithFollowers(env.DB, tokenOf(leader), new Date());
    expect(found).toBeDefined();
    expect(found!.recorder).toEqual(await getRecorder(db, leader.id));
    expect(found!.followers).toEqual(await findFollowers(db, leader.id));
    expect(found!.followers.map((f) => f.id)).toEqual([first.id, second.id]);
    // Spot checks that the decoding really happened (not only that both sides agree).
    expect(found!.recorder.allowAdd).toBe(false);
    expect(found!.recorder.enabled).toBe(true);
    expect(found!.recorder.takeProfitLegs).toEqual([{ ticks: 8, percent: 50 }, { ticks: 16, percent: 50 }]);
    expect(found!.recorder.trailingStop).toEqual({ triggerTicks: 8, distanceTicks: 4 });
    expect(found!.recorder.followsRecorderId).toBeNull();
    expect(found!.dayPnl).toEqual([]);

    // A follower's own token: itself, no followers.
    const own = await findWithFollowers(env.DB, tokenOf(first), new Date());
    expect(own!.recorder).toEqual(await getRecorder(db, first.id));
    expect(own!.followers).toEqual([]);

    // The events their enabled notification targets want, each recorder's own (a disabled target's: none).
    const target = (id: string, events: string[]) => apiJson("POST", `/api/recorders/${id}/notifications`, { kind: "webhook", url: "https://example.com/hook", events }, 201);
    await target(leader.id, ["closed"]);
    await target(leader.id, ["opened", "closed"]);
    await target(second.id, ["rejected"]);
    const offTarget = (await target(first.id, ["feed_down"])).target as { id: string };
    await apiJson("PATCH", `/api/recorders/${first.id}/notifications/${offTarget.id}`, { enabled: false });
    const again = await findWithFollowers(env.DB, tokenOf(leader), new Date());
    expect(Object.fromEntries(again!.notify)).toEqual({ [leader.id]: ["closed", "opened"], [second.id]: ["rejected"] });
    expect(Object.fromEntries((await findWithFollowers(env.DB, tokenOf(second), new Date()))!.notify)).toEqual({ [second.id]: ["rejected"] });

    // Nothing for a disabled recorder's token, nor for an unknown one.
    expect(await findWithFollowers(env.DB, tokenOf(off), new Date())).toBeUndefined();
    expect(await findWithFollowers(env.DB, "x".repeat(43), new Date())).toBeUndefined();
  });
});
