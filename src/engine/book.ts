// SymbolBook: the open positions of ONE feed symbol, at most one per recorder, and the recording rules that
// move them. Pure and synchronous: times come in as ISO strings, ids from the injected `newId`.
//
//   applySignal({recorder, instrument, signal, price, at}) -> SignalOutcome
//     Moves the recorder to the signal's target (see target.ts) at `price` (rounded here to the position's
//     tick: a recorder may override the tick size). `changed` = open states to persist, `closedIds` = states
//     to drop (their final Position + Trade are in `closed`).
//   applyTick(price, at) -> TickOutcome { exits }
//     Excursion first, then TP/SL (take-profit wins a tie) -- for every open position, in O(log n + exits).
//   closeManual(positionId, price, at) -> ClosedPosition | null   (exitReason "manual")
//   open() / get(recorderId) / getById(positionId): Position snapshots with live unrealized P&L.
//   replayPrice(positionId, price, at): journal replay after a restore (excursion only).
//   states() / SymbolBook.restore(states, opts) / load(states): persistence, identical behaviour after restore.
//
// Why a tick does not visit every position (the recording rules are those of bench/naive-book.ts, which visits them
// all; test/engine/random.test.ts checks both agree on every snapshot):
// - Excursions are LAZY. Between two fills a position's quantity and average entry are constant, so its P&L is
//   monotonic in the price: the worst/best of that segment are the P&L at the lowest/highest price since the
//   segment started (earliest tick for ties, as the rules want). Each tick size group keeps its price path
//   (price-path.ts) and each position the path sequence up to which its state is "folded"; reading a position
//   (snapshot, states(), a fill, an exit) folds the rest of the segment in O(log ticks) first. Last price and
//   unrealized P&L follow from the path's latest tick the same way.
// - TP/SL are EAGER but indexed: per group one min-heap of levels hit from below (long TP, short SL: price >=
//   level) and one of levels hit from above (long SL, short TP: price <= level, keys negated), so a tick pops
//   exactly the crossed levels (level-heap.ts; entries of positions whose levels moved or that closed are stale).
// - The path's stacks are trimmed by folding the group's positions once they outgrow 4096 + 2 × positions
//   entries (amortized O(1) per tick; a long one-way trend is what grows them).
// - The second round's exit rules (exits.ts) are levels too: each position keeps ONE entry in each heap, the
//   nearest level that needs a look above (a take-profit or leg, a break-even or trailing trigger, the daily
//   profit level) and below (its stop without an active trail, the daily loss level). A popped position is
//   evaluated by exits.ts and re-indexed. Active trailing stops, which ratchet with every new best price, live in
//   trail-index.ts (O(log n) amortized per tick however many move). Session ends and trading-day ends are a heap
//   of times (`clock`), looked at before each tick and by `applyClock` (the object's alarm on a quiet market).
// - Pending limit/stop entries (pending.ts) are two more price heaps.
// - Per-entry run-up and drawdown (`?pairing=entries`, entry-lots.ts) ride on the same fold: the run of ticks a
//   fold brings in belongs to the position's newest entry lot, O(1); the tick loop never sees lots.
//
// Market time (CONTRACT "Market time"): a tick whose market time is earlier than a position's openedAt never
// moves it. A position opened ahead of the feed's market time (a real-time signal price on a delayed feed) is
// DORMANT: out of the price path and the level heaps until the first tick at or past its openedAt, so earlier
// ticks cannot touch its excursions or levels. Dormant positions sit in a list sorted by openedAt; a tick checks
// only its head: O(1) per tick, O(log n) per activation. A LATE tick — stamped before the open of a position that
// is already live (market time going backwards: a correction, a reconnect snapshot) — cannot go into the shared
// price path; it is applied to the positions it may touch one by one (O(n), and rare).
//
// Prices must be > 0 and < 1e9 (the caller refuses a signal without one: 422 no_price); a 0 is never booked,
// so a non-positive or non-finite price throws.
import { observeLots, toEntryTrades } from "./entry-lots";
import { observeExcursion } from "./excursion";
import { clockDueMs, closeAtSessionEnd, closeDay, endTradingDay, exitsAt, watchLevels } from "./exits";
import { LevelHeap } from "./level-heap";
import { isBeforeOpen } from "./market-time";
import { priceToTicks, ticksToPrice } from "./money";
import { expiresWith, fillInput, orderFor, PendingOrders, type PendingOrder } from "./pending";
import { openTickPnl } from "./pnl";
import { exitPosition, restore, serialize, toPosition, toTrade } from "./position";
import { PricePath } from "./price-path";
import { addClosedNet, newMemo, type RecorderMemo } from "./rules";
import { applySignalStep, assertBookable, checkSignalStep, fillTicks, type SignalInput } from "./signal-step";
import { dirOf, exitSide, favorOf, rulesOf, slipped, trailActive } from "./stops";
import { TrailIndex } from "./trail-index";
import type {
  ClosedPosition,
  FillOrigin,
  Position,
  PositionState,
  SignalOutcome,
  TickOutcome,
} from "./types";

