// Dates in a TradingView "List of trades" CSV → UTC instants (ISO-8601 with milliseconds). Pure (Intl only).
//
// TradingView writes the chart's time zone with no offset, so a time without a zone is read in the recorder's
// `timezone` (IANA; set it to the chart's zone — the dashboard shows it). A time that carries a zone (`Z`,
// `+01:00`) is taken as given. Accepted shapes (case-insensitive, seconds optional everywhere):
//   2024-03-05 14:30   2024-03-05T14:30:15   2024-03-05T14:30:15.250Z   2024-03-05T14:30+01:00   2024/03/05 14:30
//   Mar 05, 2024, 14:30   Mar 5, 2024 2:30 PM   March 5 2024 14:30   05 Mar 2024 14:30   2024-03-05 (a daily chart)
// A date alone is local midnight. Refused (null): other shapes (01/03/2024 is ambiguous), impossible dates
// (2024-02-30, 24:00), years outside 1970–2100.
// Local times that do not exist (the spring-forward gap) move forward by the gap (02:30 → 03:30 EDT), repeated ones
// (the fall-back hour) resolve to the first, as src/engine/calendar.ts does for sessions.
// Cost: Intl calls only for the first time in each 6-hour span (see offsetAt); formatters are cached per zone.

import { localEpoch as intlLocalEpoch } from "../engine/calendar";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:\s*([ap]\.?m\.?))?`;
const ZONE = String.raw`(z|utc|gmt|[+-]\d{2}(?::?\d{2})?)`;
const NUMERIC = new RegExp(String.raw`^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:(?:t|\s+|,\s*)${TIME})?\s*${ZONE}?$`, "i");
const MONTH_FIRST = new RegExp(String.raw`^([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?:,?\s+${TIME})?\s*${ZONE}?$`, "i");
const DAY_FIRST = new RegExp(String.raw`^(\d{1,2})\s+([a-z]{3,9})\.?,?\s+(\d{4})(?:,?\s+${TIME})?\s*${ZONE}?$`, "i");

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** Minutes east of UTC, or null: the recorder's zone applies. */
  offset: number | null;
}

/** The instant `raw` names as an ISO string, or null. `timeZone`: IANA zone for times without one. */
export function parseTradeTime(raw: string, timeZone: string): string | null {
  const p = parts(raw.trim());
  if (p === null || !valid(p)) return null;
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms);
  const ms = p.offset === null ? instantOf(local, timeZone) : local - p.offset * 60_000;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function parts(s: string): Parts | null {
  let m = NUMERIC.exec(s);
  if (m) return build(+m[1], +m[2], +m[3], m.slice(4, 10));
  m = MONTH_FIRST.exec(s);
  if (m) return build(+m[3], monthOf(m[1]), +m[2], m.slice(4, 10));
  m = DAY_FIRST.exec(s);
  if (m) return build(+m[3], monthOf(m[2]), +m[1], m.slice(4, 10));
  return null;
}

/** `time` = [hour, minute, second, fraction, am/pm, zone] as captured (undefined when absent). */
function build(year: number, month: number, day: number, time: (string | undefined)[]): Parts | null {
  const [h, mi, se, frac, ampm, zone] = time;
  let hour = h === undefined ? 0 : +h;
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return null;
    const pm = ampm.toLowerCase().startsWith("p");
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  const offset = zone === undefined ? null : offsetOf(zone);
  if (offset === undefined) return null;
  return {
    year,
    month,
    day,
    hour,
    minute: mi === undefined ? 0 : +mi,
    second: se === undefined ? 0 : +se,
    ms: frac === undefined ? 0 : Math.floor(+`0.${frac}` * 1000),
    offset,
  };
}

function monthOf(name: string): number {
  const i = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  // "Mar" or "March", not "Marz": the full name must be a prefix-consistent English month.
  const full = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
  if (i < 0) return 0;
  const n = name.toLowerCase();
  return n.length === 3 || full[i].startsWith(n) || (n === "sept" && i === 8) ? i + 1 : 0;
}

/** Minutes east of UTC, or undefined when out of range. */
function offsetOf(zone: string): number | undefined {
  const z = zone.toLowerCase();
  if (z === "z" || z === "utc" || z === "gmt") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(z);
  if (!m) return undefined;
  const h = +m[2];
  const mi = m[3] === undefined ? 0 : +m[3];
  if (h > 14 || mi > 59) return undefined;
  return (m[1] === "-" ? -1 : 1) * (h * 60 + mi);
}

function valid(p: Parts): boolean {
  if (p.year < 1970 || p.year > 2100 || p.month < 1 || p.month > 12 || p.day < 1) return false;
  const daysInMonth = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
  return p.day <= daysInMonth && p.hour <= 23 && p.minute <= 59 && p.second <= 59;
}

// ---- Local wall time in an IANA zone → instant, on src/engine/calendar.ts's local clock.

/** The zone's offset (ms) at instant `ms`, straight from Intl. */
function offsetFromIntl(ms: number, timeZone: string): number {
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  return intlLocalEpoch(whole, timeZone) - whole;
}

// A file of 15 000 trades has 30 000 times and Intl is the cost: offsets are remembered per zone and 6-hour UTC
// bucket when the bucket's first and last second agree (no zone changes its offset twice within 6 hours), and
// asked per instant only inside a bucket holding a transition. Bounded: cleared past MEMO_MAX buckets.
const BUCKET_MS = 6 * 3_600_000;
const MEMO_MAX = 100_000;
const memo = new Map<string, number | null>();

function offsetAt(ms: number, timeZone: string): number {
  const bucket = Math.floor(ms / BUCKET_MS);
  const key = `${timeZone} ${bucket}`;
  let o = memo.get(key);
  if (o === undefined) {
    const start = bucket * BUCKET_MS;
    const first = offsetFromIntl(start, timeZone);
    o = first === offsetFromIntl(start + BUCKET_MS - 1000, timeZone) ? first : null;
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(key, o);
  }
  return o ?? offsetFromIntl(ms, timeZone);
}

/** The wall clock of instant `ms` in `timeZone`, as a UTC-based "local epoch" (ms). */
function localEpoch(ms: number, timeZone: string): number {
  return ms + offsetAt(ms, timeZone);
}

/** The instant whose wall clock in `timeZone` is `local`; gaps move forward, folds take the first. */
function instantOf(local: number, timeZone: string): number {
  const first = local - (localEpoch(local, timeZone) - local);
  const second = local - (localEpoch(first, timeZone) - first);
  const guess = localEpoch(second, timeZone) === local ? second : Math.max(first, second);
  const earlier = guess - 3_600_000;
  return localEpoch(earlier, timeZone) === local ? earlier : guess;
}
