// The symbol's book made durable: the engine's SymbolBook plus the writes that let a restart rebuild it exactly
// (checkpoints on every fill, the journal of new extremes, the last tick), and the recovery that replays them.
// Plain code over a BookStore (book-store.ts): the symbol Durable Object runs it on SQLite, and
// test/engine/random.test.ts runs this same code on an in-memory store and restarts it at random points.
//
// Why journaling only new extremes since the LATEST checkpoint recovers every position exactly: a position's
// excursions between two of its fills are the P&L at the lowest and highest price since its checkpoint (P&L is
// monotonic in the price while quantity and average are constant). The lowest price since any earlier
// checkpoint c is either before the latest checkpoint — then it was journaled against the checkpoint current at
// its time — or after it — then it is a new low since the latest checkpoint; and the earliest occurrence is the
// one journaled (ties keep the earliest time, as the rules want).
// A checkpoint taken by a tick that only took legs (partial exits) or moved a day's end restarts the range at that
// tick's price instead of empty: such a position already saw the price, and at a smaller quantity the P&L at a price
// it saw is no new extreme (|P&L| shrinks, its sign stays). An opening or an add at the tick (a pending entry) has
// not seen it at its new quantity, so then the range restarts empty.
//
// The last tick (meta.last: price, market time, sequence number, tick count) is exact in memory (`last`, what the
// object's status shows) but written at most once per second of wall clock (`now`, Date.now by default; workerd's
// clock stands still within one event, so a burst of ticks in one event writes it once), and by `compactJournal`
// (the object's alarm) when unsaved. It is written on EVERY tick while something recorded depends on the last price:
// a session end or trading-day end pending (`nextClockMs`: a session end closes at the last price), or the owner's
// `lastIsRead` (scheduled signals without a price take the last tick's: see DurableBookOptions).
// So a restart (eviction) at any point keeps exact: every position's excursions (worst/best P&L, their prices and
// times), its favour and so its trailing stop and break-even, legs, levels, fills, pending orders, memos, session-end
// exits; and sequence numbers never go back: recovery continues after the highest of meta.last, the journal and the
// checkpoints, so no journal row or checkpoint is ever numbered before a tick its position has not seen.
// What a restart may find stale: the ticks that arrived less than a second after meta.last's last write (none while
// it is written on every tick; a tick a second or more later, or the alarm, writes it), when they were plain (no new
// extreme since the latest checkpoint, not late, no fill: those leave rows that recovery replays). Then, after it:
// - a position's last price, and so its unrealized P&L, is the latest of its checkpoint, the journal rows after it
//   and meta.last, until the position sees its next tick (a late tick reaches only positions opened before its
//   stamp); what reads it before that tick reads the stale one: a signal's `position` reply, and the distance of a
//   percent trailing stop set by a signal that fills nothing (a percent of the last price);
// - the symbol's last tick (status lastPrice, lastTickAt) is meta.last's until the next tick, and `ticksProcessed`
//   goes on from meta.last's count, short of the lost ticks for good;
// - the market time is the latest stamp recovery knows (meta.last, the journal): a position opened after it starts
//   dormant instead of live, which changes how a later tick reaches it (dormant: the tick wakes it; live: a tick
//   stamped before its open is late), never whether it does (test/engine/random*.test.ts restart on it).
//
// Costs: a tick writes a journal row when it is a new extreme since the latest checkpoint (or late), meta.last at
// most once a second (every tick in the cases above), plus the rows of the positions it closes or checkpoints; a
// signal writes one checkpoint per changed position. Recovery reads every checkpoint and the journal since the
// oldest one, and replays it in O(journal + positions × log journal) (see `replay`).
import { SymbolBook, type SymbolBookOptions } from "../engine/book";
import { isBoundedPrice } from "../engine/limits";
import { cleanPrice } from "../engine/money";
import type { ClosedPosition, FillOrigin, PositionState, SignalOutcome, TickOutcome } from "../engine/types";
import type { SignalInput } from "../engine/signal-step";
import { latestInstantMs } from "../engine/market-time";
import { priceToTicks } from "../engine/money";
import type { BookStore, JournalRow, LastTick } from "./book-store";

/** meta.last is written at most once per this many ms of wall clock (see the header). */
export const LAST_WRITE_MS = 1000;

