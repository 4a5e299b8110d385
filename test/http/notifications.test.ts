// Notifications end to end: targets through the admin API, positions through the real webhook, messages to a
// real HTTP receiver on 127.0.0.1 (test/notify-receiver.mjs, started by global-setup.ts).
import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { api, apiJson, createRecorder, evictSymbol, expectError, freshMnq, signal, symbolStub, tick, tradesOf, webhook } from "../helpers";
import { addTarget, delivered, IMMEDIATE, newBox, sleep } from "../notify/receiver";

describe("opened and closed reach every target, each in its own shape", () => {
  it("webhook, slack and discord targets get the open and the close with the hand-computed P&L", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder({ ...IMMEDIATE, name: "MNQ scalper", commissionPerContract: 0.37 });
    const hook = newBox();
    const slack = newBox();
    const discord = newBox();
    const events = ["opened", "closed"];
    const t1 = await addTarget(rec.id, { kind: "webhook", url: hook.url, events });
    await addTarget(rec.id, { kind: "slack", url: slack.url, events });
    await addTarget(rec.id, { kind: "discord", url: discord.url, events });
    expect(t1).toMatchObject({ kind: "webhook", events, enabled: true });

    await signal(rec, { ticker, action: "buy", quantity: 2, price: 25600 });
    await tick(feedSymbol, 25590); // MAE: 10 points against 2 contracts
    await tick(feedSymbol, 25615); // MFE
    const closed = await signal(rec, { ticker, action: "close", price: 25610 });
    expect(closed.result).toBe("closed");

    for (const box of [hook, slack, discord]) await box.waitFor((l) => delivered(l).length >= 2, "opened + closed");
    const [trade] = await tradesOf(rec.id);

    // Plain webhook: the events as JSON. MNQ: $0.50 a 0.25 tick = $2 a point a contract.
    const [opened, closedEvent] = await hook.bodies();
    expect(opened).toMatchObject({ source: "edge-trade-recorder", kind: "opened", recorderId: rec.id, recorderName: "MNQ scalper", symbol: "MNQ", side: "long", quantity: 2, price: 25600 });
    expect(opened.id).toBe(`opened:${trade.positionId}`);
    // 10 points × $2 × 2 contracts = $40 gross; commission 0.37 × 2 contracts × 2 fills = $1.48.
    expect(closedEvent).toMatchObject({ kind: "closed", side: "long", quantity: 2, entryPrice: 25600, exitPrice: 25610, pnl: 38.52, commission: 1.48, exitReason: "signal" });
    // Worst: 25590 = −10 points × $2 × 2 = −$40; best: 25615 = +$60 (gross, as the record keeps them).
    expect(closedEvent.mae).toBe(-40);
    expect(closedEvent.mfe).toBe(60);
    expect({ mae: closedEvent.mae, mfe: closedEvent.mfe, pnl: closedEvent.pnl }).toEqual({ mae: trade.maxAdverse, mfe: trade.maxFavorable, pnl: trade.pnl });

    const [sOpen, sClose] = await slack.bodies();
    expect(Object.keys(sOpen)).toEqual(["text"]);
    expect(sOpen.text).toContain("Opened LONG 2 MNQ @ 25600");
    expect(sClose.text).toContain("P&amp;L +$38.52"); // Slack's own escaping of &, < and >
    expect(sClose.text).toContain("MAE −$40.00");
    expect(sClose.text).toContain("MFE +$60.00");

    const [dOpen, dClose] = await discord.bodies();
    expect(dOpen.allowed_mentions).toEqual({ parse: [] });
    expect(dOpen.content).toContain("Opened LONG 2 MNQ");
    expect(dClose.content).toContain("P&L +$38.52");

    // None doubled: a while later still exactly one of each.
    await sleep(2_500);
    for (const box of [hook, slack, discord]) expect(delivered(await box.log())).toHaveLength(2);
  });

  it("a target that does not want an event, or is disabled, gets nothing of it", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder(IMMEDIATE);
    const onlyClosed = newBox();
    const disabled = newBox();
    const all = newBox();
    await addTarget(rec.id, { kind: "webhook", url: onlyClosed.url, events: ["closed"] });
    const d = await addTarget(rec.id, { kind: "webhook", url: disabled.url, events: ["opened", "closed"] });
    await apiJson("PATCH", `/api/recorders/${rec.id}/notifications/${d.id}`, { enabled: false });
    await addTarget(rec.id, { kind: "webhook", url: all.url, events: ["opened", "closed"] });
    await signal(rec, { ticker, action: "sell", price: 25600 });
    await signal(rec, { ticker, action: "close", price: 25590 });
    await all.waitFor((l) => delivered(l).length >= 2, "both events");
    await onlyClosed.waitFor((l) => delivered(l).length >= 1, "the close");
    await sleep(1_500);
    expect((await onlyClosed.bodies()).map((b) => b.kind)).toEqual(["closed"]);
    expect((await onlyClosed.bodies())[0].pnl).toBe(20); // short 1, 10 points down: +$20
    expect(await disabled.log()).toHaveLength(0);
  });
});

