// Positions across symbols: closed ones from D1, open ones live from their symbol Durable Objects (D1 only
// has an open position as of its last fill; the object has it as of the last tick).
import { and, desc, eq, or, type SQL } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { positions, symbols } from "../db/schema";
import type { Position } from "../engine/types";

export interface PositionFilter {
  status?: "open" | "closed";
  recorderId?: string;
  symbol?: string;
}

export async function livePositions(env: Env, db: DrizzleD1Database, f: PositionFilter): Promise<Position[]> {
  // Only symbols D1 knows to have open positions are asked (the object delivers an opening before it answers the
  // webhook), so idle symbols' objects are never woken by a dashboard poll.
  const where: SQL[] = [eq(positions.status, "open")];
  if (f.recorderId) where.push(eq(positions.recorderId, f.recorderId));
  if (f.symbol) where.push(or(eq(positions.symbol, f.symbol.toUpperCase()), eq(positions.feedSymbol, f.symbol.toUpperCase()))!);
  const wanted = await db.selectDistinct({ feedSymbol: positions.feedSymbol }).from(positions).where(and(...where));
  const lists = await Promise.all(wanted.map((s) => env.SYMBOLS.getByName(s.feedSymbol).openPositions()));
  return lists
    .flat()
    .filter((p) => (!f.recorderId || p.recorderId === f.recorderId) && (!f.symbol || p.symbol === f.symbol.toUpperCase() || p.feedSymbol === f.symbol.toUpperCase()))
    .sort((a, b) => b.openedAt.localeCompare(a.openedAt));
}

export async function closedPositions(db: DrizzleD1Database, f: PositionFilter, limit = 500): Promise<Position[]> {
  const where: SQL[] = [eq(positions.status, "closed")];
  if (f.recorderId) where.push(eq(positions.recorderId, f.recorderId));
  if (f.symbol) where.push(eq(positions.symbol, f.symbol.toUpperCase()));
  const rows = await db
    .select({ data: positions.data })
    .from(positions)
    .where(and(...where))
    .orderBy(desc(positions.closedAt))
    .limit(limit);
  return rows.map((r) => r.data as Position);
}

export async function findPositionSymbol(env: Env, db: DrizzleD1Database, id: string): Promise<string | undefined> {
  const row = await db.select({ feedSymbol: positions.feedSymbol }).from(positions).where(eq(positions.id, id)).get();
  if (row) return row.feedSymbol;
  // Not (yet) in D1 — its symbol object may still be delivering it: ask the objects themselves.
  for (const s of await db.select({ feedSymbol: symbols.feedSymbol }).from(symbols)) {
    const open = await env.SYMBOLS.getByName(s.feedSymbol).openPositions();
    if (open.some((p) => p.id === id)) return s.feedSymbol;
  }
  return undefined;
}

/** Open positions and undelivered D1 writes a recorder still has in any symbol object. */
export async function recorderActivity(env: Env, db: DrizzleD1Database, recorderId: string) {
  const syms = await db.select({ feedSymbol: symbols.feedSymbol }).from(symbols);
  const all = await Promise.all(syms.map((s) => env.SYMBOLS.getByName(s.feedSymbol).recorderActivity(recorderId)));
  return {
    openPositions: all.reduce((n, a) => n + a.openPositions.length, 0),
    pendingDeliveries: all.reduce((n, a) => n + a.pendingDeliveries, 0),
  };
}
