// TradingView Strategy Tester "List of trades" CSV → backtest trades (CONTRACT "Backtest beside live"). Pure.
//
// Both layouts of shared/reference/peers.md (newer: Trade #, Type, Date/Time, Signal, Price USD, Position size (qty),
// …, Net P&L USD, …, Run-up USD, …, Drawdown USD, …; older: Trade #, Type, Signal, Date/Time, Price USD, Contracts,
// Profit USD, …); the columns are found by name (csv-header.ts), the records split per RFC 4180 (csv-records.ts),
// times read in the recorder's timezone unless they carry one (dates.ts), numbers as in numbers.ts.
//
// Rows: two per trade, `Entry long|short` and `Exit long|short` with the same Trade # and side, in any order (the
// export puts the exit row first and the newest trade first). The exit row's Date/Time `Open` marks a trade still
// open at the end of the backtest (exitAt, exitPrice, pnl, runup, drawdown null: those figures are marks). P&L,
// run-up and drawdown are read from the exit row (the entry row's when the exit row leaves them empty).
// Money is rounded to the cent, drawdown stored ≤ 0 and run-up ≥ 0 whatever sign the export used.
// Bounds (anything else refuses the whole file, naming its first bad line as an editor numbers it):
//   Trade # a whole number 1…10 000 000, each used by exactly one entry and one exit row; at most MAX_TRADES trades;
//   prices > 0 and < 10^9; quantity > 0 and ≤ 10^9 (both rows checked, the entry row's kept); money |x| < 10^9; an
//   exit not before its entry; Signal at most 200 characters, line breaks and tabs read as spaces, no other control
//   characters. Percent and cumulative columns are not read (they are derived).
// The header is the first non-blank line; blank lines anywhere are skipped.
// Cost: O(text length + trades log trades).
import { type Header, type Column, readHeader } from "./csv-header";
import { FirstProblem, CsvProblem } from "./csv-problems";
import { csvRecords, type CsvRecord } from "./csv-records";
import { parseTradeTime } from "./dates";
import { parseNumber } from "./numbers";
import type { BacktestLayout, BacktestTrade } from "./types";
import { roundCents } from "../stats/money";

export const MAX_TRADES = 50_000;
const MAX_TRADE_NO = 10_000_000;
const PRICE_MAX = 1e9;
const QTY_MAX = 1e9;
const MONEY_MAX = 1e9;
const SIGNAL_MAX = 200;

export interface ParsedBacktest {
  trades: BacktestTrade[];
  currency: string;
  layout: BacktestLayout;
}

export type ParseResult = ({ ok: true } & ParsedBacktest) | { ok: false; line: number; message: string };

/** Parses a "List of trades" CSV; `timeZone` (IANA) is the zone of times written without one. */
export function parseListOfTrades(text: string, timeZone: string): ParseResult {
  const split = csvRecords(text);
  if (!split.ok) return split;
  try {
    const [headerRecord, ...rest] = split.records.filter((r) => r.fields.length > 0);
    if (headerRecord === undefined) throw new CsvProblem(1, "the file is empty; expected the List of trades header (Trade #,Type,Date/Time,…)");
    const header = readHeader(headerRecord);
    const trades = readTrades(rest, header, timeZone);
    return { ok: true, trades, currency: header.currency, layout: header.layout };
  } catch (e) {
    if (e instanceof CsvProblem) return { ok: false, line: e.line, message: e.message };
    throw e;
  }
}

interface Row {
  line: number;
  tradeNo: number;
  kind: "entry" | "exit";
  side: "long" | "short";
  fields: string[];
}

function readTrades(records: CsvRecord[], h: Header, timeZone: string): BacktestTrade[] {
  const problems = new FirstProblem();
  const attempt = <T>(f: () => T) => problems.attempt(f);
  const byNo = new Map<number, { entry?: Row; exit?: Row }>();
  for (const r of records) {
    const row = attempt(() => readRow(r, h));
    if (row === undefined) continue;
    let pair = byNo.get(row.tradeNo);
    if (pair === undefined) {
      if (byNo.size >= MAX_TRADES) {
        problems.report(r.line, `more than ${MAX_TRADES} trades; export a shorter period`);
        break;
      }
      pair = {};
      byNo.set(row.tradeNo, pair);
    }
    const other = pair.entry ?? pair.exit;
    const seen = pair[row.kind];
    if (seen !== undefined) {
      problems.report(r.line, `trade #${row.tradeNo} has a second ${row.kind} row (the first is on line ${seen.line})`);
    } else if (other !== undefined && other.side !== row.side) {
      problems.report(r.line, `trade #${row.tradeNo} is ${other.side} on line ${other.line} but ${row.side} here`);
    } else {
      pair[row.kind] = row;
    }
  }
  // A row refused above may be the missing half of a pair: then "no entry row" would blame its innocent partner.
  const rowsRefused = problems.any();
  const trades: BacktestTrade[] = [];
  for (const [no, { entry, exit }] of byNo) {
    if (!entry || !exit) {
      if (!rowsRefused && !entry) problems.report(exit!.line, `trade #${no} has an exit row but no entry row`);
      if (!rowsRefused && !exit) problems.report(entry!.line, `trade #${no} has an entry row but no exit row (an open trade's exit row has Date/Time "Open")`);
      continue;
    }
    const t = attempt(() => tradeOf(entry, exit, h, timeZone));
    if (t !== undefined) trades.push(t);
  }
  problems.throwIfAny();
  trades.sort((a, b) => a.tradeNo - b.tradeNo);
  return trades;
}