/** What the book keeps besides positions (persisted by its owner, see `extras()`). */
export interface BookExtras {
  memos: Record<string, RecorderMemo>;
  pending: PendingOrder[];
}

export interface SymbolBookOptions {
  newId: () => string;
  /** Market time (ms) the feed had reached when restored: positions opened after it start dormant. */
  marketTimeMs?: number;
  /** Tuning (tests use tiny values to exercise the trimming): price-path entries kept beyond 2 × positions. */
  pathSlack?: number;
  /** Heap entries kept beyond 4 × positions before stale ones are dropped. */
  heapSlack?: number;
  /** Recorder memos and pending orders, as `extras()` returned them. */
  extras?: BookExtras;
}

export type { SignalInput } from "./signal-step";

/** Stacks of a price path longer than this + 2 × the group's positions are folded away. */
const PATH_SLACK = 4096;
/** Heaps with more than this + 4 × the group's positions entries are compacted (stale entries dropped). */
const HEAP_SLACK = 256;

/** Positions that share a tick size (nearly always all of a symbol's: a recorder may override it). */
interface Group {
  tickSize: number;
  path: PricePath;
  count: number;
  /** Levels hit when price >= level: long take-profits, short stop-losses. Key = level. */
  up: LevelHeap<Entry>;
  /** Levels hit when price <= level: long stop-losses, short take-profits. Key = -level. */
  down: LevelHeap<Entry>;
  /** Active trailing stops of longs (y = price) and shorts (y = −price). */
  trailLong: TrailIndex<Entry>;
  trailShort: TrailIndex<Entry>;
}

/** An open position and its bookkeeping (never persisted: PositionState is). */
interface Entry {
  s: PositionState;
  g: Group;
  /** Path sequence up to which `s` has seen the ticks (its excursions and last price are current there). */
  seen: number;
  /** Bumped when its levels change or it closes: heap entries with an older version are stale. */
  ver: number;
  /** Order of tracking: the order in which a tick reports exits (that of the naive book). */
  ord: number;
  open: boolean;
  /** openedAt in ms while the position waits for the feed's market time to reach it (null: live). */
  dormantUntil: number | null;
  /** The tick that last evaluated it (a position surfacing from several indexes is evaluated once). */
  seenTick: number;
}

export class SymbolBook {
  private readonly newId: () => string;
  /** Open positions by recorder id (insertion order = tracking order). */
  private readonly byRecorder = new Map<string, Entry>();
  private readonly byId = new Map<string, Entry>();
  private readonly groups = new Map<number, Group>();
  private nextOrd = 0;
  /** Dormant positions, sorted by dormantUntil (earliest first). */
  private dormant: Entry[] = [];
  /** Market time of the latest tick (ms); -Infinity before any. */
  private marketTimeMs: number;
  /** The latest openedAt (ms) among live positions: a tick stamped before it is late (see the header). */
  private latestOpenMs = -Infinity;
  /** Live positions per openedAt (ms), to find the next latest when the last one at latestOpenMs closes. */
  private readonly liveOpens = new Map<number, number>();
  private readonly pathSlack: number;
  private readonly heapSlack: number;
  /** Session and trading-day ends: key = market time (ms). */
  private readonly clock = new LevelHeap<Entry>();
  private readonly memos = new Map<string, RecorderMemo>();
  /** Recorders whose memo or pending order changed since `takeTouched()`. */
  private readonly touched = new Set<string>();
  private readonly pending = new PendingOrders();
  private tickCount = 0;

