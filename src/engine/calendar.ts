// Wall-clock rules in a recorder's timezone: trading sessions and the trading day (CONTRACT "Exits and risk
// rules": `timezone`, `sessions`, `tradingDayStart`). Pure: the IANA rules come from Intl (in the Workers runtime
// and Node alike). Called per signal and per session/day boundary, never per tick.
//
// - A session `{days, start, end}` is an instance starting on each listed weekday at `start` local time and
//   ending at `end` the same day, or the next day when `end` <= `start` (a futures session 18:00–17:00).
//   An instant is inside it when start <= t < end.
// - The trading day containing t starts at the latest `tradingDayStart` (local) at or before t and ends at the
//   next one. Days that DST shortens or lengthens are 23 or 25 hours long.
// - Local times that do not exist (a DST gap) are shifted forward by the gap's length (02:30 on a spring-forward
//   night in New York is 03:30 EDT, as Temporal's "compatible"); repeated ones (a fall-back) resolve to the first.
import type { SessionSpec, Weekday } from "./types";

const DAY_MS = 86_400_000;
const WEEKDAYS: Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local calendar date and clock of instant `ms` in `timeZone`, as a UTC-based "local epoch" (ms). */
export function localEpoch(ms: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour") % 24, n("minute"), n("second")) + (ms % 1000 + 1000) % 1000;
}

/** The instant whose local time in `timeZone` is `local` (a local epoch); see the header for gaps and folds. */
function instantOf(local: number, timeZone: string): number {
  // The zone's offset is found by asking which local time a guess maps to; two rounds settle every real zone.
  const first = local - (localEpoch(local, timeZone) - local);
  const second = local - (localEpoch(first, timeZone) - first);
  // In a DST gap no instant maps to `local`: the later candidate is after the gap.
  const guess = localEpoch(second, timeZone) === local ? second : Math.max(first, second);
  // In a fold (the hour repeats) the earlier instant maps to the same local time: take it.
  const earlier = guess - 3_600_000;
  return localEpoch(earlier, timeZone) === local ? earlier : guess;
}

/** "HH:MM" -> minutes after midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

/** Local midnight (local epoch) of the calendar day containing instant `ms`. */
function localMidnight(ms: number, timeZone: string): number {
  const local = localEpoch(ms, timeZone);
  return local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
}

/** The last trading day answered per (zone, day start): consecutive questions (every exit of a tick, every tick of
 * a day) fall in the same day, and answering them from Intl costs ~10 formatToParts calls each. Bounded: cleared
 * past 256 keys (a symbol object serves at most a few distinct settings). */
const lastDays = new Map<string, { startMs: number; endMs: number }>();

/** The trading day containing `ms`: [startMs, endMs). O(1) when `ms` falls in the day answered last for these
 * settings; otherwise a few Intl lookups. */
export function tradingDay(ms: number, timeZone: string, dayStart: string): { startMs: number; endMs: number } {
  const key = `${timeZone}|${dayStart}`;
  const hit = lastDays.get(key);
  if (hit !== undefined && hit.startMs <= ms && ms < hit.endMs) return hit;
  const day = computeTradingDay(ms, timeZone, dayStart);
  if (lastDays.size >= 256) lastDays.clear();
  lastDays.set(key, day);
  return day;
}

function computeTradingDay(ms: number, timeZone: string, dayStart: string): { startMs: number; endMs: number } {
  const offset = minutesOf(dayStart) * 60_000;
  const midnight = localMidnight(ms, timeZone);
  let start = instantOf(midnight + offset, timeZone);
  let startLocal = midnight;
  if (start > ms) {
    startLocal = midnight - DAY_MS;
    start = instantOf(startLocal + offset, timeZone);
  }
  const end = instantOf(startLocal + DAY_MS + offset, timeZone);
  return { startMs: start, endMs: end };
}

/** Session instances starting on the local days from `fromDay` (a local midnight) for `days` days. */
function* instances(sessions: readonly SessionSpec[], timeZone: string, fromDay: number, days: number): Generator<{ startMs: number; endMs: number }> {
  for (let d = 0; d < days; d++) {
    const midnight = fromDay + d * DAY_MS;
    const weekday = WEEKDAYS[new Date(midnight).getUTCDay()];
    for (const s of sessions) {
      if (!s.days.includes(weekday)) continue;
      const start = minutesOf(s.start);
      let end = minutesOf(s.end);
      if (end <= start) end += 24 * 60;
      yield { startMs: instantOf(midnight + start * 60_000, timeZone), endMs: instantOf(midnight + end * 60_000, timeZone) };
    }
  }
}

/** The session instance containing `ms`, or null (outside every session). Empty `sessions`: always open. */
export function sessionAt(ms: number, timeZone: string, sessions: readonly SessionSpec[]): { startMs: number; endMs: number } | null {
  if (sessions.length === 0) return { startMs: -Infinity, endMs: Infinity };
  // An instance containing ms started today or yesterday (sessions last under 24 h).
  for (const i of instances(sessions, timeZone, localMidnight(ms, timeZone) - DAY_MS, 2)) {
    if (i.startMs <= ms && ms < i.endMs) return i;
  }
  return null;
}

/** When a position open at `ms` is flattened (`flattenAtSessionEnd`): the end of the session containing `ms`,
 * else the end of the next session to start; null with no sessions. */
export function sessionEndAfter(ms: number, timeZone: string, sessions: readonly SessionSpec[]): number | null {
  if (sessions.length === 0) return null;
  const current = sessionAt(ms, timeZone, sessions);
  if (current !== null) return current.endMs;
  let best: number | null = null;
  for (const i of instances(sessions, timeZone, localMidnight(ms, timeZone), 8)) {
    if (i.startMs > ms && (best === null || i.endMs < best)) best = i.endMs;
  }
  return best;
}
