// TradingView Strategy Tester "List of trades" CSV export, newer layout. Pure, no I/O.
//
// Choices (TradingView's own export has no spec; these are documented here and in the tests):
// - Line endings CRLF (RFC 4180), every line including the last one terminated; UTF-8, no BOM.
// - Fields containing a comma, a double quote, CR or LF are quoted, inner quotes doubled (RFC 4180).
// - Trades in close order (closedAt, then id) are numbered 1…n ("Trade #", 1 = oldest); the file lists them newest
//   first, two rows per trade, the exit row first.
// - Date/Time: "YYYY-MM-DD HH:mm" (minute resolution, as TradingView shows it) in opts.timeZone (default UTC): the
//   route passes the recorder's `timezone`, as TradingView writes the chart's, so that the file imported back as a
//   backtest (src/backtest, which reads zone-less times in the recorder's timezone) lands on the same instants.
//   Entry row = openedAt, exit row = closedAt. An unparsable time is written as given.
// - Signal: exit row = the trade's exitReason (signal | reverse | take_profit | stop_loss | manual); entry row = the
//   trade's side ("long" / "short"), the name of the entry.
// - Price USD: entry row = entryPrice (average), exit row = exitPrice (average); at least 2 decimals, more if the
//   price has them (up to 8), no thousands separator.
// - Position size (qty) = quantity (the position's maxQuantity). Position size (value) = quantity × entryPrice ×
//   pointValue(symbol), where pointValue is USD per 1.0 of price for one contract (tickValue / tickSize, 2 for MNQ);
//   when no lookup is given or it returns undefined, value = quantity × entryPrice. Same value on both rows.
// - Net P&L USD = pnl (after commission); Run-up USD = maxFavorable (≥ 0); Drawdown USD = maxAdverse as stored, i.e.
//   ≤ 0 (shown negative, as in TradingView's newer export). Each per-trade "%" column (Net P&L %, Run-up %,
//   Drawdown %) is 100 × the amount / the position value at entry (the Strategy Tester's "% of entry value";
//   Pine's strategy.closedtrades.profit_percent = profit / (|size| × entry price × point value) × 100). It does not
//   depend on the initial capital, so it is filled with or without one; empty when the value is 0.
// - Cumulative P&L USD = sum of pnl over trades up to and including this one in close order. Cumulative P&L % =
//   100 × that / opts.initialCapital (Pine's cum_profit_percent: the base is the initial capital, not the equity
//   before the trade); empty when no usable initial capital is given (absent, null, not finite, under one cent).
// - Both rows of a trade carry the trade's P&L, run-up, drawdown and cumulative columns.
// - Money and percentages have exactly 2 decimals (half away from zero); "-0.00" is never written.
import type { Trade } from "../engine/types";
import { capitalCents, fromCents, roundTo, toCents } from "./money";
import { sortByClose } from "./order";

export const TRADES_CSV_HEADER =
  "Trade #,Type,Date/Time,Signal,Price USD,Position size (qty),Position size (value),Net P&L USD,Net P&L %," +
  "Run-up USD,Run-up %,Drawdown USD,Drawdown %,Cumulative P&L USD,Cumulative P&L %";

export interface TradesCsvOptions {
  /** USD per 1.0 of price for one contract (tickValue / tickSize), by root symbol; undefined when unknown. */
  pointValue?: (symbol: string) => number | undefined;
  /** Initial capital in USD, the base of "Cumulative P&L %"; that column is left empty without it (null/undefined). */
  initialCapital?: number | null;
  /** IANA time zone of the Date/Time column (default "UTC"). */
  timeZone?: string;
}

/** One CSV field, quoted per RFC 4180 when it contains a comma, a double quote, CR or LF. */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: ReadonlyArray<string | number>): string {
  return fields.map(csvField).join(",") + "\r\n";
}

/** Fixed 2 decimals, half away from zero, never "-0.00". */
export function fmt2(x: number): string {
  const r = roundTo(x, 2);
  return (r === 0 ? 0 : r).toFixed(2);
}

/** A price with at least 2 and at most 8 decimals, trailing zeros beyond the second dropped. */
export function fmtPrice(x: number): string {
  const r = roundTo(x, 8);
  let s = (r === 0 ? 0 : r).toFixed(8);
  s = s.replace(/0+$/, "");
  const dot = s.indexOf(".");
  const decimals = s.length - dot - 1;
  return decimals < 2 ? s + "0".repeat(2 - decimals) : s;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** "YYYY-MM-DD HH:mm" in `timeZone` (default UTC; an unknown zone is refused by the recorder settings). */
export function fmtDateTime(iso: string, timeZone = "UTC"): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  if (timeZone === "UTC") return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
  let f = zoneFormats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
    zoneFormats.set(timeZone, f);
  }
  const part = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
}

function pct(amount: number, base: number): string {
  return base === 0 || !Number.isFinite(base) ? "" : fmt2((amount / base) * 100);
}

function sideOf(side: string): string {
  return side === "short" ? "short" : "long";
}

/** The Strategy Tester "List of trades" CSV (newer layout) for closed trades; see the choices above. */
export function tradesCsv(trades: readonly Trade[], opts: TradesCsvOptions = {}): string {
  const sorted = sortByClose(trades);
  const capital = capitalCents(opts.initialCapital); // integer cents or null
  const rows: string[][] = [];
  let cum = 0; // cents
  sorted.forEach((t, i) => {
    const pv = opts.pointValue?.(t.symbol);
    const multiplier = typeof pv === "number" && Number.isFinite(pv) && pv > 0 ? pv : 1;
    const value = t.quantity * t.entryPrice * multiplier;
    const pnl = fromCents(toCents(t.pnl));
    const runUp = fromCents(toCents(t.maxFavorable));
    const drawdown = fromCents(toCents(t.maxAdverse));
    cum += toCents(t.pnl);
    const cumUsd = fromCents(cum);
    const tail = [
      fmt2(pnl),
      pct(pnl, value),
      fmt2(runUp),
      pct(runUp, value),
      fmt2(drawdown),
      pct(drawdown, value),
      fmt2(cumUsd),
      capital === null ? "" : pct(cum, capital), // both in cents
    ];
    const n = String(i + 1);
    const side = sideOf(t.side);
    const qty = String(t.quantity);
    const valueStr = fmt2(value);
    const exitRow = [n, `Exit ${side}`, fmtDateTime(t.closedAt, opts.timeZone), t.exitReason, fmtPrice(t.exitPrice), qty, valueStr, ...tail];
    const entryRow = [n, `Entry ${side}`, fmtDateTime(t.openedAt, opts.timeZone), side, fmtPrice(t.entryPrice), qty, valueStr, ...tail];
    rows.push(exitRow, entryRow);
  });
  // Newest first, exit row first within a trade: reverse trade order, keep each pair's order.
  const out: string[] = [TRADES_CSV_HEADER + "\r\n"];
  for (let i = rows.length - 2; i >= 0; i -= 2) out.push(csvLine(rows[i]), csvLine(rows[i + 1]));
  return out.join("");
}
