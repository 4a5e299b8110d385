// The recorder's closed net P&L of the current trading day on OTHER symbols, for its daily limits (CONTRACT "Exits and
// risk rules": "the recorder's realized net P&L for the trading day"). The symbol object knows its own feed
// symbol's trades exactly; the others come from D1, as far as their outboxes have delivered (seconds behind).
// "Other" is by feed symbol, not root: MNQ1! and MNQZ2025 (or two contract months) are different symbol objects
// of the same root, and neither knows the other's trades. A trade's feed symbol is its position's.
// Pure: the rows are the webhook lookup's (recorders/day-pnl.ts: sums per feed symbol and 15-minute bucket aligned
// on the recorder's day start, over a window containing the day), so no D1 round trip of its own. The rows are
// grouped by recorder once per webhook; each recorder then reads only its own (at most ~200 per symbol).
import { tradingDay } from "../engine/calendar";
import { DEFAULT_TIMEZONE, DEFAULT_TRADING_DAY_START } from "../engine/rules";
import { DAY_PNL_BUCKET_MINUTES, type DayPnlRow } from "../recorders/day-pnl";
import type { RecorderRow } from "../recorders/repository";

const MINUTE_MS = 60_000;

/** The lookup's rows by recorder id. */
export function dayPnlByRecorder(rows: readonly DayPnlRow[]): Map<string, DayPnlRow[]> {
  const out = new Map<string, DayPnlRow[]>();
  for (const r of rows) {
    const mine = out.get(r.recorderId);
    if (mine) mine.push(r);
    else out.set(r.recorderId, [r]);
  }
  return out;
}

export function otherDayNet(byRecorder: ReadonlyMap<string, readonly DayPnlRow[]>, recorder: RecorderRow, feedSymbol: string, now: Date): number {
  if (recorder.dailyLossLimit == null && recorder.dailyProfitTarget == null) return 0;
  const dayStart = recorder.tradingDayStart ?? DEFAULT_TRADING_DAY_START;
  const day = tradingDay(now.getTime(), recorder.timezone ?? DEFAULT_TIMEZONE, dayStart);
  const from = day.startMs / MINUTE_MS;
  // The day starts on a bucket boundary when the zone's offset is a multiple of 15 minutes (every zone in use):
  // then a trade counts exactly when its bucket starts at or after the day start (day-pnl.ts).
  const residue = Number(dayStart.slice(3, 5)) % DAY_PNL_BUCKET_MINUTES;
  if (!Number.isInteger(from) || (((from - residue) % DAY_PNL_BUCKET_MINUTES) + DAY_PNL_BUCKET_MINUTES) % DAY_PNL_BUCKET_MINUTES !== 0) {
    console.warn(`daily net: the trading day of ${recorder.timezone} starts off the 15-minute grid; other symbols' trades are counted by bucket`);
  }
  let net = 0;
  for (const r of byRecorder.get(recorder.id) ?? []) if (r.feedSymbol !== feedSymbol && r.bucket >= from) net += Number(r.net);
  // Cents summed in floating point: rounded back to the cent. Never a non-finite number into the engine.
  return Number.isFinite(net) ? Math.round(net * 100) / 100 : 0;
}