  constructor(opts: SymbolBookOptions) {
    this.newId = opts.newId;
    this.marketTimeMs = opts.marketTimeMs ?? -Infinity;
    this.pathSlack = opts.pathSlack ?? PATH_SLACK;
    this.heapSlack = opts.heapSlack ?? HEAP_SLACK;
    if (opts.extras) this.loadExtras(opts.extras);
  }

  static restore(states: readonly PositionState[], opts: SymbolBookOptions): SymbolBook {
    const book = new SymbolBook(opts);
    book.load(states);
    return book;
  }

  /** Replaces the book's positions with persisted states (closed ones are skipped). */
  load(states: readonly PositionState[]): void {
    this.byRecorder.clear();
    this.byId.clear();
    this.groups.clear();
    this.dormant = [];
    this.latestOpenMs = -Infinity;
    this.liveOpens.clear();
    this.clock.compact(() => false);
    for (const raw of states) {
      const s = restore(raw);
      if (s.status === "open") this.track(s);
    }
  }

  /** Recorder memos and pending orders, JSON-safe (persist them beside the states; small, changed by signals and
   * exits only). */
  extras(): BookExtras {
    return { memos: Object.fromEntries([...this.memos].map(([k, v]) => [k, { ...v }])), pending: this.pending.list() };
  }

  private loadExtras(x: BookExtras): void {
    this.memos.clear();
    for (const [k, v] of Object.entries(x.memos ?? {})) this.memos.set(k, { ...v });
    this.pending.load(x.pending ?? []);
  }

  /** Pending limit/stop entries waiting for a price. */
  pendingOrders(): PendingOrder[] {
    return this.pending.list();
  }

  /** How many pending entries wait (O(1)). */
  get pendingSize(): number {
    return this.pending.size;
  }

  /** A deep copy of one open position's state (to checkpoint it), or undefined. O(log ticks). */
  state(positionId: string): PositionState | undefined {
    const e = this.byId.get(positionId);
    return e && serialize(this.fold(e));
  }

  /** Deep copies of every open position's state, for persistence. */
  states(): PositionState[] {
    const out: PositionState[] = [];
    for (const e of this.byRecorder.values()) out.push(serialize(this.fold(e)));
    return out;
  }

  get size(): number {
    return this.byRecorder.size;
  }

  open(): Position[] {
    const out: Position[] = [];
    for (const e of this.byRecorder.values()) out.push(toPosition(this.fold(e)));
    return out;
  }

  get(recorderId: string): Position | undefined {
    const e = this.byRecorder.get(recorderId);
    return e && toPosition(this.fold(e));
  }

  getById(positionId: string): Position | undefined {
    const e = this.byId.get(positionId);
    return e && toPosition(this.fold(e));
  }

  /** The tick size a position is valued in (its recorder may override the instrument's). */
  stateTickSize(positionId: string): number | undefined {
    return this.byId.get(positionId)?.s.tickSize;
  }

  applySignal(input: SignalInput): SignalOutcome {
    const e = this.byRecorder.get(input.recorder.id);
    const s = e && this.fold(e);
    if (input.signal.order !== undefined) return this.placePending(s, input);
    const { direction, ...out } = this.step(s, input);
    // An order in the other direction than a pending entry expires it (CONTRACT).
    if (expiresWith(this.pending.get(input.recorder.id), direction)) {
      this.pending.remove(input.recorder.id);
      this.touched.add(input.recorder.id);
    }
    return out;
  }

  private step(s: PositionState | undefined, input: SignalInput): SignalOutcome & { direction: number } {
    const current = s === undefined ? 0 : s.side === "long" ? s.quantity : -s.quantity;
    const out = applySignalStep(s, input, {
      newId: this.newId,
      finish: (x) => this.finish(this.byId.get(x.id)!),
      track: (x) => this.track(x),
      // Quantity, average, levels or rules moved: re-index them.
      changed: (x) => this.index(this.byId.get(x.id)!),
      memo: (id) => this.memo(id),
    });
    const now = this.byRecorder.get(input.recorder.id)?.s;
    const after = now === undefined ? 0 : now.side === "long" ? now.quantity : -now.quantity;
    return { ...out, direction: Math.sign(after - current) };
  }

