// The closed P&L a webhook's recorders need for their daily limits (CONTRACT "Exits and risk rules": "the
// recorder's realized net P&L for the trading day"), as one more statement of the webhook's lookup batch
// (repository.ts findWithFollowers), so a webhook costs one D1 round trip in the Worker whatever its followers
// and limits. Before, it was one more round trip per recorder with a limit (issue #13).
//
// The trading day is not known in SQL (each recorder has its own timezone and tradingDayStart, and the recorders
// are only known once the batch answers), so the statement returns a window surely containing every such day,
// summed per (recorder, feed symbol, close minute); webhook/day-net.ts then keeps the rows of the recorder's day.
//
// - The window: closed in the last 50 h. A trading day starts at most 25 h before now (24 h plus a DST hour); 50 h
//   leaves a whole day of margin for zone-rule oddities (a zone jumping the date line).
// - Minutes are enough: tradingDayStart is a whole minute of local time and every zone offset in use is a whole
//   number of minutes, so a day starts on a whole UTC minute. closed_at is always `Date#toISOString()`
//   ("YYYY-MM-DDTHH:MM:SS.sssZ": signal receipt, tick, session-end and manual-close times all are), so
//   `closed_at >= dayStart` ⇔ `substr(closed_at, 1, 16) >= ` the day start's "YYYY-MM-DDTHH:MM" (equal minutes:
//   ":SS.sssZ" is never below ":00.000Z").
// - Cost (query plan: index searches only): without a limit, two index lookups on recorders and no rows; with one,
//   the index trades_recorder_closed over the recorder's last 50 h of trades (a positions lookup by id each), at
//   most one row per feed symbol and minute: bounded by one recorder plus its followers and 3 000 minutes.
import { and, eq, gte, inArray, isNotNull, or, sql, type SQLWrapper } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { positions, recorders, trades } from "../db/schema";

export const DAY_PNL_WINDOW_MS = 50 * 3_600_000;

/** Closed net P&L of one recorder's trades on one feed symbol closed in one UTC minute ("YYYY-MM-DDTHH:MM"). */
export interface DayPnlRow {
  recorderId: string;
  feedSymbol: string;
  minute: string;
  net: number;
}

/**
 * The statement: rows for the enabled recorder whose token hashes to `hash` and for the enabled followers of
 * `leader` (the batch's subquery of the leader's id), only those with dailyLossLimit or dailyProfitTarget set.
 */
export function dayPnlQuery(db: DrizzleD1Database, hash: string, leader: SQLWrapper, now: Date) {
  const limited = db
    .select({ id: recorders.id })
    .from(recorders)
    .where(
      and(
        eq(recorders.enabled, true),
        or(eq(recorders.tokenHash, hash), inArray(recorders.followsRecorderId, leader)),
        or(isNotNull(recorders.dailyLossLimit), isNotNull(recorders.dailyProfitTarget)),
      ),
    );
  const minute = sql<string>`substr(${trades.closedAt}, 1, 16)`;
  return db
    .select({ recorderId: trades.recorderId, feedSymbol: positions.feedSymbol, minute, net: sql<number>`sum(${trades.pnl})` })
    .from(trades)
    .innerJoin(positions, eq(positions.id, trades.positionId))
    .where(and(inArray(trades.recorderId, limited), gte(trades.closedAt, new Date(now.getTime() - DAY_PNL_WINDOW_MS).toISOString())))
    .groupBy(trades.recorderId, positions.feedSymbol, minute);
}
