// Nothing accepted is ever lost: not on a Durable Object restart, not on a D1 failure.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";

const inObject = runInDurableObject as unknown as <R>(s: unknown, cb: (obj: any) => R) => Promise<R>;

/** D1 as the object's outbox sees it (test/faulty-d1.ts): down until `d1Up`, or the next batch applied by D1
 * but answered with an error (its answer lost on the way back). */
function injectOutboxFault(stub: DurableObjectStub, kind: "down" | "answerLost"): Promise<void> {
  return inObject(stub, (obj) => {
    if (kind === "down") obj.d1Faults.down = true;
    else obj.d1Faults.lostAnswers = 1;
  });
}

function d1Up(stub: DurableObjectStub): Promise<void> {
  return inObject(stub, (obj) => {
    obj.d1Faults.down = false;
  });
}
import { describe, expect, it } from "vitest";
import { api, apiJson, createRecorder, evictSymbol, freshMnq, openPositions, signal, symbolStub, tick, tradesOf } from "../helpers";

type Step = { signal: Record<string, unknown> } | { tick: number };

const scenario: Step[] = [
  { signal: { action: "buy", price: 25600, quantity: 2 } },
  { tick: 25590 },
  { tick: 25580 },
  { tick: 25585 },
  { signal: { action: "buy", price: 25584, quantity: 1 } },
  { tick: 25570 },
  { tick: 25600 },
  { tick: 25596 },
  { signal: { action: "close", quantity: 1, price: 25610 } },
  { tick: 25620 },
  { tick: 25603 },
  { signal: { action: "sell", price: 25605 } }, // reverses
  { tick: 25612 },
  { tick: 25598 },
  { tick: 25601 },
  { signal: { action: "close", price: 25590 } },
];

/** What must be identical whether or not the object restarted: everything but ids and wall-clock times. */
function comparable(x: any) {
  const { id, positionId, recorderId, feedSymbol, openedAt, closedAt, worstAt, bestAt, fills, ...rest } = x;
  return { ...rest, fills: fills?.map(({ at, ...f }: any) => f) };
}

async function run(evictBetweenSteps: boolean) {
  const { ticker, feedSymbol } = freshMnq();
  const rec = await createRecorder({ commissionPerContract: 0.37 });
  const snapshots: any[] = [];
  for (const step of scenario) {
    if ("tick" in step) await tick(feedSymbol, step.tick);
    else {
      const r = await signal(rec, { ticker, ...step.signal });
      snapshots.push({ result: r.result, position: comparable(r.position), trade: r.trade && comparable(r.trade) });
    }
    const open = await openPositions(rec.id);
    snapshots.push(open.map(comparable));
    if (evictBetweenSteps) await evictSymbol(symbolStub(feedSymbol));
  }
  return { snapshots, trades: (await tradesOf(rec.id)).map(comparable) };
}

describe("durability", () => {
  it("a Durable Object evicted between every two steps records exactly the same", async () => {
    const plain = await run(false);
    const evicted = await run(true);
    expect(plain.trades).toHaveLength(2);
    expect(evicted).toEqual(plain);
    // Sanity: the scenario really exercised excursions (worst while 3 lots were held at 25570).
    expect(plain.trades[1].maxAdverse).toBeLessThan(-40);
  });

  it("a D1 outage delays the trade, never loses or doubles it", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const stub = symbolStub(feedSymbol);
    await injectOutboxFault(stub, "down");
    const closed = await signal(rec, { ticker, action: "close", price: 25610 });
    expect(closed.result).toBe("closed"); // the trader's answer does not depend on D1
    expect(await tradesOf(rec.id)).toHaveLength(0);
    expect(await stub.outboxSize()).toBeGreaterThan(0);
    expect(await runDurableObjectAlarm(stub)).toBe(true); // still down: kept, nothing set aside
    expect((await stub.status()).deadLetters).toBe(0);
    expect(await stub.outboxSize()).toBeGreaterThan(0);

    await d1Up(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.outboxSize()).toBe(0);
    const trades = await tradesOf(rec.id);
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ pnl: 20, positionId: closed.position.id });
  });

  it("a delivery D1 applied but whose answer was lost is delivered again without doubling anything", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder();
    const stub = symbolStub(feedSymbol);
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await injectOutboxFault(stub, "answerLost");
    await signal(rec, { ticker, action: "close", price: 25590 });
    expect(await inObject(stub, (obj) => obj.d1Faults.lostAnswers)).toBe(0); // the fault did happen
    await evictSymbol(stub); // and a restart on top
    await runDurableObjectAlarm(stub);
    expect(await stub.outboxSize()).toBe(0);
    const trades = await tradesOf(rec.id);
    expect(trades).toHaveLength(1);
    expect(trades[0].pnl).toBe(-20);
  });

  it("ticks between checkpoints survive a restart (excursions recovered from the journal)", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    for (const p of [25590, 25560, 25580, 25640, 25610, 25620]) await tick(feedSymbol, p);
    await evictSymbol(symbolStub(feedSymbol));
    const [p] = await openPositions(rec.id);
    // Excursions are exact; the last price may be up to a second old (meta.last is saved at most once a second,
    // src/durable/durable-book.ts) until the next tick.
    expect(p).toMatchObject({ worstUnrealizedPnl: -80, worstPrice: 25560, bestUnrealizedPnl: 80, bestPrice: 25640 });
    await tick(feedSymbol, 25620);
    const [after] = await openPositions(rec.id);
    expect(after).toMatchObject({ worstUnrealizedPnl: -80, worstPrice: 25560, bestUnrealizedPnl: 80, bestPrice: 25640, lastPrice: 25620, unrealizedPnl: 40 });
  });
});

describe("while D1 has not received a position yet", () => {
  it("the recorder cannot be deleted and the position can still be closed by id", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", price: 25600 }); // registers the symbol in D1
    await signal(rec, { ticker, action: "close", price: 25600 });
    const stub = symbolStub(feedSymbol);
    await injectOutboxFault(stub, "down");
    const opened = await signal(rec, { ticker, action: "buy", price: 25610 });
    expect(await stub.outboxSize()).toBeGreaterThan(0);

    const del = await api("DELETE", `/api/recorders/${rec.id}`);
    expect(del.status).toBe(409);
    expect(((await del.json()) as any).error.code).toBe("recorder_has_open_positions");
    const listed = await openPositions(rec.id); // listed although D1 has never heard of it
    expect(listed.map((p: any) => p.id)).toEqual([opened.position.id]);
    const closed = await apiJson("POST", `/api/positions/${opened.position.id}/close`, { price: 25620 });
    expect(closed.trade).toMatchObject({ pnl: 20, exitReason: "manual" });
    // Flat now, but its trade is still owed to D1: only this recorder's own rows keep it from being deleted.
    expect(((await (await api("DELETE", `/api/recorders/${rec.id}`)).json()) as any).error.code).toBe("recorder_busy");
    const other = await createRecorder();
    expect((await api("DELETE", `/api/recorders/${other.id}`)).status).toBe(200);
    await d1Up(stub);
    await runDurableObjectAlarm(stub);
    expect(await tradesOf(rec.id)).toHaveLength(2);
    expect((await api("DELETE", `/api/recorders/${rec.id}`)).status).toBe(200);
  });
});
