// The instrument table (shared/reference/instruments.csv) and ticker resolution (CONTRACT "Instrument" and
// "Bad input and faults"). Accepted ticker forms, case-insensitive:
//   MNQ1!  MNQ2!  CME_MINI:MNQ1!  CME:MNQ1!  MNQ -> continuous feed symbol  CME_MINI:MNQ1! (bare root = 1!)
//   MNQZ2025  MNQZ25  MNQZ5  CME_MINI:MNQZ5      -> explicit month         CME_MINI:MNQZ2025
//   ={"symbol":"CME_MINI:NQ1!","session":"extended"}  (TradingView's extended-session form) -> its inner symbol
// Refused (null, 422 unknown_instrument):
//   - an `EXCHANGE:` prefix that is neither the root's own exchange nor its alias (CME/CME_MINI, CBOT/CBOT_MINI,
//     NYMEX/NYMEX_MINI, COMEX/COMEX_MINI): FOO:MNQ1!, X1:ZB1!, BINANCE:ES1!. This holds with a recorder override
//     too: a table root on a foreign exchange is a mistake, not a new instrument.
//   - continuous contracts other than 1! and 2! (MGC0!, MNQ3!, MNQ10!): TradingView lists no others.
// The feed symbol of a table root is always built from the table (its exchange, root and contract), never from
// the alert's text: the text picks which Durable Object and which feed subscription a signal reaches, so it must
// not be able to invent either. With a recorder override (tickSize and tickValue) an unknown ticker is usable,
// and its feed symbol is the ticker itself only when it passes a strict shape (UNKNOWN_TICKER).
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

/** Each exchange of the table and its alias (the _MINI listing of the same exchange, and back). */
const EXCHANGE_ALIASES: Record<string, string> = {
  CME: "CME_MINI",
  CME_MINI: "CME",
  CBOT: "CBOT_MINI",
  CBOT_MINI: "CBOT",
  NYMEX: "NYMEX_MINI",
  NYMEX_MINI: "NYMEX",
  COMEX: "COMEX_MINI",
  COMEX_MINI: "COMEX",
};

/** Whether an alert's `EXCHANGE:` prefix (null = none) may name this row. */
function acceptsPrefix(row: InstrumentRow, prefix: string | null): boolean {
  return prefix === null || prefix === row.exchange || prefix === EXCHANGE_ALIASES[row.exchange];
}

/** What follows the root: "1!" / "2!" (continuous) or a month code and a 1-, 2- or 4-digit year; empty = 1!. */
const CONTINUOUS = /^[12]!$/;
const EXPLICIT_MONTH = /^([FGHJKMNQUVXZ])(\d{1,2}|\d{4})$/;

/**
 * An unknown ticker usable with an override: an optional exchange of up to 20 [A-Z0-9_] and a symbol of up to
 * 30 [A-Z0-9_.], where a continuous contract is again a non-digit followed by 1! or 2! only (so MNQ3!, MNQ12!
 * and FOO0! stay refused). Anything else (spaces, quotes, a second colon, ...) would become a feed symbol and a
 * Durable Object name straight from the alert's text, so it is refused.
 */
const UNKNOWN_TICKER = /^(?:([A-Z0-9_]{1,20}):)?((?=[A-Z0-9_.!]{1,30}$)(?:[A-Z0-9_.]+|[A-Z0-9_.]*[A-Z_.][12]!))$/;

/**
 * Resolves a ticker to its instrument. A recorder override (both values > 0) makes unknown tickers usable and
 * replaces the table's values for known ones; otherwise an unknown ticker gives null (422 unknown_instrument).
 * A table root behind a foreign exchange prefix, or with a continuous contract other than 1! / 2!, is null even
 * with an override.
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
    if (!acceptsPrefix(known.row, prefix)) return null;
    return {
      root: known.row.root,
      // Always the table's exchange: CME:MNQ1! is CME_MINI:MNQ1!, one feed and one object for both spellings.
      feedSymbol: `${known.row.exchange}:${known.row.root}${known.contract}`,
      tickSize: overrideTickSize ?? known.row.tickSize,
      tickValue: overrideTickValue ?? known.row.tickValue,
    };
  }
  if (overrideTickSize === null || overrideTickValue === null) return null;
  const m = UNKNOWN_TICKER.exec(symbol);
  if (!m) return null;
  return { root: m[2], feedSymbol: symbol, tickSize: overrideTickSize, tickValue: overrideTickValue };
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