function readRow(r: CsvRecord, h: Header): Row {
  const cell = (c: Column) => field(r, h, c);
  const noText = cell("tradeNo").trim();
  const tradeNo = /^\d{1,8}$/.test(noText) ? Number(noText) : NaN;
  if (!(tradeNo >= 1 && tradeNo <= MAX_TRADE_NO)) throw new CsvProblem(r.line, `Trade # must be a whole number from 1 to ${MAX_TRADE_NO}, got "${clip(noText)}"`);
  const type = /^(entry|exit)\s+(long|short)$/i.exec(cell("type").trim().replace(/\s+/g, " "));
  if (!type) throw new CsvProblem(r.line, `Type must be Entry long, Exit long, Entry short or Exit short, got "${clip(cell("type"))}"`);
  return { line: r.line, tradeNo, kind: type[1].toLowerCase() as Row["kind"], side: type[2].toLowerCase() as Row["side"], fields: r.fields };
}

function field(r: { line: number; fields: string[] }, h: Header, c: Column): string {
  const i = h.at[c];
  if (i === undefined) return "";
  if (i >= r.fields.length) {
    // A short row: only tolerated for optional trailing columns left empty.
    if (c === "signal" || c === "runup" || c === "drawdown") return "";
    throw new CsvProblem(r.line, `the row has ${r.fields.length} fields; the header has a column at position ${i + 1}`);
  }
  return r.fields[i];
}

function tradeOf(entry: Row, exit: Row, h: Header, timeZone: string): BacktestTrade {
  // Each field is checked on its own; the problem on the smaller line is reported (the exit row usually comes first).
  const problems = new FirstProblem();
  const check = <T>(f: () => T) => problems.attempt(f);
  const price = (r: Row) => check(() => bounded(r, h, "price", "Price", (v) => v > 0 && v < PRICE_MAX, "> 0 and < 10^9"));
  const entryAt = check(() => {
    const at = time(entry, h, timeZone);
    if (at === null) throw new CsvProblem(entry.line, `an entry row's Date/Time cannot be "Open" (only an exit row's)`);
    return at;
  });
  const exitAt = check(() => time(exit, h, timeZone));
  const entryPrice = price(entry);
  const qty = (r: Row) => check(() => bounded(r, h, "qty", "quantity", (v) => v > 0 && v <= QTY_MAX, "> 0 and ≤ 10^9"));
  // The exit row repeats the entry's quantity; it is checked, the entry row's is kept.
  const quantity = qty(entry);
  qty(exit);
  const entrySignal = check(() => signal(entry, h));
  const exitSignal = check(() => signal(exit, h));
  const open = exitAt === null;
  const exitPrice = open ? null : price(exit);
  const money = (c: Column, label: string, required: boolean) =>
    check(() => {
      const row = field(exit, h, c).trim() === "" ? entry : exit;
      if (field(row, h, c).trim() === "") {
        if (required) throw new CsvProblem(exit.line, `${label} is empty`);
        return null;
      }
      return roundCents(bounded(row, h, c, label, (v) => Math.abs(v) < MONEY_MAX, "between -10^9 and 10^9"));
    });
  const pnl = open ? null : money("pnl", h.layout === "old" ? "Profit" : "Net P&L", true);
  const runup = open ? null : money("runup", "Run-up", false);
  const drawdown = open ? null : money("drawdown", "Drawdown", false);
  if (entryAt !== undefined && exitAt && exitAt < entryAt) {
    problems.report(exit.line, `trade #${exit.tradeNo} exits (${exitAt}) before it enters (${entryAt}, line ${entry.line})`);
  }
  problems.throwIfAny();
  return {
    tradeNo: entry.tradeNo,
    side: entry.side,
    entryAt: entryAt!,
    entryPrice: entryPrice!,
    entrySignal: entrySignal ?? null,
    exitAt: exitAt ?? null,
    exitPrice: exitPrice ?? null,
    exitSignal: exitSignal ?? null,
    quantity: quantity!,
    pnl: pnl ?? null,
    runup: runup == null ? null : Math.abs(runup),
    drawdown: drawdown == null ? null : -Math.abs(drawdown) + 0,
  };
}

/** The row's time as ISO, null for "Open". */
function time(r: Row, h: Header, timeZone: string): string | null {
  const raw = field(r, h, "time").trim();
  if (/^open$/i.test(raw)) return null;
  const iso = parseTradeTime(raw, timeZone);
  if (iso === null) throw new CsvProblem(r.line, `Date/Time "${clip(raw)}" is not a date TradingView writes (e.g. 2024-03-05 14:30 or Mar 05, 2024, 14:30)`);
  return iso;
}

function bounded(r: Row, h: Header, c: Column, label: string, ok: (v: number) => boolean, range: string): number {
  const raw = field(r, h, c);
  const v = parseNumber(raw);
  if (v === null) throw new CsvProblem(r.line, `${label} "${clip(raw)}" is not a number`);
  if (!ok(v)) throw new CsvProblem(r.line, `${label} ${clip(raw.trim())} is out of range (${range})`);
  return v;
}

function signal(r: Row, h: Header): string | null {
  // A line break or tab inside a quoted signal name becomes a space; other control characters are refused.
  const s = field(r, h, "signal").replace(/[\r\n\t]+/g, " ").trim();
  if (s === "") return null;
  if (s.length > SIGNAL_MAX) throw new CsvProblem(r.line, `Signal is longer than ${SIGNAL_MAX} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) throw new CsvProblem(r.line, "Signal contains control characters");
  return s;
}

/** A field as quoted in an error message: at most 40 characters, control characters shown as "?". */
function clip(s: string): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f]/g, "?");
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}
