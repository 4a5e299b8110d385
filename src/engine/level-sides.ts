// CONTRACT "Levels on the right side": a take-profit or stop-loss that a signal sets and that is already crossed
// is refused, before anything changes. For a long, TP <= price or SL >= price is crossed; for a short, TP >= price
// or SL <= price. `price` is the signal's fill price, or — for a signal that only moves the levels of an open
// position — the live feed price, else the signal's price. The level is the one the position WOULD have after
// the signal (a relative level follows the new average entry), so a stop moved above a long's entry but below the
// price (break-even, trailing) is valid. Recorder-default levels are not checked: the signal did not set them.
// Cost: O(1), once per signal.
import { levelTicks, type LevelKind } from "./levels";
import { SignalRefusedError } from "./limits";
import { cleanPrice, priceToTicks, ticksToPrice } from "./money";
import { avgEntryTicks } from "./pnl";
import type { TargetPlan } from "./target";
import type { PositionState, Side, SignalInput } from "./types";

/** The few fields levelTicks reads, for the position as it will be after the signal. */
type LevelBasis = Pick<PositionState, "side" | "avgEntryNum" | "avgEntryDen" | "quantity" | "tickSize" | "tickValue">;

export function checkLevelSides(s: PositionState | undefined, input: SignalInput, plan: TargetPlan, current: number): void {
  const { signal } = input;
  if (signal.takeProfit === undefined && signal.stopLoss === undefined) return;
  let basis: LevelBasis;
  let reference: number;
  if ("ignored" in plan) {
    if (s === undefined) return; // nothing to set levels on
    basis = s;
    reference = input.feedPrice ?? input.price;
  } else {
    const target = plan.target;
    if (target === 0) return; // flat afterwards: the levels die with the position
    const side: Side = target > 0 ? "long" : "short";
    const tickSize = s?.tickSize ?? input.instrument.tickSize;
    const tickValue = s?.tickValue ?? input.instrument.tickValue;
    const fill = priceToTicks(input.price, tickSize);
    const qty = Math.abs(target);
    if (s === undefined || Math.sign(target) !== Math.sign(current)) {
      basis = { side, avgEntryNum: fill, avgEntryDen: 1, quantity: qty, tickSize, tickValue };
    } else {
      const open = Math.abs(current);
      const avg = qty > open ? (avgEntryTicks(s) * open + fill * (qty - open)) / qty : avgEntryTicks(s);
      basis = { side, avgEntryNum: avg, avgEntryDen: 1, quantity: qty, tickSize, tickValue };
    }
    reference = input.price;
  }
  const refTicks = priceToTicks(reference, basis.tickSize);
  const refPrice = ticksToPrice(refTicks, basis.tickSize);
  const problems: { field: string; problem: string }[] = [];
  const messages: string[] = [];
  for (const kind of ["takeProfit", "stopLoss"] as const) {
    const spec = signal[kind];
    if (spec === undefined) continue;
    const level = levelTicks(basis as PositionState, spec, kind);
    if (level === null || !crossed(basis.side, kind, level, refTicks)) continue;
    problems.push({ field: kind, problem: "wrong_side" });
    messages.push(describe(basis.side, kind, ticksToPrice(level, basis.tickSize), refPrice));
  }
  if (problems.length > 0) throw new SignalRefusedError(messages.join(" "), problems);
}

function crossed(side: Side, kind: LevelKind, level: number, price: number): boolean {
  if (side === "long") return kind === "takeProfit" ? level <= price : level >= price;
  return kind === "takeProfit" ? level >= price : level <= price;
}

function describe(side: Side, kind: LevelKind, level: number, price: number): string {
  const name = kind === "takeProfit" ? "take-profit" : "stop-loss";
  const must = (side === "long") === (kind === "takeProfit") ? "above" : "below";
  return `The ${name} ${cleanPrice(level)} is on the wrong side of the price ${cleanPrice(price)}: a ${side}'s ${name} must be ${must} it (was a distance in points sent as a price?).`;
}
