// Issue "Trust the record under hostile input and faults": one test per defect found by the hostile trial,
// through HTTP as TradingView and the dashboard reach the Worker.
import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { api, apiJson, createRecorder, expectError, freshMnq, openPositions, signal, symbolStub, tick, tradesOf, webhook } from "../helpers";

const inObject = runInDurableObject as unknown as <R>(s: unknown, cb: (obj: any) => R) => Promise<R>;

async function signalsOf(recorderId: string, extra = ""): Promise<any[]> {
  return (await apiJson("GET", `/api/signals?recorderId=${recorderId}&limit=1000${extra}`)).signals;
}

async function statusOf(feedSymbol: string): Promise<any | undefined> {
  const { symbols } = await apiJson("GET", "/status");
  return symbols.find((s: any) => s.feedSymbol === feedSymbol);
}

describe("numbers out of range are refused before anything changes", () => {
  it("a 1e306 quantity is a 400 naming the field, and the symbol's later trades still land", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    const r = await webhook(rec, { ticker, action: "buy", price: "44000", quantity: "1e306" });
    expect(r.status).toBe(400);
    const body: any = await r.json();
    expectError(body, "invalid_signal");
    expect(body.error.details.map((d: any) => d.field)).toEqual(["quantity"]);
    expect(await openPositions(rec.id)).toEqual([]);
    await signal(rec, { ticker, action: "buy", price: 25600, quantity: 2 });
    await signal(rec, { ticker, action: "close", price: 25610 });
    const [t] = await tradesOf(rec.id);
    expect(t).toMatchObject({ quantity: 2, pnl: 40 }); // 10 points = 40 ticks × $0.50 × 2
  });

  it("1e308 quantities and prices, a 1e9 price and levels, a 100 001-contract target: 400, never 5xx", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    for (const body of [
      { ticker, action: "buy", price: 25600, quantity: 1e308 },
      { ticker, action: "buy", price: "1e308" },
      { ticker, action: "buy", price: 1e9 },
      { ticker, action: "buy", price: 25600, takeProfit: 1e9 },
      { ticker, action: "buy", price: 25600, stopLoss: { ticks: 1e12 } },
      { ticker, positionSize: 100_001, price: 25600 },
      { ticker, action: "buy", price: 25600, quantity: 0.5 }, // quantityStep 1: whole contracts
    ]) {
      const r = await webhook(rec, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expectError(await r.json(), "invalid_signal");
    }
    expect(await openPositions(rec.id)).toEqual([]);
    const fractional = await createRecorder({ quantityStep: 0.001 });
    const ok = await signal(fractional, { ticker, action: "buy", price: 25600, quantity: 0.5 });
    expect(ok.position).toMatchObject({ quantity: 0.5 });
  });

  it("JSON 4,000 levels deep is 400 invalid_json; 32 levels is fine", async () => {
    const rec = await createRecorder();
    const deep = `${"[".repeat(4000)}${"]".repeat(4000)}`;
    const r = await webhook(rec, `{"ticker":"MNQ1!","action":"buy","x":${deep}}`);
    expect(r.status).toBe(400);
    expectError(await r.json(), "invalid_json");
    let nested: unknown = 1;
    for (let i = 0; i < 31; i++) nested = { n: nested }; // 31 + the body itself = 32 levels
    const { ticker } = freshMnq();
    expect((await webhook(rec, { ticker, action: "buy", price: 25600, extra: nested })).status).toBe(200);
  });
});

