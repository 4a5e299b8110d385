// The time a signal was sent (`time`, alias `timestamp`; CONTRACT "Exits and risk rules" `maxSignalAgeSeconds`)
// as epoch milliseconds, and its age at receipt.
//
// Accepted (anything else is "no usable time", never an error: the parser keeps `time` as text either way, and
// only a recorder with `maxSignalAgeSeconds` cares):
// - ISO-8601 date and time as TradingView's {{timenow}} renders it ("2025-01-02T14:30:00Z"): `T` or a space
//   between date and time, seconds and fractions optional (fractions beyond milliseconds are truncated), offset
//   `Z`, `±HH:MM`, `±HHMM` or `±HH`. Without an offset the time is UTC (a Worker's clock is UTC, and TradingView
//   always sends Z). A date alone ("2025-01-02") says nothing about the age of a signal and is not used.
//   Out-of-range parts ("2025-02-30", "25:00") are not a time.
// - A number, or a decimal string, of epoch seconds (< 1e11, i.e. before the year 5138) or epoch milliseconds
//   (>= 1e11). Fractions are kept. Zero, negative and non-finite numbers, and ones beyond the range of a Date,
//   are not a time.
import type { NormalizedSignal } from "../engine/types";
import { coerceNumber } from "./numbers";

/** Epoch values below this are seconds, at or above it milliseconds (1e11 s is the year 5138; 1e11 ms is 1973). */
export const EPOCH_SECONDS_BELOW = 1e11;
/** The largest epoch milliseconds a Date can hold. */
const MAX_DATE_MS = 8.64e15;

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** `text` (a signal's `time`) as epoch milliseconds, or undefined when it is not a time we can read. */
export function parseTimeMs(text: string): number | undefined {
  const s = text.trim();
  if (s === "") return undefined;
  const n = coerceNumber(s);
  if (typeof n === "number") return epochMs(n);
  return isoMs(s);
}

function epochMs(n: number): number | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  const ms = n < EPOCH_SECONDS_BELOW ? n * 1000 : n;
  return ms <= MAX_DATE_MS ? ms : undefined;
}

function isoMs(s: string): number | undefined {
  const m = ISO_RE.exec(s);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, sec, frac, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = sec === undefined ? 0 : Number(sec);
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, "0"));
  // Before 1970 is no epoch time (and Date.UTC would read years 0-99 as 1900-1999).
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const offH = Number(oh);
    const offM = om === undefined ? 0 : Number(om);
    if (offH > 23 || offM > 59) return undefined;
    offsetMinutes = (sign === "-" ? -1 : 1) * (offH * 60 + offM);
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return epochMs(ms);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Seconds from the signal's own time to `nowMs` (its receipt), or null when the signal has no usable time.
 * Negative when the sender's clock is ahead of ours; the caller decides what that means (a signal from the
 * future is not stale).
 */
export function signalAgeSeconds(signal: Pick<NormalizedSignal, "timeMs">, nowMs: number): number | null {
  if (signal.timeMs === undefined || !Number.isFinite(signal.timeMs) || !Number.isFinite(nowMs)) return null;
  return (nowMs - signal.timeMs) / 1000;
}
