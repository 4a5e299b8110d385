// Randomized check of the second round's exit and risk rules (CONTRACT "Exits and risk rules"): recorders with
// random take-profit legs, trailing stops, break-even, slippage, direction filters, contract caps, cooldowns,
// fractional quantity steps, sessions in a timezone (flattened at their end), trading days with loss limits and
// profit targets; signals carrying trailing stops, break-even, money sizing, cancels and limit/stop entries; ticks
// that gap, go back in time, and jump across session and day ends; the clock (the object's alarm) with no tick.
//
// Four books get the same inputs and must agree at every step with NaiveSymbolBook (bench/naive-book.ts, which
// visits every position on every tick with the per-position rules of src/engine/exits.ts):
// - `control`: the production SymbolBook, read (folded) at every step;
// - `book`: a SymbolBook read at every step in half the sequences and only at random points in the other half
//   (its excursions then stay lazy over long stretches), rebuilt from a JSON round trip of states() + extras() at
//   random points;
// - `durable`: src/durable/durable-book.ts on an in-memory store, restarted at random points (checkpoints, the
//   journal of extremes, the extras) and its journal compacted at random points. Its meta.last is written at most
//   once a second of a fake wall clock (advanced by a random 0–1.5 s a step) and on every tick while a session or
//   day end is pending; a restart while the last tick was unsaved leaves the open positions' last price stale by
//   design (durable-book.ts). From such a restart until the next tick stamped at the current step (which reaches
//   every position), the durable book's open positions are compared without lastPrice / unrealizedPnl (snapshots,
//   signal replies) and lastPriceTicks (states), and a signal's trailing stop is given as a distance, not a percent
//   (a percent one that fills nothing is a percent of that stale last price); right after that tick the durable
//   book must equal the naive one in full. Everything else is compared exactly all along, session-end exits
//   (at the last price) included. To reach that window often, now and then a step ends with a burst of ticks
//   within one wall-clock instant (the first may write meta.last, the others do not) and a restart, and half of
//   those are followed by a step whose market time jumps past the next session or day end.
// Compared: signal outcomes, tick and clock outcomes (exits in order, changed, opened), open() snapshots, states(),
// pendingOrders(). Besides agreement, invariants: every number finite, no negative quantity, and a stop that
// never loosens between signals (trailing and break-even stops only tighten). Every new exit reason, ignore reason
// and the "pending" result are counted, and each must have happened, so the test proves it exercised the rule.
// Fixed seeds, fixed work, no timing asserts. To rerun one sequence, set FIRST_SEED to its seed and SEQUENCES to 1
// (process.env does not reach the Workers runtime the tests run in); RULES_COUNTS prints the counts under Node.
import { describe, expect, it } from "vitest";
import { NaiveSymbolBook } from "../../bench/naive-book";
import { DurableBook } from "../../src/durable/durable-book";
import { SymbolBook } from "../../src/engine/book";
import { SignalRefusedError } from "../../src/engine/limits";
import type { PendingOrder } from "../../src/engine/pending";
import type {
  ClosedPosition,
  InstrumentSpec,
  LevelSpec,
  NormalizedSignal,
  Position,
  PositionState,
  RecorderSettings,
  SessionSpec,
  SignalInput,
  SignalOutcome,
  TakeProfitLeg,
  TickOutcome,
  Weekday,
} from "../../src/engine/types";
import { prng } from "../prng";
import { MemoryBookStore } from "./memory-book-store";
import { withoutLastPrice } from "./helpers";

const SEQUENCES = Number(process.env.RULES_SEQUENCES ?? 150);
const FIRST_SEED = Number(process.env.RULES_SEED ?? 20250301);
const STEPS = 300;

const SYMBOLS: { spec: InstrumentSpec; base: number }[] = [
  { spec: { root: "MNQ", feedSymbol: "CME_MINI:MNQ1!", tickSize: 0.25, tickValue: 0.5 }, base: 25600 },
  { spec: { root: "MNQ", feedSymbol: "CME_MINI:MNQ1!", tickSize: 0.25, tickValue: 0.5 }, base: 25600 },
  { spec: { root: "ES", feedSymbol: "CME_MINI:ES1!", tickSize: 0.25, tickValue: 12.5 }, base: 6000 },
  { spec: { root: "CL", feedSymbol: "NYMEX:CL1!", tickSize: 0.01, tickValue: 10 }, base: 75 },
  { spec: { root: "ZN", feedSymbol: "CBOT:ZN1!", tickSize: 0.015625, tickValue: 15.625 }, base: 110 },
];

