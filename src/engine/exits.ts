// The exits one position takes on a price, as plain rules over its state (CONTRACT "Exits and risk rules"). Shared
// by the production book (book.ts), which calls them only for the positions its indexes say a tick reaches, and
// the naive reference book (bench/naive-book.ts), which calls them for every position on every tick.
//
// Coordinates: y = direction × price (a long's y is its price, a short's is minus it), so "in the position's
// favour" is always "higher y". A = average entry (fractional ticks), favor = most favourable price since the
// open (PositionState.favorTicks).
//
// Order on a price (the excursion and favor already updated by the caller, CONTRACT: "excursions, then the trail
// moves, then levels are checked"):
//   1. take-profit: the single level, or the legs in order (each exits its share at its level, `take_profit_N`);
//   2. the stop: the tightest of the fixed stop-loss, the break-even stop (once favor >= A + trigger: A + offset)
//      and the trailing stop (once favor >= A + trigger: favor − distance); ties go to trailing_stop, then
//      break_even, then stop_loss. It fills at its level or at the price if the price gapped past it, slipped;
//   3. the daily limit (flattenOnDailyLimit): the recorder's closed net of the day + this position's realized and
//      unrealized net reaches −dailyLossLimit / +dailyProfitTarget: exits at the price, slipped. The day's closed
//      net is part of the state (PositionRules.dayBase), set at each signal and dropped by the clock pass that
//      passes the day's end (`endTradingDay`), never judged by a tick's own stamp (which may go backwards).
// Each rule is a LEVEL in y, so the book can index it; the level of the daily limit is rounded to the tick where
// the limit is surely reached (a loss level down, a profit level up).
// Costs: O(1) per rule, O(legs) per take-profit run.
import { tradingDay } from "./calendar";
import { refreshLevels } from "./levels";
import { ticksToPrice } from "./money";
import { avgEntryTicks } from "./pnl";
import { exitPosition } from "./position";
import { dirOf, EPS, exitSide, nextTarget, rulesOf, slipped, stopNow, triggered, triggerY } from "./stops";
import type { FillOrigin, PositionRules, PositionState } from "./types";

// ---- daily limit --------------------------------------------------------------------------------------------

/** Price levels (ticks) where the day's net reaches the loss limit / profit target; null when not flattening.
 * The recorder's closed net of the day (`dayBase`) counts until the clock passes the day's end (`endTradingDay`),
 * whatever the stamp of a later tick: a state, not a function of time, so every book agrees on it. */
export function dailyLevels(s: PositionState): { loss: number | null; profit: number | null } {
  const r = rulesOf(s);
  if (!r.flattenOnDailyLimit || s.quantity <= 0) return { loss: null, profit: null };
  const d = dirOf(s);
  // Day net at price p = base + realized − commission + d × (p − A) × quantity × tickValue.
  const fixed = r.dayBase + s.realizedTickPnl * s.tickValue - s.commission;
  const perTick = s.quantity * s.tickValue;
  const ay = d * avgEntryTicks(s);
  const lossY = r.dailyLossLimit === null ? null : Math.floor(ay + (-r.dailyLossLimit - fixed) / perTick + EPS);
  const profitY = r.dailyProfitTarget === null ? null : Math.ceil(ay + (r.dailyProfitTarget - fixed) / perTick - EPS);
  return { loss: priceOfY(lossY, d), profit: priceOfY(profitY, d) };
}

/** A level in y back to a price; none when it is at or below price 0. */
function priceOfY(y: number | null, d: 1 | -1): number | null {
  return y === null || d * y <= 0 ? null : d * y;
}

// ---- the tick -----------------------------------------------------------------------------------------------

/**
 * Applies the exits a price reaches, in the header's order. The caller has already folded the price into the
 * excursions and favor. Returns true when the state changed beyond the excursions (a fill, a leg done): to
 * persist.
 */
