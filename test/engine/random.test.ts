// Randomized check of the engine against a deliberately NAIVE reference model written from the CONTRACT text:
// plain float prices and dollars, a running float average, everything recomputed per fill, rounding only when
// comparing. Five engines are fed the same inputs:
// - `control`: the production SymbolBook, read (and so folded) at every step, compared with the reference model;
// - `naive`: NaiveSymbolBook, the straightforward visit-every-position loop (the bench's baseline);
// - `book`: a SymbolBook read only at random points (its excursions stay lazy over long stretches), restored
//   from a JSON round trip of `states()` at random points;
// - `durable`: a SymbolBook restarted at random points the way the symbol Durable Object restarts (per-position
//   checkpoints taken at signals, the journal of new extremes since the latest checkpoint, the last tick:
//   the real src/durable/durable-book.ts on an in-memory store), with the journal compacted at random points;
// and every one of their outcomes and snapshots must be identical to the naive book's. One exception, by design
// (durable-book.ts writes meta.last at most once a second of its wall clock, here a fake one advanced by a random
// 0–1.5 s a step): a restart while meta.last was behind the last tick (read from the store) leaves the open
// positions' last price stale, so from such a restart until the next tick stamped at the current step (which reaches
// every position), the last price of OPEN positions (lastPrice and unrealizedPnl in snapshots and signal replies,
// lastPriceTicks in a reply's changed states) is left out of the durable book's comparisons; everything else
// (excursions and their prices and times, levels, fills, exits, trades) is compared as always, and right after that
// tick the durable book's snapshot must equal the naive book's in full. compactJournal (the object's alarm) must
// leave meta.last current.
import { describe, expect, it } from "vitest";
import { SymbolBook } from "../../src/engine/book";
import { NaiveSymbolBook } from "../../bench/naive-book";
import { DurableBook } from "../../src/durable/durable-book";
import { SignalRefusedError } from "../../src/engine/limits";
import { MemoryBookStore } from "./memory-book-store";
import { withoutLastPrice } from "./helpers";
import { prng } from "../prng";
import type {
  ClosedPosition,
  ExitReason,
  PositionState,
  TickOutcome,
  Fill,
  InstrumentSpec,
  LevelSpec,
  NormalizedSignal,
  Position,
  RecorderSettings,
  Side,
  SignalResult,
} from "../../src/engine/types";

const SEQUENCES = 200;
const STEPS = 300;

// ---------- naive reference model ----------
const refTick = (price: number, tick: number) => Number((Math.round(price / tick + 1e-9) * tick).toFixed(10));
const refCents = (x: number) => (Math.sign(x) * Math.round(Math.abs(x) * 100 + 1e-6)) / 100 + 0;

interface RefPos {
  id: string;
  recorderId: string;
  side: Side;
  qty: number;
  maxQty: number;
  avg: number;
  tick: number;
  tv: number;
  entries: { p: number; q: number }[];
  exits: { p: number; q: number }[];
  realized: number;
  commission: number;
  worst: number;
  best: number;
  worstPrice: number;
  bestPrice: number;
  worstAt: string;
  bestAt: string;
  tpSpec: LevelSpec | null;
  slSpec: LevelSpec | null;
  tp: number | null;
  sl: number | null;
  openedAt: string;
  closedAt: string | null;
  exitReason: ExitReason | null;
  last: number;
  fills: Fill[];
}

interface RefClosed {
  pos: RefPos;
}

class Reference {
  pos = new Map<string, RefPos>();

