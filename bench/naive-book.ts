// NaiveSymbolBook: the straightforward book, kept as the REFERENCE and the BASELINE. Every tick visits every open
// position (excursion, then TP/SL): O(open positions) per tick, the shape of the original system's tick handler.
// The production book (book.ts) must agree with it exactly on every snapshot; test/engine/random.test.ts checks
// that, and `npm run bench` measures both side by side. Not used by the Worker: it lives beside the bench.
//
// The open positions of ONE feed symbol, at most one per recorder, and the recording rules that
// move them. Pure and synchronous: times come in as ISO strings, ids from the injected `newId`.
//
//   applySignal({recorder, instrument, signal, price, at}) -> SignalOutcome
//     Moves the recorder to the signal's target (see target.ts) at `price` (rounded here to the position's
//     tick: a recorder may override the tick size). `changed` = open states to persist, `closedIds` = states
//     to drop (their final Position + Trade are in `closed`).
//   applyTick(price, at) -> TickOutcome { exits, extremesMoved }
//     Per open position: excursion first, then TP/SL (take-profit wins a tie).
//   closeManual(positionId, price, at) -> ClosedPosition | null   (exitReason "manual")
//   open() / get(recorderId) / getById(positionId): Position snapshots with live unrealized P&L.
//   replayPrice(positionId, price, at): journal replay after a restore (excursion only).
//   states() / SymbolBook.restore(states, opts) / load(states): persistence, identical behaviour after restore.
//
// Prices must be > 0 (the caller refuses a signal without one: 422 no_price); a 0 is never booked, so a
// non-positive or non-finite price throws.
//
// Per-entry trades (`?pairing=entries`) are computed here by its own plain code, not by src/engine/entry-lots.ts:
// every open entry keeps the lowest and highest price it saw, updated on every price its position sees (O(entries)
// per tick and position), and each step pairs the position's new fills first-in-first-out from `fills` itself.
// Only the cents allocation (toEntryTrades) is shared, so the randomized tests compare the pairing and extremes.
import { QUANTITY_DUST, toEntryTrades } from "../src/engine/entry-lots";
import { observeExcursion } from "../src/engine/excursion";
import { closeAtSessionEnd, closeDay, endTradingDay, exitsAt } from "../src/engine/exits";
import { isBeforeOpen } from "../src/engine/market-time";
import { priceToTicks, ticksToPrice } from "../src/engine/money";
import { expiresWith, fillInput, orderFor, reaches, type PendingOrder } from "../src/engine/pending";
import { exitPosition, restore, serialize, toPosition, toTrade } from "../src/engine/position";
import { addClosedNet, newMemo, type RecorderMemo } from "../src/engine/rules";
import { applySignalStep, assertBookable, fillTicks } from "../src/engine/signal-step";
import { exitSide, rulesOf, slipped } from "../src/engine/stops";
import type { BookExtras, SymbolBookOptions } from "../src/engine/book";
import type { SignalInput } from "../src/engine/signal-step";
import type {
  ClosedPosition,
  EntryChunkRaw,
  ExitReason,
  FillOrigin,
  Position,
  PositionState,
  SignalOutcome,
  TickOutcome,
} from "../src/engine/types";

/** The naive tick outcome also lists the still-open positions whose worst/best moved (what it would write). */
export interface NaiveTickOutcome extends TickOutcome {
  extremesMoved: string[];
}

/** One entry fill still (partly) open, with the extremes of every price seen since it. */
interface PlainLot {
  at: string;
  px: number;
  q: number;
  comm: number;
  low: number;
  high: number;
}

/** A position's pairing so far: its fills already paired, its open entries, its closed pairs. Null lots: a state
 * restored without entry lots (no per-entry trades). */
interface PlainPairing {
  fillsSeen: number;
  lots: PlainLot[] | null;
  chunks: EntryChunkRaw[];
}

