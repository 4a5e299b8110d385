// The closed P&L a webhook's recorders need for their daily limits (CONTRACT "Exits and risk rules": "the
// recorder's realized net P&L for the trading day"), as one more statement of the webhook's lookup batch
// (webhook-lookup.ts), so a webhook looked up from D1 costs one round trip in the Worker whatever its followers
// and limits. Before, it was one more round trip per recorder with a limit (issue #13).
//
// The trading day is not known in SQL (each recorder has its own timezone and tradingDayStart, and the recorders
// are only known once the batch answers), so the statement returns a window surely containing every such day,
// summed per (recorder, feed symbol, 15-minute bucket aligned on the recorder's own day start); webhook/day-net.ts
// then keeps the buckets of the recorder's day.
//
// - The window: closed in the last 50 h. A trading day starts at most 25 h before now (24 h plus a DST hour); 50 h
//   leaves a whole day of margin for zone-rule oddities (a zone jumping the date line).
// - Why 15-minute buckets are exact: tradingDayStart is a whole minute MM of local time, and every zone offset in
//   use is a whole multiple of 15 minutes, so a day starts on a UTC minute ≡ MM (mod 15). Each recorder's buckets
//   start on exactly those minutes (bucket = the close's epoch minute, rounded down to one ≡ MM mod 15), so a day
//   start is always a bucket boundary: a trade closed at or after it lies in a bucket starting at or after it, one
//   closed before it in a bucket starting before it. (closed_at is always `Date#toISOString()`, which SQLite's
//   strftime reads, milliseconds and "Z" included.) day-net.ts checks the residue and says so if a zone ever breaks it.
// - Cost (query plan: index searches only): without a limit, index lookups on recorders and no rows; with one, the
//   index trades_recorder_closed over the recorder's last 50 h of trades (a positions lookup by id each), at most
//   one row per feed symbol and 15 minutes: 200 per symbol for a recorder that closes a trade every minute.
import { and, eq, gte, inArray, isNotNull, or, sql, type SQLWrapper } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { positions, recorders, trades } from "../db/schema";

export const DAY_PNL_WINDOW_MS = 50 * 3_600_000;

/** Closed net P&L of one recorder's trades on one feed symbol closed in one 15-minute bucket. */
export interface DayPnlRow {
  recorderId: string;
  feedSymbol: string;
  /** The bucket's first minute (epoch minutes: ms / 60 000), ≡ the recorder's tradingDayStart minutes (mod 15). */
  bucket: number;
  net: number;
}

/** Buckets are this many minutes, aligned on each recorder's tradingDayStart (see the header). */
export const DAY_PNL_BUCKET_MINUTES = 15;

/**
 * The statement: rows for the enabled recorder whose token hashes to `hash` and for the enabled followers of
 * `leader` (the batch's subquery of the leader's id), only those with dailyLossLimit or dailyProfitTarget set, for
 * trades closed at or after `since` (an ISO time: now - DAY_PNL_WINDOW_MS). Its columns are named as DayPnlRow's
 * fields, so the rows need no mapping (webhook-lookup.ts builds it once, with placeholders).
 */
export function dayPnlQuery(db: DrizzleD1Database, hash: SQLWrapper | string, leader: SQLWrapper, since: SQLWrapper | string) {
  const closedMinute = sql`(cast(strftime('%s', ${trades.closedAt}) as integer) / 60)`;
  const residue = sql`(cast(substr(${recorders.tradingDayStart}, 4, 2) as integer) % ${DAY_PNL_BUCKET_MINUTES})`;
  const bucket = sql<number>`(${closedMinute} - ((${closedMinute} - ${residue}) % ${DAY_PNL_BUCKET_MINUTES}))`;
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
  return db
    .select({
      recorderId: sql<string>`${trades.recorderId}`.as("recorderId"),
      feedSymbol: sql<string>`${positions.feedSymbol}`.as("feedSymbol"),
      bucket: bucket.as("bucket"),
      net: sql<number>`sum(${trades.pnl})`.as("net"),
    })
    .from(trades)
    .innerJoin(positions, eq(positions.id, trades.positionId))
    .innerJoin(recorders, eq(recorders.id, trades.recorderId))
    .where(and(inArray(trades.recorderId, limited), gte(trades.closedAt, since)))
    .groupBy(trades.recorderId, positions.feedSymbol, bucket);
}