  private dir(p: RefPos) {
    return p.side === "long" ? 1 : -1;
  }
  upnl(p: RefPos, price: number) {
    return (this.dir(p) * (price - p.avg)) / p.tick * p.tv * p.qty;
  }
  private observe(p: RefPos, price: number, at: string) {
    const u = this.upnl(p, price);
    if (u < p.worst - 1e-9) Object.assign(p, { worst: u, worstPrice: price, worstAt: at });
    else if (u > p.best + 1e-9) Object.assign(p, { best: u, bestPrice: price, bestAt: at });
  }
  private level(p: RefPos, spec: LevelSpec | null, tp: boolean): number | null {
    if (!spec) return null;
    const away = (tp ? 1 : -1) * this.dir(p);
    let x: number;
    if ("price" in spec) x = spec.price;
    else if ("ticks" in spec) x = p.avg + away * spec.ticks * p.tick;
    else if ("amount" in spec) x = p.avg + ((away * spec.amount) / (p.tv * p.qty)) * p.tick;
    else x = p.avg * (1 + (away * spec.percent) / 100);
    const r = refTick(x, p.tick);
    return r > 0 ? r : null;
  }
  private refresh(p: RefPos) {
    p.tp = this.level(p, p.tpSpec, true);
    p.sl = this.level(p, p.slSpec, false);
  }
  private fill(p: RefPos, entry: boolean, q: number, price: number, at: string, reason: Fill["reason"], comm: number) {
    const buy = (p.side === "long") === entry;
    p.fills.push({ at, side: buy ? "buy" : "sell", quantity: q, price, reason });
    p.commission += comm * q;
    p.last = price;
  }
  open(rec: RecorderSettings, inst: InstrumentSpec, side: Side, q: number, price: number, at: string, s: NormalizedSignal) {
    const p: RefPos = {
      id: "?", recorderId: rec.id, side, qty: q, maxQty: q, avg: price, tick: inst.tickSize, tv: inst.tickValue,
      entries: [{ p: price, q }], exits: [], realized: 0, commission: 0,
      worst: 0, best: 0, worstPrice: price, bestPrice: price, worstAt: at, bestAt: at,
      tpSpec: s.takeProfit ?? (rec.takeProfitTicks ? { ticks: rec.takeProfitTicks } : null),
      slSpec: s.stopLoss ?? (rec.stopLossTicks ? { ticks: rec.stopLossTicks } : null),
      tp: null, sl: null, openedAt: at, closedAt: null, exitReason: null, last: price, fills: [],
    };
    this.fill(p, true, q, price, at, "open", rec.commissionPerContract);
    this.refresh(p);
    this.pos.set(rec.id, p);
    return p;
  }
  add(p: RefPos, q: number, price: number, at: string, comm: number) {
    this.observe(p, price, at);
    p.avg = (p.avg * p.qty + price * q) / (p.qty + q);
    p.qty += q;
    p.maxQty = Math.max(p.maxQty, p.qty);
    p.entries.push({ p: price, q });
    this.fill(p, true, q, price, at, "add", comm);
    this.refresh(p);
  }
  exit(p: RefPos, q: number, price: number, at: string, reason: ExitReason, comm: number): RefClosed | null {
    this.observe(p, price, at);
    q = Math.min(q, p.qty);
    p.realized += (this.dir(p) * (price - p.avg)) / p.tick * p.tv * q;
    p.qty -= q;
    p.exits.push({ p: price, q });
    this.fill(p, false, q, price, at, p.qty === 0 ? reason : "reduce", comm);
    if (p.qty > 0) {
      this.refresh(p);
      return null;
    }
    Object.assign(p, { closedAt: at, exitReason: reason, tp: null, sl: null });
    this.pos.delete(p.recorderId);
    return { pos: p };
  }
  updateSpecs(p: RefPos, s: NormalizedSignal) {
    if (s.takeProfit) p.tpSpec = s.takeProfit;
    if (s.stopLoss) p.slSpec = s.stopLoss;
    if (s.takeProfit || s.stopLoss) this.refresh(p);
  }

