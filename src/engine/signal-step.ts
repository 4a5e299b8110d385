// One signal applied to one recorder's position: the recording rules' "move to the target" step, shared by the
// production SymbolBook and the naive baseline book (they differ only in how they index positions for ticks,
// which the hooks let each book keep up to date).
//
// Refusals come first and change nothing (SignalRefusedError): a number outside the engine's bounds (limits.ts),
// or a take-profit / stop-loss the signal sets on the wrong side of the price (already crossed: it would exit on
// the next tick at a level that was never reachable, e.g. "takeProfit": 20 typed as points on a 6900 long).
import { guardEntries, type GuardedPlan } from "./entry-guards";
import { checkLevelSides } from "./level-sides";
import { refreshLevels } from "./levels";
import { isBoundedPrice, isBoundedQuantity, MAX_QUANTITY, SignalRefusedError } from "./limits";
import { cleanPrice, priceToTicks } from "./money";
import { addToPosition, exitPosition, openPosition, serialize, toPosition } from "./position";
import { toUsd } from "./pnl";
import { dayNetAt, rulesAt, signalBreakEven, signalTrail, type RecorderMemo } from "./rules";
import { exitSide, slipped } from "./stops";
import { planTarget } from "./target";
import type {
  ClosedPosition,
  FillOrigin,
  FillSide,
  InstrumentSpec,
  LevelSpec,
  NormalizedSignal,
  PositionState,
  RecorderSettings,
  SignalInput,
  SignalOutcome,
  SignalResult,
} from "./types";

export type { SignalInput } from "./types";

export interface SignalStepHooks {
  newId(): string;
  /** The position's round trip ended: the book forgets it and returns its final snapshot and trade. */
  finish(s: PositionState): ClosedPosition;
  /** A new position entered the book. */
  track(s: PositionState): void;
  /** An open position's quantity, average entry, levels or rules changed. */
  changed(s: PositionState): void;
  /** The recorder's memory on this symbol (created on first use): last entry, the day's closed net. */
  memo(recorderId: string): RecorderMemo;
}

/** The refusals of applySignalStep alone (SignalRefusedError), without applying anything: for a signal that is
 * accepted now and applied later (a scheduled signal on a delayed feed, a pending order). */
export function checkSignalStep(s: PositionState | undefined, input: SignalInput): void {
  checkInput(input);
  const signal = sizedSignal(input);
  if (signal === null) return;
  const current = s === undefined ? 0 : s.side === "long" ? s.quantity : -s.quantity;
  checkLevelSides(s, { ...input, signal }, planTarget(current, signal, input.recorder), current);
}