export interface DurableBookOptions extends SymbolBookOptions {
  /** The wall clock (ms) that paces the writes of meta.last; Date.now by default (tests inject a fake one). */
  now?: () => number;
  /** True while the owner may record something read from `last` (src/durable/recording.ts: a scheduled signal
   * without a price takes the last tick's price; signals are scheduled while the feed is delayed): then every tick
   * writes meta.last, so that a restart cannot change such a price. When it turns true for a reason the book does
   * not see (the feed turns delayed), the owner calls `flushLast()`. */
  lastIsRead?: () => boolean;
}

export class DurableBook {
  book: SymbolBook;
  /** The last tick, exact (what status() shows); meta.last is this as of its last write (`lastUnsaved`). */
  last: LastTick;
  /** The highest tick sequence number used (by this book, or found in the store at recovery). */
  private seq: number;
  /** Whether `last` has changed since meta.last was written. */
  private unsaved = false;
  /** Wall-clock time of the last write of meta.last (null: none by this instance yet). */
  private savedAtMs: number | null = null;
  private readonly now: () => number;
  private readonly lastIsRead: () => boolean;
  private readonly opts: SymbolBookOptions;
  /** Price range since the latest checkpoint: a tick outside it is journaled. */
  private runMin: number | null = null;
  private runMax: number | null = null;

  private constructor(
    private readonly store: BookStore,
    options: DurableBookOptions,
  ) {
    const { now, lastIsRead, ...opts } = options;
    this.opts = opts;
    this.now = now ?? (() => Date.now());
    this.lastIsRead = lastIsRead ?? (() => false);
    this.last = store.getLast() ?? { seq: 0, price: null, at: null, ticks: 0 };
    // Never a number a checkpoint or a journal row already holds (meta.last may be behind them: see the header).
    this.seq = Math.max(this.last.seq, store.highestSeq());
    this.book = new SymbolBook(opts);
  }

  /** Rebuilds the book from the store: checkpoints, then the journaled extremes each has not seen, then the last
   * tick (a real tick too). */
  static load(store: BookStore, opts: DurableBookOptions): DurableBook {
    const d = new DurableBook(store, opts);
    d.recover();
    return d;
  }

  /** Whether the last tick is newer than meta.last (a restart now would leave the header's stale values). */
  get lastUnsaved(): boolean {
    return this.unsaved;
  }

  private recover(): void {
    const saved = this.store.loadPositions();
    const oldest = saved.length === 0 ? null : Math.min(...saved.map((s) => s.checkpointSeq));
    const rows = oldest === null ? [] : this.store.journalSince(oldest);
    // The market time: the latest stamp known (meta.last may be older than journal rows written after it).
    let marketTimeMs = this.last.at !== null ? Date.parse(this.last.at) : -Infinity;
    if (this.last.normal !== undefined) marketTimeMs = Math.max(marketTimeMs, Date.parse(this.last.normal.at));
    for (const r of rows) marketTimeMs = Math.max(marketTimeMs, Date.parse(r.at));
    this.book = SymbolBook.restore(
      saved.map((s) => s.state),
      { ...this.opts, marketTimeMs: marketTimeMs === -Infinity ? undefined : marketTimeMs, extras: this.store.loadExtras() },
    );
    this.runMin = this.runMax = null;
    if (oldest === null) return;
    // The last tick, and the last one before a run of late ticks: every position's last price is one of them or a
    // journaled (late) tick, so each is replayed in its place in the sequence.
    for (const extra of [this.last.normal, this.last.price !== null && this.last.at !== null ? { seq: this.last.seq, price: this.last.price, at: this.last.at } : undefined]) {
      if (extra === undefined || rows.some((r) => r.seq === extra.seq)) continue;
      rows.push(extra);
    }
    rows.sort((a, b) => a.seq - b.seq);
    this.replay(saved, rows);
  }