  /** The contract's signal rules, written out branch by branch. */
  signal(rec: RecorderSettings, inst: InstrumentSpec, s: NormalizedSignal, rawPrice: number, at: string) {
    const cur = this.pos.get(rec.id);
    const price = refTick(rawPrice, cur ? cur.tick : inst.tickSize);
    const comm = rec.commissionPerContract;
    const q = s.quantity;
    let result: SignalResult;
    let reason: string | undefined;
    let closed: RefClosed | null = null;
    let opened: RefPos | null = null;
    const openSide = (side: Side, n: number) => {
      opened = this.open(rec, inst, side, n, refTick(rawPrice, inst.tickSize), at, s);
    };

    if (s.targetSize !== undefined || s.targetSide !== undefined) {
      let target: number | null;
      if (s.targetSize !== undefined) {
        target = s.targetSide === "long" ? Math.abs(s.targetSize) : s.targetSide === "short" ? -Math.abs(s.targetSize) : s.targetSide === "flat" ? 0 : s.targetSize;
      } else if (s.targetSide === "flat") target = 0;
      else if (cur && cur.side === s.targetSide) target = null;
      else target = (s.targetSide === "long" ? 1 : -1) * (q ?? rec.initialQuantity);
      const now = cur ? (cur.side === "long" ? cur.qty : -cur.qty) : 0;
      if (target === null || target === now) {
        result = "ignored";
        reason = "already_at_target";
      } else if (!cur) {
        openSide(target > 0 ? "long" : "short", Math.abs(target));
        result = "opened";
      } else if (target === 0) {
        closed = this.exit(cur, cur.qty, price, at, "signal", comm);
        result = "closed";
      } else if (Math.sign(target) !== Math.sign(now)) {
        closed = this.exit(cur, cur.qty, price, at, "reverse", comm);
        openSide(target > 0 ? "long" : "short", Math.abs(target));
        result = "reversed";
      } else if (Math.abs(target) > cur.qty) {
        this.add(cur, Math.abs(target) - cur.qty, price, at, comm);
        result = "added";
      } else {
        this.exit(cur, cur.qty - Math.abs(target), price, at, "signal", comm);
        result = "reduced";
      }
    } else if (s.action === "buy" || s.action === "sell") {
      const side: Side = s.action === "buy" ? "long" : "short";
      if (!cur) {
        openSide(side, q ?? rec.initialQuantity);
        result = "opened";
      } else if (cur.side === side) {
        if (rec.allowAdd) {
          this.add(cur, q ?? rec.addQuantity, price, at, comm);
          result = "added";
        } else {
          result = "ignored";
          reason = "add_not_allowed";
        }
      } else if (rec.reverseOnOpposite) {
        closed = this.exit(cur, cur.qty, price, at, "reverse", comm);
        openSide(side, q ?? rec.initialQuantity);
        result = "reversed";
      } else {
        closed = this.exit(cur, cur.qty, price, at, "signal", comm);
        result = "closed";
      }
    } else if (s.action === "close") {
      if (!cur) {
        result = "ignored";
        reason = "no_open_position";
      } else if (q !== undefined && q < cur.qty) {
        this.exit(cur, q, price, at, "signal", comm);
        result = "reduced";
      } else {
        closed = this.exit(cur, cur.qty, price, at, "signal", comm);
        result = "closed";
      }
    } else {
      if (!cur) {
        result = "ignored";
        reason = "no_open_position";
      } else {
        this.add(cur, q ?? rec.addQuantity, price, at, comm);
        result = "added";
      }
    }
    const still = this.pos.get(rec.id);
    if (still && still !== opened) this.updateSpecs(still, s);
    return { result, reason, closed, opened: opened as RefPos | null };
  }

  tick(price: number, at: string, comms: Map<string, number>): RefClosed[] {
    const out: RefClosed[] = [];
    for (const p of [...this.pos.values()]) {
      // A tick stamped before the open never moves it (a whole-second stamp may be any moment of its second).
      const atMs = Date.parse(at);
      if ((atMs % 1000 === 0 ? atMs + 999 : atMs) < Date.parse(p.openedAt)) continue;
      const px = refTick(price, p.tick);
      if (px <= 0) continue;
      p.last = px;
      this.observe(p, px, at);
      const long = p.side === "long";
      let exitAt: number | null = null;
      let why: ExitReason = "take_profit";
      if (p.tp !== null && (long ? px >= p.tp : px <= p.tp)) exitAt = p.tp;
      else if (p.sl !== null && (long ? px <= p.sl : px >= p.sl)) {
        exitAt = long ? Math.min(p.sl, px) : Math.max(p.sl, px);
        why = "stop_loss";
      }
      if (exitAt !== null) out.push(this.exit(p, p.qty, exitAt, at, why, comms.get(p.recorderId)!)!);
    }
    return out;
  }
}

// ---------- comparison ----------
function money(actual: number, expected: number, what: string) {
  if (Math.abs(actual - refCents(expected)) > 1e-9) throw new Error(`${what}: engine ${actual} vs reference ${refCents(expected)} (${expected})`);
}
function price(actual: number | null, expected: number | null, what: string) {
  if (actual === null || expected === null) {
    if (actual !== expected) throw new Error(`${what}: engine ${actual} vs reference ${expected}`);
    return;
  }
  if (Math.abs(actual - expected) > 1e-6 * Math.max(1, Math.abs(expected))) throw new Error(`${what}: engine ${actual} vs reference ${expected}`);
}
function same<T>(actual: T, expected: T, what: string) {
  if (actual !== expected) throw new Error(`${what}: engine ${String(actual)} vs reference ${String(expected)}`);
}
const wavg = (xs: { p: number; q: number }[]) => xs.reduce((a, x) => a + x.p * x.q, 0) / xs.reduce((a, x) => a + x.q, 0);

