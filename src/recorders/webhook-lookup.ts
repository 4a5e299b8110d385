// The webhook's lookup in one D1 round trip (a batch of four reads): the enabled recorder with this token; when
// it follows nobody, its enabled followers in creation order (what findByToken then findFollowers return); for
// those of them with a daily limit, their recent closed P&L per feed symbol and 15-minute bucket (day-pnl.ts;
// webhook/day-net.ts computes each one's day net from it); and which events their enabled notification targets
// want (`notify`, read at the same config epoch as the row: a symbol object queues no other event of theirs while
// its lease holds that epoch, rate-lease.ts). A D1 failure fails the whole lookup.
//
// Why the SQL is built once (issue #13, docs/BENCHMARKS.md "The bar-close burst"): the statements are the same for
// every webhook, only the token's hash and the window's start change. Building them with drizzle's query builder
// on every webhook (and mapping the batch's rows back through it) was ~0.9 ms of CPU per alert in the burst
// profile, more than the D1 call itself. So drizzle builds them once per isolate, from the same builders as
// before, with placeholders; each webhook binds its values and maps the rows by the table's own column
// definitions (the mapping drizzle itself applies: the SQL column name, then the column's driver decoding).
// Cost per webhook: 2 placeholder fills, one D1 batch, O(columns) per row returned.
import { and, asc, eq, fillPlaceholders, getTableColumns, inArray, isNull, or, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { notificationTargets, recorders } from "../db/schema";
import type { EventKind } from "../notify/events";
import { sha256Hex } from "../lib/crypto";
import { DAY_PNL_WINDOW_MS, dayPnlQuery, type DayPnlRow } from "./day-pnl";

type RecorderRow = typeof recorders.$inferSelect;

export interface WebhookLookup {
  recorder: RecorderRow;
  followers: RecorderRow[];
  dayPnl: DayPnlRow[];
  /** The events each of these recorders' enabled notification targets want, by recorder id (absent: none). */
  notify: ReadonlyMap<string, readonly EventKind[]>;
}

/** No event wanted. */
export const NO_EVENTS: readonly EventKind[] = [];

interface Built {
  sql: string;
  params: unknown[];
}

let built: { found: Built; followers: Built; dayPnl: Built; notify: Built } | null = null;

/** The four statements, with placeholders `hash` and `since` (built on first use; the builder needs no database). */
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
    notify: db
      .select({ recorderId: notificationTargets.recorderId, events: notificationTargets.events })
      .from(notificationTargets)
      .where(
        and(
          eq(notificationTargets.enabled, true),
          or(
            inArray(notificationTargets.recorderId, db.select({ id: recorders.id }).from(recorders).where(and(eq(recorders.tokenHash, hash), eq(recorders.enabled, true)))),
            inArray(notificationTargets.recorderId, db.select({ id: recorders.id }).from(recorders).where(inArray(recorders.followsRecorderId, leader))),
          ),
        ),
      )
      .toSQL(),
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
  const [found, followers, dayPnl, notify] = await d1.batch<Record<string, unknown>>([bind(s.found), bind(s.followers), bind(s.dayPnl), bind(s.notify)]);
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
    notify: wantedEvents(notify.results),
  };
}

/** The union of each recorder's targets' events (a kind D1 holds that this build does not know is kept: it is
 * only ever used to decide that an event is NOT wanted). */
function wantedEvents(rows: readonly Record<string, unknown>[]): Map<string, EventKind[]> {
  const by = new Map<string, Set<EventKind>>();
  for (const r of rows) {
    // (Keyed by SQL column name, as D1 returns them.)
    const id = r[notificationTargets.recorderId.name] as string;
    const events = notificationTargets.events.mapFromDriverValue(r[notificationTargets.events.name] as string) as EventKind[];
    const set = by.get(id) ?? by.set(id, new Set()).get(id)!;
    for (const e of events) set.add(e);
  }
  return new Map([...by].map(([id, set]) => [id, [...set].sort()]));
}
