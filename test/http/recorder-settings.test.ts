// Recorder settings of CONTRACT second round ("Exits and risk rules", "More than one recorder per alert, and
// housekeeping") through the admin API: defaults, validation, patch round trip, followers, clone and reset.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/d1";
import { eq } from "drizzle-orm";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fills, positions, signals as signalLog } from "../../src/db/schema";
import { engineSettings, findFollowers, getRecorder } from "../../src/recorders/repository";
import { api, apiJson, createRecorder, expectError, freshMnq, openPositions, signal, symbolStub, tradesOf, webhook } from "../helpers";

const inObject = runInDurableObject as unknown as <R>(s: unknown, cb: (obj: any) => R) => Promise<R>;

const DEFAULTS = {
  takeProfitLegs: null,
  trailingStop: null,
  breakEven: null,
  directionFilter: "both",
  maxContracts: null,
  cooldownSeconds: 0,
  maxSignalAgeSeconds: null,
  slippageTicks: 0,
  timezone: "America/New_York",
  sessions: [],
  flattenAtSessionEnd: false,
  tradingDayStart: "18:00",
  dailyLossLimit: null,
  dailyProfitTarget: null,
  flattenOnDailyLimit: false,
  initialCapital: null,
  followsRecorderId: null,
};

/** Every second-round setting away from its default. */
const CHANGED = {
  takeProfitLegs: [
    { ticks: 8, percent: 50 },
    { ticks: 16, percent: 30 },
    { ticks: 40, percent: 20 },
  ],
  trailingStop: { triggerTicks: 10, distanceTicks: 6 },
  breakEven: { triggerTicks: 8, offsetTicks: 1 },
  directionFilter: "long",
  maxContracts: 5,
  cooldownSeconds: 300,
  maxSignalAgeSeconds: 120,
  slippageTicks: 2,
  timezone: "Europe/London",
  sessions: [
    { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:30", end: "16:00" },
    { days: ["sun"], start: "18:00", end: "17:00" },
  ],
  flattenAtSessionEnd: true,
  tradingDayStart: "17:00",
  dailyLossLimit: 500,
  dailyProfitTarget: 1000.5,
  flattenOnDailyLimit: true,
  initialCapital: 25000,
};

async function refused(method: "POST" | "PATCH", path: string, body: Record<string, unknown>, field: string) {
  const r = await api(method, path, body);
  const json: any = await r.json();
  expect(r.status, `${JSON.stringify(body)} -> ${JSON.stringify(json)}`).toBe(400);
  expectError(json, "invalid_request");
  const fields = json.error.details.map((d: any) => d.field);
  expect(fields, `${JSON.stringify(body)} -> ${JSON.stringify(json.error.details)}`).toContain(field);
  for (const d of json.error.details) expect(typeof d.problem).toBe("string");
  return json;
}

describe("exits and risk settings", () => {
  it("create applies every default; GET, the list and the engine settings show them", async () => {
    const rec = await createRecorder({ name: "defaults" });
    expect(rec).toMatchObject(DEFAULTS);
    const { recorder } = await apiJson("GET", `/api/recorders/${rec.id}`);
    expect(recorder).toMatchObject(DEFAULTS);
    const { recorders } = await apiJson("GET", "/api/recorders");
    expect(recorders.find((r: any) => r.id === rec.id)).toMatchObject(DEFAULTS);

    const row = await getRecorder(drizzle(env.DB), rec.id);
    expect(engineSettings(row!)).toMatchObject({
      id: rec.id,
      quantityStep: 1,
      takeProfitLegs: null,
      trailingStop: null,
      breakEven: null,
      directionFilter: "both",
      maxContracts: null,
      cooldownSeconds: 0,
      slippageTicks: 0,
      timezone: "America/New_York",
      sessions: [],
      flattenAtSessionEnd: false,
      tradingDayStart: "18:00",
      dailyLossLimit: null,
      dailyProfitTarget: null,
      flattenOnDailyLimit: false,
      initialCapital: null,
    });
  });

  it("create with every setting stores it; the engine gets all of them", async () => {
    const rec = await createRecorder({ name: "all", quantityStep: 0.5, ...CHANGED });
    expect(rec).toMatchObject(CHANGED);
    const { recorder } = await apiJson("GET", `/api/recorders/${rec.id}`);
    expect(recorder).toMatchObject(CHANGED);
    const { maxSignalAgeSeconds: _notEngine, ...engineOnes } = CHANGED;
    const row = await getRecorder(drizzle(env.DB), rec.id);
    expect(engineSettings(row!)).toMatchObject({ ...engineOnes, quantityStep: 0.5 });
  });

  it("each invalid setting is a 400 naming its field, on create and on patch, and changes nothing", async () => {
    const leg = (ticks: number, percent: number) => ({ ticks, percent });
    const cases: [Record<string, unknown>, string][] = [
      [{ takeProfitLegs: [] }, "takeProfitLegs"],
      [{ takeProfitLegs: Array.from({ length: 11 }, (_, i) => leg(i + 1, i === 10 ? 0 : 10)) }, "takeProfitLegs"],
      [{ takeProfitLegs: [leg(0, 100)] }, "takeProfitLegs.0.ticks"],
      [{ takeProfitLegs: [leg(-4, 100)] }, "takeProfitLegs.0.ticks"],
      [{ takeProfitLegs: [leg(1e9, 100)] }, "takeProfitLegs.0.ticks"],
      [{ takeProfitLegs: [leg(8, 0), leg(16, 100)] }, "takeProfitLegs.0.percent"],
      [{ takeProfitLegs: [leg(8, 50), leg(16, 40)] }, "takeProfitLegs"],
      [{ takeProfitLegs: [leg(8, 60), leg(16, 60)] }, "takeProfitLegs"],
      [{ takeProfitLegs: [leg(16, 50), leg(8, 50)] }, "takeProfitLegs.1.ticks"],
      [{ takeProfitLegs: [leg(8, 50), leg(8, 50)] }, "takeProfitLegs.1.ticks"],
      [{ takeProfitLegs: [{ ticks: 8, percent: 100, qty: 1 }] }, "takeProfitLegs.0"],
      [{ takeProfitLegs: { ticks: 8, percent: 100 } }, "takeProfitLegs"],
      [{ trailingStop: { triggerTicks: -1, distanceTicks: 4 } }, "trailingStop.triggerTicks"],
      [{ trailingStop: { triggerTicks: 0, distanceTicks: 0 } }, "trailingStop.distanceTicks"],
      [{ trailingStop: { triggerTicks: 1.5, distanceTicks: 4 } }, "trailingStop.triggerTicks"],
      [{ trailingStop: { triggerTicks: 0, distanceTicks: 1e6 } }, "trailingStop.distanceTicks"],
      [{ trailingStop: { triggerTicks: 4 } }, "trailingStop.distanceTicks"],
      [{ breakEven: { triggerTicks: 0, offsetTicks: 0 } }, "breakEven.triggerTicks"],
      [{ breakEven: { triggerTicks: 8, offsetTicks: 8 } }, "breakEven.offsetTicks"],
      [{ breakEven: { triggerTicks: 8, offsetTicks: -1 } }, "breakEven.offsetTicks"],
      [{ breakEven: { triggerTicks: 1e6, offsetTicks: 1 } }, "breakEven.triggerTicks"],
      [{ directionFilter: "up" }, "directionFilter"],
      [{ directionFilter: null }, "directionFilter"],
      [{ maxContracts: 0 }, "maxContracts"],
      [{ maxContracts: 100_001 }, "maxContracts"],
      [{ cooldownSeconds: -1 }, "cooldownSeconds"],
      [{ cooldownSeconds: 1.5 }, "cooldownSeconds"],
      [{ cooldownSeconds: 86_401 }, "cooldownSeconds"],
      [{ maxSignalAgeSeconds: 0 }, "maxSignalAgeSeconds"],
      [{ maxSignalAgeSeconds: 86_401 }, "maxSignalAgeSeconds"],
      [{ slippageTicks: -1 }, "slippageTicks"],
      [{ slippageTicks: 0.5 }, "slippageTicks"],
      [{ slippageTicks: 1001 }, "slippageTicks"],
      [{ timezone: "Mars/Olympus_Mons" }, "timezone"],
      [{ timezone: "" }, "timezone"],
      [{ timezone: null }, "timezone"],
      [{ sessions: null }, "sessions"],
      [{ sessions: Array.from({ length: 21 }, () => ({ days: ["mon"], start: "09:00", end: "10:00" })) }, "sessions"],
      [{ sessions: [{ days: [], start: "09:30", end: "16:00" }] }, "sessions.0.days"],
      [{ sessions: [{ days: ["mon", "mon"], start: "09:30", end: "16:00" }] }, "sessions.0.days"],
      [{ sessions: [{ days: ["monday"], start: "09:30", end: "16:00" }] }, "sessions.0.days.0"],
      [{ sessions: [{ days: ["mon"], start: "24:00", end: "16:00" }] }, "sessions.0.start"],
      [{ sessions: [{ days: ["mon"], start: "9:30", end: "16:00" }] }, "sessions.0.start"],
      [{ sessions: [{ days: ["mon"], start: "09:30", end: "16:60" }] }, "sessions.0.end"],
      [{ sessions: [{ days: ["mon"], start: "09:30", end: "09:30" }] }, "sessions.0.end"],
      [{ sessions: [{ days: ["mon"], start: "09:30" }] }, "sessions.0.end"],
      [{ flattenAtSessionEnd: "yes" }, "flattenAtSessionEnd"],
      [{ tradingDayStart: "18:60" }, "tradingDayStart"],
      [{ tradingDayStart: "6pm" }, "tradingDayStart"],
      [{ dailyLossLimit: 0 }, "dailyLossLimit"],
      [{ dailyLossLimit: -100 }, "dailyLossLimit"],
      [{ dailyLossLimit: 2e9 }, "dailyLossLimit"],
      [{ dailyProfitTarget: 0 }, "dailyProfitTarget"],
      [{ dailyProfitTarget: "100" }, "dailyProfitTarget"],
      [{ flattenOnDailyLimit: 1 }, "flattenOnDailyLimit"],
      [{ initialCapital: 0 }, "initialCapital"],
      [{ initialCapital: 2e12 }, "initialCapital"],
      [{ followsRecorderId: "" }, "followsRecorderId"],
      [{ followsRecorderId: 12 }, "followsRecorderId"],
    ];
    const target = await createRecorder({ name: "target" });
    const before = (await apiJson("GET", `/api/recorders/${target.id}`)).recorder;
    for (const [body, field] of cases) {
      await refused("POST", "/api/recorders", { name: "bad", ...body }, field);
      await refused("PATCH", `/api/recorders/${target.id}`, body, field);
    }
    expect((await apiJson("GET", `/api/recorders/${target.id}`)).recorder).toEqual(before);
  });

  it("edge values that are valid are accepted", async () => {
    const rec = await createRecorder({
      takeProfitLegs: [
        { ticks: 4, percent: 33.3 },
        { ticks: 8, percent: 33.3 },
        { ticks: 12.5, percent: 33.4 }, // sums to 100.00000000000001
      ],
      trailingStop: { triggerTicks: 0, distanceTicks: 999_999 },
      breakEven: { triggerTicks: 1, offsetTicks: 0 },
      maxContracts: 100_000,
      cooldownSeconds: 86_400,
      maxSignalAgeSeconds: 1,
      slippageTicks: 1000,
      timezone: "UTC",
      sessions: [{ days: ["sat", "sun"], start: "00:00", end: "23:59" }],
      tradingDayStart: "00:00",
      dailyLossLimit: 1e9,
      initialCapital: 1e12,
    });
    expect(rec.takeProfitLegs).toHaveLength(3);
    const tenLegs = Array.from({ length: 10 }, (_, i) => ({ ticks: (i + 1) * 2, percent: 10 }));
    const { recorder } = await apiJson("PATCH", `/api/recorders/${rec.id}`, { takeProfitLegs: tenLegs, timezone: "Asia/Kolkata" });
    expect(recorder).toMatchObject({ takeProfitLegs: tenLegs, timezone: "Asia/Kolkata" });
  });

  it("patch round trip of every setting, and back to the defaults", async () => {
    const rec = await createRecorder({ name: "roundtrip" });
    const { recorder: patched } = await apiJson("PATCH", `/api/recorders/${rec.id}`, CHANGED);
    expect(patched).toMatchObject({ ...CHANGED, name: "roundtrip" });
    expect((await apiJson("GET", `/api/recorders/${rec.id}`)).recorder).toMatchObject(CHANGED);

    // One field at a time leaves the others alone.
    const { recorder: one } = await apiJson("PATCH", `/api/recorders/${rec.id}`, { slippageTicks: 3 });
    expect(one).toMatchObject({ ...CHANGED, slippageTicks: 3 });

    const { followsRecorderId: _f, ...resettable } = DEFAULTS;
    const { recorder: back } = await apiJson("PATCH", `/api/recorders/${rec.id}`, resettable);
    expect(back).toMatchObject(DEFAULTS);
    expect((await apiJson("GET", `/api/recorders/${rec.id}`)).recorder).toMatchObject(DEFAULTS);
  });
});

describe("followers", () => {
  it("follower rules: not itself, not a missing recorder, never a chain", async () => {
    const leader = await createRecorder({ name: "leader" });
    const follower = await createRecorder({ name: "follower", followsRecorderId: leader.id });
    expect(follower.followsRecorderId).toBe(leader.id);

    // Itself.
    const self = await refused("PATCH", `/api/recorders/${leader.id}`, { followsRecorderId: leader.id }, "followsRecorderId");
    expect(self.error.details[0].problem).toMatch(/itself/);
    // A recorder that does not exist.
    await refused("POST", "/api/recorders", { name: "x", followsRecorderId: "no-such-recorder" }, "followsRecorderId");
    await refused("PATCH", `/api/recorders/${leader.id}`, { followsRecorderId: crypto.randomUUID() }, "followsRecorderId");
    // A follower of a follower, on create and on patch.
    const chain = await refused("POST", "/api/recorders", { name: "x", followsRecorderId: follower.id }, "followsRecorderId");
    expect(chain.error.details[0].problem).toMatch(/follower of a follower/);
    const other = await createRecorder({ name: "other" });
    await refused("PATCH", `/api/recorders/${other.id}`, { followsRecorderId: follower.id }, "followsRecorderId");
    // A recorder with followers cannot become a follower.
    const followed = await refused("PATCH", `/api/recorders/${leader.id}`, { followsRecorderId: other.id }, "followsRecorderId");
    expect(followed.error.details[0].problem).toMatch(/1 follower/);
    // Nothing changed.
    expect((await apiJson("GET", `/api/recorders/${leader.id}`)).recorder.followsRecorderId).toBeNull();
    expect((await apiJson("GET", `/api/recorders/${other.id}`)).recorder.followsRecorderId).toBeNull();
    // A missing recorder is still a 404 first.
    expect((await api("PATCH", "/api/recorders/nope", { followsRecorderId: leader.id })).status).toBe(404);

    // Moving a follower to another leader, and un-following, are fine.
    const moved = await apiJson("PATCH", `/api/recorders/${follower.id}`, { followsRecorderId: other.id });
    expect(moved.recorder.followsRecorderId).toBe(other.id);
    // Now the old leader has no followers and may follow.
    const nowFollows = await apiJson("PATCH", `/api/recorders/${leader.id}`, { followsRecorderId: other.id });
    expect(nowFollows.recorder.followsRecorderId).toBe(other.id);
    const freed = await apiJson("PATCH", `/api/recorders/${follower.id}`, { followsRecorderId: null });
    expect(freed.recorder.followsRecorderId).toBeNull();
  });

  it("findFollowers lists the enabled followers, oldest first", async () => {
    const db = drizzle(env.DB);
    const leader = await createRecorder({ name: "lead" });
    expect(await findFollowers(db, leader.id)).toEqual([]);
    const a = await createRecorder({ name: "a", followsRecorderId: leader.id });
    const b = await createRecorder({ name: "b", followsRecorderId: leader.id, enabled: false });
    const c = await createRecorder({ name: "c", followsRecorderId: leader.id });
    await createRecorder({ name: "unrelated" });
    const found = await findFollowers(db, leader.id);
    expect(found.map((r) => r.id)).toEqual([a.id, c.id]);
    expect(found[0]).toMatchObject({ followsRecorderId: leader.id, enabled: true, sessions: [] });
    await apiJson("PATCH", `/api/recorders/${b.id}`, { enabled: true });
    expect((await findFollowers(db, leader.id)).map((r) => r.id)).toEqual([a.id, b.id, c.id]);
  });

  it("a leader with followers cannot be deleted (409 recorder_has_followers) until they leave", async () => {
    const leader = await createRecorder({ name: "leader" });
    const f1 = await createRecorder({ name: "f1", followsRecorderId: leader.id });
    const f2 = await createRecorder({ name: "f2", followsRecorderId: leader.id, enabled: false });
    const r = await api("DELETE", `/api/recorders/${leader.id}`);
    expect(r.status).toBe(409);
    const json: any = await r.json();
    expectError(json, "recorder_has_followers");
    expect(json.error.message).toContain("2 recorder(s)");
    const still = (await apiJson("GET", `/api/recorders/${leader.id}`)).recorder;
    expect(still.enabled).toBe(true); // the refusal left it as it was

    expect((await api("DELETE", `/api/recorders/${f1.id}`)).status).toBe(200);
    await apiJson("PATCH", `/api/recorders/${f2.id}`, { followsRecorderId: null });
    expect((await api("DELETE", `/api/recorders/${leader.id}`)).status).toBe(200);
  });
});

describe("clone", () => {
  it("copies every setting under a new id and token; the new token records for the clone", async () => {
    const { ticker } = freshMnq();
    const leader = await createRecorder({ name: "leader" });
    const src = await createRecorder({
      name: "source",
      symbol: "MNQ1!",
      initialQuantity: 2,
      commissionPerContract: 0.62,
      takeProfitTicks: 40,
      dedupeWindowSeconds: 0,
      delayedFeed: "immediate",
      ...CHANGED,
      directionFilter: "both",
      sessions: [],
      followsRecorderId: leader.id,
    });
    const r = await api("POST", `/api/recorders/${src.id}/clone`, { name: "copy" });
    expect(r.status).toBe(201);
    const { recorder: clone }: any = await r.json();
    expect(clone.id).not.toBe(src.id);
    expect(clone.name).toBe("copy");
    expect(clone.webhookToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(clone.webhookToken).not.toBe(src.webhookToken);
    expect(clone.webhookPath).toBe(`/webhook/${clone.webhookToken}`);
    expect(clone.tokenHash).toBeUndefined();

    const strip = ({ id: _i, name: _n, createdAt: _c, updatedAt: _u, webhookToken: _t, webhookPath: _p, ...rest }: any) => rest;
    const original = (await apiJson("GET", `/api/recorders/${src.id}`)).recorder;
    expect(strip(clone)).toEqual(strip(original));
    expect(strip((await apiJson("GET", `/api/recorders/${clone.id}`)).recorder)).toEqual(strip(original));
    expect(clone.followsRecorderId).toBe(leader.id); // a valid link is kept

    // The clone's token records for the clone; the source's for the source.
    const viaClone = await signal(clone, { ticker, action: "buy", price: 25600 });
    expect(viaClone).toMatchObject({ ok: true, recorderId: clone.id, result: "opened" });
    expect(viaClone.position.quantity).toBe(2);
    const viaSource = await signal(src, { ticker, action: "buy", price: 25600 });
    expect(viaSource.recorderId).toBe(src.id);
    await signal(clone, { ticker, action: "close", price: 25600 });
    await signal(src, { ticker, action: "close", price: 25600 });
  });

  it("default name, copied enabled flag, no followers inherited, 404 and 400", async () => {
    const src = await createRecorder({ name: "x".repeat(120), enabled: false });
    const follower = await createRecorder({ name: "f", followsRecorderId: src.id });
    const { recorder: clone } = await apiJson("POST", `/api/recorders/${src.id}/clone`, undefined, 201);
    expect(clone.name.length).toBeLessThanOrEqual(120);
    expect(clone.name.startsWith("xxx")).toBe(true);
    expect(clone.enabled).toBe(false);
    expect(clone.followsRecorderId).toBeNull();
    const db = drizzle(env.DB);
    expect(await findFollowers(db, clone.id)).toEqual([]);
    expect((await getRecorder(db, follower.id))!.followsRecorderId).toBe(src.id);
    // A disabled clone's token answers 404 like its source's.
    expect((await webhook(clone, { ticker: "MNQ1!", action: "buy", price: 25600 })).status).toBe(404);

    // Cloning a follower whose link is invalid now (its leader became... gone) drops the link.
    const lead = await createRecorder({ name: "lead" });
    const fol = await createRecorder({ name: "fol", followsRecorderId: lead.id });
    await apiJson("PATCH", `/api/recorders/${fol.id}`, { followsRecorderId: null });
    await apiJson("DELETE", `/api/recorders/${lead.id}`);
    await env.DB.prepare("UPDATE recorders SET follows_recorder_id = ? WHERE id = ?").bind(lead.id, fol.id).run(); // dangling
    const { recorder: c2 } = await apiJson("POST", `/api/recorders/${fol.id}/clone`, { name: "c2" }, 201);
    expect(c2.followsRecorderId).toBeNull();

    const missing = await api("POST", "/api/recorders/nope/clone", { name: "y" });
    expect(missing.status).toBe(404);
    expectError(await missing.json(), "not_found");
    await refused("POST", `/api/recorders/${src.id}/clone`, { name: "" }, "name");
    await refused("POST", `/api/recorders/${src.id}/clone`, { name: "ok", bogus: 1 }, "bogus");
  });
});

describe("reset", () => {
  it("is refused while a position is open; then deletes closed positions, fills, trades and the signal log", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ name: "reset me" });
    const bystander = await createRecorder({ name: "bystander" });
    await signal(bystander, { ticker, action: "buy", price: 25600 });
    await signal(bystander, { ticker, action: "close", price: 25610 });

    await signal(rec, { ticker, action: "buy", price: 25600 });
    await signal(rec, { ticker, action: "close", price: 25620 });
    const opened = await signal(rec, { ticker, action: "sell", price: 25600 });
    expect(opened.result).toBe("opened");

    const busy = await api("POST", `/api/recorders/${rec.id}/reset`);
    expect(busy.status).toBe(409);
    expectError(await busy.json(), "recorder_has_open_positions");
    expect(await tradesOf(rec.id), "before reset").toHaveLength(1); // nothing deleted
    expect((await apiJson("GET", `/api/signals?recorderId=${rec.id}`)).signals).toHaveLength(3);

    await apiJson("POST", `/api/positions/${opened.position.id}/close`, { price: 25590 });
    expect(await openPositions(rec.id)).toEqual([]);
    expect(await tradesOf(rec.id)).toHaveLength(2);

    // A stale open row in D1 (as a dead-lettered delivery could leave): a reset never touches open rows.
    const db = drizzle(env.DB);
    const staleId = crypto.randomUUID();
    await db.insert(positions).values({ id: staleId, recorderId: rec.id, symbol: "MNQ", feedSymbol: "CME_MINI:MNQZ2099", status: "open", openedAt: "2020-01-01T00:00:00.000Z", data: { id: staleId } });
    await db.insert(fills).values({ id: `${staleId}:0`, positionId: staleId, recorderId: rec.id, symbol: "MNQ", at: "2020-01-01T00:00:00.000Z", side: "buy", quantity: 1, price: 1, reason: "open" });

    const res = await apiJson("POST", `/api/recorders/${rec.id}/reset`);
    expect(res).toEqual({ ok: true, reset: rec.id, deleted: { trades: 2, positions: 2, signals: 3 } });

    expect(await tradesOf(rec.id)).toEqual([]);
    expect((await apiJson("GET", `/api/signals?recorderId=${rec.id}`)).signals).toEqual([]);
    expect((await apiJson("GET", `/api/positions?status=closed&recorderId=${rec.id}`)).positions).toEqual([]);
    const left = await db.select().from(positions).where(eq(positions.recorderId, rec.id));
    expect(left.map((p) => p.id)).toEqual([staleId]);
    const leftFills = await db.select().from(fills).where(eq(fills.recorderId, rec.id));
    expect(leftFills.map((f) => f.id)).toEqual([`${staleId}:0`]);
    expect(await db.select().from(signalLog).where(eq(signalLog.recorderId, rec.id))).toEqual([]);
    await db.delete(fills).where(eq(fills.positionId, staleId));
    await db.delete(positions).where(eq(positions.id, staleId));

    // The recorder itself, and everyone else's record, stay.
    const { recorder } = await apiJson("GET", `/api/recorders/${rec.id}`);
    expect(recorder.name).toBe("reset me");
    expect(await tradesOf(bystander.id), "bystander").toHaveLength(1);
    expect((await apiJson("GET", `/api/signals?recorderId=${bystander.id}`)).signals).toHaveLength(2);
    const { stats } = await apiJson("GET", `/api/recorders/${rec.id}/stats`);
    expect(stats.totalClosedTrades).toBe(0);

    // It records again with the same token. (A new body: the symbol object's dedupe memory is not the signal log,
    // so a byte-identical body within dedupeWindowSeconds would still be a duplicate.)
    const again = await signal(rec, { ticker, action: "buy", price: 25601 });
    expect(again.result).toBe("opened");
    expect(again.duplicate).toBeUndefined();
    await signal(rec, { ticker, action: "close", price: 25602 });
    expect(await tradesOf(rec.id), "after reset").toHaveLength(1);

    const missing = await api("POST", "/api/recorders/nope/reset");
    expect(missing.status).toBe(404);
  });

  it("is refused (409 recorder_busy) while the recorder's rows are still owed to D1", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder();
    const stub = symbolStub(feedSymbol);
    await signal(rec, { ticker, action: "buy", price: 25600 }); // the symbol object exists from here
    await inObject(stub, (obj) => (obj.d1Faults.down = true));
    await signal(rec, { ticker, action: "close", price: 25610 });
    const r = await api("POST", `/api/recorders/${rec.id}/reset`);
    expect(r.status).toBe(409);
    expectError(await r.json(), "recorder_busy");
    await inObject(stub, (obj) => (obj.d1Faults.down = false));
    await runDurableObjectAlarm(stub);
    expect(await tradesOf(rec.id)).toHaveLength(1);
    const ok = await apiJson("POST", `/api/recorders/${rec.id}/reset`);
    expect(ok.deleted).toEqual({ trades: 1, positions: 1, signals: 2 });
  });
});