describe("target changes apply at once", () => {
  it("a target added while a position is open gets its close (the objects' cached 'no targets' is dropped)", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder(IMMEDIATE);
    await signal(rec, { ticker, action: "buy", price: 25600 }); // the symbol object learns: no targets
    await sleep(1_000);
    const box = newBox();
    const t = await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["closed"] });
    await signal(rec, { ticker, action: "close", price: 25601 });
    await box.waitFor((l) => delivered(l).length >= 1, "the close");
    expect((await box.bodies()).map((b) => [b.kind, b.pnl])).toEqual([["closed", 2]]);
    // Deleted: the next trade's events go nowhere.
    await apiJson("DELETE", `/api/recorders/${rec.id}/notifications/${t.id}`);
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await signal(rec, { ticker, action: "close", price: 25610 });
    await sleep(2_000);
    expect(await box.log()).toHaveLength(1);
  });
});

describe("what nobody wants is not queued (the lease knows the targets' events, rate-lease.ts notifyKinds)", () => {
  const inObject = runInDurableObject as unknown as <R>(s: unknown, cb: (obj: any, state: DurableObjectState) => R) => Promise<R>;
  /** The keys of the events this symbol object queued (sent, waiting or set aside). */
  const queuedKeys = (feedSymbol: string) =>
    inObject(symbolStub(feedSymbol), (_obj, state) =>
      state.storage.sql
        .exec<{ key: string }>("SELECT key FROM notify_sent UNION ALL SELECT key FROM notify_queue UNION ALL SELECT key FROM notify_dead")
        .toArray()
        .map((r) => r.key.split(":")[0]),
    );

  it("an event no target wants is never queued (no queue row, no read of the targets); the wanted one is sent", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder(IMMEDIATE);
    const quiet = await createRecorder(IMMEDIATE); // no target at all
    const box = newBox();
    await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["closed"] });
    for (const r of [rec, quiet]) {
      await signal(r, { ticker, action: "buy", price: 25600 });
      await signal(r, { ticker, action: "close", price: 25604 });
    }
    await box.waitFor((l) => delivered(l).length >= 1, "the close");
    await sleep(1_500);
    expect((await box.bodies()).map((b) => [b.kind, b.pnl])).toEqual([["closed", 8]]);
    expect(await queuedKeys(feedSymbol), "only the close of the recorder whose target wants closes").toEqual(["closed"]);
  });

  it("a leader's signal: each follower's own targets decide for its own events", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const leader = await createRecorder(IMMEDIATE); // no target
    const wantsOpens = await createRecorder({ ...IMMEDIATE, followsRecorderId: leader.id });
    const wantsCloses = await createRecorder({ ...IMMEDIATE, followsRecorderId: leader.id });
    const opens = newBox();
    const closes = newBox();
    await addTarget(wantsOpens.id, { kind: "webhook", url: opens.url, events: ["opened"] });
    await addTarget(wantsCloses.id, { kind: "webhook", url: closes.url, events: ["closed"] });
    await signal(leader, { ticker, action: "buy", price: 25600 });
    await signal(leader, { ticker, action: "close", price: 25602 });
    await opens.waitFor((l) => delivered(l).length >= 1, "the follower's open");
    await closes.waitFor((l) => delivered(l).length >= 1, "the other follower's close");
    await sleep(1_500);
    expect((await opens.bodies()).map((b) => [b.kind, b.recorderId])).toEqual([["opened", wantsOpens.id]]);
    expect((await closes.bodies()).map((b) => [b.kind, b.recorderId])).toEqual([["closed", wantsCloses.id]]);
    expect((await queuedKeys(feedSymbol)).sort(), "the leader's events, and each follower's unwanted one, never queued").toEqual(["closed", "opened"]);
  });

  it("a target added while a position is open gets its stop-loss exit, made by a tick with no signal in between", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder(IMMEDIATE);
    await signal(rec, { ticker, action: "buy", price: 25600, stopLoss: { ticks: 8 } }); // the lease learns: nothing wanted
    const box = newBox();
    await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["closed"] });
    await tick(feedSymbol, 25597); // the stop at 25598
    await box.waitFor((l) => delivered(l).length >= 1, "the stop-loss close");
    expect((await box.bodies()).map((b) => [b.kind, b.exitReason])).toEqual([["closed", "stop_loss"]]);
  });

  it("a target enabled again, or given another event, counts from the very next event", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder(IMMEDIATE);
    const box = newBox();
    const t = await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["closed"] });
    await apiJson("PATCH", `/api/recorders/${rec.id}/notifications/${t.id}`, { enabled: false });
    await signal(rec, { ticker, action: "buy", price: 25600 }); // nothing wanted (its only target is off)
    await apiJson("PATCH", `/api/recorders/${rec.id}/notifications/${t.id}`, { enabled: true });
    await signal(rec, { ticker, action: "close", price: 25601 });
    await apiJson("PATCH", `/api/recorders/${rec.id}/notifications/${t.id}`, { events: ["opened"] });
    await signal(rec, { ticker, action: "sell", price: 25600 });
    await box.waitFor((l) => delivered(l).length >= 2, "the close, then the open");
    expect((await box.bodies()).map((b) => [b.kind, b.side ?? null])).toEqual([
      ["closed", "long"],
      ["opened", "short"],
    ]);
  });
});

