// The benchmark workload, shared by the engine bench (Node) and the Durable Object bench (Workers runtime):
// `n` open positions on one symbol (MNQ), one per recorder, longs and shorts entered around the same price, most
// with take-profit / stop-loss levels far enough never to trigger (so every run keeps exactly `n` open and the
// level index is as full as it gets), then a seeded random walk of ticks. Deterministic for a given seed.
import type { InstrumentSpec, NormalizedSignal, RecorderSettings } from "../src/engine/types";
import { prng } from "../test/prng";

export { prng };

export const MNQ: InstrumentSpec = { root: "MNQ", feedSymbol: "CME_MINI:MNQ1!", tickSize: 0.25, tickValue: 0.5 };
export const BASE_TICKS = 102_400; // 25 600.00


export interface SeedSignal {
  recorder: RecorderSettings;
  signal: NormalizedSignal;
  price: number;
  at: string;
}

/** The `n` opening signals. */
export function openingSignals(n: number, seed = 1): SeedSignal[] {
  const rnd = prng(seed);
  const out: SeedSignal[] = [];
  for (let i = 0; i < n; i++) {
    const withLevels = i % 4 !== 3;
    out.push({
      recorder: {
        id: `rec-${i}`,
        initialQuantity: 1 + (i % 3),
        addQuantity: 1,
        allowAdd: true,
        reverseOnOpposite: true,
        takeProfitTicks: withLevels ? 4000 + Math.floor(rnd() * 400) : null,
        stopLossTicks: withLevels ? 4000 + Math.floor(rnd() * 400) : null,
        commissionPerContract: 0.62,
      },
      signal: { action: i % 2 === 0 ? "buy" : "sell" },
      price: (BASE_TICKS + Math.floor(rnd() * 81) - 40) * MNQ.tickSize,
      at: new Date(Date.UTC(2030, 0, 2, 14, 30) + i).toISOString(),
    });
  }
  return out;
}

/** `count` tick prices: a random walk of ±0–3 ticks, kept within ±1 500 ticks of the base (never at a level). */
export function walk(count: number, seed = 2): Float64Array {
  const rnd = prng(seed);
  const out = new Float64Array(count);
  let t = BASE_TICKS;
  for (let i = 0; i < count; i++) {
    t += Math.floor(rnd() * 7) - 3;
    if (t > BASE_TICKS + 1500) t -= 6;
    if (t < BASE_TICKS - 1500) t += 6;
    out[i] = t * MNQ.tickSize;
  }
  return out;
}

/** ISO times for tick i (100 ms apart), precomputed in a ring so timing measures the engine, not Date. */
export function times(count: number, start = Date.UTC(2030, 0, 3)): string[] {
  return Array.from({ length: count }, (_, i) => new Date(start + i * 100).toISOString());
}
