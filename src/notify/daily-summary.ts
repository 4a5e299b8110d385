// The daily summary: at the end of each recorder's trading day (its `timezone` + `tradingDayStart`, the same day
// the daily limits use, engine/calendar.ts), net P&L, trade count and win rate of that day, once.
//
// Run by the Worker's cron (wrangler.toml, every 5 minutes), so a summary goes out within minutes of the day's
// end. For each recorder with an enabled target that wants `daily_summary`, the trading day that ended last is
// summarized (SETTLE_MS after its end) unless D1 already has its row in notification_summaries; the event goes to
// the recorder's gate Durable Object, whose queue sends it with the same retries as every other notification and
// keeps one entry per key (`daily_summary:<recorder>:<day start>`), so a cron that runs twice, or stops between
// the two steps, never sends it twice. A day without trades, or one that ended before the recorder's first such target existed, is
// recorded as done without a message (no "0 trades" message every weekend night).
//
// Costs per run: three small D1 reads (enabled targets, recorders' time settings, the last 3 days' summary rows);
// once a day per recorder that wants summaries, one aggregate over its trades of that day (index
// trades_recorder_closed), one gate call and one insert.
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { notificationSummaries, notificationTargets, recorders, trades } from "../db/schema";
import { gateStub } from "../durable/stubs";
import { tradingDay } from "../engine/calendar";
import type { NotifyEvent } from "./events";

/** Summaries made per run (a bound; the next run, 5 minutes later, takes the rest). */
const MAX_PER_RUN = 200;
/** A day is summarized this long after its end (its last trades' delivery to D1). */
const SETTLE_MS = 120_000;

export interface DayStats {
  netPnl: number;
  trades: number;
  winners: number;
  losers: number;
}

/** The summary event of one recorder's trading day. */
export function summaryEvent(recorderId: string, day: { startMs: number; endMs: number }, s: DayStats, nowMs: number): NotifyEvent {
  const dayStart = new Date(day.startMs).toISOString();
  return {
    kind: "daily_summary",
    key: `daily_summary:${recorderId}:${dayStart}`,
    recorderId,
    at: new Date(nowMs).toISOString(),
    dayStart,
    dayEnd: new Date(day.endMs).toISOString(),
    netPnl: Math.round(s.netPnl * 100) / 100,
    trades: s.trades,
    winners: s.winners,
    losers: s.losers,
    winRate: s.trades > 0 ? (s.winners / s.trades) * 100 : null,
  };
}

/** The trading day that ended last before `nowMs`. */
export function lastEndedDay(nowMs: number, timeZone: string, dayStart: string): { startMs: number; endMs: number } {
  const today = tradingDay(nowMs, timeZone, dayStart);
  return tradingDay(today.startMs - 1, timeZone, dayStart);
}

export async function runDailySummaries(env: Env, nowMs: number): Promise<{ queued: number; skipped: number }> {
  const db = drizzle(env.DB);
  const targetRows = await db
    .select({ recorderId: notificationTargets.recorderId, events: notificationTargets.events, createdAt: notificationTargets.createdAt })
    .from(notificationTargets)
    .where(eq(notificationTargets.enabled, true));
  /** Recorder → when its first daily_summary target was created. */
  const wanting = new Map<string, string>();
  for (const t of targetRows) {
    if (!(t.events as string[]).includes("daily_summary")) continue;
    const first = wanting.get(t.recorderId);
    if (first === undefined || t.createdAt < first) wanting.set(t.recorderId, t.createdAt);
  }
  if (wanting.size === 0) return { queued: 0, skipped: 0 };
  // Whole small tables rather than IN (…) lists (D1 bounds the parameters of a statement).
  const [recs, recent] = await Promise.all([
    db.select({ id: recorders.id, timezone: recorders.timezone, tradingDayStart: recorders.tradingDayStart }).from(recorders),
    db
      .select({ recorderId: notificationSummaries.recorderId, tradingDay: notificationSummaries.tradingDay })
      .from(notificationSummaries)
      .where(gte(notificationSummaries.tradingDay, new Date(nowMs - 3 * 86_400_000).toISOString())),
  ]);
  const done = new Set(recent.map((r) => `${r.recorderId}|${r.tradingDay}`));

  let queued = 0;
  let skipped = 0;
  let handled = 0;
  for (const r of recs) {
    const firstTarget = wanting.get(r.id);
    if (firstTarget === undefined) continue;
    // Trades of the day's last minutes may still be on their way to D1 (outbox): the day is summarized once it
    // ended SETTLE_MS ago.
    const day = lastEndedDay(nowMs - SETTLE_MS, r.timezone, r.tradingDayStart);
    const dayKey = new Date(day.startMs).toISOString();
    if (done.has(`${r.id}|${dayKey}`)) continue;
    if (++handled > MAX_PER_RUN) break;
    try {
      const stats = Date.parse(firstTarget) < day.endMs ? await dayStats(env, r.id, day) : null;
      if (stats && stats.trades > 0) {
        await gateStub(env, r.id).notify(summaryEvent(r.id, day, stats, nowMs));
        queued++;
      } else skipped++;
      await db.insert(notificationSummaries).values({ recorderId: r.id, tradingDay: dayKey, sentAt: new Date(nowMs).toISOString() }).onConflictDoNothing();
    } catch (err) {
      // One recorder's trouble does not stop the others; the next run tries it again.
      console.warn(`daily summary of recorder ${r.id} not sent this run: ${String(err)}`);
    }
  }
  return { queued, skipped };
}

async function dayStats(env: Env, recorderId: string, day: { startMs: number; endMs: number }): Promise<DayStats> {
  const row = await drizzle(env.DB)
    .select({
      net: sql<number>`coalesce(sum(${trades.pnl}), 0)`,
      n: sql<number>`count(*)`,
      winners: sql<number>`coalesce(sum(case when ${trades.pnl} > 0 then 1 else 0 end), 0)`,
      losers: sql<number>`coalesce(sum(case when ${trades.pnl} < 0 then 1 else 0 end), 0)`,
    })
    .from(trades)
    .where(and(eq(trades.recorderId, recorderId), gte(trades.closedAt, new Date(day.startMs).toISOString()), lt(trades.closedAt, new Date(day.endMs).toISOString())))
    .get();
  return { netPnl: row?.net ?? 0, trades: row?.n ?? 0, winners: row?.winners ?? 0, losers: row?.losers ?? 0 };
}