describe("rejected signals", () => {
  it("notifies refusals made by the Worker (bad field) and by the symbol object (level on the wrong side)", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder(IMMEDIATE);
    const box = newBox();
    await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["rejected"] });
    expect((await webhook(rec, { ticker, action: "buy", price: "{{close}}" })).status).toBe(400);
    expect((await webhook(rec, { ticker, action: "buy", price: 25600, takeProfit: 20 })).status).toBe(400);
    await box.waitFor((l) => delivered(l).length >= 2, "two rejections");
    const kinds = (await box.bodies()).map((b) => [b.kind, b.code]);
    expect(kinds).toEqual(expect.arrayContaining([["rejected", "invalid_signal"], ["rejected", "invalid_signal"]]));
    const texts = (await box.bodies()).map((b) => b.message as string);
    expect(texts.some((t) => t.includes("take-profit 20 is on the wrong side"))).toBe(true);
    // A signal that is applied notifies nothing here (the target wants only rejections).
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await sleep(1_500);
    expect(delivered(await box.log())).toHaveLength(2);
  });
});

describe("a flood of bad alerts", () => {
  it("notifies at most 5 refusals a minute per recorder", async () => {
    const rec = await createRecorder();
    const box = newBox();
    await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["rejected"] });
    for (let i = 0; i < 12; i++) expect((await webhook(rec, `{not json ${i}`)).status).toBe(400);
    await box.waitFor((l) => delivered(l).length >= 5, "the first five");
    await sleep(2_000);
    // 5, or up to 10 when a minute boundary fell inside the burst: never all 12.
    const n = delivered(await box.log()).length;
    expect(n).toBeGreaterThanOrEqual(5);
    expect(n).toBeLessThanOrEqual(10);
    expect((await box.bodies()).every((b) => b.kind === "rejected" && b.code === "invalid_json")).toBe(true);
  });
});

