// Take-profit / stop-loss levels. A spec is stored as given and the level recomputed from the average entry and
// open quantity after every fill, so relative specs (ticks, amount, percent) follow DCA adds; a price stays put.
import { priceToTicks, roundTicks } from "./money";
import { avgEntryTicks } from "./pnl";
import type { LevelSpec, PositionState } from "./types";

export type LevelKind = "takeProfit" | "stopLoss";

/**
 * The level in whole ticks, or null when there is no spec or it lands at or below price 0 (never bookable).
 * Take-profit is on the winning side of the entry (above for a long), stop-loss on the losing side.
 */
export function levelTicks(s: PositionState, spec: LevelSpec | null, kind: LevelKind): number | null {
  if (spec === null) return null;
  const away = (kind === "takeProfit" ? 1 : -1) * (s.side === "long" ? 1 : -1);
  const avg = avgEntryTicks(s);
  let ticks: number;
  if ("price" in spec) ticks = priceToTicks(spec.price, s.tickSize);
  else if ("ticks" in spec) ticks = roundTicks(avg + away * spec.ticks);
  // An amount is USD for the whole open quantity: amount / (tickValue × qty) ticks away.
  else if ("amount" in spec) ticks = roundTicks(avg + (away * spec.amount) / (s.tickValue * s.quantity));
  else ticks = roundTicks(avg * (1 + (away * spec.percent) / 100));
  return Number.isFinite(ticks) && ticks > 0 ? ticks : null;
}

/** Re-derives both levels from the specs (after a fill or a spec change). */
export function refreshLevels(s: PositionState): void {
  s.takeProfitLevelTicks = levelTicks(s, s.takeProfit, "takeProfit");
  s.stopLossLevelTicks = levelTicks(s, s.stopLoss, "stopLoss");
}

/** What a tick triggered. Plain numbers, not objects: this runs for every open position on every tick. */
export const NO_LEVEL = 0;
export const TAKE_PROFIT_HIT = 1;
export const STOP_LOSS_HIT = 2;
export type LevelHit = typeof NO_LEVEL | typeof TAKE_PROFIT_HIT | typeof STOP_LOSS_HIT;

/** Whether the tick at `priceTicks` reaches a level. Take-profit wins a tie. */
export function levelHit(s: PositionState, priceTicks: number): LevelHit {
  const tp = s.takeProfitLevelTicks;
  const sl = s.stopLossLevelTicks;
  if (s.side === "long") {
    if (tp !== null && priceTicks >= tp) return TAKE_PROFIT_HIT;
    if (sl !== null && priceTicks <= sl) return STOP_LOSS_HIT;
  } else {
    if (tp !== null && priceTicks <= tp) return TAKE_PROFIT_HIT;
    if (sl !== null && priceTicks >= sl) return STOP_LOSS_HIT;
  }
  return NO_LEVEL;
}

/**
 * Where a triggered level fills: a take-profit at its level (a resting limit); a stop at its level, or at the
 * tick's price when the market gapped through it (a stop becomes a market order).
 */
export function levelFillTicks(s: PositionState, hit: LevelHit, priceTicks: number): number {
  if (hit === TAKE_PROFIT_HIT) return s.takeProfitLevelTicks!;
  const sl = s.stopLossLevelTicks!;
  return s.side === "long" ? Math.min(sl, priceTicks) : Math.max(sl, priceTicks);
}