export class NaiveSymbolBook {
  private readonly newId: () => string;
  /** Open positions by recorder id (the tick loop iterates this). */
  private readonly byRecorder = new Map<string, PositionState>();
  private readonly byId = new Map<string, PositionState>();
  private readonly memos = new Map<string, RecorderMemo>();
  /** Pending limit/stop entries, one per recorder, in placement order. */
  private pending: PendingOrder[] = [];
  /** Per open position id: its per-entry pairing (see the header). */
  private readonly pairings = new Map<string, PlainPairing>();

  constructor(opts: SymbolBookOptions) {
    this.newId = opts.newId;
    for (const [k, v] of Object.entries(opts.extras?.memos ?? {})) this.memos.set(k, { ...v });
    this.pending = [...(opts.extras?.pending ?? [])];
  }

  extras(): BookExtras {
    return { memos: Object.fromEntries([...this.memos].map(([k, v]) => [k, { ...v }])), pending: [...this.pending] };
  }

  pendingOrders(): PendingOrder[] {
    return [...this.pending];
  }

  static restore(states: readonly PositionState[], opts: SymbolBookOptions): NaiveSymbolBook {
    const book = new NaiveSymbolBook(opts);
    book.load(states);
    return book;
  }

  /** Replaces the book's content with persisted states (closed ones are skipped). */
  load(states: readonly PositionState[]): void {
    this.byRecorder.clear();
    this.byId.clear();
    this.pairings.clear();
    for (const raw of states) {
      const s = restore(raw);
      if (s.status === "open") this.track(s, plainPairing(s));
    }
  }

  /** Deep copies of every open position's state, for persistence. */
  states(): PositionState[] {
    return [...this.byRecorder.values()].map(serialize);
  }

  /** The live states themselves (not copies): the bench's baseline writer reads them after every tick. */
  liveStates(): IterableIterator<PositionState> {
    return this.byRecorder.values();
  }

  get size(): number {
    return this.byRecorder.size;
  }

  open(): Position[] {
    return [...this.byRecorder.values()].map(toPosition);
  }

  get(recorderId: string): Position | undefined {
    const s = this.byRecorder.get(recorderId);
    return s && toPosition(s);
  }

  getById(positionId: string): Position | undefined {
    const s = this.byId.get(positionId);
    return s && toPosition(s);
  }

  applySignal(input: SignalInput): SignalOutcome {
    const id = input.recorder.id;
    const s = this.byRecorder.get(id);
    if (input.signal.order !== undefined) {
      const { outcome, order } = orderFor(s, input, this.newId());
      if (order !== undefined) this.pending = [...this.pending.filter((p) => p.recorderId !== id), order];
      return outcome;
    }
    // (Read before the step: it mutates the state.)
    const before = s === undefined ? 0 : signed(s);
    const out = this.step(s, input);
    const now = this.byRecorder.get(id);
    const direction = Math.sign((now === undefined ? 0 : signed(now)) - before);
    if (expiresWith(this.pending.find((p) => p.recorderId === id), direction)) this.pending = this.pending.filter((p) => p.recorderId !== id);
    return out;
  }

  private step(s: PositionState | undefined, input: SignalInput): SignalOutcome {
    const out = applySignalStep(s, input, {
      newId: this.newId,
      finish: (x) => this.finish(x),
      track: (x) => this.track(x),
      changed: () => {}, // nothing indexed: every tick visits every position
      memo: (id) => this.memo(id),
    });
    const now = this.byRecorder.get(input.recorder.id);
    if (now !== undefined) this.pair(now);
    return out;
  }

