// Engine bench (pure TypeScript, run under Node by bench/run.mjs): ticks per second through SymbolBook (lazy
// excursions + level heaps) and through NaiveSymbolBook (the visit-every-position loop), for each `n` open
// positions, in the same process. Prints one JSON line on stdout.
// Two workloads (bench/scenario.ts):
// - flat (`rows`): far TP/SL that are never reached, the random walk, timed over runs of ~RUN_MS;
// - trail (`trail`): take-profit legs and an active trailing stop on every position, the trend walk. Each WINDOW
//   is the same TRAIL_WINDOW ticks from freshly seeded positions (seeding is not timed), so every `n` sees the
//   same prices and each position the same fate; its rate is the median over windows. The naive book at large `n`
//   is timed over the first ticks of a window only (a whole one would take minutes);
// - ratchet (`ratchet`): the same positions with legs and trails beyond the walk's reach, the same window: every
//   trail ratchets on each new best price and nothing fills, so all `n` stay open (the index without the fills).
import { SymbolBook } from "../src/engine/book";
import { NaiveSymbolBook } from "./naive-book";
import { MNQ, openingSignals, ratchetOpeningSignals, times, TRAIL_WINDOW, trailOpeningSignals, trendWalk, walk, type SeedSignal } from "./scenario";

type Book = SymbolBook | NaiveSymbolBook;
const SIZES = (process.env.BENCH_SIZES ?? "1,100,1000,10000").split(",").map(Number);
const TRAIL_SIZES = (process.env.BENCH_TRAIL_SIZES ?? "1,100,1000,10000").split(",").map(Number);
const RUN_MS = Number(process.env.BENCH_ENGINE_MS ?? 250);
const RUNS = 3;
const PRICES = walk(1 << 18);
const TIMES = times(4096);

function seeded(kind: "lazy" | "naive", n: number, signals: (n: number) => SeedSignal[] = openingSignals): Book {
  let id = 0;
  const opts = { newId: () => `p${++id}` };
  const book = kind === "lazy" ? new SymbolBook(opts) : new NaiveSymbolBook(opts);
  for (const s of signals(n)) book.applySignal({ ...s, instrument: MNQ });
  if (book.size !== n) throw new Error(`seeded ${book.size} positions, wanted ${n}`);
  return book;
}

/** Ticks per second over about RUN_MS, in chunks of 64 ticks between clock reads; median of RUNS runs. */
function ticksPerSecond(book: Book): { tps: number; ticks: number } {
  let i = 0;
  const rates: number[] = [];
  let total = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    let n = 0;
    let t1 = t0;
    do {
      for (let k = 0; k < 64; k++, i++, n++) {
        const out = book.applyTick(PRICES[i & (PRICES.length - 1)], TIMES[i & 4095]);
        if (out.exits.length > 0) throw new Error("the bench walk must not hit a level");
      }
      t1 = performance.now();
    } while (t1 - t0 < RUN_MS);
    rates.push((n * 1000) / (t1 - t0));
    total += n;
  }
  rates.sort((a, b) => a - b);
  return { tps: rates[1], ticks: total };
}

/** Both books over the same 2 000 ticks (200 from 10 000 positions on, where the naive book does ~150 ticks/s) must
 * agree exactly (the bench also checks it measured the same thing). */
function verify(n: number): void {
  const a = seeded("lazy", n);
  const b = seeded("naive", n);
  for (let i = 0; i < (n >= 10_000 ? 200 : 2000); i++) {
    a.applyTick(PRICES[i], TIMES[i & 4095]);
    b.applyTick(PRICES[i], TIMES[i & 4095]);
  }
  if (JSON.stringify(a.open()) !== JSON.stringify(b.open())) throw new Error(`lazy and naive books disagree at n=${n}`);
}

// ---- trailing stops + legs ----------------------------------------------------------------------------------

const TRAIL_PRICES = trendWalk(TRAIL_WINDOW + 1);
const TRAIL_TIMES = times(TRAIL_WINDOW + 1);

/** The trail scenario's books after their opening signals, as states + extras: a window's fresh book is restored
 * from them (a signal costs ~0.2 ms in the engine, mostly its trading-day arithmetic, so re-seeding 10 000
 * positions for every window would take seconds). */
