// Worst / best unrealized P&L (MAE / MFE). Both start at 0 on open and only ever move outward; ties keep the
// earliest occurrence. Observed at every tick and at every fill price with the quantity held just before that
// fill, so an exit's own price counts in full and an add's price is valued with the old quantity and average.
// The same prices feed the newest entry lot's segment (entry-lots.ts): per-entry run-up and drawdown see exactly
// what the position's excursions see.
import { observeLots } from "./entry-lots";
import { openTickPnl } from "./pnl";
import type { PositionState } from "./types";

/** Records the open quantity's P&L at `priceTicks`. Returns true when an extreme moved (state to persist). */
export function observeExcursion(s: PositionState, priceTicks: number, at: string): boolean {
  observeFavor(s, priceTicks);
  observeLots(s.entryLots, priceTicks, priceTicks);
  const pnl = openTickPnl(s, priceTicks);
  if (pnl < s.worstTickPnl) {
    s.worstTickPnl = pnl;
    s.worstPriceTicks = priceTicks;
    s.worstAt = at;
    return true;
  }
  if (pnl > s.bestTickPnl) {
    s.bestTickPnl = pnl;
    s.bestPriceTicks = priceTicks;
    s.bestAt = at;
    return true;
  }
  return false;
}

/** Keeps the most favourable price since the open (what trailing stops and break-even triggers follow). */
export function observeFavor(s: PositionState, priceTicks: number): void {
  const favor = s.favorTicks ?? priceTicks;
  s.favorTicks = s.side === "long" ? Math.max(favor, priceTicks) : Math.min(favor, priceTicks);
}