export function exitsAt(s: PositionState, priceTicks: number, at: string): boolean {
  const d = dirOf(s);
  const y = d * priceTicks;
  // Built only when something fills (most positions a tick looks at fill nothing), then shared by this price's
  // fills. No closure for it: this runs for every position a tick reaches, and a bundler keeping function names
  // (wrangler's default) would name a fresh closure on each call.
  let fillOrigin: FillOrigin | undefined;
  let filled = false;
  for (let t = nextTarget(s); t !== null && s.status === "open"; t = nextTarget(s)) {
    if (y < d * t.level) break;
    if (t.leg !== null) s.legsDone = t.leg + 1;
    if (t.quantity > 0) exitPosition(s, t.quantity, t.level, at, t.reason, (fillOrigin ??= feedOrigin(priceTicks, s.tickSize)), t.reason);
    else if (t.leg === null) break;
    // A leg whose share rounds to nothing is done all the same: the next leg is the take-profit now, and the
    // state changed (to persist) although nothing was filled.
    else refreshLevels(s);
    filled = true;
  }
  if (s.status !== "open") return filled;
  const slip = rulesOf(s).slippageTicks;
  const stop = stopNow(s);
  if (stop !== null && y <= d * stop.level) {
    const fill = d > 0 ? Math.min(stop.level, priceTicks) : Math.max(stop.level, priceTicks);
    exitPosition(s, s.quantity, slipped(fill, exitSide(s), slip), at, stop.reason, fillOrigin ?? feedOrigin(priceTicks, s.tickSize));
    return true;
  }
  const daily = dailyLevels(s);
  if ((daily.loss !== null && y <= d * daily.loss) || (daily.profit !== null && y >= d * daily.profit)) {
    exitPosition(s, s.quantity, slipped(priceTicks, exitSide(s), slip), at, "daily_limit", fillOrigin ?? feedOrigin(priceTicks, s.tickSize));
    return true;
  }
  return filled;
}

/** Where a fill on a feed price came from. */
function feedOrigin(priceTicks: number, tickSize: number): FillOrigin {
  return { priceSource: "feed", feedPrice: ticksToPrice(priceTicks, tickSize) };
}

/** The levels the book indexes, in y: the lowest y above the price that needs a look (a take-profit, a trigger, the
 * daily profit level) and the highest y below it (the stop without an active trail, the daily loss level). */
export function watchLevels(s: PositionState): { upY: number; downY: number } {
  const d = dirOf(s);
  const r = rulesOf(s);
  let upY = Infinity;
  let downY = -Infinity;
  const t = nextTarget(s);
  if (t !== null) upY = d * t.level;
  if (r.breakEven !== null && !triggered(s, r.breakEven.triggerTicks)) upY = Math.min(upY, triggerY(s, r.breakEven.triggerTicks));
  if (r.trail !== null && !triggered(s, r.trail.triggerTicks)) upY = Math.min(upY, triggerY(s, r.trail.triggerTicks));
  const stop = stopNow(s, false);
  if (stop !== null) downY = d * stop.level;
  const daily = dailyLevels(s);
  if (daily.profit !== null) upY = Math.min(upY, d * daily.profit);
  if (daily.loss !== null) downY = Math.max(downY, d * daily.loss);
  return { upY, downY };
}

// ---- the clock ----------------------------------------------------------------------------------------------

/** The next market time (ms) at which the position needs a look without a price: its session end, or the end of
 * the trading day its daily-limit level counts (the level moves then: `endTradingDay`). Null: none. */
export function clockDueMs(s: PositionState): number | null {
  const r = rulesOf(s);
  let due = r.flattenAtMs;
  if (dayEndPending(r) && (due === null || r.dayEndsMs < due)) due = r.dayEndsMs;
  return due;
}

function dayEndPending(r: PositionRules): boolean {
  return r.flattenOnDailyLimit && r.dayBase !== 0;
}

/** The clock reached `nowMs`: once past the end of the trading day of its last signal, the recorder's closed net of
 * that day no longer counts towards the position's daily limit. Returns true when the state changed (to persist). */
export function endTradingDay(s: PositionState, nowMs: number): boolean {
  const r = rulesOf(s);
  if (s.status !== "open" || !dayEndPending(r) || r.dayEndsMs > nowMs) return false;
  r.dayBase = 0;
  return true;
}

/** The clock reached `nowMs`: at its session end the position closes at its last price (slipped), stamped with the
 * session's end (`session_end`). Returns true when it closed. */
export function closeAtSessionEnd(s: PositionState, nowMs: number): boolean {
  const r = rulesOf(s);
  if (s.status !== "open" || r.flattenAtMs === null || r.flattenAtMs > nowMs) return false;
  const at = new Date(r.flattenAtMs).toISOString();
  exitPosition(s, s.quantity, slipped(s.lastPriceTicks, exitSide(s), r.slippageTicks), at, "session_end", { priceSource: "feed", feedPrice: ticksToPrice(s.lastPriceTicks, s.tickSize) });
  return true;
}

/** The trading day the day's net of a closed trade belongs to (by its close time). */
export function closeDay(s: PositionState): { startMs: number } {
  const r = rulesOf(s);
  return tradingDay(Date.parse(s.closedAt!), r.timezone, r.tradingDayStart);
}
