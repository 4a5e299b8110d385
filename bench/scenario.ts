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

// ---- trailing stops + take-profit legs on every position ------------------------------------------------------
//
// The second round's exits on EVERY position: three take-profit legs (50 % / 25 % / the rest of 4 contracts) and a
// trailing stop that is active from (nearly) the open (trigger 0–39 ticks), every recorder with its own distances,
// plus a far fixed stop-loss. The price (`trendWalk`) swings up and down with a growing amplitude, so both sides
// make new best prices again and again: long trails ratchet on the way up, short trails on the way down. Over the
// TRAIL_WINDOW ticks the bench measures, some positions' first (rarely second) legs fill and some trails are hit;
// positions that exit are NOT re-opened (the window is sized so that most survive: see docs/BENCHMARKS.md for the
// counts). Recorder 0 (the n = 1 position) is a long whose trail ratchets all along and is never hit.

/** Ticks per measured window of the trailing scenario: ticks 1…TRAIL_WINDOW of the trend walk after freshly seeded
 * positions. Tick 0 is the PRIMING tick, applied right after seeding and not measured: the positions are opened
 * before the feed's first tick, so they wait (dormant, book.ts) until a tick reaches their open time, and that tick
 * wakes all `n` at once, a cost of the bench's seeding, not of a live market (where positions open as ticks flow). */
export const TRAIL_WINDOW = 6000;

/** The `n` opening signals of the trailing scenario. With `far` (the RATCHET scenario), every leg (the later ones
 * follow the first) and every trail distance is RATCHET_MIN_TICKS further, the same draws otherwise, recorder 0
 * unchanged: beyond the reach of the trend walk's window, so nothing fills. */
export function trailOpeningSignals(n: number, seed = 3, far = false): SeedSignal[] {
  const rnd = prng(seed);
  const min = far ? RATCHET_MIN_TICKS : 0;
  const out: SeedSignal[] = [];
  for (let i = 0; i < n; i++) {
    const int = (lo: number, span: number) => lo + Math.floor(rnd() * span);
    const l1 = i === 0 ? 2000 : min + int(300, 2700);
    const l2 = i === 0 ? 3500 : l1 + int(300, 1700);
    const l3 = i === 0 ? 6000 : l2 + int(1000, 2000);
    out.push({
      recorder: {
        id: `trail-${i}`,
        initialQuantity: 4,
        addQuantity: 1,
        allowAdd: true,
        reverseOnOpposite: true,
        takeProfitTicks: null,
        stopLossTicks: int(4000, 400),
        commissionPerContract: 0.62,
        takeProfitLegs: [
          { ticks: l1, percent: 50 },
          { ticks: l2, percent: 25 },
          { ticks: l3, percent: 25 },
        ],
        trailingStop: { triggerTicks: i === 0 || i % 5 === 0 ? 0 : int(1, 39), distanceTicks: i === 0 ? 2500 : min + int(400, 7600) },
      },
      signal: { action: i % 2 === 0 ? "buy" : "sell" },
      price: (BASE_TICKS + Math.floor(rnd() * 81) - 40) * MNQ.tickSize,
      at: new Date(Date.UTC(2030, 0, 2, 14, 30) + i).toISOString(),
    });
  }
  return out;
}

/** The trend walk's swings: the first turns 100 ticks above the base, each next one on the other side, twice as far
 * (capped at SWING_MAX). Over TRAIL_WINDOW ticks: +100, −200, +400, −800, back near the base; about a quarter of
 * the ticks are a new high or a new low since the start (every active trail of one side moves). */
const SWING_FIRST = 100;
const SWING_GROWTH = 2;
const SWING_MAX = 1500;

/** `count` tick prices that trend up and down: each tick moves −1…+2 ticks in the swing's direction (drift ½ tick
 * per tick), and the direction turns at alternating, growing distances from the base (+100, −200, +400, …), so
 * every swing makes a new high or a new low and the trails of one side or the other ratchet. Deterministic. */
export function trendWalk(count: number, seed = 4): Float64Array {
  const rnd = prng(seed);
  const out = new Float64Array(count);
  let t = BASE_TICKS;
  let dir = 1;
  let reach = SWING_FIRST;
  for (let i = 0; i < count; i++) {
    t += dir * (Math.floor(rnd() * 4) - 1);
    if (dir * (t - BASE_TICKS) >= reach) {
      dir = -dir;
      reach = Math.min(SWING_MAX, Math.round(reach * SWING_GROWTH));
    }
    out[i] = t * MNQ.tickSize;
  }
  return out;
}

// ---- the RATCHET scenario: the same positions, legs and trails out of the window's reach ------------------------
//
// What the trail index is for (issue #10: "a trailing stop that ratchets must not make a tick visit every
// position"), measured without the fills: the trail scenario's positions (three legs, an active trailing stop from
// trigger 0–39, a far stop-loss, every recorder its own distances) with every leg and every trail distance at least
// RATCHET_MIN_TICKS, over the same trend walk. Its window (ticks 1…TRAIL_WINDOW) stays within [−800, +400] ticks of
// the base and entries within ±40, so a long's trail (at most +400 − 1 300) and a short's (at least −800 + 1 300)
// are never hit and no leg is reached: all `n` positions stay open. 289 of its ticks are new highs (every active
// long trail ratchets) and 560 new lows (every active short trail ratchets). The bench fails the phase if anything
// fills in this window.

/** The minimum leg and trail distance of the ratchet scenario, in ticks (above the walk's 1 200-tick range + 80). */
export const RATCHET_MIN_TICKS = 1300;

/** The `n` opening signals of the ratchet scenario (see above). */
export function ratchetOpeningSignals(n: number): SeedSignal[] {
  return trailOpeningSignals(n, 3, true);
}

export type Scenario = "flat" | "trail" | "ratchet";

/** The workloads, by name (bench/worker.ts, bench/naive-symbol-object.ts). */
export const SCENARIOS: Record<Scenario, { signals: (n: number) => SeedSignal[]; prices: (count: number) => Float64Array }> = {
  flat: { signals: openingSignals, prices: walk },
  trail: { signals: trailOpeningSignals, prices: trendWalk },
  ratchet: { signals: ratchetOpeningSignals, prices: trendWalk },
};

/** Whether a scenario is primed with tick 0 of its walk after seeding (see TRAIL_WINDOW). */
export const primed = (s: Scenario): boolean => s !== "flat";

/** A scenario name from a query string (flat when unknown). */
export const scenarioNamed = (s: string): Scenario => (s === "trail" || s === "ratchet" ? s : "flat");
