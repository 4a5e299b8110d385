// Randomized: the same random sequence of signals and ticks, recorded once by an object that never restarts and
// once by an object evicted at random points, must give identical positions and trades.
import { expect, it } from "vitest";
import { apiJson, createRecorder, evictSymbol, freshMnq, symbolStub, tick, webhook } from "../helpers";
import { prng } from "../prng";


type Step = { kind: "tick"; price: number } | { kind: "signal"; rec: number; body: Record<string, unknown> } | { kind: "evict" };

function randomSteps(seed: number, n: number): Step[] {
  const rnd = prng(seed);
  const steps: Step[] = [];
  let price = 25600;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.6) {
      price += Math.round((rnd() - 0.5) * 24) * 0.25;
      steps.push({ kind: "tick", price });
    } else if (r < 0.9) {
      const rec = Math.floor(rnd() * 3);
      const a = rnd();
      const body: Record<string, unknown> =
        a < 0.3 ? { action: "buy" } : a < 0.6 ? { action: "sell" } : a < 0.75 ? { action: "close", ...(rnd() < 0.5 ? { quantity: 1 } : {}) } : { positionSize: Math.floor(rnd() * 7) - 3 };
      if (rnd() < 0.8) body.price = price + Math.round((rnd() - 0.5) * 8) * 0.25;
      if (rnd() < 0.3) body.takeProfit = { ticks: 4 + Math.floor(rnd() * 30) };
      if (rnd() < 0.3) body.stopLoss = { ticks: 4 + Math.floor(rnd() * 30) };
      steps.push({ kind: "signal", rec, body: { ...body, id: `sig-${i}` } });
    } else steps.push({ kind: "evict" });
  }
  return steps;
}

function comparable(x: any) {
  const { id, positionId, recorderId, feedSymbol, openedAt, closedAt, worstAt, bestAt, fills, delayedData, ...rest } = x;
  return { ...rest, fills: fills?.map(({ at, ...f }: any) => f) };
}

async function record(steps: Step[], evict: boolean) {
  const { ticker, feedSymbol } = freshMnq();
  const recs = [
    await createRecorder({ commissionPerContract: 0.5 }),
    await createRecorder({ initialQuantity: 2, addQuantity: 1, takeProfitTicks: 16 }),
    await createRecorder({ reverseOnOpposite: false, stopLossTicks: 12, allowAdd: false }),
  ];
  const replies: unknown[] = [];
  for (const s of steps) {
    if (s.kind === "tick") await tick(feedSymbol, s.price);
    else if (s.kind === "evict") {
      if (evict) {
        const stub = symbolStub(feedSymbol);
        await stub.status(); // eviction needs a running object: wake it (a no-op read) first
        await evictSymbol(stub);
      }
    } else {
      const r = await webhook(recs[s.rec], { ticker, ...s.body });
      const json: any = await r.json();
      replies.push({ status: r.status, result: json.result, reason: json.reason, code: json.error?.code });
    }
  }
  const out = [];
  for (const rec of recs) {
    const { positions } = await apiJson("GET", `/api/positions?recorderId=${rec.id}`);
    const { trades } = await apiJson("GET", `/api/trades?recorderId=${rec.id}&limit=1000`);
    out.push({ positions: positions.map(comparable), trades: trades.map(comparable) });
  }
  return { replies, out };
}

it("random signals and ticks, with and without restarts at random points, record identically", async () => {
  for (const seed of [7, 1234]) {
    const steps = randomSteps(seed, 70);
    const plain = await record(steps, false);
    const restarted = await record(steps, true);
    const trades = plain.out.reduce((n, r) => n + r.trades.length, 0);
    expect(trades, `seed ${seed}: the sequence should close some trades`).toBeGreaterThan(2);
    expect(restarted, `seed ${seed}`).toEqual(plain);
  }
}, 120_000);
