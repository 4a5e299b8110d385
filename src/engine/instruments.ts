// The instrument table (shared/reference/instruments.csv) and ticker resolution (CONTRACT "Instrument").
// Accepted ticker forms, case-insensitive:
//   MNQ1!  MNQ2!  CME_MINI:MNQ1!  MNQ            -> continuous feed symbol  CME_MINI:MNQ1! (bare root = 1!)
//   MNQZ2025  MNQZ25  MNQZ5  CME_MINI:MNQZ5      -> explicit month         CME_MINI:MNQZ2025
//   ={"symbol":"CME_MINI:NQ1!","session":"extended"}  (TradingView's extended-session form) -> its inner symbol
import type { InstrumentSpec } from "./types";

export interface InstrumentRow {
  root: string;
  exchange: string;
  tickSize: number;
  tickValue: number;
  description: string;
}

export const INSTRUMENTS: readonly InstrumentRow[] = [
  { root: "NQ", exchange: "CME_MINI", tickSize: 0.25, tickValue: 5, description: "E-mini Nasdaq-100" },
  { root: "MNQ", exchange: "CME_MINI", tickSize: 0.25, tickValue: 0.5, description: "Micro E-mini Nasdaq-100" },
  { root: "ES", exchange: "CME_MINI", tickSize: 0.25, tickValue: 12.5, description: "E-mini S&P 500" },
  { root: "MES", exchange: "CME_MINI", tickSize: 0.25, tickValue: 1.25, description: "Micro E-mini S&P 500" },
  { root: "YM", exchange: "CBOT_MINI", tickSize: 1, tickValue: 5, description: "E-mini Dow" },
  { root: "MYM", exchange: "CBOT_MINI", tickSize: 1, tickValue: 0.5, description: "Micro E-mini Dow" },
  { root: "RTY", exchange: "CME_MINI", tickSize: 0.1, tickValue: 5, description: "E-mini Russell 2000" },
  { root: "M2K", exchange: "CME_MINI", tickSize: 0.1, tickValue: 0.5, description: "Micro E-mini Russell 2000" },
  { root: "CL", exchange: "NYMEX", tickSize: 0.01, tickValue: 10, description: "Crude Oil" },
  { root: "MCL", exchange: "NYMEX", tickSize: 0.01, tickValue: 1, description: "Micro Crude Oil" },
  { root: "GC", exchange: "COMEX", tickSize: 0.1, tickValue: 10, description: "Gold" },
  { root: "MGC", exchange: "COMEX", tickSize: 0.1, tickValue: 1, description: "Micro Gold" },
  { root: "SI", exchange: "COMEX", tickSize: 0.005, tickValue: 25, description: "Silver" },
  { root: "6E", exchange: "CME", tickSize: 0.00005, tickValue: 6.25, description: "Euro FX" },
  { root: "ZB", exchange: "CBOT", tickSize: 0.03125, tickValue: 31.25, description: "30-Year T-Bond (1/32)" },
  { root: "ZN", exchange: "CBOT", tickSize: 0.015625, tickValue: 15.625, description: "10-Year T-Note (1/2 of 1/32)" },
];

const BY_ROOT = new Map(INSTRUMENTS.map((row) => [row.root, row]));
/** Longest roots first, so MNQ1! is MNQ (not NQ) and MES is not ES. */
const ROOTS_LONGEST_FIRST = [...BY_ROOT.keys()].sort((a, b) => b.length - a.length);

export function findInstrument(root: string): InstrumentRow | undefined {
  return BY_ROOT.get(root.toUpperCase());
}

export interface TickOverride {
  tickSize?: number | null;
  tickValue?: number | null;
}

/** What follows the root: "1!" (continuous) or a month code and a 1-, 2- or 4-digit year; empty = continuous. */
const CONTINUOUS = /^(\d{1,2})!$/;
const EXPLICIT_MONTH = /^([FGHJKMNQUVXZ])(\d{1,2}|\d{4})$/;

/**
 * Resolves a ticker to its instrument. A recorder override (both values > 0) makes unknown tickers usable and
 * replaces the table's values for known ones; otherwise an unknown ticker gives null (422 unknown_instrument).
 */
export function resolveTicker(
  ticker: string,
  opts: { now: Date; override?: TickOverride },
): InstrumentSpec | null {
  const symbol = unwrapExtendedSession(ticker.trim()).toUpperCase();
  if (symbol === "") return null;
  const colon = symbol.indexOf(":");
  const prefix = colon >= 0 ? symbol.slice(0, colon) : null;
  const body = colon >= 0 ? symbol.slice(colon + 1) : symbol;
  const overrideTickSize = positive(opts.override?.tickSize);
  const overrideTickValue = positive(opts.override?.tickValue);

  const known = parseKnown(body, opts.now);
  if (known) {
    return {
      root: known.row.root,
      // The user's exchange prefix wins (TradingView knows best what it sent); else the table's exchange.
      feedSymbol: `${prefix ?? known.row.exchange}:${known.row.root}${known.contract}`,
      tickSize: overrideTickSize ?? known.row.tickSize,
      tickValue: overrideTickValue ?? known.row.tickValue,
    };
  }
  if (overrideTickSize === null || overrideTickValue === null || body === "") return null;
  return { root: body, feedSymbol: symbol, tickSize: overrideTickSize, tickValue: overrideTickValue };
}

function parseKnown(body: string, now: Date): { row: InstrumentRow; contract: string } | null {
  for (const root of ROOTS_LONGEST_FIRST) {
    if (!body.startsWith(root)) continue;
    const contract = contractSuffix(body.slice(root.length), now);
    if (contract !== null) return { row: BY_ROOT.get(root)!, contract };
  }
  return null;
}

/** The feed symbol's contract part ("1!", "Z2025"), or null when the rest is not a contract. */
function contractSuffix(rest: string, now: Date): string | null {
  if (rest === "") return "1!";
  if (CONTINUOUS.test(rest)) return rest;
  const m = EXPLICIT_MONTH.exec(rest);
  if (!m) return null;
  return `${m[1]}${expandYear(m[2], now.getUTCFullYear())}`;
}

/**
 * 4 digits: as is. 2 digits: 20YY. 1 digit: the year in [now-1, now+8] ending with it (contracts listed up to
 * ~8 years out; last year's contract may still be alerted on just after expiry).
 */
export function expandYear(digits: string, nowYear: number): number {
  const n = Number(digits);
  if (digits.length === 4) return n;
  if (digits.length === 2) return 2000 + n;
  const from = nowYear - 1;
  return from + ((n - (from % 10) + 10) % 10);
}

/** `={"symbol":"CME_MINI:NQ1!","session":"extended"}` -> `CME_MINI:NQ1!`; anything else unchanged. */
function unwrapExtendedSession(ticker: string): string {
  if (!ticker.startsWith("=")) return ticker;
  try {
    const inner: unknown = JSON.parse(ticker.slice(1));
    if (inner && typeof inner === "object" && typeof (inner as { symbol?: unknown }).symbol === "string") {
      return ((inner as { symbol: string }).symbol).trim();
    }
  } catch {
    // Not JSON: fall through to an empty symbol, which resolves to nothing.
  }
  return "";
}

function positive(x: number | null | undefined): number | null {
  return typeof x === "number" && Number.isFinite(x) && x > 0 ? x : null;
}