/** Starting instants: ordinary weeks, and the weeks of the US and UK daylight-saving changes of 2025. */
const STARTS = [
  "2025-01-02T13:00:00Z",
  "2025-03-07T18:00:00Z", // America/* spring forward on Sun 03-09
  "2025-03-28T09:00:00Z", // Europe/London on Sun 03-30
  "2025-10-24T09:00:00Z", // Europe/London falls back on Sun 10-26
  "2025-10-31T18:00:00Z", // America/* fall back on Sun 11-02
];
const TIMEZONES = ["America/New_York", "America/New_York", "America/Chicago", "Europe/London", "Asia/Tokyo"];
const WEEKDAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri"];
const ALL_DAYS: Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

// ---------- the durable book, restartable ----------
class DurableRun {
  durable: DurableBook;
  readonly store = new MemoryBookStore();
  constructor(private readonly opts: { newId: () => string; pathSlack?: number; heapSlack?: number; now: () => number }) {
    this.durable = DurableBook.load(this.store, opts);
  }
  restart() {
    this.durable = DurableBook.load(this.store, this.opts);
  }
}

// ---------- checks ----------
/** Every number anywhere in `x` is finite. */
function assertFiniteDeep(x: unknown, path: string): void {
  if (typeof x === "number") {
    if (!Number.isFinite(x)) throw new Error(`${path} is ${x}`);
    return;
  }
  if (x === null || typeof x !== "object") return;
  if (Array.isArray(x)) x.forEach((v, i) => assertFiniteDeep(v, `${path}[${i}]`));
  else for (const [k, v] of Object.entries(x)) assertFiniteDeep(v, `${path}.${k}`);
}

function assertPositionSane(p: Position, where: string): void {
  const w = `${where} position ${p.id}`;
  assertFiniteDeep(p, w);
  if (p.quantity < 0) throw new Error(`${w}: quantity ${p.quantity}`);
  if (p.status === "open" && !(p.quantity > 0)) throw new Error(`${w}: open with quantity ${p.quantity}`);
  if (p.maxQuantity < p.quantity) throw new Error(`${w}: maxQuantity ${p.maxQuantity} < quantity ${p.quantity}`);
  if (p.worstUnrealizedPnl > 0 || p.bestUnrealizedPnl < 0) throw new Error(`${w}: excursions ${p.worstUnrealizedPnl} / ${p.bestUnrealizedPnl}`);
  for (const f of p.fills) {
    if (!(f.quantity > 0) || !(f.price > 0)) throw new Error(`${w}: fill ${JSON.stringify(f)}`);
  }
  const held = p.fills.reduce((q, f) => q + ((f.side === "buy") === (p.side === "long") ? f.quantity : -f.quantity), 0);
  if (Math.abs(held - p.quantity) > 1e-9) throw new Error(`${w}: fills add up to ${held}, quantity ${p.quantity}`);
}

function assertClosedSane(c: ClosedPosition, where: string): void {
  assertPositionSane(c.position, where);
  assertFiniteDeep(c.trade, `${where} trade`);
  if (c.position.status !== "closed" || c.position.quantity !== 0) throw new Error(`${where}: closed position ${c.position.id} is ${c.position.status} ${c.position.quantity}`);
  if (c.trade.quantity <= 0) throw new Error(`${where}: trade quantity ${c.trade.quantity}`);
  assertEntryTradesSane(c, where);
}