  /** A limit/stop entry (pending.ts): kept until a tick reaches its price. */
  private placePending(s: PositionState | undefined, input: SignalInput): SignalOutcome {
    const { outcome, order } = orderFor(s, input, this.newId());
    if (order !== undefined) {
      this.pending.place(order);
      this.touched.add(order.recorderId);
    }
    return outcome;
  }

  /** Throws the SignalRefusedError that applySignal would, changing nothing. */
  checkSignal(input: SignalInput): void {
    const e = this.byRecorder.get(input.recorder.id);
    const order = input.signal.order;
    checkSignalStep(e && this.fold(e), order === undefined ? input : { ...input, price: order.type === "limit" ? order.limitPrice : order.stopPrice });
  }

  /** Recorders whose memo or pending order changed since the last call (what the owner must save). */
  takeTouched(): string[] {
    if (this.touched.size === 0) return [];
    const out = [...this.touched];
    this.touched.clear();
    return out;
  }

  /** One recorder's memo and pending order, as `extras()` holds them (undefined: none). */
  recorderExtras(recorderId: string): { memo?: RecorderMemo; pending?: PendingOrder } {
    const memo = this.memos.get(recorderId);
    const pending = this.pending.get(recorderId);
    return { ...(memo ? { memo: { ...memo } } : {}), ...(pending ? { pending } : {}) };
  }

  private memo(recorderId: string): RecorderMemo {
    this.touched.add(recorderId);
    let m = this.memos.get(recorderId);
    if (m === undefined) {
      m = newMemo();
      this.memos.set(recorderId, m);
    }
    return m;
  }

  /** `atMs` is `at` parsed (callers on the tick path have it already: parsed once per tick). */
  applyTick(price: number, at: string, atMs: number = Date.parse(at)): TickOutcome {
    assertBookable(price);
    const out: TickOutcome = { exits: [] };
    if (atMs > this.marketTimeMs) this.marketTimeMs = atMs;
    // Positions whose open the market has now reached go live before this tick is applied: it counts for them.
    while (this.wakesAt(atMs)) this.wake(this.dormant.shift()!);
    // Session and day ends the market passed happen first, at the last price before this tick.
    const dayEnded = this.clock.top() <= atMs ? this.runClock(atMs, out) : null;
    if (this.isLate(atMs)) {
      this.applyLateTick(price, at, atMs, out);
      out.late = true;
      // A pending entry placed before this tick's stamp is reached by it like by any other.
      if (this.pending.size > 0) this.fillPending(price, at, atMs, out);
      if (dayEnded !== null) this.reportDayEnds(dayEnded, out);
      return out;
    }
    this.tickCount++;
    let hits: Entry[] | undefined;
    for (const g of this.groups.values()) {
      const priceTicks = priceToTicks(price, g.tickSize);
      if (priceTicks <= 0) continue; // below half a tick of an overridden size: nothing bookable
      g.path.push(priceTicks, at);
      while (g.up.top() <= priceTicks) {
        const e = g.up.pop();
        if (e !== undefined) (hits ??= []).push(e);
      }
      while (g.down.top() <= -priceTicks) {
        const e = g.down.pop();
        if (e !== undefined) (hits ??= []).push(e);
      }
      if (g.trailLong.size > 0) g.trailLong.onPrice(priceTicks, (hits ??= []));
      if (g.trailShort.size > 0) g.trailShort.onPrice(-priceTicks, (hits ??= []));
      if (g.path.length > this.pathSlack + 2 * g.count) this.foldGroup(g);
    }
    if (hits !== undefined && hits.length > 0) {
      // In tracking order, like a loop over every position; a position may have surfaced from several indexes.
      hits.sort((a, b) => a.ord - b.ord);
      for (const e of hits) {
        if (!e.open || e.seenTick === this.tickCount) continue;
        e.seenTick = this.tickCount;
        const s = this.fold(e);
        this.evaluate(e, exitsAt(s, e.g.path.lastTicks, at), out);
      }
    }
    if (this.pending.size > 0) this.fillPending(price, at, atMs, out);
    if (dayEnded !== null) this.reportDayEnds(dayEnded, out);
    return out;
  }