function comparePosition(e: Position, r: RefPos, ref: Reference, where: string) {
  const w = (f: string) => `${where} position ${e.id} ${f}`;
  same(e.id, r.id, w("id"));
  same(e.side, r.side, w("side"));
  same(e.status, r.closedAt ? "closed" : "open", w("status"));
  same(e.quantity, r.qty, w("quantity"));
  same(e.maxQuantity, r.maxQty, w("maxQuantity"));
  price(e.avgEntryPrice, r.avg, w("avgEntryPrice"));
  price(e.lastPrice, r.last, w("lastPrice"));
  money(e.unrealizedPnl, r.closedAt ? 0 : ref.upnl(r, r.last), w("unrealizedPnl"));
  money(e.realizedPnl, r.realized, w("realizedPnl"));
  money(e.worstUnrealizedPnl, r.worst, w("worstUnrealizedPnl"));
  money(e.bestUnrealizedPnl, r.best, w("bestUnrealizedPnl"));
  price(e.worstPrice, r.worstPrice, w("worstPrice"));
  price(e.bestPrice, r.bestPrice, w("bestPrice"));
  same(e.worstAt, r.worstAt, w("worstAt"));
  same(e.bestAt, r.bestAt, w("bestAt"));
  price(e.takeProfitPrice, r.tp, w("takeProfitPrice"));
  price(e.stopLossPrice, r.sl, w("stopLossPrice"));
  money(e.commission, r.commission, w("commission"));
  same(e.openedAt, r.openedAt, w("openedAt"));
  same(e.closedAt, r.closedAt, w("closedAt"));
  price(e.exitPrice, r.exits.length ? wavg(r.exits) : null, w("exitPrice"));
  same(e.exitReason, r.exitReason, w("exitReason"));
  same(e.fills.length, r.fills.length, w("fills.length"));
  e.fills.forEach((f, i) => {
    const g = r.fills[i];
    same(f.at, g.at, w(`fill ${i} at`));
    same(f.side, g.side, w(`fill ${i} side`));
    same(f.quantity, g.quantity, w(`fill ${i} quantity`));
    same(f.reason, g.reason, w(`fill ${i} reason`));
    price(f.price, g.price, w(`fill ${i} price`));
  });
}

function compareClosed(e: ClosedPosition, r: RefClosed, ref: Reference, where: string) {
  const p = r.pos;
  comparePosition(e.position, p, ref, where);
  const t = e.trade;
  const w = (f: string) => `${where} trade of ${p.id} ${f}`;
  same(t.positionId, e.position.id, w("positionId"));
  same(t.recorderId, p.recorderId, w("recorderId"));
  same(t.side, p.side, w("side"));
  same(t.quantity, p.maxQty, w("quantity"));
  price(t.entryPrice, wavg(p.entries), w("entryPrice"));
  price(t.exitPrice, wavg(p.exits), w("exitPrice"));
  money(t.grossPnl, p.realized, w("grossPnl"));
  money(t.commission, p.commission, w("commission"));
  money(t.pnl, refCents(p.realized) - refCents(p.commission), w("pnl"));
  money(t.maxFavorable, p.best, w("maxFavorable"));
  money(t.maxAdverse, p.worst, w("maxAdverse"));
  same(t.openedAt, p.openedAt, w("openedAt"));
  same(t.closedAt, p.closedAt, w("closedAt"));
  same(t.exitReason, p.exitReason, w("exitReason"));
}

// ---------- the Durable Object's persistence: the real durable book on an in-memory store ----------
/** src/durable/durable-book.ts exactly as the symbol object runs it; `restart()` drops memory and recovers. */
class DurableRun {
  durable: DurableBook;
  readonly store = new MemoryBookStore();
  constructor(private readonly opts: { newId: () => string; pathSlack?: number; heapSlack?: number; now: () => number }) {
    this.durable = DurableBook.load(this.store, opts);
  }
  get book() {
    return this.durable.book;
  }
  tick(price: number, at: string): TickOutcome | null {
    return this.durable.tick(price, at);
  }
  signal(input: Parameters<SymbolBook["applySignal"]>[0]) {
    return this.durable.signal(input);
  }
  closeManual(id: string, price: number, at: string) {
    return this.durable.closeManual(id, price, at, { priceSource: "signal", feedPrice: null });
  }
  compactJournal() {
    this.durable.compactJournal();
  }
  /** Eviction: memory is gone; rebuild from the checkpoints + journal + last tick. */
  restart() {
    this.durable = DurableBook.load(this.store, this.opts);
  }
}