/** `?pairing=entries`: one chunk per (entry, exit) pair whose quantities, cents and signs add up to the trade's. */
function assertEntryTradesSane({ trade, position, entryTrades }: ClosedPosition, where: string): void {
  const w = `${where}: entry trades of ${trade.positionId}`;
  if (entryTrades === null || entryTrades.length === 0) throw new Error(`${w}: none`);
  assertFiniteDeep(entryTrades, w);
  const cents = (xs: number[]) => xs.reduce((a, x) => a + Math.round(x * 100), 0);
  const entered = position.fills.filter((f) => (f.side === "buy") === (position.side === "long")).reduce((a, f) => a + f.quantity, 0);
  const qty = entryTrades.reduce((a, c) => a + c.quantity, 0);
  if (Math.abs(qty - entered) > 1e-9) throw new Error(`${w}: quantities ${qty} vs entered ${entered}`);
  if (cents(entryTrades.map((c) => c.grossPnl)) !== Math.round(trade.grossPnl * 100)) throw new Error(`${w}: gross does not add up to ${trade.grossPnl}`);
  if (cents(entryTrades.map((c) => c.commission)) !== Math.round(trade.commission * 100)) throw new Error(`${w}: commission does not add up to ${trade.commission}`);
  if (cents(entryTrades.map((c) => c.pnl)) !== Math.round(trade.pnl * 100)) throw new Error(`${w}: pnl does not add up to ${trade.pnl}`);
  for (const c of entryTrades) {
    if (!(c.runup >= 0 && c.drawdown <= 0 && c.quantity > 0)) throw new Error(`${w}: ${JSON.stringify(c)}`);
    if (Math.round((c.grossPnl - c.commission) * 100) !== Math.round(c.pnl * 100)) throw new Error(`${w}: pnl ≠ gross − commission in ${JSON.stringify(c)}`);
    // (Not exitAt ≥ entryAt: a late tick — market time going backwards — may exit an entry added after its stamp.)
    if (c.entryAt < position.openedAt) throw new Error(`${w}: times ${JSON.stringify(c)}`);
  }
  count(entryTrades.length > 1 ? "entry trades:split" : "entry trades:one");
}

/** The first place where two JSON-like values differ (undefined properties count as absent), or null. */
function firstDiff(a: unknown, b: unknown, path = ""): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path || "(root)"}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return `${path}.length: ${a.length} vs ${b.length} (${JSON.stringify(a).slice(0, 400)} vs ${JSON.stringify(b).slice(0, 400)})`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d !== null) return d;
  }
  return null;
}

/** Deep equality with the first difference in the message (the books' objects are large). */
function same(actual: unknown, expected: unknown, what: string): void {
  const d = firstDiff(actual, expected);
  if (d !== null) throw new Error(`${what} differs at ${d}`);
}

function sameTickOutcome(actual: TickOutcome | null, expected: TickOutcome, what: string): void {
  if (actual === null) throw new Error(`${what}: no outcome`);
  same(actual.exits, expected.exits, `${what} exits`);
  same(actual.changed ?? [], expected.changed ?? [], `${what} changed`);
  same(actual.opened ?? [], expected.opened ?? [], `${what} opened`);
}

/** Counts of what happened (over all sequences), so the test proves it exercised every rule. */
const seen = new Map<string, number>();
const count = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
/** The last events of the running sequence, shown when it fails. */
let trail: string[] = [];
const note = (e: string) => {
  trail.push(e);
  if (trail.length > 8) trail.shift();
};

