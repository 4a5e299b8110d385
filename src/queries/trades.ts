// Closed trades from D1, newest first, with an opaque cursor (closedAt + id) for stable paging. The API's trades
// are the CONTRACT Trade (round trips); the per-entry chunks (`entry_trades`) are read only for the reports.
import { and, asc, desc, eq, getTableColumns, gte, lt, lte, or, type SQL } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { trades } from "../db/schema";
import type { Trade } from "../engine/types";
import { ApiError } from "../lib/errors";
import type { TradeRow } from "../stats/entry-trades";

/** Every column but the per-entry chunks: what /api/trades lists. */
const { entryTrades: _chunks, ...tradeColumns } = getTableColumns(trades);

export interface TradeFilter {
  recorderId?: string;
  symbol?: string;
  from?: string;
  to?: string;
}

export function encodeCursor(t: { closedAt: string; id: string }): string {
  return btoa(JSON.stringify([t.closedAt, t.id])).replace(/=+$/, "");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(atob(cursor)) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string") return [v[0], v[1]];
  } catch {
    /* fall through */
  }
  throw new ApiError(400, "invalid_request", "Invalid cursor: pass back nextCursor exactly as received.", [{ field: "cursor", problem: "malformed" }]);
}

function conditions(f: TradeFilter): SQL[] {
  const where: SQL[] = [];
  if (f.recorderId) where.push(eq(trades.recorderId, f.recorderId));
  if (f.symbol) where.push(eq(trades.symbol, f.symbol.toUpperCase()));
  if (f.from) where.push(gte(trades.closedAt, f.from));
  if (f.to) where.push(lte(trades.closedAt, f.to));
  return where;
}

export async function pageTrades(db: DrizzleD1Database, f: TradeFilter, limit: number, cursor?: string) {
  const where = conditions(f);
  if (cursor) {
    const [at, id] = decodeCursor(cursor);
    where.push(or(lt(trades.closedAt, at), and(eq(trades.closedAt, at), lt(trades.id, id)))!);
  }
  const rows = (await db
    .select(tradeColumns)
    .from(trades)
    .where(and(...where))
    .orderBy(desc(trades.closedAt), desc(trades.id))
    .limit(limit + 1)) as Trade[];
  const page = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(page[page.length - 1]) : null;
  return { trades: page, nextCursor };
}

/** All closed trades of a recorder in close order, with their per-entry chunks (for stats, equity and the CSV;
 * src/stats/entry-trades.ts expands them for `?pairing=entries`). */
export async function allTrades(db: DrizzleD1Database, recorderId: string): Promise<TradeRow[]> {
  return (await db
    .select()
    .from(trades)
    .where(eq(trades.recorderId, recorderId))
    .orderBy(asc(trades.closedAt), asc(trades.id))) as TradeRow[];
}
