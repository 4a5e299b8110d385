// Restart replay bench (issue #13: "restart replay linear in positions + journal rows"), pure TypeScript under Node.
// A symbol's durable book (src/durable/durable-book.ts) with `n` open positions opened before a long run of ticks
// that each make a new high or low (a zigzag of growing swings), so every tick is a journal row: the worst case for
// a restart. Timed: DurableBook.load (checkpoints, then each position's journal suffix through `replay`), against the
// previous recovery in the same process (every journal row after its checkpoint to every position: O(positions ×
// rows)), which also checks that both rebuild identical books. Prints one JSON line on stdout.
import { DurableBook } from "../src/durable/durable-book";
import { SymbolBook } from "../src/engine/book";
import { MemoryBookStore } from "../test/engine/memory-book-store";
import { BASE_TICKS, MNQ, openingSignals } from "./scenario";

/** n positions (no TP/SL: the swings would reach them), then `rows` ticks, each a new high or a new low. */
function build(n: number, rows: number): MemoryBookStore {
  const store = new MemoryBookStore();
  let id = 0;
  const d = DurableBook.load(store, { newId: () => `p${++id}` });
  for (const s of openingSignals(n)) {
    d.signal({ ...s, recorder: { ...s.recorder, takeProfitTicks: null, stopLossTicks: null }, instrument: MNQ, priceSource: "signal", feedPrice: null });
  }
  const t0 = Date.UTC(2030, 0, 3);
  for (let k = 1; k <= rows; k++) {
    const ticks = BASE_TICKS + (k % 2 === 1 ? (k + 1) / 2 : -k / 2);
    d.tick(ticks * MNQ.tickSize, new Date(t0 + k * 100).toISOString());
  }
  if (store.journalSince(0).length < rows) throw new Error(`journal has ${store.journalSince(0).length} rows, wanted ${rows}`);
  return store;
}

/** The recovery before this round: every journal row after its checkpoint replayed to every position. */
function previousRecovery(store: MemoryBookStore): SymbolBook {
  const saved = store.loadPositions();
  const last = store.getLast()!;
  const book = SymbolBook.restore(
    saved.map((s) => s.state),
    { newId: () => "x", marketTimeMs: last.at !== null ? Date.parse(last.at) : undefined, extras: store.loadExtras() },
  );
  const oldest = Math.min(...saved.map((s) => s.checkpointSeq));
  const rows = store.journalSince(oldest);
  if (last.price !== null && last.at !== null && !rows.some((r) => r.seq === last.seq)) rows.push({ seq: last.seq, price: last.price, at: last.at });
  rows.sort((a, b) => a.seq - b.seq);
  for (const { state, checkpointSeq } of saved) for (const r of rows) if (r.seq > checkpointSeq) book.replayPrice(state.id, r.price, r.at);
  return book;
}

function timed<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

const quick = !!process.env.BENCH_QUICK;
const out: { positions: number; journalRows: number; replayMs: number; previousMs: number | null; same: boolean | null }[] = [];
for (const [n, rows, withPrevious] of (quick
  ? [[1000, 2000, true], [1000, 20000, false]]
  : [[1000, 2000, true], [10000, 500, true], [10000, 50000, false]]) as [number, number, boolean][]) {
  const store = build(n, rows);
  const mine = timed(() => DurableBook.load(store, { newId: () => "x" }));
  let previousMs: number | null = null;
  let same: boolean | null = null;
  if (withPrevious) {
    const prev = timed(() => previousRecovery(store));
    previousMs = prev.ms;
    same = JSON.stringify(prev.value.states()) === JSON.stringify(mine.value.book.states());
    if (!same) throw new Error(`replay at ${n} positions × ${rows} rows differs from the previous recovery`);
  }
  out.push({ positions: n, journalRows: store.journalSince(0).length, replayMs: mine.ms, previousMs, same });
}
console.log(JSON.stringify({ replay: out }));