/** Applies `input` to the recorder's open position `s` (up to date, or undefined when flat). */
export function applySignalStep(s: PositionState | undefined, input: SignalInput, hooks: SignalStepHooks): SignalOutcome {
  const { recorder, instrument, at } = input;
  checkInput(input);
  const origin: FillOrigin = { priceSource: input.priceSource ?? "signal", feedPrice: input.feedPrice ?? null };
  const current = s === undefined ? 0 : s.side === "long" ? s.quantity : -s.quantity;
  const signal = sizedSignal(input);
  const atMs = Date.parse(at);
  const memo = hooks.memo(recorder.id);
  let guarded: GuardedPlan;
  if (signal === null) guarded = { plan: { ignored: input.signal.cancel ? "cancel_not_applicable" : "quantity_rounds_to_zero" } };
  else {
    const plan = planTarget(current, signal, recorder);
    if ("target" in plan && !(Math.abs(plan.target) <= MAX_QUANTITY * 1000)) {
      // Unreachable with bounded inputs (each fill ≤ MAX_QUANTITY); a position this large is a runaway.
      throw new SignalRefusedError(`The position would hold ${Math.abs(plan.target)} contracts.`, [{ field: "quantity", problem: "out_of_range" }]);
    }
    checkLevelSides(s, { ...input, signal }, plan, current);
    // The day's realized net also holds what the open position realized so far (a partial exit, commissions), as
    // the flatten level counts it (exits.ts dailyLevels): a partial exit's loss can reach the limit.
    const openNet = s === undefined ? 0 : toUsd(s, s.realizedTickPnl) - s.commission;
    guarded = guardEntries(plan, current, { recorder, atMs, memo, otherDayNet: (input.otherDayNet ?? 0) + openNet });
    // A guard may leave only the signal's levels to apply (an entry ignored: checked on the position as it is,
    // against the feed price) or a smaller entry (cut to maxContracts): check them against what really happens.
    if (guarded.plan !== plan) checkLevelSides(s, { ...input, signal }, guarded.plan, current);
  }
  const plan = guarded.plan;

  if ("ignored" in plan) {
    // A strategy re-sending its position with a moved stop (trailing) must still move the stop.
    const changed = s !== undefined && signal !== null && updateLevelSpecs(s, signal);
    if (changed) hooks.changed(s!);
    return {
      result: "ignored",
      reason: plan.ignored,
      position: s ? toPosition(s) : null,
      changed: changed && s ? [serialize(s)] : [],
      closedIds: [],
    };
  }
  const sig = signal!;

  const target = cleanPrice(plan.target);
  let result: SignalResult = "opened";
  let closed: ClosedPosition | undefined;
  let opened: PositionState | undefined;
  // Market fills slip against the trader (slippageTicks); a pending limit order fills at its price.
  const slip = input.limitFill ? 0 : Math.max(0, Math.round(recorder.slippageTicks ?? 0));
  const fillAt = (side: FillSide, tickSize: number) => slipped(fillTicks(input.price, tickSize), side, slip);
  const dayBase = () => dayNetAt(memo, recorder, atMs, input.otherDayNet ?? 0);

  if (s !== undefined) s.commissionPerContract = recorder.commissionPerContract;
  if (s !== undefined && (target === 0 || Math.sign(target) !== Math.sign(current))) {
    // Flat or the other side: this round trip ends here.
    exitPosition(s, s.quantity, fillAt(exitSide(s), s.tickSize), at, target === 0 ? "signal" : "reverse", origin);
    closed = hooks.finish(s);
    s = undefined;
    result = target === 0 ? "closed" : "reversed";
  }

  if (s === undefined) {
    if (target !== 0) {
      const side = target > 0 ? "long" : "short";
      const legs = recorder.takeProfitLegs && recorder.takeProfitLegs.length > 0;
      const priceTicks = fillAt(side === "long" ? "buy" : "sell", instrument.tickSize);
      opened = openPosition({
        id: hooks.newId(),
        recorderId: recorder.id,
        symbol: instrument.root,
        feedSymbol: instrument.feedSymbol,
        tickSize: instrument.tickSize,
        tickValue: instrument.tickValue,
        commissionPerContract: recorder.commissionPerContract,
        side,
        quantity: Math.abs(target),
        priceTicks,
        at,
        takeProfit: sig.takeProfit ?? (legs ? null : recorderLevel(recorder.takeProfitTicks)),
        stopLoss: sig.stopLoss ?? recorderLevel(recorder.stopLossTicks),
        origin,
      });
      opened.rules = rulesAt(recorder, sig, opened, undefined, atMs, priceTicks, dayBase());
      refreshLevels(opened);
      memo.lastEntryMs = atMs;
      hooks.track(opened);
    }
  } else {
    const delta = cleanPrice(Math.abs(target) - s.quantity);
    if (delta > 0) {
      addToPosition(s, delta, fillAt(s.side === "long" ? "buy" : "sell", s.tickSize), at, origin);
      memo.lastEntryMs = atMs;
      result = "added";
    } else if (exitPosition(s, -delta, fillAt(exitSide(s), s.tickSize), at, "signal", origin)) {
      // The reduction took all that was left (quantities within float noise of each other): a close.
      closed = hooks.finish(s);
      s = undefined;
      result = "closed";
    } else {
      result = "reduced";
    }
    if (s !== undefined) {
      if (sig.takeProfit !== undefined) s.takeProfit = sig.takeProfit;
      if (sig.stopLoss !== undefined) s.stopLoss = sig.stopLoss;
      s.rules = rulesAt(recorder, sig, s, s.rules, atMs, s.lastPriceTicks, dayBase());
      refreshLevels(s);
      hooks.changed(s);
    }
  }

  const live = opened ?? s;
  const openedSnapshot = opened && toPosition(opened);
  return {
    result,
    ...(guarded.reason ? { reason: guarded.reason } : {}),
    position: openedSnapshot ?? (live ? toPosition(live) : closed!.position),
    ...(closed ? { closed } : {}),
    ...(openedSnapshot ? { opened: openedSnapshot } : {}),
    changed: live ? [serialize(live)] : [],
    closedIds: closed ? [closed.position.id] : [],
  };
}

/**
 * The signal with its contract count when TradersPost sized it in money (CONTRACT: `dollar_amount` → contracts
 * from price × point value, rounded down to the quantity step; `percent_of_equity` of `initialCapital`). Null: it
 * asks for nothing (a cancel, or an amount below one step).
 */