  /** Positions whose trading day ended (runClock): reported changed with their state once the tick is applied, so
   * that the owner's checkpoint at this tick includes it. Those closed meanwhile are in `exits`. */
  private reportDayEnds(dayEnded: Entry[], out: TickOutcome): void {
    for (const e of dayEnded) if (e.open) (out.changed ??= []).push(serialize(this.fold(e)));
  }

  /** After exits.ts looked at a position: closed -> finished; filled (a leg) -> to persist; re-indexed. */
  private evaluate(e: Entry, filled: boolean, out: TickOutcome): void {
    if (e.s.status !== "open") {
      out.exits.push(this.finish(e));
      return;
    }
    if (filled) (out.changed ??= []).push(serialize(e.s));
    this.index(e);
  }

  /** Session ends and trading-day ends up to market time `nowMs` with no tick (the object's alarm on a quiet
   * market; the delayed feed's delay already subtracted by the caller). */
  applyClock(nowMs: number): TickOutcome {
    const out: TickOutcome = { exits: [] };
    if (this.clock.top() <= nowMs) this.reportDayEnds(this.runClock(nowMs, out), out);
    return out;
  }

  /** The next market time at which `applyClock` has something to do (null: nothing scheduled). */
  nextClockMs(): number | null {
    const top = this.clock.top();
    return top === Infinity ? null : top;
  }

  /** Closes the positions whose session ended by `nowMs` (into `out.exits`) and ends the trading days that ended;
   * returns the positions whose day ended (their states are to persist: `reportDayEnds`). */
  private runClock(nowMs: number, out: TickOutcome): Entry[] {
    const dayEnded: Entry[] = [];
    const due: Entry[] = [];
    while (this.clock.top() <= nowMs) {
      const e = this.clock.pop();
      if (e !== undefined) due.push(e);
    }
    due.sort((a, b) => a.ord - b.ord);
    for (const e of due) {
      if (!e.open) continue;
      const s = this.fold(e);
      if (closeAtSessionEnd(s, nowMs)) out.exits.push(this.finish(e));
      else {
        // A trading day ended: its daily-limit level moved.
        if (endTradingDay(s, nowMs)) dayEnded.push(e);
        this.index(e);
      }
    }
    return dayEnded;
  }

  /** Pending entries this price reaches, applied as their signals at the fill price (oldest first). */
  private fillPending(price: number, at: string, atMs: number, out: TickOutcome): void {
    for (const p of this.pending.reachedBy(price, atMs)) {
      this.touched.add(p.recorderId);
      const e = this.byRecorder.get(p.recorderId);
      const input = fillInput(p, price, at);
      let res: SignalOutcome;
      try {
        res = this.step(e && this.fold(e), input);
      } catch {
        continue; // refused now (its levels crossed meanwhile): the order is dropped, nothing booked
      }
      if (res.closed) out.exits.push(res.closed);
      if (res.opened) (out.opened ??= []).push(res.opened);
      for (const c of res.changed) if (!res.opened || c.id !== res.opened.id) (out.changed ??= []).push(c);
    }
  }

  /** Whether a tick at `atMs` wakes a dormant position (it starts seeing ticks from this one on). */
  wakesAt(atMs: number): boolean {
    return this.dormant.length > 0 && !isBeforeOpen(atMs, this.dormant[0].dormantUntil!);
  }

  /** Whether a tick at `atMs` would be late (stamped before a live position's open): see the header. */
  isLate(atMs: number): boolean {
    return isBeforeOpen(atMs, this.latestOpenMs);
  }

  /** A tick stamped before some live position's open: each position opened at or before it sees it directly
   * (excursion, last price, levels), the others never do; the shared price path is left alone. */
  private applyLateTick(price: number, at: string, atMs: number, out: TickOutcome): void {
    // byId is in tracking order (insertion = ord); deleting the current entry while iterating a Map is safe.
    for (const e of this.byId.values()) {
      if (e.dormantUntil !== null || isBeforeOpen(atMs, Date.parse(e.s.openedAt))) continue;
      const priceTicks = priceToTicks(price, e.g.tickSize);
      if (priceTicks <= 0) continue;
      const s = this.fold(e);
      s.lastPriceTicks = priceTicks;
      observeExcursion(s, priceTicks, at);
      this.evaluate(e, exitsAt(s, priceTicks, at), out);
    }
  }

