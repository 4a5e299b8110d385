import type { Trade } from "../engine/types";

/** Milliseconds of an ISO time; NaN-safe (an unparsable time sorts as 0). */
export function timeMs(iso: string): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
}

/**
 * Trades in close order: by closedAt (as an instant, so "…Z" and "+00:00" spellings compare correctly), then by id
 * (plain code-unit comparison, locale independent). Returns a new array; input order is never trusted.
 */
export function sortByClose(trades: readonly Trade[]): Trade[] {
  return [...trades].sort((a, b) => {
    const d = timeMs(a.closedAt) - timeMs(b.closedAt);
    if (d !== 0) return d;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