function sizedSignal(input: SignalInput): NormalizedSignal | null {
  const { signal, recorder, instrument } = input;
  if (signal.cancel) return null;
  if (signal.sizing === undefined) return signal;
  let usd: number;
  if ("dollarAmount" in signal.sizing) usd = signal.sizing.dollarAmount;
  else {
    const capital = recorder.initialCapital ?? null;
    if (capital === null) {
      throw new SignalRefusedError("quantityType percent_of_equity needs the recorder's initialCapital (set it in the recorder's settings).", [
        { field: "quantityType", problem: "needs_initial_capital" },
      ]);
    }
    usd = (capital * signal.sizing.percentOfEquity) / 100;
  }
  const step = recorder.quantityStep ?? 1;
  const contractValue = input.price * (instrument.tickValue / instrument.tickSize);
  const quantity = Math.min(MAX_QUANTITY, cleanPrice(Math.floor(usd / contractValue / step + 1e-9) * step));
  if (!(quantity > 0)) return null;
  return { ...signal, quantity };
}

/** A signal's TP/SL replaces the position's; returns true when anything was given. */
function updateLevelSpecs(s: PositionState, signal: NormalizedSignal): boolean {
  const trail = signalTrail(signal, s.tickSize, s.lastPriceTicks);
  const breakEven = signalBreakEven(signal, s.tickSize);
  if (signal.takeProfit === undefined && signal.stopLoss === undefined && trail === null && breakEven === null) return false;
  if (signal.takeProfit !== undefined) s.takeProfit = signal.takeProfit;
  if (signal.stopLoss !== undefined) s.stopLoss = signal.stopLoss;
  if (s.rules !== undefined) {
    if (signal.takeProfit !== undefined) s.rules.legs = null; // the signal's take-profit replaces the legs
    if (trail !== null) s.rules.trail = trail;
    if (breakEven !== null) s.rules.breakEven = breakEven;
  }
  refreshLevels(s);
  return true;
}

function recorderLevel(ticks: number | null): LevelSpec | null {
  return ticks !== null && Number.isFinite(ticks) && ticks > 0 ? { ticks } : null;
}

/** A fill price in ticks; a price that rounds to 0 is never booked. */
export function fillTicks(price: number, tickSize: number): number {
  const ticks = priceToTicks(price, tickSize);
  if (ticks <= 0) throw new RangeError(`price ${price} rounds to ${ticks * tickSize}: a price of 0 is never booked`);
  return ticks;
}

export function assertBookable(price: number): void {
  if (!isBoundedPrice(price)) throw new RangeError(`price must be > 0 and < 1e9, got ${price}`);
}

/** Every number of the input within the engine's bounds, else a refusal before anything changed. */
function checkInput(input: SignalInput): void {
  const problems: { field: string; problem: string }[] = [];
  const { signal, instrument, recorder } = input;
  if (!isBoundedPrice(input.price)) problems.push({ field: "price", problem: "out_of_range" });
  if (signal.quantity !== undefined && signal.quantity !== 0 && !isBoundedQuantity(signal.quantity)) problems.push({ field: "quantity", problem: "out_of_range" });
  if (signal.targetSize !== undefined && !(signal.targetSize === 0 || isBoundedQuantity(Math.abs(signal.targetSize)))) {
    problems.push({ field: "positionSize", problem: "out_of_range" });
  }
  for (const field of ["takeProfit", "stopLoss"] as const) {
    const spec = signal[field];
    if (spec !== undefined && !isBoundedPrice(Object.values(spec)[0] as number)) problems.push({ field, problem: "out_of_range" });
  }
  for (const [field, x] of [["initialQuantity", recorder.initialQuantity], ["addQuantity", recorder.addQuantity]] as const) {
    if (!isBoundedQuantity(x)) problems.push({ field, problem: "out_of_range" });
  }
  if (!(Number.isFinite(instrument.tickSize) && instrument.tickSize > 0) || !(Number.isFinite(instrument.tickValue) && instrument.tickValue > 0)) {
    problems.push({ field: "tickSize", problem: "out_of_range" });
  }
  if (!Number.isFinite(recorder.commissionPerContract) || recorder.commissionPerContract < 0) {
    problems.push({ field: "commissionPerContract", problem: "out_of_range" });
  }
  if (problems.length > 0) {
    throw new SignalRefusedError(`Out of range: ${problems.map((p) => p.field).join(", ")}.`, problems);
  }
}