  /**
   * Re-applies a journaled feed price to one open position after a restore (recovery of extremes seen after the
   * last checkpoint): excursion, favour and last price only, no exits (an exit would already have been recorded).
   * Returns true when an extreme moved.
   */
  replayPrice(positionId: string, price: number, at: string): boolean {
    const e = this.byId.get(positionId);
    if (e === undefined || !(Number.isFinite(price) && price > 0)) return false;
    const atMs = Date.parse(at);
    if (atMs > this.marketTimeMs) this.marketTimeMs = atMs;
    if (isBeforeOpen(atMs, Date.parse(e.s.openedAt))) return false; // before its open: never moves it
    if (e.dormantUntil !== null) {
      this.dormant.splice(this.dormant.indexOf(e), 1);
      this.wake(e);
    }
    const s = this.fold(e);
    const priceTicks = priceToTicks(price, s.tickSize);
    if (priceTicks <= 0) return false;
    s.lastPriceTicks = priceTicks;
    const favor = favorOf(s);
    const moved = observeExcursion(s, priceTicks, at);
    // A new favour may have armed a break-even or moved a trail: the indexes follow.
    if (favorOf(s) !== favor) this.index(e);
    return moved;
  }

  closeManual(positionId: string, price: number, at: string, origin: FillOrigin = { priceSource: "signal", feedPrice: null }): ClosedPosition | null {
    const e = this.byId.get(positionId);
    if (e === undefined) return null;
    assertBookable(price);
    const s = this.fold(e);
    exitPosition(s, s.quantity, slipped(fillTicks(price, s.tickSize), exitSide(s), rulesOf(s).slippageTicks), at, "manual", origin);
    return this.finish(e);
  }

  /** Brings the position's excursions and last price up to the group's latest tick. O(log ticks). */
  private fold(e: Entry): PositionState {
    const path = e.g.path;
    if (path.seq === e.seen || e.dormantUntil !== null) return e.s;
    const s = e.s;
    const lo = path.lowSince(e.seen);
    const hi = path.highSince(e.seen);
    const long = s.side === "long";
    // Long: worst at the low, best at the high; short: the other way round. P&L is monotonic in the price.
    const worstPx = long ? path.minPx[lo] : path.maxPx[hi];
    const worst = openTickPnl(s, worstPx);
    if (worst < s.worstTickPnl) {
      s.worstTickPnl = worst;
      s.worstPriceTicks = worstPx;
      s.worstAt = long ? path.minAt[lo] : path.maxAt[hi];
    }
    const bestPx = long ? path.maxPx[hi] : path.minPx[lo];
    const best = openTickPnl(s, bestPx);
    if (best > s.bestTickPnl) {
      s.bestTickPnl = best;
      s.bestPriceTicks = bestPx;
      s.bestAt = long ? path.maxAt[hi] : path.minAt[lo];
    }
    // The most favourable price since its open: a long's highest, a short's lowest.
    const favor = long ? path.maxPx[hi] : path.minPx[lo];
    if (s.favorTicks === undefined || (long ? favor > s.favorTicks : favor < s.favorTicks)) s.favorTicks = favor;
    // The same run of ticks belongs to the newest entry lot's segment (entry-lots.ts): O(1).
    observeLots(s.entryLots, path.minPx[lo], path.maxPx[hi]);
    s.lastPriceTicks = path.lastTicks;
    e.seen = path.seq;
    return s;
  }

  /** Folds every position of the group, then forgets the group's price history. */
  private foldGroup(g: Group): void {
    for (const e of this.byId.values()) if (e.g === g) this.fold(e);
    g.path.clear();
  }