// ---------- the random driver ----------
const SYMBOLS: { spec: InstrumentSpec; base: number }[] = [
  { spec: { root: "MNQ", feedSymbol: "CME_MINI:MNQ1!", tickSize: 0.25, tickValue: 0.5 }, base: 25600 },
  { spec: { root: "ES", feedSymbol: "CME_MINI:ES1!", tickSize: 0.25, tickValue: 12.5 }, base: 6000 },
  { spec: { root: "ZN", feedSymbol: "CBOT:ZN1!", tickSize: 0.015625, tickValue: 15.625 }, base: 110 },
  { spec: { root: "ZB", feedSymbol: "CBOT:ZB1!", tickSize: 0.03125, tickValue: 31.25 }, base: 118 },
  { spec: { root: "6E", feedSymbol: "CME:6E1!", tickSize: 0.00005, tickValue: 6.25 }, base: 1.085 },
  { spec: { root: "RTY", feedSymbol: "CME_MINI:RTY1!", tickSize: 0.1, tickValue: 5 }, base: 2050 },
  { spec: { root: "CL", feedSymbol: "NYMEX:CL1!", tickSize: 0.01, tickValue: 10 }, base: 75 },
];

/** How often each outcome happened, so the test proves it exercised every rule. */
const seen = new Map<string, number>();
const count = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);