  applyTick(price: number, at: string): NaiveTickOutcome {
    assertBookable(price);
    const atMs = Date.parse(at);
    const exits: ClosedPosition[] = [];
    const changed: PositionState[] = [];
    const extremesMoved: string[] = [];
    // Session and trading-day ends first, at each position's last price.
    const dayEnded = this.clockPass(atMs, exits);
    // Positions of one symbol nearly always share a tick size: convert the price once per distinct size.
    let tickSize = NaN;
    let priceTicks = 0;
    for (const s of this.byRecorder.values()) {
      if (isBeforeOpen(atMs, Date.parse(s.openedAt))) continue; // a tick before the open never moves the position
      if (s.tickSize !== tickSize) {
        tickSize = s.tickSize;
        priceTicks = priceToTicks(price, tickSize);
      }
      if (priceTicks <= 0) continue; // below half a tick of an overridden size: nothing bookable
      s.lastPriceTicks = priceTicks;
      if (observeExcursion(s, priceTicks, at)) extremesMoved.push(s.id);
      this.see(s, priceTicks);
      const filled = exitsAt(s, priceTicks, at);
      if (s.status !== "open") exits.push(this.finish(s)); // deleting the current Map entry during iteration is safe
      else if (filled) {
        this.pair(s);
        changed.push(serialize(s));
      }
    }
    const opened: Position[] = [];
    const reached = this.pending.filter((p) => reaches(p, price) && !isBeforeOpen(atMs, p.createdMs)).sort((a, b) => a.createdMs - b.createdMs);
    this.pending = this.pending.filter((p) => !reached.includes(p));
    for (const p of reached) {
      let res: SignalOutcome;
      try {
        res = this.step(this.byRecorder.get(p.recorderId), fillInput(p, price, at));
      } catch {
        continue;
      }
      if (res.closed) exits.push(res.closed);
      if (res.opened) opened.push(res.opened);
      for (const c of res.changed) if (!res.opened || c.id !== res.opened.id) changed.push(c);
    }
    // Positions whose trading day ended: their states once the tick is applied (unless closed since).
    for (const s of dayEnded) if (s.status === "open") changed.push(serialize(s));
    // A closed position is reported in exits, not as a state to persist.
    const closedIds = new Set(exits.map((e) => e.position.id));
    return {
      exits,
      ...(changed.length > 0 ? { changed } : {}),
      ...(opened.length > 0 ? { opened } : {}),
      extremesMoved: extremesMoved.filter((id) => !closedIds.has(id)),
    };
  }

  /** Session ends and trading-day ends up to market time `nowMs` without a tick. */
  applyClock(nowMs: number): TickOutcome {
    const exits: ClosedPosition[] = [];
    const changed = this.clockPass(nowMs, exits).map(serialize);
    return { exits, ...(changed.length > 0 ? { changed } : {}) };
  }

  /** Closes the positions whose session ended; returns those whose trading day ended (states to persist). */
  private clockPass(nowMs: number, exits: ClosedPosition[]): PositionState[] {
    const dayEnded: PositionState[] = [];
    for (const s of this.byRecorder.values()) {
      if (closeAtSessionEnd(s, nowMs)) exits.push(this.finish(s));
      else if (endTradingDay(s, nowMs)) dayEnded.push(s);
    }
    return dayEnded;
  }

  /**
   * Re-applies a journaled feed price to one open position after a restore (recovery of extremes seen after the
   * last checkpoint): excursion and last price only, no TP/SL (an exit would already have been recorded).
   * Returns true when an extreme moved.
   */
  replayPrice(positionId: string, price: number, at: string): boolean {
    const s = this.byId.get(positionId);
    if (s === undefined || !(Number.isFinite(price) && price > 0)) return false;
    if (isBeforeOpen(Date.parse(at), Date.parse(s.openedAt))) return false;
    const priceTicks = priceToTicks(price, s.tickSize);
    if (priceTicks <= 0) return false;
    s.lastPriceTicks = priceTicks;
    this.see(s, priceTicks);
    return observeExcursion(s, priceTicks, at);
  }

  closeManual(positionId: string, price: number, at: string, origin: FillOrigin = { priceSource: "signal", feedPrice: null }): ClosedPosition | null {
    const s = this.byId.get(positionId);
    if (s === undefined) return null;
    assertBookable(price);
    exitPosition(s, s.quantity, slipped(fillTicks(price, s.tickSize), exitSide(s), rulesOf(s).slippageTicks), at, "manual", origin);
    return this.finish(s);
  }

  /** A new position (its open fill is paired by the step) or a restored one with its pairing so far. */
  private track(s: PositionState, pairing: PlainPairing = { fillsSeen: 0, lots: [], chunks: [] }): void {
    this.byRecorder.set(s.recorderId, s);
    this.byId.set(s.id, s);
    this.pairings.set(s.id, pairing);
  }

