// Positions across symbols: closed ones from D1, open ones live from their symbol Durable Objects (D1 only
// has an open position as of its last fill; the object has it as of the last tick).
import { and, desc, eq, type SQL } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { positions, symbols } from "../db/schema";
import type { Position } from "../engine/types";
import type { RecordedPosition } from "../durable/protocol";
import { directoryStub, gateStub, symbolStub } from "../durable/stubs";

export interface PositionFilter {
  status?: "open" | "closed";
  recorderId?: string;
  symbol?: string;
}

export async function livePositions(env: Env, f: PositionFilter): Promise<RecordedPosition[]> {
  // Only the symbols the directory lists as holding open positions are asked (not D1: it may not have an opening
  // yet while it refuses writes), so idle symbols' objects are never woken by a dashboard poll.
  const wanted = await directoryStub(env).active();
  const lists = await Promise.all(wanted.map((feedSymbol) => symbolStub(env, feedSymbol).openPositions() as Promise<RecordedPosition[]>));
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
  for (const feedSymbol of await directoryStub(env).active()) {
    const open = await symbolStub(env, feedSymbol).openPositions();
    if (open.some((p) => p.id === id)) return feedSymbol;
  }
  return undefined;
}

/** Open positions and undelivered D1 writes (or scheduled signals) a recorder still has in any symbol object
 * or in its gate: only its own rows count. */
export async function recorderActivity(env: Env, db: DrizzleD1Database, recorderId: string) {
  // The recorder's gate knows every symbol it sent a signal to, whether or not D1 has heard of it; D1's registry
  // adds the symbols of recorders older than the gates.
  const gate = gateStub(env, recorderId);
  const known = (await db.select({ feedSymbol: symbols.feedSymbol }).from(symbols)).map((s) => s.feedSymbol);
  const syms = [...new Set([...(await gate.touchedSymbols()), ...known])];
  const all = await Promise.all(syms.map((s) => symbolStub(env, s).recorderActivity(recorderId)));
  const gatePending = await gate.pendingDeliveries();
  return {
    openPositions: all.reduce((n, a) => n + a.openPositions.length, 0),
    pendingDeliveries: all.reduce((n, a) => n + a.pendingDeliveries, 0) + gatePending,
  };
}