const trailSeeds = new Map<string, string>();

type TrailScenario = "trail" | "ratchet";

/** The ratchet window's one-time events per position fall in its first ticks: a trail turning active when its
 * favour reaches the trigger (1–39 ticks), the price crossing the entries (±40 ticks) on the first swings. Ticks
 * after STEADY_FROM are also timed alone ("steady"): each is a plain tick or a ratchet of one side's trails. */
const STEADY_FROM = 1000;
const TRAIL_SIGNALS: Record<TrailScenario, (n: number) => SeedSignal[]> = { trail: trailOpeningSignals, ratchet: ratchetOpeningSignals };

/** A fresh book of the trail (or ratchet) scenario after its priming tick (tick 0, not measured: see TRAIL_WINDOW). */
function seededTrail(kind: "lazy" | "naive", n: number, scenario: TrailScenario = "trail"): Book {
  let json = trailSeeds.get(`${scenario}:${n}`);
  if (json === undefined) {
    const b = seeded("lazy", n, TRAIL_SIGNALS[scenario]) as SymbolBook;
    json = JSON.stringify({ states: b.states(), extras: b.extras() });
    trailSeeds.set(`${scenario}:${n}`, json);
  }
  const { states, extras } = JSON.parse(json);
  let id = 0;
  const opts = { newId: () => `t${++id}`, extras };
  const book = kind === "lazy" ? SymbolBook.restore(states, opts) : NaiveSymbolBook.restore(states, opts);
  if (book.size !== n) throw new Error(`trail: restored ${book.size} positions, wanted ${n}`);
  book.applyTick(TRAIL_PRICES[0], TRAIL_TIMES[0]);
  return book;
}

interface WindowEvents {
  exits: number;
  legs: number;
  eventTicks: number;
  openAtEnd: number;
}

/** One whole window through a fresh SymbolBook, untimed: what happens in it (the same in every window). */
function trailEvents(n: number, scenario: TrailScenario = "trail"): WindowEvents {
  const book = seededTrail("lazy", n, scenario);
  let exits = 0;
  let legs = 0;
  let eventTicks = 0;
  for (let i = 1; i <= TRAIL_WINDOW; i++) {
    const out = book.applyTick(TRAIL_PRICES[i], TRAIL_TIMES[i]);
    exits += out.exits.length;
    legs += out.changed?.length ?? 0;
    if (out.exits.length > 0 || out.changed) eventTicks++;
  }
  return { exits, legs, eventTicks, openAtEnd: book.size };
}

/** Ticks per second over windows from fresh books (median): SymbolBook over at least 3 windows and about RUN_MS × 3
 * of ticks; the naive book over about RUN_MS, its window stopping early once it alone took that long (at large n a
 * whole one would take minutes). */
function trailTicksPerSecond(
  kind: "lazy" | "naive",
  n: number,
  scenario: TrailScenario = "trail",
): { tps: number; ticks: number; windows: number; steadyTps: number | null } {
  const rates: number[] = [];
  const steady: number[] = [];
  let spent = 0;
  let total = 0;
  while (kind === "lazy" ? rates.length < 3 || spent < RUN_MS * RUNS : spent < RUN_MS) {
    const book = seededTrail(kind, n, scenario);
    let i = 1;
    const t0 = performance.now();
    let t1 = t0;
    let tSteady: number | null = null;
    let steadyFrom = 0;
    while (i <= TRAIL_WINDOW) {
      const end = Math.min(TRAIL_WINDOW + 1, i + 64);
      for (; i < end; i++) book.applyTick(TRAIL_PRICES[i], TRAIL_TIMES[i]);
      t1 = performance.now();
      if (tSteady === null && i > STEADY_FROM) [tSteady, steadyFrom] = [t1, i];
      if (kind === "naive" && t1 - t0 > RUN_MS) break;
    }
    rates.push(((i - 1) * 1000) / (t1 - t0));
    if (tSteady !== null && i > TRAIL_WINDOW) steady.push(((TRAIL_WINDOW + 1 - steadyFrom) * 1000) / (t1 - tSteady));
    spent += t1 - t0;
    total += i - 1;
  }
  rates.sort((a, b) => a - b);
  steady.sort((a, b) => a - b);
  return { tps: rates[rates.length >> 1], ticks: total, windows: rates.length, steadyTps: steady.length > 0 ? steady[steady.length >> 1] : null };
}

