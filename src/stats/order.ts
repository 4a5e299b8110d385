import type { Trade } from "../engine/types";

/** Milliseconds of an ISO time; NaN-safe (an unparsable time sorts as 0). */
export function timeMs(iso: string): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
}

/**
 * Trades in close order: by closedAt (as an instant, so "…Z" and "+00:00" spellings compare correctly), then by id
 * (compareTradeIds). Returns a new array; input order is never trusted.
 */
export function sortByClose(trades: readonly Trade[]): Trade[] {
  return [...trades].sort((a, b) => {
    const d = timeMs(a.closedAt) - timeMs(b.closedAt);
    if (d !== 0) return d;
    return compareTradeIds(a.id, b.id);
  });
}

const ENTRY_ID = /^(.*):(\d+)$/;

/**
 * Ids in code-unit order (locale independent), except that the entries of one trade (`${trade.id}:${index}`, see
 * entry-trades.ts) keep their index order: `t:2` before `t:10` when one exit closes many entries at once. A total
 * order: by (the id without its `:index`, the index or -1), the first part in code units.
 */
export function compareTradeIds(a: string, b: string): number {
  const [pa, ia] = idKey(a);
  const [pb, ib] = idKey(b);
  if (pa !== pb) return pa < pb ? -1 : 1;
  return ia - ib;
}

function idKey(id: string): [string, number] {
  const m = ENTRY_ID.exec(id);
  return m && m[2].length <= 15 ? [m[1], Number(m[2])] : [id, -1];
}
