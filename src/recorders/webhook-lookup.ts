// The webhook's lookup in one D1 round trip (a batch of three reads): the enabled recorder with this token; when
// it follows nobody, its enabled followers in creation order (what findByToken then findFollowers return); and,
// for those of them with a daily limit, their recent closed P&L per feed symbol and 15-minute bucket (day-pnl.ts;
// webhook/day-net.ts computes each one's day net from it). A D1 failure fails the whole lookup.
//
// Why the SQL is built once (issue #13, docs/BENCHMARKS.md "The bar-close burst"): the statements are the same for
// every webhook, only the token's hash and the window's start change. Building them with drizzle's query builder
// on every webhook (and mapping the batch's rows back through it) was ~0.9 ms of CPU per alert in the burst
// profile, more than the D1 call itself. So drizzle builds them once per isolate, from the same builders as
// before, with placeholders; each webhook binds its values and maps the rows by the table's own column
// definitions (the mapping drizzle itself applies: the SQL column name, then the column's driver decoding).
// Cost per webhook: 2 placeholder fills, one D1 batch, O(columns) per row returned.
import { and, asc, eq, fillPlaceholders, getTableColumns, inArray, isNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { recorders } from "../db/schema";
import { sha256Hex } from "../lib/crypto";
import { DAY_PNL_WINDOW_MS, dayPnlQuery, type DayPnlRow } from "./day-pnl";

type RecorderRow = typeof recorders.$inferSelect;

export interface WebhookLookup {
  recorder: RecorderRow;
  followers: RecorderRow[];
  dayPnl: DayPnlRow[];
}

interface Built {
  sql: string;
  params: unknown[];
}

let built: { found: Built; followers: Built; dayPnl: Built } | null = null;

/** The three statements, with placeholders `hash` and `since` (built on first use; the builder needs no database). */
function statements() {
  if (built) return built;
  // A drizzle instance only to reach its query builder and SQLite dialect: nothing is sent through it.
  const db = drizzle({} as D1Database);
  const hash = sql.placeholder("hash");
  const leader = db
    .select({ id: recorders.id })
    .from(recorders)
    .where(and(eq(recorders.tokenHash, hash), eq(recorders.enabled, true), isNull(recorders.followsRecorderId)));
  built = {
    found: db
      .select()
      .from(recorders)
      .where(and(eq(recorders.tokenHash, hash), eq(recorders.enabled, true)))
      .toSQL(),
    followers: db
      .select()
      .from(recorders)
      .where(and(inArray(recorders.followsRecorderId, leader), eq(recorders.enabled, true)))
      .orderBy(asc(recorders.createdAt), asc(recorders.id))
      .toSQL(),
    dayPnl: dayPnlQuery(db, hash, leader, sql.placeholder("since")).toSQL(),
  };
  return built;
}

const COLUMNS = Object.entries(getTableColumns(recorders));

/** A recorders row as D1 returns it (keyed by SQL column name) → the row drizzle's select() returns. */
function recorderRow(raw: Record<string, unknown>): RecorderRow {
  const row: Record<string, unknown> = {};
  for (const [key, column] of COLUMNS) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as RecorderRow;
}

export async function findWithFollowers(d1: D1Database, token: string, now: Date): Promise<WebhookLookup | undefined> {
  return findByTokenHash(d1, await sha256Hex(token), now);
}

/** The same, by the token's SHA-256 (hex). */
export async function findByTokenHash(d1: D1Database, hash: string, now: Date): Promise<WebhookLookup | undefined> {
  const s = statements();
  const values = { hash, since: new Date(now.getTime() - DAY_PNL_WINDOW_MS).toISOString() };
  const bind = (b: Built) => d1.prepare(b.sql).bind(...fillPlaceholders(b.params, values));
  const [found, followers, dayPnl] = await d1.batch<Record<string, unknown>>([bind(s.found), bind(s.followers), bind(s.dayPnl)]);
  const first = found.results[0];
  if (first === undefined) return undefined;
  const recorder = recorderRow(first);
  return {
    recorder,
    followers: recorder.followsRecorderId === null ? followers.results.map(recorderRow) : [],
    dayPnl: dayPnl.results.map((r) => ({
      recorderId: r.recorderId as string,
      feedSymbol: r.feedSymbol as string,
      bucket: r.bucket as number,
      net: r.net as number,
    })),
  };
}
