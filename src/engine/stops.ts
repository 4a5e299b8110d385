// Where a position's take-profit and stop are now (CONTRACT "Exits and risk rules"), as plain functions of its
// state: the next take-profit (the single level or the next leg with its share) and the tightest stop of the fixed
// stop-loss, break-even and trailing stops. Used by the exits (exits.ts), the book's indexes and the snapshot
// (Position.takeProfitPrice / stopLossPrice). See exits.ts for the coordinates (y = direction × price).
// Costs: O(1).
import { cleanPrice, roundTicks } from "./money";
import { avgEntryTicks } from "./pnl";
import { noRules } from "./rules";
import type { ExitReason, FillSide, PositionRules, PositionState } from "./types";

/** Float noise tolerance when comparing a derived (fractional) level with whole ticks. */
export const EPS = 1e-9;

export function dirOf(s: Pick<PositionState, "side">): 1 | -1 {
  return s.side === "long" ? 1 : -1;
}

export function rulesOf(s: PositionState): PositionRules {
  return s.rules ?? noRules();
}

/** The position's most favourable price since the open (ticks). */
export function favorOf(s: PositionState): number {
  return s.favorTicks ?? s.bestPriceTicks;
}

/** A market fill slipped against the trader: a buy higher, a sell lower (never below one tick). */
export function slipped(priceTicks: number, side: FillSide, slippageTicks: number): number {
  if (slippageTicks === 0) return priceTicks;
  return side === "buy" ? priceTicks + slippageTicks : Math.max(1, priceTicks - slippageTicks);
}

export function exitSide(s: PositionState): FillSide {
  return s.side === "long" ? "sell" : "buy";
}

// ---- take-profit --------------------------------------------------------------------------------------------

export interface Target {
  level: number;
  quantity: number;
  reason: ExitReason;
  /** Index of the leg (null: the single take-profit). */
  leg: number | null;
}

/** The next take-profit to fill: the next leg (its share of legBase rounded down to the quantity step, the last
 * leg the rest; a share of 0 exits nothing) or the single level. */
export function nextTarget(s: PositionState): Target | null {
  const legs = rulesOf(s).legs;
  if (legs === null) {
    const tp = s.takeProfitLevelTicks;
    return tp === null ? null : { level: tp, quantity: s.quantity, reason: "take_profit", leg: null };
  }
  const i = s.legsDone ?? 0;
  if (i >= legs.length) return null;
  const level = legLevel(s, i);
  if (level === null) return null;
  const last = i === legs.length - 1;
  const step = rulesOf(s).quantityStep;
  const share = last ? s.quantity : Math.min(s.quantity, cleanPrice(Math.floor(((s.legBase ?? s.quantity) * legs[i].percent) / 100 / step + EPS) * step));
  return { level, quantity: share, reason: `take_profit_${i + 1}`, leg: i };
}

/** Leg i's level: A ± its ticks, rounded to the tick (null when at or below price 0). */
export function legLevel(s: PositionState, i: number): number | null {
  const legs = rulesOf(s).legs!;
  const ticks = roundTicks(avgEntryTicks(s) + dirOf(s) * legs[i].ticks);
  return ticks > 0 ? ticks : null;
}

// ---- stops --------------------------------------------------------------------------------------------------

/** Whether a trigger `triggerTicks` beyond the average entry has been reached by the favourable price. */
export function triggered(s: PositionState, triggerTicks: number): boolean {
  return dirOf(s) * (favorOf(s) - avgEntryTicks(s)) >= triggerTicks - EPS;
}

/** The y at which a trigger is reached (whole ticks: the first price that reaches it). */
export function triggerY(s: PositionState, triggerTicks: number): number {
  return Math.ceil(dirOf(s) * avgEntryTicks(s) + triggerTicks - EPS);
}

export function trailActive(s: PositionState): boolean {
  const t = rulesOf(s).trail;
  return t !== null && triggered(s, t.triggerTicks);
}

export function trailLevel(s: PositionState): number | null {
  const t = rulesOf(s).trail!;
  const level = favorOf(s) - dirOf(s) * t.distanceTicks;
  return level > 0 ? level : null;
}

export interface Stop {
  level: number;
  reason: ExitReason;
}

/** The position's stop now: the tightest of its stops (see the header). `withTrail` false leaves the trailing stop
 * out (the book indexes an active trail separately). Allocates no closure: it runs for every position a tick
 * evaluates and every re-index, and a bundler keeping function names (wrangler's default) would name each one. */
export function stopNow(s: PositionState, withTrail = true): Stop | null {
  const d = dirOf(s);
  const r = rulesOf(s);
  let best: Stop | null = s.stopLossLevelTicks === null ? null : { level: s.stopLossLevelTicks, reason: "stop_loss" };
  if (r.breakEven !== null && triggered(s, r.breakEven.triggerTicks)) best = tighter(best, d, roundTicks(avgEntryTicks(s) + d * r.breakEven.offsetTicks), "break_even");
  if (withTrail && r.trail !== null && triggered(s, r.trail.triggerTicks)) best = tighter(best, d, trailLevel(s), "trailing_stop");
  return best;
}

/** `best` or the stop at `level` if it is as tight or tighter (a later reason wins a tie); a level at or below 0
 * (or none) is no stop. */
function tighter(best: Stop | null, d: 1 | -1, level: number | null, reason: ExitReason): Stop | null {
  if (level === null || level <= 0) return best;
  return best === null || d * level >= d * best.level ? { level, reason } : best;
}