  /** (Re-)enters the position in its group's indexes: one entry above and one below the price (exits.ts
   * watchLevels), its active trail, its next clock time. Older entries go stale (version). */
  private index(e: Entry): void {
    e.ver++;
    const { s, g } = e;
    // The clock needs no price: a dormant position (opened ahead of the feed, e.g. on a quiet market) still ends
    // its session and its trading day. Its price levels wait until it wakes.
    const due = clockDueMs(s);
    if (due !== null) {
      this.clock.push(due, e);
      if (this.clock.size > this.heapSlack + 4 * this.byId.size) this.clock.compact();
    }
    if (e.dormantUntil !== null) return; // price indexes when it wakes
    const { upY, downY } = watchLevels(s);
    // In price terms: a long watches up >= upY and down <= downY; a short (y = −price) the other way round.
    const [rise, fall] = s.side === "long" ? [g.up, g.down] : [g.down, g.up];
    if (upY !== Infinity) rise.push(upY, e);
    if (downY !== -Infinity) fall.push(-downY, e);
    if (trailActive(s)) {
      const trail = s.side === "long" ? g.trailLong : g.trailShort;
      trail.add(e, dirOf(s) * favorOf(s), rulesOf(s).trail!.distanceTicks);
      if (trail.size > this.heapSlack + 4 * g.count) this.rebuildTrails(g);
    }
    const limit = this.heapSlack + 4 * g.count;
    if (g.up.size > limit) g.up.compact();
    if (g.down.size > limit) g.down.compact();
  }

  /** Drops stale trail entries: the group's active trails joined afresh at their current favour. */
  private rebuildTrails(g: Group): void {
    g.trailLong.clear();
    g.trailShort.clear();
    for (const e of this.byId.values()) {
      if (e.g !== g || e.dormantUntil !== null) continue;
      const s = this.fold(e);
      if (!trailActive(s)) continue;
      (s.side === "long" ? g.trailLong : g.trailShort).add(e, dirOf(s) * favorOf(s), rulesOf(s).trail!.distanceTicks);
    }
  }

  private track(s: PositionState): void {
    let g = this.groups.get(s.tickSize);
    if (g === undefined) {
      g = { tickSize: s.tickSize, path: new PricePath(), count: 0, up: new LevelHeap(), down: new LevelHeap(), trailLong: new TrailIndex(), trailShort: new TrailIndex() };
      this.groups.set(s.tickSize, g);
    }
    g.count++;
    const openedMs = Date.parse(s.openedAt);
    const dormantUntil = openedMs > this.marketTimeMs ? openedMs : null;
    const e: Entry = { s, g, seen: g.path.seq, ver: 0, ord: this.nextOrd++, open: true, dormantUntil, seenTick: -1 };
    this.byRecorder.set(s.recorderId, e);
    this.byId.set(s.id, e);
    if (dormantUntil === null) this.countLiveOpen(openedMs, 1);
    else {
      let i = this.dormant.length;
      while (i > 0 && this.dormant[i - 1].dormantUntil! > dormantUntil) i--;
      this.dormant.splice(i, 0, e);
    }
    this.index(e);
  }

  /** Keeps latestOpenMs: O(1), except when the last live position opened at the latest time closes (then
   * O(distinct open times)). */
  private countLiveOpen(openedMs: number, delta: 1 | -1): void {
    const n = (this.liveOpens.get(openedMs) ?? 0) + delta;
    if (n > 0) this.liveOpens.set(openedMs, n);
    else this.liveOpens.delete(openedMs);
    if (delta > 0) {
      if (openedMs > this.latestOpenMs) this.latestOpenMs = openedMs;
    } else if (n <= 0 && openedMs === this.latestOpenMs) {
      this.latestOpenMs = -Infinity;
      for (const t of this.liveOpens.keys()) if (t > this.latestOpenMs) this.latestOpenMs = t;
    }
  }

  /** The market reached the position's open: from the next path entry on, its ticks count. */
  private wake(e: Entry): void {
    this.countLiveOpen(e.dormantUntil!, 1);
    e.dormantUntil = null;
    e.seen = e.g.path.seq;
    this.index(e);
  }

  private finish(e: Entry): ClosedPosition {
    const { s, g } = e;
    e.open = false;
    e.ver++;
    if (e.dormantUntil !== null) this.dormant.splice(this.dormant.indexOf(e), 1);
    else this.countLiveOpen(Date.parse(s.openedAt), -1);
    this.byRecorder.delete(s.recorderId);
    this.byId.delete(s.id);
    if (--g.count === 0 && this.groups.get(g.tickSize) === g) this.groups.delete(g.tickSize);
    const trade = toTrade(s, this.newId());
    addClosedNet(this.memo(s.recorderId), closeDay(s).startMs, trade.pnl);
    return { position: toPosition(s), trade, entryTrades: toEntryTrades(s) };
  }
}
