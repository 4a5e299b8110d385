// Take-profit / stop-loss levels. A spec is stored as given and the level recomputed from the average entry and
// open quantity after every fill, so relative specs (ticks, amount, percent) follow DCA adds; a price stays put.
import { priceToTicks, roundTicks } from "./money";
import { avgEntryTicks } from "./pnl";
import { legLevel } from "./stops";
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

/** Re-derives both levels from the specs (after a fill or a spec change). With take-profit legs, the take-profit
 * level is the next leg's. The stop-loss level is the fixed one; stops.ts adds break-even and trailing stops. */
export function refreshLevels(s: PositionState): void {
  const legs = s.rules?.legs ?? null;
  const leg = s.legsDone ?? 0;
  s.takeProfitLevelTicks = legs === null ? levelTicks(s, s.takeProfit, "takeProfit") : leg < legs.length ? legLevel(s, leg) : null;
  s.stopLossLevelTicks = levelTicks(s, s.stopLoss, "stopLoss");
}