// ---------- random settings ----------
function runSequence(seed: number): void {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  const { spec, base } = pick(SYMBOLS);
  const tick = spec.tickSize;
  const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60) % 24).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

  const legs = (): TakeProfitLeg[] => {
    const n = int(2, 3);
    const percents = pick(n === 2 ? [[50, 50], [25, 75], [60, 40], [33, 67]] : [[30, 30, 40], [34, 33, 33], [50, 25, 25], [20, 20, 60]]);
    let ticks = 0;
    return percents.map((percent) => ({ ticks: (ticks += int(2, 14)), percent }));
  };
  const sessions = (): SessionSpec[] =>
    pick<() => SessionSpec[]>([
      () => [{ days: WEEKDAYS, start: "09:30", end: "16:00" }],
      () => [{ days: ["sun", "mon", "tue", "wed", "thu"], start: "18:00", end: "17:00" }],
      () => [
        { days: WEEKDAYS, start: "08:00", end: "11:30" },
        { days: WEEKDAYS, start: "13:00", end: "15:15" },
      ],
      () => {
        const start = int(0, 47) * 30;
        const days = ALL_DAYS.filter(() => chance(0.75));
        return [{ days: days.length > 0 ? days : ["wed"], start: hhmm(start), end: hhmm(start + int(2, 16) * 30) }];
      },
    ])();
  const money = (lo: number, hi: number) => Math.round(spec.tickValue * int(lo, hi) * 100) / 100;

  const makeRecorder = (id: string): RecorderSettings => {
    const step = chance(0.25) ? 0.5 : 1;
    const withSessions = chance(0.45);
    return {
      id,
      initialQuantity: step * int(1, 5),
      addQuantity: step * int(1, 3),
      allowAdd: chance(0.75),
      reverseOnOpposite: chance(0.7),
      takeProfitTicks: chance(0.3) ? int(4, 40) : null,
      stopLossTicks: chance(0.45) ? int(4, 40) : null,
      commissionPerContract: pick([0, 0, 0.62, 1.1]),
      quantityStep: step,
      takeProfitLegs: chance(0.45) ? legs() : null,
      trailingStop: chance(0.35) ? { triggerTicks: int(0, 16), distanceTicks: int(2, 16) } : null,
      breakEven: chance(0.35) ? { triggerTicks: int(2, 16), offsetTicks: int(0, 4) } : null,
      directionFilter: pick(["both", "both", "both", "long", "short"] as const),
      maxContracts: chance(0.35) ? step * int(2, 6) : null,
      cooldownSeconds: chance(0.3) ? pick([5, 30, 120, 900]) : 0,
      slippageTicks: int(0, 2),
      timezone: pick(TIMEZONES),
      sessions: withSessions ? sessions() : [],
      flattenAtSessionEnd: withSessions && chance(0.75),
      tradingDayStart: pick(["18:00", "18:00", "17:00", "00:00", "09:30", "02:30"]),
      dailyLossLimit: chance(0.45) ? money(6, 60) : null,
      dailyProfitTarget: chance(0.4) ? money(6, 60) : null,
      flattenOnDailyLimit: chance(0.7),
      initialCapital: chance(0.7) ? pick([25_000, 100_000, 250_000]) : null,
    };
  };
  // 3 to 10 recorders on the symbol; the last may override the tick (a second tick-size group in the book).
  const recorders = Array.from({ length: int(3, 10) }, (_, i) => makeRecorder(`r${i}`));
  const overridden = chance(0.4);
  const instruments = recorders.map((_, i) => (overridden && i === recorders.length - 1 ? { ...spec, tickSize: tick * 2, tickValue: spec.tickValue * 2 } : spec));
  // Some sequences are mostly ticks (long stretches of trailing, legs, lazy excursions).
  const tickShare = chance(0.3) ? 0.75 : 0.5;

  const gen = () => {
    let n = 0;
    return () => `p${++n}`;
  };
  const newIdA = gen();
  const tuning = () => (chance(0.5) ? { pathSlack: int(0, 6), heapSlack: int(0, 4) } : {});
  let book = new SymbolBook({ newId: newIdA, ...tuning() });
  const eager = chance(0.5);
  const control = new SymbolBook({ newId: gen(), ...tuning() });
  const naive = new NaiveSymbolBook({ newId: gen() });
  // The durable book's wall clock (paces meta.last), from its own generator so the sequence is the same as without.
  const wallRnd = prng(seed ^ 0x5eed);
  let wallMs = 0;
  const durable = new DurableRun({ newId: gen(), ...tuning(), now: () => wallMs });
  /** Since a restart with an unsaved last tick and until the next tick that reaches every position. */
  let stale = false;
  const durableView = <T,>(x: T): T => (stale ? withoutLastPrice(x) : x);
  /** The next step jumps to the next session or day end (after a burst and a restart). */
  let jumpToClock = false;

  let nowMs = Date.parse(pick(STARTS)) + int(0, 23) * 3_600_000;
  let ticks = Math.round(base / tick);
  const baseTicks = ticks;
  /** Per open position (naive book, which is always current): its stop at the end of the last step. */
  let stops = new Map<string, { stop: number | null; side: string; fills: number; amount: boolean }>();
  const counted = new Set<string>();
  /** Counts every fill reason of a position once, when its round trip ends (or at the end of the run). */
  const countFills = (p: Position) => {
    if (counted.has(p.id)) return;
    counted.add(p.id);
    for (const f of p.fills) count(`fill:${f.reason}`);
    if (p.status === "closed") count(`exit:${p.exitReason}`);
  };

  for (let step = 1; step <= STEPS; step++) {
    const where = `step ${step}`;
    wallMs += [0, 0, 100, 300, 700, 1500][Math.floor(wallRnd() * 6)];
    // Time: mostly seconds, often minutes to hours (session and day ends), sometimes days; now and then the same
    // instant again; milliseconds now and then (a whole-second stamp may be any moment of its second).
    nowMs += pick<() => number>([
      () => int(1, 30) * 1000,
      () => int(1, 30) * 1000,
      () => int(1, 20) * 60_000,
      () => int(20, 180) * 60_000,
      () => int(3, 30) * 3_600_000,
      () => 0,
      () => int(1, 999),
    ])();
    if (jumpToClock) {
      jumpToClock = false;
      const due = control.nextClockMs();
      if (due !== null && due > nowMs) nowMs = due + [0, 1, 1000, 60_000][Math.floor(wallRnd() * 4)];
      count("jump to the clock");
    }
    const at = new Date(nowMs).toISOString();
    ticks += chance(0.07) ? int(-60, 60) : int(-6, 6);
    if (Math.abs(ticks - baseTicks) > 400) ticks += ticks > baseTicks ? -50 : 50;
    const px = Number((ticks * tick).toFixed(10));
    const roll = rnd();
    let signalStep = false;
    // Pending entries waiting before this step: one that is gone after a tick was applied as a signal.
    const pendingBefore = new Map(naive.pendingOrders().map((o) => [o.recorderId, o.id]));

    if (roll < tickShare) {
      // A tick; now and then stamped earlier (a correction, a reconnect snapshot), even before a day or session end.
      const tickAt = chance(0.06) ? new Date(nowMs - pick([int(1, 60) * 1000, int(1, 90) * 60_000])).toISOString() : at;
      note(`${where} tick ${px} at ${tickAt}`);
      const expected = naive.applyTick(px, tickAt);
      const out = book.applyTick(px, tickAt);
      sameTickOutcome(out, expected, `${where} tick book`);
      sameTickOutcome(control.applyTick(px, tickAt), expected, `${where} tick control`);
      const writes = durable.store.extrasWrites;
      sameTickOutcome(durable.durable.tick(px, tickAt), expected, `${where} tick durable`);
      if (stale && tickAt === at) {
        // Stamped at the latest market time, after every open: it reached every position, the last price is back.
        stale = false;
        same(durable.durable.book.states(), naive.states(), `${where} durable states after the tick that follows a stale restart`);
        count("stale cleared");
      }
      // The extras (memos, pending entries) are written when an exit or a pending entry changed them, never for a
      // plain tick.
      const plain = expected.exits.length === 0 && expected.opened === undefined && naive.pendingOrders().length === pendingBefore.size;
      if (plain && durable.store.extrasWrites !== writes) throw new Error(`${where}: a plain tick wrote the extras`);
      if (out.late) count("late tick");
      for (const e of expected.exits) {
        assertClosedSane(e, where);
        countFills(e.position);
      }
      for (const p of expected.opened ?? []) count(`pending filled:${p.fills[p.fills.length - 1].reason}`);
      if ((expected.changed ?? []).length > 0) count("tick changed");
    } else if (roll < tickShare + 0.06) {
      // The object's alarm on a quiet market: session and day ends with no tick.
      note(`${where} clock ${at}`);
      const expected = naive.applyClock(nowMs);
      sameTickOutcome(book.applyClock(nowMs), expected, `${where} clock book`);
      sameTickOutcome(control.applyClock(nowMs), expected, `${where} clock control`);
      sameTickOutcome(durableView(durable.durable.clock(nowMs)), durableView(expected), `${where} clock durable`);
      count("clock");
      for (const e of expected.exits) {
        assertClosedSane(e, where);
        countFills(e.position);
        count(`clock exit:${e.trade.exitReason}`);
      }
    } else if (roll < tickShare + 0.08) {
      const open = naive.open();
      if (open.length > 0) {
        signalStep = true;
        const victim = pick(open);
        note(`${where} manual close ${victim.id} at ${px} ${at}`);
        const expected = naive.closeManual(victim.id, px, at)!;
        same(book.closeManual(victim.id, px, at), expected, `${where} manual book`);
        same(control.closeManual(victim.id, px, at), expected, `${where} manual control`);
        same(durable.durable.closeManual(victim.id, px, at, { priceSource: "signal", feedPrice: null }), expected, `${where} manual durable`);
        assertClosedSane(expected, where);
        countFills(expected.position);
      }
    } else {
      signalStep = true;
      const i = int(0, recorders.length - 1);
      // Now and then the recorder's settings change (a PATCH): the next signal carries the new ones.
      if (chance(0.02)) recorders[i] = makeRecorder(recorders[i].id);
      const rec = recorders[i];
      const inst = instruments[i];
      const q = () => (rec.quantityStep ?? 1) * int(1, 4);
      const signal: NormalizedSignal = pick<() => NormalizedSignal>([
        () => ({ action: "buy" }),
        () => ({ action: "sell" }),
        () => ({ action: "buy", quantity: q() }),
        () => ({ action: "sell", quantity: q() }),
        () => ({ action: "close" }),
        () => ({ action: "close", quantity: q() }),
        () => ({ action: "add" }),
        () => ({ targetSize: (rec.quantityStep ?? 1) * int(-5, 5) }),
        () => ({ targetSide: pick(["long", "short", "flat"] as const) }),
        () => ({ action: pick(["buy", "sell"] as const), sizing: { dollarAmount: Math.round(px * (spec.tickValue / tick) * pick([0.3, 0.8, 1.2, 2.5])) } }),
        () => ({ action: pick(["buy", "sell"] as const), sizing: { percentOfEquity: pick([5, 20, 60, 150]) } }),
        () => ({ cancel: true }),
        () => ({ action: pick(["buy", "sell"] as const), order: { type: "limit", limitPrice: px + tick * int(-12, 4) * (chance(0.5) ? 1 : -1) } }),
        () => ({ action: pick(["buy", "sell"] as const), order: { type: "stop", stopPrice: px + tick * int(-4, 12) * (chance(0.5) ? 1 : -1) } }),
        () => ({
          targetSize: (rec.quantityStep ?? 1) * int(-3, 3),
          order: chance(0.5) ? { type: "limit", limitPrice: px - tick * int(1, 10) } : { type: "stop", stopPrice: px + tick * int(1, 10) },
        }),
      ])();
      if (chance(0.15)) signal.takeProfit = pick<() => LevelSpec>([() => ({ ticks: int(4, 40) }), () => ({ price: px + tick * int(-20, 40) })])();
      if (chance(0.15)) signal.stopLoss = pick<() => LevelSpec>([() => ({ ticks: int(4, 40) }), () => ({ amount: money(4, 40) }), () => ({ price: px + tick * int(-40, 20) })])();
      if (chance(0.15)) {
        const trigger = chance(0.5) ? { trigger: tick * int(0, 12) } : {};
        const distance = chance(0.6);
        const percent = pick([0.005, 0.01, 0.02, 0.04]) * (spec.root === "ZN" ? 10 : 1);
        // While stale, a distance (see the header: a percent one that fills nothing reads the stale last price).
        signal.trailingStop = distance || stale ? { distance: tick * int(2, 14), ...trigger } : { percent, ...trigger };
      }
      if (chance(0.12)) signal.breakEven = { trigger: tick * int(2, 14), offset: tick * int(0, 3) };
      const fill = chance(0.25) ? px + tick * pick([0.3, 0.5, 1.2]) : px;
      const otherDayNet = chance(0.2) ? money(-30, 30) : undefined;
      const input: SignalInput = { recorder: rec, instrument: inst, signal, price: fill, at, ...(otherDayNet !== undefined ? { otherDayNet } : {}) };

      note(`${where} signal ${rec.id} ${JSON.stringify(signal)} price ${fill} at ${at}`);
      let expected: SignalOutcome;
      try {
        expected = naive.applySignal(input);
      } catch (err) {
        if (!(err instanceof SignalRefusedError)) throw err;
        expect(() => book.applySignal(input), `${where} refusal book`).toThrow(err.message);
        expect(() => control.applySignal(input), `${where} refusal control`).toThrow(err.message);
        expect(() => durable.durable.signal(input), `${where} refusal durable`).toThrow(err.message);
        count(`refused:${err.details.map((d) => d.problem).join(",")}`);
        continue;
      }
      same(book.applySignal(input), expected, `${where} signal book ${JSON.stringify(signal)}`);
      same(control.applySignal(input), expected, `${where} signal control`);
      same(durableView(durable.durable.signal(input)), durableView(expected), `${where} signal durable`);
      assertFiniteDeep(expected, `${where} signal outcome`);
      count(`result:${expected.result}${expected.reason ? `:${expected.reason}` : ""}`);
      if (expected.closed) {
        assertClosedSane(expected.closed, where);
        countFills(expected.closed.position);
      }
    }

    // Now and then a burst of ticks in one wall-clock instant (meta.last written once at most), then a restart.
    const burst = wallRnd() < 0.04;
    if (burst) {
      for (let k = 2 + Math.floor(wallRnd() * 4); k > 0; k--) {
        const p = Number(((ticks + Math.floor(wallRnd() * 5) - 2) * tick).toFixed(10));
        note(`${where} burst tick ${p} at ${at}`);
        const expected = naive.applyTick(p, at);
        sameTickOutcome(book.applyTick(p, at), expected, `${where} burst tick book`);
        sameTickOutcome(control.applyTick(p, at), expected, `${where} burst tick control`);
        sameTickOutcome(durable.durable.tick(p, at), expected, `${where} burst tick durable`);
        for (const e of expected.exits) {
          assertClosedSane(e, where);
          countFills(e.position);
        }
        if (stale) {
          stale = false;
          same(durable.durable.book.states(), naive.states(), `${where} durable states after the tick that follows a stale restart`);
          count("stale cleared");
        }
      }
      jumpToClock = wallRnd() < 0.5;
    }

    // Every step: the read-every-step books against the naive one.
    const open = naive.open();
    const states = naive.states();
    const pending: PendingOrder[] = naive.pendingOrders();
    same(control.open(), open, `${where} control open`);
    same(control.states(), states, `${where} control states`);
    same(control.pendingOrders(), pending, `${where} control pending`);
    same(durableView(durable.durable.book.open()), durableView(open), `${where} durable open`);
    same(durableView(durable.durable.book.states()), durableView(states), `${where} durable states`);
    same(durable.durable.book.pendingOrders(), pending, `${where} durable pending`);
    same(book.pendingOrders(), pending, `${where} book pending`);
    // `book`: every step in half the sequences; in the other half at random points only (lazy excursions).
    if (eager || chance(0.15) || step === STEPS) {
      same(book.open(), open, `${where} book open`);
      same(book.states(), states, `${where} book states`);
      count("snapshot");
    }

    // Invariants on the (always current) naive book.
    for (const p of open) assertPositionSane(p, where);
    assertFiniteDeep(states, `${where} states`);
    const next = new Map<string, { stop: number | null; side: string; fills: number; amount: boolean }>();
    const pendingAfter = new Set(pending.map((o) => o.id));
    const pendingApplied = new Set([...pendingBefore].filter(([, id]) => !pendingAfter.has(id)).map(([r]) => r));
    for (const p of open) {
      const s = states.find((x) => x.id === p.id)!;
      const amount = s.stopLoss !== null && "amount" in s.stopLoss;
      const before = stops.get(p.id);
      // Between signals (a tick, the clock; a pending entry filling is a signal) the stop only tightens. A stop
      // given in USD for the open quantity is recomputed when a take-profit leg shrinks that quantity (as after
      // any fill), so it may move away then.
      const newFills = before ? p.fills.slice(before.fills) : [];
      const onlyLegs = newFills.every((f) => f.reason.startsWith("take_profit_"));
      if (before && !signalStep && !pendingApplied.has(p.recorderId) && onlyLegs && !(amount && newFills.length > 0) && before.stop !== null) {
        const w = `${where} ${p.side} ${p.id} stop ${before.stop} -> ${p.stopLossPrice}`;
        expect(p.stopLossPrice, w).not.toBeNull();
        if (p.side === "long") expect(p.stopLossPrice!, w).toBeGreaterThanOrEqual(before.stop);
        else expect(p.stopLossPrice!, w).toBeLessThanOrEqual(before.stop);
        if (p.stopLossPrice !== before.stop) count(`stop tightened:${p.side}`);
      }
      next.set(p.id, { stop: p.stopLossPrice, side: p.side, fills: p.fills.length, amount });
    }
    stops = next;

    // Persist and restore at random points: each must continue exactly like the naive book.
    if (chance(0.04)) {
      book = SymbolBook.restore(JSON.parse(JSON.stringify(book.states())) as PositionState[], {
        newId: newIdA,
        extras: JSON.parse(JSON.stringify(book.extras())),
        ...tuning(),
      });
      count("restore");
    }
    if (chance(0.05)) {
      durable.durable.compactJournal();
      same(durable.store.getLast() ?? durable.durable.last, durable.durable.last, `${where} meta.last after compactJournal (the alarm)`);
      count("compact");
    }
    if (chance(0.05) || burst) {
      // Whether meta.last is behind the last tick, from the store itself.
      const unsaved = JSON.stringify(durable.store.getLast() ?? durable.durable.last) !== JSON.stringify(durable.durable.last);
      if (durable.durable.lastUnsaved !== unsaved) throw new Error(`${where}: lastUnsaved ${durable.durable.lastUnsaved}, meta.last ${unsaved ? "behind" : "current"}`);
      if (unsaved) stale = true;
      count(unsaved ? "restart:last unsaved" : "restart:last saved");
      durable.restart();
      count("restart");
    }
  }
  for (const p of naive.open()) countFills(p);
}

