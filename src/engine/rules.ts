// The exit and risk rules a position runs under (CONTRACT "Exits and risk rules"), fixed at each signal that
// leaves it open: from the recorder's settings (as the signal carried them, like the commission) and the signal's
// own trailing stop / break-even. Prices the signal gives in price units become whole ticks here, once.
// Cost: O(legs + sessions) per signal; nothing per tick.
import { sessionEndAfter, tradingDay } from "./calendar";
import { roundTicks } from "./money";
import type { NormalizedSignal, PositionRules, PositionState, RecorderSettings } from "./types";

export const DEFAULT_TIMEZONE = "America/New_York";
export const DEFAULT_TRADING_DAY_START = "18:00";
/** The largest Date (ms): "never", and JSON-safe (Infinity is not). */
export const MAX_TIME_MS = 8.64e15;

/** The recorder's memory on one symbol that outlives positions: its last entry (cooldown) and the closed net P&L of
 * its current trading day (daily limits). */
export interface RecorderMemo {
  lastEntryMs: number | null;
  dayStartMs: number;
  dayNet: number;
}

export function newMemo(): RecorderMemo {
  return { lastEntryMs: null, dayStartMs: -1, dayNet: 0 };
}

/** A closed trade's net P&L joins the recorder's tally of the trading day its close falls in (days only move on). */
export function addClosedNet(memo: RecorderMemo, dayStartMs: number, pnl: number): void {
  if (dayStartMs > memo.dayStartMs) {
    memo.dayStartMs = dayStartMs;
    memo.dayNet = 0;
  }
  if (dayStartMs === memo.dayStartMs) memo.dayNet = Math.round((memo.dayNet + pnl) * 100) / 100;
}

export function timezoneOf(r: RecorderSettings): string {
  return r.timezone ?? DEFAULT_TIMEZONE;
}

export function dayStartOf(r: RecorderSettings): string {
  return r.tradingDayStart ?? DEFAULT_TRADING_DAY_START;
}

/** The recorder's closed net P&L of the trading day containing `atMs`, on this symbol (memo) and others. */
export function dayNetAt(memo: RecorderMemo | undefined, r: RecorderSettings, atMs: number, otherDayNet = 0): number {
  const day = tradingDay(atMs, timezoneOf(r), dayStartOf(r));
  const own = memo !== undefined && memo.dayStartMs === day.startMs ? memo.dayNet : 0;
  return own + otherDayNet;
}

/** Whether the recorder's daily loss limit or profit target is reached (entries are then ignored). */
export function dailyLimitReached(r: RecorderSettings, dayNet: number): boolean {
  const loss = r.dailyLossLimit ?? null;
  const target = r.dailyProfitTarget ?? null;
  return (loss !== null && dayNet <= -loss + 1e-9) || (target !== null && dayNet >= target - 1e-9);
}

/**
 * The rules of `s` after a signal at `atMs` filled at `fillTicks` (`prev`: its rules before; a signal without a
 * trailing stop / break-even keeps one an earlier signal set).
 */
export function rulesAt(
  r: RecorderSettings,
  signal: NormalizedSignal,
  s: Pick<PositionState, "tickSize" | "takeProfit">,
  prev: PositionRules | undefined,
  atMs: number,
  fillTicks: number,
  dayBase: number,
): PositionRules {
  const tz = timezoneOf(r);
  const dayStart = dayStartOf(r);
  const trail = signalTrail(signal, s.tickSize, fillTicks) ?? (prev?.trail?.fromSignal ? prev.trail : r.trailingStop ? { ...r.trailingStop, fromSignal: false } : null);
  const breakEven = signalBreakEven(signal, s.tickSize) ?? (prev?.breakEven?.fromSignal ? prev.breakEven : r.breakEven ? { ...r.breakEven, fromSignal: false } : null);
  // Legs stand in for the recorder's single take-profit; a take-profit the signal set replaces them.
  const legs = s.takeProfit === null && r.takeProfitLegs && r.takeProfitLegs.length > 0 ? r.takeProfitLegs.map((l) => ({ ...l })) : null;
  const sessions = r.sessions ?? [];
  return {
    legs,
    trail,
    breakEven,
    slippageTicks: Math.max(0, Math.round(r.slippageTicks ?? 0)),
    quantityStep: r.quantityStep ?? 1,
    timezone: tz,
    tradingDayStart: dayStart,
    flattenAtMs: r.flattenAtSessionEnd ? sessionEndAfter(atMs, tz, sessions) : null,
    dailyLossLimit: r.dailyLossLimit ?? null,
    dailyProfitTarget: r.dailyProfitTarget ?? null,
    flattenOnDailyLimit: r.flattenOnDailyLimit ?? false,
    dayBase,
    dayEndsMs: tradingDay(atMs, tz, dayStart).endMs,
  };
}

/** A trailing stop the signal sets (price units, or percent of the fill price), in whole ticks; null: none. */
export function signalTrail(signal: NormalizedSignal, tickSize: number, fillTicks: number): PositionRules["trail"] {
  const t = signal.trailingStop;
  if (t === undefined) return null;
  const distance = "distance" in t ? roundTicks(t.distance / tickSize) : roundTicks((fillTicks * t.percent) / 100);
  return { triggerTicks: Math.max(0, roundTicks((t.trigger ?? 0) / tickSize)), distanceTicks: Math.max(1, distance), fromSignal: true };
}

/** A break-even the signal sets (price units), in whole ticks; null: none. */
export function signalBreakEven(signal: NormalizedSignal, tickSize: number): PositionRules["breakEven"] {
  const b = signal.breakEven;
  if (b === undefined) return null;
  return { triggerTicks: Math.max(1, roundTicks(b.trigger / tickSize)), offsetTicks: Math.max(0, roundTicks(b.offset / tickSize)), fromSignal: true };
}

/** Rules for a state saved before the second round: none of the new ones apply. */
export function noRules(): PositionRules {
  return {
    legs: null,
    trail: null,
    breakEven: null,
    slippageTicks: 0,
    quantityStep: 1,
    timezone: DEFAULT_TIMEZONE,
    tradingDayStart: DEFAULT_TRADING_DAY_START,
    flattenAtMs: null,
    dailyLossLimit: null,
    dailyProfitTarget: null,
    flattenOnDailyLimit: false,
    dayBase: 0,
    dayEndsMs: MAX_TIME_MS,
  };
}