describe("delivery: retries, no waiting, restarts", () => {
  it("a receiver answering 500 twice gets the event on the third round, once; a healthy target beside it once", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder(IMMEDIATE);
    const box = newBox();
    const healthy = newBox();
    await box.configure({ failTimes: 2, failStatus: 500 });
    await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["opened"] });
    await addTarget(rec.id, { kind: "webhook", url: healthy.url, events: ["opened"] });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const log = await box.waitFor((l) => delivered(l).length >= 1, "the retried delivery");
    expect(log.map((e) => e.status)).toEqual([500, 500, 204]);
    // The same event every time (the id a receiver can dedupe on).
    expect(new Set(log.map((e) => JSON.parse(e.body).id)).size).toBe(1);
    await sleep(3_000);
    expect(await box.log()).toHaveLength(3);
    // The other target took it in the first round and was not sent it again by the retries.
    expect((await healthy.log()).map((e) => e.status)).toEqual([204]);
  });

  it("a 429 with Retry-After is retried no sooner than asked", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder(IMMEDIATE);
    const box = newBox();
    await box.configure({ failTimes: 1, failStatus: 429, retryAfter: 4 });
    await addTarget(rec.id, { kind: "discord", url: box.url, events: ["opened"] });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const log = await box.waitFor((l) => delivered(l).length >= 1, "the delivery after the wait");
    expect(log.map((e) => e.status)).toEqual([429, 204]);
    // (A lower bound only: a slow machine makes the gap longer, never shorter.)
    expect(log[1].receivedAt - log[0].answeredAt!).toBeGreaterThanOrEqual(3_900);
  });

  it("the webhook reply does not wait for the receiver", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder(IMMEDIATE);
    const box = newBox();
    await box.configure({ hold: true });
    await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["opened"] });
    const reply = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(reply.result).toBe("opened");
    // The reply is here; the receiver has not answered anything yet (it holds every request until released).
    expect((await box.log()).every((e) => e.answeredAt === null)).toBe(true);
    await box.waitFor((l) => l.length >= 1, "the held request");
    await box.release();
    await box.waitFor((l) => delivered(l).length === 1, "the answer");
    // The held request was still the sender's when released: it took that answer and sent nothing again. (Had the
    // reply waited for the receiver, the sender would have given up on the held request and sent it anew.)
    await sleep(3_000);
    const log = await box.log();
    expect(log).toHaveLength(1);
    expect(JSON.parse(log[0].body).kind).toBe("opened");
  });

  it("an event still owed when the object restarts is sent after it", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder(IMMEDIATE);
    const box = newBox();
    await box.configure({ failTimes: 1_000, failStatus: 503 });
    await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["opened"] });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await box.waitFor((l) => l.length >= 1, "a first (failed) attempt");
    await evictSymbol(symbolStub(feedSymbol));
    await box.configure({ failTimes: 0 });
    const log = await box.waitFor((l) => delivered(l).length >= 1, "the delivery after the restart");
    expect(log.every((e) => JSON.parse(e.body).kind === "opened")).toBe(true);
    await sleep(2_000);
    expect(delivered(await box.log())).toHaveLength(1);
  });
});

describe("notifications follow the record in D1", () => {
  const inObject = runInDurableObject as unknown as <R>(s: unknown, cb: (obj: any) => R) => Promise<R>;

  it("nothing is announced while D1 refuses the record; once D1 has it, it is, once (also after a lost answer)", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder(IMMEDIATE);
    const box = newBox();
    await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["opened", "closed"] });
    const stub = symbolStub(feedSymbol);
    await inObject(stub, (obj) => {
      obj.d1Faults.down = true;
    });
    expect((await signal(rec, { ticker, action: "buy", price: 25600 })).result).toBe("opened");
    await sleep(1_500);
    expect(await box.log()).toHaveLength(0);
    await inObject(stub, (obj) => {
      obj.d1Faults.down = false;
      obj.d1Faults.lostAnswers = 1; // the next batch (the open's) lands in D1 but its answer is lost: delivered again
    });
    await runDurableObjectAlarm(stub);
    await box.waitFor((l) => delivered(l).length >= 1, "the open, once D1 has it");
    expect((await signal(rec, { ticker, action: "close", price: 25610 })).result).toBe("closed");
    await runDurableObjectAlarm(stub);
    await box.waitFor((l) => delivered(l).length >= 2, "the close");
    await sleep(2_500);
    expect((await box.bodies()).map((b) => b.kind)).toEqual(["opened", "closed"]);
  });
});