function runSequence(seed: number) {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const { spec, base } = pick(SYMBOLS);
  const tick = spec.tickSize;

  const recorders: { rec: RecorderSettings; inst: InstrumentSpec }[] = [];
  for (let i = 0; i < 4; i++) {
    const override = i === 3 && rnd() < 0.7; // one recorder may override tick size/value
    recorders.push({
      rec: {
        id: `r${i}`,
        initialQuantity: int(1, 3),
        addQuantity: int(1, 2),
        allowAdd: rnd() < 0.7,
        reverseOnOpposite: rnd() < 0.7,
        takeProfitTicks: rnd() < 0.4 ? int(4, 60) : null,
        stopLossTicks: rnd() < 0.4 ? int(4, 60) : null,
        commissionPerContract: pick([0, 0, 0.62, 1.1, 2.25]),
      },
      inst: override ? { ...spec, tickSize: tick * 2, tickValue: spec.tickValue * 3 } : spec,
    });
  }
  const comms = new Map(recorders.map((r) => [r.rec.id, r.rec.commissionPerContract]));
  const gen = () => {
    let n = 0;
    return () => `p${++n}`;
  };
  const newIdA = gen();
  // Half the sequences use tiny trimming thresholds so the price path and the heaps are compacted constantly.
  const tuning = () => (rnd() < 0.5 ? { pathSlack: int(0, 6), heapSlack: int(0, 4) } : {});
  let book = new SymbolBook({ newId: newIdA, ...tuning() });
  const control = new SymbolBook({ newId: gen(), ...tuning() });
  const naive = new NaiveSymbolBook({ newId: gen() });
  // The durable book's wall clock (paces meta.last), from its own generator so the sequence is the same as without.
  const wallRnd = prng(seed ^ 0x5eed);
  let wallMs = 0;
  const durable = new DurableRun({ newId: gen(), ...tuning(), now: () => wallMs });
  /** Since a restart with an unsaved last tick and until the next tick that reaches every position. */
  let stale = false;
  const durableView = <T,>(x: T): T => (stale ? withoutLastPrice(x) : x);
  const ref = new Reference();
  let ticks = Math.round(base / tick);
  const levelSpec = (): LevelSpec =>
    pick<() => LevelSpec>([
      () => ({ price: (ticks + int(-80, 80)) * tick + (rnd() < 0.3 ? tick / 3 : 0) }),
      () => ({ ticks: int(2, 60) }),
      () => ({ amount: int(5, 400) }),
      () => ({ percent: pick([0.05, 0.1, 0.25, 1]) }),
    ])();
  // Some sequences are mostly ticks: long lazy stretches, trends that grow the price path.
  const tickShare = rnd() < 0.3 ? 0.9 : 0.55;
  const drift = rnd() < 0.3 ? pick([-2, 2]) : 0;

  for (let step = 1; step <= STEPS; step++) {
    wallMs += [0, 0, 100, 300, 700, 1500][Math.floor(wallRnd() * 6)];
    const at = new Date(Date.UTC(2025, 0, 2) + step * 1000).toISOString();
    const where = `step ${step}`;
    ticks += rnd() < 0.05 ? int(-60, 60) : int(-6, 6) + drift;
    if (ticks < 20) ticks = 20;
    const px = Number((ticks * tick).toFixed(10));
    const roll = rnd();

    if (roll < tickShare) {
      // Now and then market time goes backwards (a correction, a reconnect snapshot): a late tick.
      const tickAt = rnd() < 0.08 ? new Date(Date.UTC(2025, 0, 2) + (step - int(1, 30)) * 1000).toISOString() : at;
      const out = book.applyTick(px, tickAt);
      if (out.late) count("late tick");
      // (Whether a tick counts as `late` depends on which positions are live or still dormant, which a restore
      // may change; what it does to positions may not.)
      expect(control.applyTick(px, tickAt).exits).toEqual(out.exits);
      expect(naive.applyTick(px, tickAt).exits).toEqual(out.exits);
      expect(durable.tick(px, tickAt)!.exits).toEqual(out.exits);
      if (stale && tickAt === at) {
        // Stamped at the latest market time, after every open: it reached every position, the last price is back.
        stale = false;
        expect(durable.book.open(), `${where} durable after the tick that follows a stale restart`).toEqual(naive.open());
        count("stale cleared");
      }
      const expected = ref.tick(px, tickAt, comms);
      same(out.exits.length, expected.length, `${where} exits`);
      for (const e of out.exits) count(`exit:${e.trade.exitReason}`);
      const byRecorder = new Map(expected.map((c) => [c.pos.recorderId, c]));
      for (const e of out.exits) compareClosed(e, byRecorder.get(e.position.recorderId)!, ref, where);
    } else if (roll < tickShare + 0.02) {
      const open = book.open();
      if (open.length > 0) {
        const victim = pick(open);
        const out = book.closeManual(victim.id, px, at)!;
        count("exit:manual");
        expect(control.closeManual(victim.id, px, at)).toEqual(out);
        expect(naive.closeManual(victim.id, px, at)).toEqual(out);
        expect(durable.closeManual(victim.id, px, at)).toEqual(out);
        const r = ref.pos.get(victim.recorderId)!;
        const closed = ref.exit(r, r.qty, refTick(px, r.tick), at, "manual", comms.get(r.recorderId)!)!;
        compareClosed(out, closed, ref, where);
      }
    } else {
      const { rec, inst } = pick(recorders);
      const signal: NormalizedSignal = pick<() => NormalizedSignal>([
        () => ({ action: "buy" }),
        () => ({ action: "sell" }),
        () => ({ action: "buy", quantity: int(1, 3) }),
        () => ({ action: "sell", quantity: int(1, 3) }),
        () => ({ action: "close" }),
        () => ({ action: "close", quantity: int(1, 3) }),
        () => ({ action: "add", ...(rnd() < 0.5 ? { quantity: int(1, 2) } : {}) }),
        () => ({ targetSize: int(-4, 4) }),
        () => ({ targetSide: pick(["long", "short", "flat"] as const), ...(rnd() < 0.5 ? { quantity: int(1, 3) } : {}) }),
      ])();
      if (rnd() < 0.25) signal.takeProfit = levelSpec();
      if (rnd() < 0.25) signal.stopLoss = levelSpec();
      // Signal prices are often off the tick (the engine rounds them to the position's tick).
      const fill = rnd() < 0.3 ? px + tick * pick([0.3, 0.5, 0.7, 1.2]) : px;
      const input = { recorder: rec, instrument: inst, signal, price: fill, at };
      let out;
      try {
        out = book.applySignal(input);
      } catch (err) {
        // A level set on the wrong side of the fill price: every engine refuses it alike, and nothing changes.
        if (!(err instanceof SignalRefusedError)) throw err;
        const msg = err.message;
        expect(() => control.applySignal(input)).toThrow(msg);
        expect(() => naive.applySignal(input)).toThrow(msg);
        expect(() => durable.signal(input)).toThrow(msg);
        expect(err.details.every((d) => d.problem === "wrong_side")).toBe(true);
        count("refused:wrong_side");
        continue;
      }
      expect(control.applySignal(input)).toEqual(out);
      expect(naive.applySignal(input)).toEqual(out);
      expect(durableView(durable.signal(input))).toEqual(durableView(out));
      const expected = ref.signal(rec, inst, signal, fill, at);
      count(`result:${out.result}${out.reason ? `:${out.reason}` : ""}`);
      if (out.closed) count(`exit:${out.closed.trade.exitReason}`);
      same(out.result, expected.result, `${where} result of ${JSON.stringify(signal)} for ${rec.id}`);
      same(out.reason, expected.reason, `${where} reason`);
      if (expected.opened) expected.opened.id = out.opened!.id;
      same(!!out.closed, !!expected.closed, `${where} closed`);
      if (out.closed && expected.closed) compareClosed(out.closed, expected.closed, ref, where);
      same(out.closedIds.length, expected.closed ? 1 : 0, `${where} closedIds`);
      same(out.changed.length, ref.pos.has(rec.id) ? (out.result === "ignored" && !signal.takeProfit && !signal.stopLoss ? 0 : 1) : 0, `${where} changed`);
    }

    // `control`: every open position, every step, against the reference model.
    for (const { rec } of recorders) {
      const e = control.get(rec.id);
      const r = ref.pos.get(rec.id);
      same(!!e, !!r, `${where} ${rec.id} open`);
      if (e && r) comparePosition(e, r, ref, where);
    }
    // The lazy books: snapshots and persisted states identical to the naive book's, at random points.
    if (rnd() < 0.15 || step === STEPS) {
      const expected = naive.open();
      expect(book.open(), `${where} book`).toEqual(expected);
      expect(durableView(durable.book.open()), `${where} durable`).toEqual(durableView(expected));
      expect(control.open(), `${where} control`).toEqual(expected);
      expect(book.states(), `${where} book states`).toEqual(naive.states());
      count("snapshot");
    }

    // Persist and restore at random points: the restored book must continue exactly like the naive one.
    if (rnd() < 0.04) {
      book = SymbolBook.restore(JSON.parse(JSON.stringify(book.states())), { newId: newIdA, extras: JSON.parse(JSON.stringify(book.extras())), ...tuning() });
      count("restore");
    }
    if (rnd() < 0.05) {
      durable.compactJournal();
      expect(durable.store.getLast() ?? durable.durable.last, `${where} meta.last after compactJournal (the alarm)`).toEqual(durable.durable.last);
      count("compact");
    }
    if (rnd() < 0.04) {
      // Whether meta.last is behind the last tick, from the store itself.
      const unsaved = JSON.stringify(durable.store.getLast() ?? durable.durable.last) !== JSON.stringify(durable.durable.last);
      expect(durable.durable.lastUnsaved, `${where} lastUnsaved`).toBe(unsaved);
      if (unsaved) stale = true;
      count(unsaved ? "restart:last unsaved" : "restart:last saved");
      durable.restart();
      count("restart");
    }
  }
}

describe("engine vs naive reference (randomized)", () => {
  it(`${SEQUENCES} sequences × ${STEPS} steps`, () => {
    const first = Number(process.env.ENGINE_SEED ?? 20250102);
    for (let i = 0; i < SEQUENCES; i++) {
      const seed = first + i;
      try {
        runSequence(seed);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        throw new Error(`seed ${seed} (rerun with ENGINE_SEED=${seed}): ${msg}`);
      }
    }
    for (const k of [
      "result:opened", "result:added", "result:reduced", "result:closed", "result:reversed",
      "result:ignored:add_not_allowed", "result:ignored:no_open_position", "result:ignored:already_at_target",
      "exit:signal", "exit:reverse", "exit:take_profit", "exit:stop_loss", "exit:manual", "restore", "restart",
      "compact", "snapshot", "refused:wrong_side", "late tick", "restart:last unsaved", "restart:last saved", "stale cleared",
    ]) expect(seen.get(k) ?? 0, k).toBeGreaterThan(20);
  });
});