describe("exit and risk rules: production books vs the naive book (randomized)", () => {
  it(`${SEQUENCES} sequences × ${STEPS} steps`, () => {
    const first = FIRST_SEED;
    for (let i = 0; i < SEQUENCES; i++) {
      const seed = first + i;
      trail = [];
      try {
        runSequence(seed);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        throw new Error(`seed ${seed} (rerun: FIRST_SEED = ${seed}, SEQUENCES = 1): ${msg}\nlast events:\n${trail.join("\n")}`);
      }
    }
    if (process.env.RULES_COUNTS) console.log(JSON.stringify(Object.fromEntries([...seen].sort()), null, 1));
    if (SEQUENCES < 100) return; // a single rerun proves nothing about coverage
    const atLeast = (k: string, n: number) => expect(seen.get(k) ?? 0, k).toBeGreaterThanOrEqual(n);
    // Exit reasons (fills of every exit, partial or final) and closing reasons of whole round trips.
    for (const k of ["fill:take_profit_1", "fill:take_profit_2", "fill:take_profit_3", "fill:trailing_stop", "fill:break_even", "fill:session_end", "fill:daily_limit"]) atLeast(k, 10);
    for (const k of ["exit:take_profit_2", "exit:take_profit_3", "exit:trailing_stop", "exit:break_even", "exit:session_end", "exit:daily_limit", "exit:stop_loss", "exit:take_profit"]) atLeast(k, 5);
    atLeast("clock exit:session_end", 5);
    // Ignore reasons of the entry guards and of signals that ask for nothing.
    for (const r of ["direction_filtered", "outside_session", "daily_limit", "cooldown", "max_contracts", "cancel_not_applicable", "quantity_rounds_to_zero"]) {
      atLeast(`result:ignored:${r}`, 5);
    }
    atLeast("result:closed:direction_filtered", 3);
    atLeast("result:pending", 20);
    atLeast("pending filled:open", 10);
    atLeast("refused:needs_initial_capital", 3);
    for (const k of ["stop tightened:long", "stop tightened:short", "late tick", "restore", "restart", "compact", "snapshot", "clock", "tick changed"]) atLeast(k, 10);
    for (const k of ["restart:last unsaved", "restart:last saved", "stale cleared"]) atLeast(k, 10);
    // Per-entry trades: positions with one entry, and pyramided or scaled-out ones split into several.
    for (const k of ["entry trades:one", "entry trades:split"]) atLeast(k, 20);
  });
});