describe("the targets API", () => {
  it("never shows the secret: not on create, list, patch; shows a masked form", async () => {
    const rec = await createRecorder();
    const box = newBox();
    const secretPart = box.url.split("/r/")[1];
    const created = await api("POST", `/api/recorders/${rec.id}/notifications`, { kind: "webhook", url: box.url, events: ["closed"], label: "my bot" });
    const createdText = await created.text();
    expect(created.status).toBe(201);
    expect(createdText).not.toContain(secretPart);
    const target = JSON.parse(createdText).target;
    expect(target.shown).toMatch(/^127\.0\.0\.1:\d+\/r\/…hook$/);
    const telegram = await api("POST", `/api/recorders/${rec.id}/notifications`, { kind: "telegram", botToken: "123456789:TEST_fake_token_not_real_0000Dsaw", chatId: "-1001234567890", events: ["opened"] });
    expect(telegram.status).toBe(201);
    const tgText = await telegram.text();
    expect(tgText).not.toContain("TEST_fake_token_not_real_0000Dsaw");
    expect(JSON.parse(tgText).target.shown).toBe("telegram bot …Dsaw → chat …890");
    const list = await api("GET", `/api/recorders/${rec.id}/notifications`);
    const listText = await list.text();
    expect(listText).not.toContain(secretPart);
    expect(listText).not.toContain("TEST_fake_token_not_real_0000Dsaw");
    expect(JSON.parse(listText).targets.map((t: any) => t.kind)).toEqual(["webhook", "telegram"]);
    const patched = await api("PATCH", `/api/recorders/${rec.id}/notifications/${target.id}`, { events: ["opened", "daily_summary"] });
    const patchedText = await patched.text();
    expect(patched.status).toBe(200);
    expect(patchedText).not.toContain(secretPart);
    expect(JSON.parse(patchedText).target.events).toEqual(["opened", "daily_summary"]);
    // At rest, sealed: D1 does not hold the URL either.
    const row = await env.DB.prepare("SELECT secret_enc FROM notification_targets WHERE id = ?").bind(target.id).first<{ secret_enc: string }>();
    expect(row!.secret_enc.startsWith("v1.")).toBe(true);
    expect(row!.secret_enc).not.toContain(secretPart);
  });

  it("send test: the target's answer, a clear 502 when it fails, never the URL", async () => {
    const rec = await createRecorder({ name: "tester" });
    const box = newBox();
    const t = await addTarget(rec.id, { kind: "discord", url: box.url, events: ["closed"] });
    expect(await apiJson("POST", `/api/recorders/${rec.id}/notifications/${t.id}/test`)).toEqual({ ok: true, status: 204 });
    const [first] = await box.bodies();
    expect(first.content).toContain("Test notification");
    expect(first.content).toContain("tester");
    await box.configure({ failTimes: 1, failStatus: 404 });
    const r = await api("POST", `/api/recorders/${rec.id}/notifications/${t.id}/test`);
    const text = await r.text();
    expect(r.status).toBe(502);
    expect(text).not.toContain(box.url.split("/r/")[1]);
    const json = JSON.parse(text);
    expectError(json, "target_failed");
    expect(json.error.details).toEqual({ status: 404 });
    expect(json.error.message).toContain("404");
    const gone = await api("POST", `/api/recorders/${rec.id}/notifications/00000000-0000-0000-0000-000000000000/test`);
    expect(gone.status).toBe(404);
  });

  it("bad input is a 400 naming the field and changes nothing; unknown recorder or target is a 404", async () => {
    const rec = await createRecorder();
    const bad: [Record<string, unknown>, string][] = [
      [{ kind: "webhook", url: "http://example.com/hook", events: ["opened"] }, "url"],
      [{ kind: "webhook", url: "not a url at all", events: ["opened"] }, "url"],
      [{ kind: "discord", url: "https://example.com/api/webhooks/1/abc", events: ["opened"] }, "url"],
      [{ kind: "slack", url: "https://hooks.slack.com.evil.example/services/x", events: ["opened"] }, "url"],
      [{ kind: "webhook", url: `https://example.com/${"x".repeat(600)}`, events: ["opened"] }, "url"],
      [{ kind: "webhook", url: "https://user:pw@example.com/hook", events: ["opened"] }, "url"],
      [{ kind: "webhook", url: "https://example.com/hook", events: ["bogus"] }, "events.0"],
      [{ kind: "webhook", url: "https://example.com/hook", events: [] }, "events"],
      [{ kind: "webhook", url: "https://example.com/hook", events: ["opened", "opened"] }, "events"],
      [{ kind: "webhook", url: "https://example.com/hook" }, "events"],
      [{ kind: "telegram", botToken: "nope", chatId: "123", events: ["opened"] }, "botToken"],
      [{ kind: "telegram", botToken: "123456789:TEST_fake_token_not_real_0000Dsaw", chatId: "12;3", events: ["opened"] }, "chatId"],
      [{ kind: "pager", url: "https://example.com/hook", events: ["opened"] }, "kind"],
      [{ kind: "webhook", url: "https://example.com/hook", events: ["opened"], label: "x".repeat(61) }, "label"],
    ];
    for (const [body, field] of bad) {
      const r = await api("POST", `/api/recorders/${rec.id}/notifications`, body);
      const json: any = await r.json();
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expectError(json, "invalid_request");
      expect(json.error.details.map((d: any) => d.field), JSON.stringify(body).slice(0, 80)).toContain(field);
    }
    expect((await apiJson("GET", `/api/recorders/${rec.id}/notifications`)).targets).toEqual([]);
    // https elsewhere is fine, and so is an http receiver on this machine.
    await addTarget(rec.id, { kind: "webhook", url: "https://example.com/hook", events: ["opened"] });
    const t = await addTarget(rec.id, { kind: "slack", url: "http://localhost:9/x/y", events: ["closed"] });
    const badPatch = await api("PATCH", `/api/recorders/${rec.id}/notifications/${t.id}`, { events: ["nope"] });
    expect(badPatch.status).toBe(400);
    expect((await api("PATCH", `/api/recorders/${rec.id}/notifications/${t.id}`, { url: "https://hooks.slack.com/x" })).status).toBe(400);
    expect((await apiJson("GET", `/api/recorders/${rec.id}/notifications`)).targets.find((x: any) => x.id === t.id).events).toEqual(["closed"]);

    const unknown = await api("GET", "/api/recorders/no-such-recorder/notifications");
    expect(unknown.status).toBe(404);
    expectError(await unknown.json(), "not_found");
    expect((await api("POST", "/api/recorders/no-such-recorder/notifications", { kind: "webhook", url: "https://example.com/hook", events: ["opened"] })).status).toBe(404);
    expect((await api("PATCH", `/api/recorders/${rec.id}/notifications/nope`, { enabled: false })).status).toBe(404);
    expect((await api("DELETE", `/api/recorders/${rec.id}/notifications/nope`)).status).toBe(404);
    // Another recorder's target is not reachable through this recorder.
    const other = await createRecorder();
    expect((await api("DELETE", `/api/recorders/${other.id}/notifications/${t.id}`)).status).toBe(404);
    expect((await apiJson("DELETE", `/api/recorders/${rec.id}/notifications/${t.id}`)).ok).toBe(true);
    expect((await apiJson("GET", `/api/recorders/${rec.id}/notifications`)).targets).toHaveLength(1);
  });

  it("deleting the recorder deletes its targets", async () => {
    const rec = await createRecorder();
    const keep = await createRecorder();
    await addTarget(rec.id, { kind: "webhook", url: "https://example.com/a", events: ["opened"] });
    await addTarget(rec.id, { kind: "webhook", url: "https://example.com/b", events: ["closed"] });
    await addTarget(keep.id, { kind: "webhook", url: "https://example.com/c", events: ["closed"] });
    expect((await apiJson("DELETE", `/api/recorders/${rec.id}`)).ok).toBe(true);
    const count = (id: string) => env.DB.prepare("SELECT COUNT(*) AS n FROM notification_targets WHERE recorder_id = ?").bind(id).first<{ n: number }>();
    expect((await count(rec.id))!.n).toBe(0);
    expect((await count(keep.id))!.n).toBe(1);
  });
});

