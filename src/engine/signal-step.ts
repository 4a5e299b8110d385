// One signal applied to one recorder's position: the recording rules' "move to the target" step, shared by the
// production SymbolBook and the naive baseline book (they differ only in how they index positions for ticks,
// which the hooks let each book keep up to date).
//
// Refusals come first and change nothing (SignalRefusedError): a number outside the engine's bounds (limits.ts),
// or a take-profit / stop-loss the signal sets on the wrong side of the price (already crossed: it would exit on
// the next tick at a level that was never reachable, e.g. "takeProfit": 20 typed as points on a 6900 long).
import { checkLevelSides } from "./level-sides";
import { refreshLevels } from "./levels";
import { isBoundedPrice, isBoundedQuantity, MAX_QUANTITY, SignalRefusedError } from "./limits";
import { cleanPrice, priceToTicks } from "./money";
import { addToPosition, exitPosition, openPosition, serialize, toPosition } from "./position";
import { planTarget } from "./target";
import type {
  ClosedPosition,
  FillOrigin,
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
  /** An open position's quantity, average entry or TP/SL levels changed. */
  changed(s: PositionState): void;
}

/** The refusals of applySignalStep alone (SignalRefusedError), without applying anything: for a signal that is
 * accepted now and applied later (a scheduled signal on a delayed feed). */
export function checkSignalStep(s: PositionState | undefined, input: SignalInput): void {
  checkInput(input);
  const current = s === undefined ? 0 : s.side === "long" ? s.quantity : -s.quantity;
  checkLevelSides(s, input, planTarget(current, input.signal, input.recorder), current);
}

/** Applies `input` to the recorder's open position `s` (up to date, or undefined when flat). */
export function applySignalStep(s: PositionState | undefined, input: SignalInput, hooks: SignalStepHooks): SignalOutcome {
  const { recorder, instrument, signal, at } = input;
  checkInput(input);
  const origin: FillOrigin = { priceSource: input.priceSource ?? "signal", feedPrice: input.feedPrice ?? null };
  const current = s === undefined ? 0 : s.side === "long" ? s.quantity : -s.quantity;
  const plan = planTarget(current, signal, recorder);
  if ("target" in plan && !(Math.abs(plan.target) <= MAX_QUANTITY * 1000)) {
    // Unreachable with bounded inputs (each fill ≤ MAX_QUANTITY); a position this large is a runaway.
    throw new SignalRefusedError(`The position would hold ${Math.abs(plan.target)} contracts.`, [{ field: "quantity", problem: "out_of_range" }]);
  }
  checkLevelSides(s, input, plan, current);

  if ("ignored" in plan) {
    // A strategy re-sending its position with a moved stop (trailing) must still move the stop.
    const changed = s !== undefined && updateLevelSpecs(s, signal);
    if (changed) hooks.changed(s!);
    return {
      result: "ignored",
      reason: plan.ignored,
      position: s ? toPosition(s) : null,
      changed: changed && s ? [serialize(s)] : [],
      closedIds: [],
    };
  }

  const target = cleanPrice(plan.target);
  let result: SignalResult = "opened";
  let closed: ClosedPosition | undefined;
  let opened: PositionState | undefined;

  if (s !== undefined) s.commissionPerContract = recorder.commissionPerContract;
  if (s !== undefined && (target === 0 || Math.sign(target) !== Math.sign(current))) {
    // Flat or the other side: this round trip ends here.
    exitPosition(s, s.quantity, fillTicks(input.price, s.tickSize), at, target === 0 ? "signal" : "reverse", origin);
    closed = hooks.finish(s);
    s = undefined;
    result = target === 0 ? "closed" : "reversed";
  }

  if (s === undefined) {
    if (target !== 0) {
      opened = openPosition({
        id: hooks.newId(),
        recorderId: recorder.id,
        symbol: instrument.root,
        feedSymbol: instrument.feedSymbol,
        tickSize: instrument.tickSize,
        tickValue: instrument.tickValue,
        commissionPerContract: recorder.commissionPerContract,
        side: target > 0 ? "long" : "short",
        quantity: Math.abs(target),
        priceTicks: fillTicks(input.price, instrument.tickSize),
        at,
        takeProfit: signal.takeProfit ?? recorderLevel(recorder.takeProfitTicks),
        stopLoss: signal.stopLoss ?? recorderLevel(recorder.stopLossTicks),
        origin,
      });
      hooks.track(opened);
    }
  } else {
    const delta = cleanPrice(Math.abs(target) - s.quantity);
    const priceTicks = fillTicks(input.price, s.tickSize);
    if (delta > 0) {
      addToPosition(s, delta, priceTicks, at, origin);
      result = "added";
    } else if (exitPosition(s, -delta, priceTicks, at, "signal", origin)) {
      // The reduction took all that was left (quantities within float noise of each other): a close.
      closed = hooks.finish(s);
      s = undefined;
      result = "closed";
    } else {
      result = "reduced";
    }
    if (s !== undefined) {
      updateLevelSpecs(s, signal);
      hooks.changed(s);
    }
  }

  const live = opened ?? s;
  const openedSnapshot = opened && toPosition(opened);
  return {
    result,
    position: openedSnapshot ?? (live ? toPosition(live) : closed!.position),
    ...(closed ? { closed } : {}),
    ...(openedSnapshot ? { opened: openedSnapshot } : {}),
    changed: live ? [serialize(live)] : [],
    closedIds: closed ? [closed.position.id] : [],
  };
}

/** A signal's TP/SL replaces the position's; returns true when anything was given. */
function updateLevelSpecs(s: PositionState, signal: NormalizedSignal): boolean {
  if (signal.takeProfit === undefined && signal.stopLoss === undefined) return false;
  if (signal.takeProfit !== undefined) s.takeProfit = signal.takeProfit;
  if (signal.stopLoss !== undefined) s.stopLoss = signal.stopLoss;
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