describe("instruments come from the table, never from the alert's text", () => {
  it("foreign exchange prefixes and other continuous contracts are 422 and create no symbol", async () => {
    const rec = await createRecorder();
    for (const ticker of ["X1:ZB1!", "FOO:MNQ1!", "MGC0!", "MNQ3!", "CBOT:MNQ1!"]) {
      const r = await webhook(rec, { ticker, action: "buy", price: 100 });
      expect(r.status, ticker).toBe(422);
      expectError(await r.json(), "unknown_instrument");
    }
    const r = await webhook(rec, { ticker: "MNQ\u0000Z2030", action: "buy", price: 100 });
    expect(r.status).toBe(400);
    const { symbols } = await apiJson("GET", "/status");
    expect(symbols.map((s: any) => s.feedSymbol).filter((s: string) => /X1:|FOO:|MGC0|MNQ3|CBOT:MNQ/.test(s))).toEqual([]);
    // An alias of the instrument's own exchange is the same symbol.
    const ok = await signal(rec, { ticker: "CME:MNQ1!", action: "buy", price: 25600 });
    expect(ok.position.feedSymbol).toBe("CME_MINI:MNQ1!");
  });
});

describe("the signal log and the rate limit", () => {
  it("rejected signals count against maxSignalsPerMinute; over it: 429, logged once", async () => {
    const rec = await createRecorder({ maxSignalsPerMinute: 5 });
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await webhook(rec, `{"not json ${i}`)).status);
    expect(codes).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    const { ticker } = freshMnq();
    const r = await webhook(rec, { ticker, action: "buy", price: 25600 }); // a valid one is over the limit too
    expect(r.status).toBe(429);
    expectError(await r.json(), "rate_limited");
    const log = await signalsOf(rec.id);
    expect(log.filter((s) => s.error?.code === "invalid_json")).toHaveLength(5);
    expect(log.filter((s) => s.error?.code === "rate_limited")).toHaveLength(1);
  });

  it("keeps at most the first 8 KiB of a body (bodyTruncated)", async () => {
    const rec = await createRecorder();
    const { ticker } = freshMnq();
    const big = { ticker, action: "buy", price: 25600, comment: "x".repeat(20_000) };
    expect((await webhook(rec, big)).status).toBe(200);
    const [row] = await signalsOf(rec.id);
    expect(row.bodyTruncated).toBe(true);
    expect(typeof row.body).toBe("string");
    expect(new TextEncoder().encode(row.body).byteLength).toBeLessThanOrEqual(8192);
    expect(row.body.startsWith(`{"ticker":"${ticker}"`)).toBe(true);
  });

  it("drops rows older than the recorder's signalLogRetentionDays (daily cron)", async () => {
    const keep = await createRecorder({ signalLogRetentionDays: 365 });
    const short = await createRecorder({ signalLogRetentionDays: 7 });
    const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
    for (const rec of [keep, short]) {
      await env.DB.prepare("INSERT INTO signals (id, recorder_id, received_at, status, body_truncated) VALUES (?, ?, ?, 'rejected', 0)")
        .bind(crypto.randomUUID(), rec.id, old)
        .run();
      expect((await webhook(rec, "{bad")).status).toBe(400); // a fresh row
    }
    const ctx = createExecutionContext();
    await (worker.scheduled as unknown as (c: ScheduledController, e: Env, x: ExecutionContext) => Promise<void>)(createScheduledController({ scheduledTime: Date.now(), cron: "17 4 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await signalsOf(keep.id)).toHaveLength(2);
    expect(await signalsOf(short.id)).toHaveLength(1);
  });
});

describe("D1 faults", () => {
  it("a statement D1 refuses for good is set aside; the other recorder's trade on the same symbol still lands", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const poisoned = await createRecorder();
    const healthy = await createRecorder();
    // A real, permanent refusal by D1: a trigger that aborts every trade row of one recorder.
    await env.DB.exec(
      `CREATE TRIGGER poison_${poisoned.id.replace(/-/g, "")} BEFORE INSERT ON trades WHEN NEW.recorder_id = '${poisoned.id}' BEGIN SELECT RAISE(ABORT, 'poisoned by the test'); END`,
    );
    await signal(poisoned, { ticker, action: "buy", price: 25600 });
    await signal(healthy, { ticker, action: "sell", price: 25600 });
    await signal(poisoned, { ticker, action: "close", price: 25610 }); // its trade is refused by D1
    await signal(healthy, { ticker, action: "close", price: 25590 }); // queued behind it
    const stub = symbolStub(feedSymbol);
    for (let i = 0; i < 4; i++) await runDurableObjectAlarm(stub); // retries until it is set aside
    expect(await tradesOf(healthy.id)).toEqual([expect.objectContaining({ pnl: 20, side: "short" })]);
    expect(await tradesOf(poisoned.id)).toEqual([]);
    const st = await statusOf(feedSymbol);
    expect(st).toMatchObject({ deadLetters: 1, pendingDeliveries: 0 });
    expect(st.lastDeadLetterError).toContain("poisoned by the test");
    // Later rows keep landing.
    await signal(healthy, { ticker, action: "buy", price: 25600 });
    await signal(healthy, { ticker, action: "close", price: 25604 });
    expect(await tradesOf(healthy.id)).toHaveLength(2);
  });

  it("while D1 refuses writes, open positions stay listed and no signal-log row is lost", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder();
    const stub = symbolStub(feedSymbol);
    const gate = env.GATES.getByName(rec.id);
    await inObject(stub, (obj) => (obj.d1Faults.down = true));
    await inObject(gate, (obj) => (obj.d1Faults.down = true));

    const opened = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect((await webhook(rec, { ticker, action: "buy", price: "abc" })).status).toBe(400); // rejected by the Worker
    expect((await webhook(rec, { ticker: "FOO:MNQ1!", action: "buy", price: 1 })).status).toBe(422);
    expect((await webhook(rec, { ticker, action: "buy", price: 25600, takeProfit: 20 })).status).toBe(400); // by the object
    await tick(feedSymbol, 25590);
    const listed = await openPositions(rec.id);
    expect(listed.map((p) => p.id)).toEqual([opened.position.id]);
    expect(listed[0]).toMatchObject({ worstUnrealizedPnl: -20, lastPrice: 25590 });
    expect(await signalsOf(rec.id)).toEqual([]); // D1 has none of them yet

    await inObject(stub, (obj) => (obj.d1Faults.down = false));
    await inObject(gate, (obj) => (obj.d1Faults.down = false));
    await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(gate);
    const log = await signalsOf(rec.id);
    expect(log).toHaveLength(4);
    expect(log.filter((s) => s.status === "rejected").map((s) => s.error.code).sort()).toEqual(["invalid_signal", "invalid_signal", "unknown_instrument"]);
    expect(log.filter((s) => s.status === "applied")).toHaveLength(1);
    const { positions } = await apiJson("GET", `/api/positions?status=open&recorderId=${rec.id}`);
    expect(positions).toHaveLength(1);
    const row = await env.DB.prepare("SELECT status FROM positions WHERE id = ?").bind(opened.position.id).first();
    expect(row).toEqual({ status: "open" });
  });

  it("GET /status counts dead letters per symbol, 0 when healthy", async () => {
    const { ticker, feedSymbol } = freshMnq();
    await signal(await createRecorder(), { ticker, action: "buy", price: 25600 });
    expect(await statusOf(feedSymbol)).toMatchObject({ deadLetters: 0, lastDeadLetterError: null, pendingDeliveries: 0, scheduledSignals: 0 });
  });
});

describe("deleting a recorder", () => {
  it("a fresh recorder can be deleted while other recorders' rows are still owed to D1", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const busy = await createRecorder();
    await inObject(symbolStub(feedSymbol), (obj) => (obj.d1Faults.down = true));
    await signal(busy, { ticker, action: "buy", price: 25600 });
    await signal(busy, { ticker, action: "close", price: 25600 });
    const fresh = await createRecorder();
    expect((await api("DELETE", `/api/recorders/${fresh.id}`)).status).toBe(200);
    const r = await api("DELETE", `/api/recorders/${busy.id}`);
    expect(r.status).toBe(409);
    expectError(await r.json(), "recorder_busy");
    await inObject(symbolStub(feedSymbol), (obj) => (obj.d1Faults.down = false));
  });
});