describe("daily summary (cron)", () => {
  it("sends the ended trading day's net P&L, trades and win rate once, however often the cron runs", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ ...IMMEDIATE, timezone: "UTC", tradingDayStart: "00:00" });
    const box = newBox();
    await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["daily_summary"] });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await signal(rec, { ticker, action: "close", price: 25610 }); // +$20
    await signal(rec, { ticker, action: "sell", price: 25600 });
    await signal(rec, { ticker, action: "close", price: 25603 }); // −$6
    // D1 has the trades before the cron reads them (they are delivered before the replies).
    const trades = await tradesOf(rec.id);
    expect(trades).toHaveLength(2);
    const closedAt = Date.parse(trades[0].closedAt);
    const runCron = async (at: number) => {
      const ctx = createExecutionContext();
      await (worker.scheduled as unknown as (c: ScheduledController, e: Env, x: ExecutionContext) => Promise<void>)(createScheduledController({ scheduledTime: at, cron: "*/5 * * * *" }), env, ctx);
      await waitOnExecutionContext(ctx);
    };
    // Today's trades are summarized once today has ended: the cron as it runs tomorrow (noon-ish, well past the
    // day's end and its settling minutes).
    await runCron(closedAt);
    const today = new Date(closedAt);
    today.setUTCHours(0, 0, 0, 0);
    const tomorrow = today.getTime() + 36 * 3_600_000;
    await runCron(tomorrow);
    await runCron(tomorrow + 300_000);
    await box.waitFor((l) => delivered(l).length >= 1, "the summary");
    await sleep(2_000);
    const bodies = await box.bodies();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ kind: "daily_summary", recorderId: rec.id, dayStart: today.toISOString(), netPnl: 14, trades: 2, winners: 1, losers: 1, winRate: 50 });
  });
});
