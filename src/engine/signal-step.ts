// One signal applied to one recorder's position: the recording rules' "move to the target" step, shared by the
// production SymbolBook and the naive baseline book (they differ only in how they index positions for ticks,
// which the hooks let each book keep up to date).
import { refreshLevels } from "./levels";
import { cleanPrice, priceToTicks } from "./money";
import { addToPosition, exitPosition, openPosition, serialize, toPosition } from "./position";
import { planTarget } from "./target";
import type {
  ClosedPosition,
  InstrumentSpec,
  LevelSpec,
  NormalizedSignal,
  PositionState,
  RecorderSettings,
  SignalOutcome,
  SignalResult,
} from "./types";

export interface SignalInput {
  recorder: RecorderSettings;
  instrument: InstrumentSpec;
  signal: NormalizedSignal;
  /** The fill price: the signal's price, else the last feed price. > 0. */
  price: number;
  at: string;
}

export interface SignalStepHooks {
  newId(): string;
  /** The position's round trip ended: the book forgets it and returns its final snapshot and trade. */
  finish(s: PositionState): ClosedPosition;
  /** A new position entered the book. */
  track(s: PositionState): void;
  /** An open position's quantity, average entry or TP/SL levels changed. */
  changed(s: PositionState): void;
}

/** Applies `input` to the recorder's open position `s` (up to date, or undefined when flat). */
export function applySignalStep(s: PositionState | undefined, input: SignalInput, hooks: SignalStepHooks): SignalOutcome {
  const { recorder, instrument, signal, at } = input;
  assertBookable(input.price);
  const current = s === undefined ? 0 : s.side === "long" ? s.quantity : -s.quantity;
  const plan = planTarget(current, signal, recorder);

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
    exitPosition(s, s.quantity, fillTicks(input.price, s.tickSize), at, target === 0 ? "signal" : "reverse");
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
      });
      hooks.track(opened);
    }
  } else {
    const delta = cleanPrice(Math.abs(target) - s.quantity);
    const priceTicks = fillTicks(input.price, s.tickSize);
    if (delta > 0) {
      addToPosition(s, delta, priceTicks, at);
      result = "added";
    } else {
      exitPosition(s, -delta, priceTicks, at, "signal");
      result = "reduced";
    }
    updateLevelSpecs(s, signal);
    hooks.changed(s);
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
  if (!(Number.isFinite(price) && price > 0)) throw new RangeError(`price must be > 0, got ${price}`);
}