/** Both books over a whole window must agree exactly (exits in order, legs, the open positions at the end). */
function verifyTrail(n: number, scenario: TrailScenario = "trail"): void {
  const a = seededTrail("lazy", n, scenario);
  const b = seededTrail("naive", n, scenario);
  for (let i = 1; i <= TRAIL_WINDOW; i++) {
    const x = a.applyTick(TRAIL_PRICES[i], TRAIL_TIMES[i]);
    const y = b.applyTick(TRAIL_PRICES[i], TRAIL_TIMES[i]);
    const key = (o: typeof x) => JSON.stringify([o.exits.map((e) => [e.position.id, e.trade.exitReason, e.trade.exitPrice]), o.changed?.map((c) => c.id) ?? []]);
    if (key(x) !== key(y)) throw new Error(`trail scenario: lazy and naive books disagree at n=${n}, tick ${i}`);
  }
  if (JSON.stringify(a.open()) !== JSON.stringify(b.open())) throw new Error(`trail scenario: lazy and naive books disagree at n=${n}`);
}

const rows = [];
for (const n of SIZES) {
  verify(n);
  const lazy = ticksPerSecond(seeded("lazy", n));
  const naive = ticksPerSecond(seeded("naive", n));
  rows.push({ positions: n, tps: lazy.tps, naiveTps: naive.tps, ticks: lazy.ticks, naiveTicks: naive.ticks });
  process.stderr.write(`engine n=${n}: ${Math.round(lazy.tps)} ticks/s (naive ${Math.round(naive.tps)})\n`);
}
verifyTrail(Math.min(100, Math.max(...TRAIL_SIZES)));
const trail = [];
for (const n of TRAIL_SIZES) {
  const events = trailEvents(n);
  const lazy = trailTicksPerSecond("lazy", n);
  const naive = trailTicksPerSecond("naive", n);
  trail.push({ positions: n, tps: lazy.tps, naiveTps: naive.tps, ticks: lazy.ticks, windows: lazy.windows, naiveTicks: naive.ticks, ...events });
  process.stderr.write(
    `engine trail n=${n}: ${Math.round(lazy.tps)} ticks/s (naive ${Math.round(naive.tps)}); per ${TRAIL_WINDOW}-tick window ${events.exits} exits, ${events.legs} legs, ${events.openAtEnd} open at the end\n`,
  );
}
verifyTrail(Math.min(100, Math.max(...TRAIL_SIZES)), "ratchet");
const ratchet = [];
for (const n of TRAIL_SIZES) {
  const events = trailEvents(n, "ratchet");
  // The scenario's definition: nothing fills in its window (bench/scenario.ts).
  if (events.exits + events.legs > 0 || events.openAtEnd !== n) throw new Error(`ratchet scenario: ${events.exits} exits and ${events.legs} legs at n=${n}, wanted none`);
  const lazy = trailTicksPerSecond("lazy", n, "ratchet");
  const naive = trailTicksPerSecond("naive", n, "ratchet");
  ratchet.push({ positions: n, tps: lazy.tps, steadyTps: lazy.steadyTps, naiveTps: naive.tps, ticks: lazy.ticks, windows: lazy.windows, naiveTicks: naive.ticks, ...events });
  process.stderr.write(`engine ratchet n=${n}: ${Math.round(lazy.tps)} ticks/s (naive ${Math.round(naive.tps)}), nothing filled\n`);
}
// The first tick of the steady span: the first 64-tick chunk boundary past STEADY_FROM (see trailTicksPerSecond).
const steadyFrom = 1 + (Math.floor(STEADY_FROM / 64) + 1) * 64;
console.log(JSON.stringify({ runtime: `node ${process.version}`, rows, trail, ratchet, trailWindow: TRAIL_WINDOW, steadyFrom }));
