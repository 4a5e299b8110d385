// The recorder's imported backtest in D1 (`backtest_trades`, `backtest_imports`, migration 0004).
//
// Invariants: a recorder has at most one import; an import replaces the previous one in ONE D1 batch (one
// transaction: all of it lands or none, so a failed write leaves the previous import whole); rows are only written
// while the recorder exists (each insert is guarded by EXISTS, so an import racing DELETE /api/recorders/:id leaves
// no orphans, and `replaceBacktest` reports it as false).
// Cost: the trades go as JSON arrays through `json_each`, at most 500 000 characters per statement (D1 limits: 100 bound parameters and
// 100 KB of SQL per statement, 2 MB per value), so 50 000 trades are a handful of statements, not thousands.
import { asc, eq, sql } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { backtestImports, backtestTrades } from "../db/schema";
import type { ParsedBacktest } from "./csv";
import type { BacktestImportInfo, BacktestTrade } from "./types";

export type { BacktestImportInfo };

// Characters, not bytes: 500 000 characters stay under 2 MB of UTF-8 even if every one took 3 bytes.
const CHUNK_CHARS = 500_000;


/** Replaces the recorder's import; false when the recorder no longer exists (nothing written). */
export async function replaceBacktest(db: DrizzleD1Database, recorderId: string, parsed: ParsedBacktest, importedAt: string): Promise<boolean> {
  const exists = sql`exists (select 1 from recorders where id = ${recorderId})`;
  // insert … select: drizzle lists the table's columns in schema order, which the select follows.
  const inserts = jsonChunks(parsed.trades).map((json) =>
    db.insert(backtestTrades).select(
      sql`select ${recorderId}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
        json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]'),
        json_extract(value, '$[7]'), json_extract(value, '$[8]'), json_extract(value, '$[9]'), json_extract(value, '$[10]'),
        json_extract(value, '$[11]')
      from json_each(${json}) where ${exists}`,
    ),
  );
  const results = await db.batch([
    db.delete(backtestTrades).where(eq(backtestTrades.recorderId, recorderId)),
    db.delete(backtestImports).where(eq(backtestImports.recorderId, recorderId)),
    ...inserts,
    db.insert(backtestImports).select(sql`select ${recorderId}, ${importedAt}, ${parsed.trades.length}, ${parsed.currency}, ${parsed.layout} where ${exists}`),
  ]);
  return changes(results[results.length - 1]) === 1;
}

/** Removes the recorder's import; the number of backtest trades removed. */
export async function deleteBacktest(db: DrizzleD1Database, recorderId: string): Promise<number> {
  const [trades] = await db.batch([
    db.delete(backtestTrades).where(eq(backtestTrades.recorderId, recorderId)),
    db.delete(backtestImports).where(eq(backtestImports.recorderId, recorderId)),
  ]);
  return changes(trades);
}

export async function loadBacktest(db: DrizzleD1Database, recorderId: string): Promise<BacktestTrade[]> {
  const rows = await db.select().from(backtestTrades).where(eq(backtestTrades.recorderId, recorderId)).orderBy(asc(backtestTrades.tradeNo));
  return rows.map(({ recorderId: _r, ...t }) => t);
}

export async function importInfo(db: DrizzleD1Database, recorderId: string): Promise<BacktestImportInfo | null> {
  const [row] = await db.select().from(backtestImports).where(eq(backtestImports.recorderId, recorderId));
  if (!row) return null;
  const { recorderId: _r, ...info } = row;
  return info;
}

/** The trades as JSON arrays (column order of the insert above), in chunks of about CHUNK_CHARS characters. */
function jsonChunks(trades: readonly BacktestTrade[]): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let size = 0;
  for (const t of trades) {
    const s = JSON.stringify([t.tradeNo, t.side, t.entryAt, t.entryPrice, t.entrySignal, t.exitAt, t.exitPrice, t.exitSignal, t.quantity, t.pnl, t.runup, t.drawdown]);
    if (size + s.length > CHUNK_CHARS && parts.length > 0) {
      chunks.push(`[${parts.join(",")}]`);
      parts = [];
      size = 0;
    }
    parts.push(s);
    size += s.length + 1;
  }
  if (parts.length > 0) chunks.push(`[${parts.join(",")}]`);
  return chunks;
}

function changes(result: unknown): number {
  return (result as D1Result).meta?.changes ?? 0;
}