  private finish(s: PositionState): ClosedPosition {
    this.pair(s);
    const pairing = this.pairings.get(s.id)!;
    this.pairings.delete(s.id);
    this.byRecorder.delete(s.recorderId);
    this.byId.delete(s.id);
    const trade = toTrade(s, this.newId());
    addClosedNet(this.memo(s.recorderId), closeDay(s).startMs, trade.pnl);
    const entryTrades = pairing.lots === null ? null : toEntryTrades({ ...s, entryLots: { open: [], front: 0, backLow: null, backHigh: null, done: pairing.chunks } });
    return { position: toPosition(s), trade, entryTrades };
  }

  /** A price the position saw: every open entry sees it. */
  private see(s: PositionState, priceTicks: number): void {
    const lots = this.pairings.get(s.id)?.lots;
    if (lots) for (const l of lots) {
      if (priceTicks < l.low) l.low = priceTicks;
      if (priceTicks > l.high) l.high = priceTicks;
    }
  }

  /** Pairs the fills booked since the last call: an entry opens a lot, an exit takes lots oldest first; each fill's
   * price is seen by the lots open before it. Commission: the position's per-contract rate (constant within one
   * step: a signal sets it before any fill). */
  private pair(s: PositionState): void {
    const p = this.pairings.get(s.id);
    if (p === undefined) return;
    const entrySide = s.side === "long" ? "buy" : "sell";
    for (; p.fillsSeen < s.fills.length; p.fillsSeen++) {
      const f = s.fills[p.fillsSeen];
      const px = priceToTicks(f.price, s.tickSize);
      if (p.lots === null) continue;
      this.see(s, px);
      if (f.side === entrySide) {
        p.lots.push({ at: f.at, px, q: f.quantity, comm: s.commissionPerContract * f.quantity, low: px, high: px });
        continue;
      }
      const closing = p.fillsSeen === s.fills.length - 1 && s.status === "closed";
      let left = f.quantity;
      // (Below half the smallest quantity step a remainder is float noise: the engine's QUANTITY_DUST.)
      while (p.lots.length > 0 && (closing || left >= QUANTITY_DUST)) {
        const l = p.lots[0];
        const whole = closing || left >= l.q - QUANTITY_DUST;
        const q = whole ? l.q : left;
        const entryComm = whole ? l.comm : (l.comm * q) / l.q;
        const exitReason: ExitReason = f.reason === "reduce" ? "signal" : (f.reason as ExitReason);
        p.chunks.push({ entryAt: l.at, exitAt: f.at, entryTicks: l.px, exitTicks: px, quantity: q, commission: entryComm + s.commissionPerContract * q, low: l.low, high: l.high, exitReason });
        if (whole) p.lots.shift();
        else {
          l.q = cleanQty(l.q - q);
          l.comm -= entryComm;
        }
        left = cleanQty(left - q);
      }
    }
  }

  private memo(recorderId: string): RecorderMemo {
    let m = this.memos.get(recorderId);
    if (m === undefined) this.memos.set(recorderId, (m = newMemo()));
    return m;
  }
}

/** A restored position's pairing, from its entry lots (extremes since each entry: the plain minimum
 * and maximum over its own and every later segment). */
function plainPairing(s: PositionState): PlainPairing {
  const x = s.entryLots;
  if (x === undefined) return { fillsSeen: s.fills.length, lots: null, chunks: [] };
  const lots = x.open.map((l, i) => {
    const later = x.open.slice(i);
    return { at: l.at, px: l.priceTicks, q: l.quantity, comm: l.commission, low: Math.min(...later.map((m) => m.low)), high: Math.max(...later.map((m) => m.high)) };
  });
  return { fillsSeen: s.fills.length, lots, chunks: x.done.map((c) => ({ ...c })) };
}

/** Strips float noise from fractional contract counts (0.3 − 0.1). */
function cleanQty(x: number): number {
  return Number(x.toPrecision(12)) + 0;
}

function signed(s: PositionState): number {
  return s.side === "long" ? s.quantity : -s.quantity;
}
