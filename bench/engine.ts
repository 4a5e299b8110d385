// Engine bench (pure TypeScript, run under Node by bench/run.mjs): ticks per second through SymbolBook (lazy
// excursions + level heaps) and through NaiveSymbolBook (the visit-every-position loop), for each `n` open
// positions, in the same process. Prints one JSON line on stdout.
import { SymbolBook } from "../src/engine/book";
import { NaiveSymbolBook } from "./naive-book";
import { MNQ, openingSignals, times, walk } from "./scenario";

type Book = SymbolBook | NaiveSymbolBook;
const SIZES = (process.env.BENCH_SIZES ?? "1,100,1000,10000").split(",").map(Number);
const RUN_MS = Number(process.env.BENCH_ENGINE_MS ?? 250);
const RUNS = 3;
const PRICES = walk(1 << 18);
const TIMES = times(4096);

function seeded(kind: "lazy" | "naive", n: number): Book {
  let id = 0;
  const opts = { newId: () => `p${++id}` };
  const book = kind === "lazy" ? new SymbolBook(opts) : new NaiveSymbolBook(opts);
  for (const s of openingSignals(n)) book.applySignal({ ...s, instrument: MNQ });
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

/** Both books over the same 2 000 ticks must agree exactly (the bench also checks it measured the same thing). */
function verify(n: number): void {
  const a = seeded("lazy", n);
  const b = seeded("naive", n);
  for (let i = 0; i < 2000; i++) {
    a.applyTick(PRICES[i], TIMES[i & 4095]);
    b.applyTick(PRICES[i], TIMES[i & 4095]);
  }
  if (JSON.stringify(a.open()) !== JSON.stringify(b.open())) throw new Error(`lazy and naive books disagree at n=${n}`);
}

const rows = [];
for (const n of SIZES) {
  verify(n);
  const lazy = ticksPerSecond(seeded("lazy", n));
  const naive = ticksPerSecond(seeded("naive", n));
  rows.push({ positions: n, tps: lazy.tps, naiveTps: naive.tps, ticks: lazy.ticks, naiveTicks: naive.ticks });
  process.stderr.write(`engine n=${n}: ${Math.round(lazy.tps)} ticks/s (naive ${Math.round(naive.tps)})\n`);
}
console.log(JSON.stringify({ runtime: `node ${process.version}`, rows }));