  /**
   * Replays to each position the journal rows after its checkpoint, in O(rows × tick sizes + positions × log rows)
   * instead of every row to every position. Between its checkpoint and now a position has no fill, so what a
   * replayed price can change is monotonic in the price in whole ticks (excursions, favour, its newest entry lot, the
   * trail that follows favour) or is "the latest" (last price, market time): replaying the suffix's lowest row and
   * highest row in the position's ticks (the earliest of equals, as the rules keep the earliest), the row of the
   * latest market time and the last row, in sequence order, leaves the position exactly as replaying every row does.
   * That holds when replayPrice skips no row of the suffix (a row before the position's open, or one that rounds to
   * 0 ticks, would change which row is last): otherwise, for that position only, every row is replayed (rare).
   */
  private replay(saved: { state: PositionState; checkpointSeq: number }[], rows: JournalRow[]): void {
    const n = rows.length;
    if (n === 0) return;
    const atMs = rows.map((r) => Date.parse(r.at));
    // Suffix aggregates over rows i..n-1 that do not depend on the tick size.
    const latest = new Int32Array(n);
    const earliestInstant = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      const last = i === n - 1;
      latest[i] = last || atMs[i] > atMs[latest[i + 1]] ? i : latest[i + 1];
      earliestInstant[i] = last ? latestInstantMs(atMs[i]) : Math.min(latestInstantMs(atMs[i]), earliestInstant[i + 1]);
    }
    const extremes = new Map<number, { low: Int32Array; high: Int32Array; ticks: Float64Array }>();
    const extremesOf = (tickSize: number) => {
      let x = extremes.get(tickSize);
      if (x === undefined) {
        const ticks = Float64Array.from(rows, (r) => priceToTicks(r.price, tickSize));
        const low = new Int32Array(n);
        const high = new Int32Array(n);
        for (let i = n - 1; i >= 0; i--) {
          const last = i === n - 1;
          low[i] = last || ticks[i] <= ticks[low[i + 1]] ? i : low[i + 1];
          high[i] = last || ticks[i] >= ticks[high[i + 1]] ? i : high[i + 1];
        }
        extremes.set(tickSize, (x = { low, high, ticks }));
      }
      return x;
    };
    for (const { state, checkpointSeq } of saved) {
      const from = firstAfter(rows, checkpointSeq);
      if (from === n) continue;
      const x = extremesOf(state.tickSize);
      const skipsNone = earliestInstant[from] >= Date.parse(state.openedAt) && x.ticks[x.low[from]] > 0;
      const picks = skipsNone
        ? [...new Set([x.low[from], x.high[from], latest[from], n - 1])].sort((a, b) => a - b)
        : Array.from({ length: n - from }, (_, k) => from + k);
      for (const i of picks) this.book.replayPrice(state.id, rows[i].price, rows[i].at);
    }
  }

  /** One feed price at its market time. Not rounded here: positions may use different tick sizes (a recorder
   * may override it) and the book rounds per tick size. Returns null when the price is not bookable. */
  tick(raw: number, at: string, atMs: number = Date.parse(at)): TickOutcome | null {
    if (!isBoundedPrice(raw) || Number.isNaN(atMs)) return null;
    const out = this.applyTick(cleanPrice(raw), at, atMs);
    // A pending session end closes at the last price, a scheduled signal may take it: then every tick is saved.
    this.saveLast(this.book.nextClockMs() !== null || this.lastIsRead());
    return out;
  }

  private applyTick(price: number, at: string, atMs: number): TickOutcome {
    const seq = ++this.seq;
    // A position waking up now has seen none of the range so far: like a checkpoint, the range starts afresh.
    if (this.book.wakesAt(atMs)) this.runMin = this.runMax = null;
    const late = this.book.size > 0 && this.book.isLate(atMs);
    const prev = this.last;
    const normal = !late ? undefined : prev.normal ?? (prev.price !== null && prev.at !== null ? { seq: prev.seq, price: prev.price, at: prev.at } : undefined);
    this.last = { seq, price, at, ticks: prev.ticks + 1, ...(normal ? { normal } : {}) };
    this.unsaved = true;
    if (this.book.size === 0) {
      // Nothing to journal; but a pending entry may wait for this very price.
      if (this.book.pendingSize === 0) return { exits: [] };
    } else if (late) {
      // Not every position may see a late tick, so it must not widen the running range (a later tick that some
      // position does see could then go unjournaled): journal it, leave the range.
      this.store.journal({ seq, price, at });
    } else if (this.runMin === null || this.runMax === null || price < this.runMin || price > this.runMax) {
      this.store.journal({ seq, price, at });
      this.runMin = this.runMin === null ? price : Math.min(this.runMin, price);
      this.runMax = this.runMax === null ? price : Math.max(this.runMax, price);
    }
    const pendingBefore = this.book.pendingSize;
    const out = this.book.applyTick(price, at, atMs);
    this.persistTickOutcome(out);
    // A checkpoint at this tick restarted the range (checkpoint()). When this tick only took legs or moved a day's
    // end — no position opened or added to (no pending entry could fill) — every checkpointed state has already seen
    // this price at its current quantity (a partial exit only shrinks the P&L at a price it saw; see the header), so
    // the range restarts at this price, not empty: the next tick at the same price needs no journal row. (A position
    // opened or added to now has not seen this price at its new quantity: then the range stays empty.)
    if (!late && this.runMin === null && this.book.size > 0 && out.opened === undefined && pendingBefore === 0) this.runMin = this.runMax = price;
    return out;
  }

  /** Writes meta.last when unsaved and forced or a second (LAST_WRITE_MS) of wall clock has passed since the
   * last write. */
  private saveLast(force: boolean): void {
    if (!this.unsaved) return;
    const now = this.now();
    if (!force && this.savedAtMs !== null && now - this.savedAtMs < LAST_WRITE_MS) return;
    this.store.setLast(this.last);
    this.savedAtMs = now;
    this.unsaved = false;
  }

  /** Session ends and day ends with no tick (the object's alarm): market time `nowMs`. */
  clock(nowMs: number): TickOutcome {
    const out = this.book.applyClock(nowMs);
    this.persistTickOutcome(out);
    return out;
  }

  /** What a tick or the clock changed besides excursions: closed positions gone, a leg or a filled pending order
   * checkpointed, the memos (day tally, pending orders) saved. Nothing for a plain tick. */
  private persistTickOutcome(out: TickOutcome): void {
    // A state reported changed (a leg, a day's end) may have closed later in the same tick: never resurrect it.
    const closed = out.exits.length > 0 ? new Set(out.exits.map((e) => e.position.id)) : null;
    for (const state of out.changed ?? []) if (closed === null || !closed.has(state.id)) this.checkpoint(state);
    for (const e of out.exits) this.store.removePosition(e.position.id);
    for (const p of out.opened ?? []) {
      const state = this.book.state(p.id);
      if (state) this.checkpoint(state);
    }
    this.saveExtras();
  }

  /** The memos and pending orders of the recorders a step changed: one row each (none for a plain tick). */
  private saveExtras(): void {
    for (const id of this.book.takeTouched()) this.store.saveRecorderExtras(id, this.book.recorderExtras(id));
  }

  private checkpoint(state: PositionState): void {
    this.store.checkpoint(state, this.seq);
    // A new checkpoint restarts the journal's running range (see the header for why replay stays exact).
    this.runMin = this.runMax = null;
  }

  /** Applies a signal (the engine refuses bad input before any change) and checkpoints what changed. */
  signal(input: SignalInput): SignalOutcome {
    try {
      const out = this.book.applySignal(input);
      if (out.closed) this.store.removePosition(out.closed.position.id);
      for (const state of out.changed) this.checkpoint(state);
      return out;
    } finally {
      this.saveExtras(); // its last entry, a pending order, the day's net (also after a refusal: nothing is left owed)
    }
  }

  closeManual(positionId: string, price: number, at: string, origin: FillOrigin): ClosedPosition | null {
    const out = this.book.closeManual(positionId, price, at, origin);
    if (out) {
      this.store.removePosition(out.position.id);
      this.saveExtras();
    }
    return out;
  }

  /** Writes meta.last now if unsaved (the owner starts reading `last`: see DurableBookOptions.lastIsRead). */
  flushLast(): void {
    this.saveLast(true);
  }

  /** The object's alarm: drops the journal rows no checkpoint needs, and writes meta.last if unsaved (so a quiet
   * market leaves it stale for one alarm period at most). */
  compactJournal(): void {
    this.saveLast(true);
    this.store.compactJournal();
  }
}

/** Index of the first row with seq > `seq` (rows sorted by seq), n when none. O(log n). */
function firstAfter(rows: readonly JournalRow[], seq: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].seq > seq) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
