// The header line of a TradingView "List of trades" CSV: which column holds what, the money's currency and the
// layout (CONTRACT "Backtest beside live", shared/reference/peers.md). Pure.
//
// Columns are found by name, case and spacing ignored, in any order; unknown ones (percentages, position value,
// cumulative P&L, anything TradingView adds later) are ignored. Names read:
//   Trade # | Type | Date/Time, Date and time | Signal | Position size (qty), Contracts, Quantity
//   money, with an optional currency code after the name (`Price EUR`, `Net P&L USDT`, `Profit, USD`, `Price (USD)`):
//   Price | Net P&L (newer layout), Profit (older layout) | Run-up, Favorable excursion | Drawdown, Adverse excursion
// Required: Trade #, Type, Date/Time, Price, a quantity, Net P&L or Profit. The currency is the P&L column's (the
// account currency), else the price's, else USD. Two columns meaning the same thing are refused.
// A header that is one field with semicolons, or UTF-16 text, gets a message saying so (a spreadsheet re-saved it).
import type { CsvRecord } from "./csv-records";
import { CsvProblem } from "./csv-problems";
import type { BacktestLayout } from "./types";

export type Column = "tradeNo" | "type" | "time" | "signal" | "price" | "qty" | "pnl" | "runup" | "drawdown";

/** Header names (normalized: lower case, single spaces) of the columns read without a currency. */
const PLAIN_NAMES: Record<string, Column> = {
  "trade #": "tradeNo",
  "trade no": "tradeNo",
  "trade": "tradeNo",
  type: "type",
  "date/time": "time",
  "date and time": "time",
  "date & time": "time",
  signal: "signal",
  contracts: "qty",
  "position size (qty)": "qty",
  "position size": "qty",
  quantity: "qty",
  qty: "qty",
};

/** Money columns: the name, then an optional currency code. */
const MONEY_NAMES: Record<string, Column> = {
  price: "price",
  "net p&l": "pnl",
  profit: "pnl",
  "run-up": "runup",
  runup: "runup",
  "favorable excursion": "runup",
  drawdown: "drawdown",
  "adverse excursion": "drawdown",
};
const MONEY_HEADER = /^(price|net p&l|profit|run-up|runup|favorable excursion|drawdown|adverse excursion)(?:,?\s*\(?([a-z][a-z0-9.]{1,11})\)?)?$/;

export interface Header {
  at: Partial<Record<Column, number>>;
  currency: string;
  layout: BacktestLayout;
}

function norm(name: string): string {
  return name.replace(/^\ufeff/, "").trim().replace(/\s+/g, " ").toLowerCase();
}

export function readHeader(r: CsvRecord): Header {
  const at: Partial<Record<Column, number>> = {};
  const currencies: Partial<Record<Column, string>> = {};
  let layout: BacktestLayout | null = null;
  r.fields.forEach((raw, i) => {
    const name = norm(raw);
    let col: Column | undefined = PLAIN_NAMES[name];
    let currency: string | undefined;
    if (col === undefined) {
      const m = MONEY_HEADER.exec(name);
      if (m) {
        col = MONEY_NAMES[m[1]];
        currency = m[2]?.toUpperCase();
      }
    }
    if (col === undefined) return; // a percent, value or cumulative column, or one TradingView adds later
    if (at[col] !== undefined) throw new CsvProblem(r.line, `two columns mean the same thing: "${raw.trim()}" and "${r.fields[at[col]!].trim()}"`);
    at[col] = i;
    if (currency !== undefined) currencies[col] = currency;
    if (col === "pnl") layout = name.startsWith("profit") ? "old" : "new";
  });
  const missing = (["tradeNo", "type", "time", "price", "qty", "pnl"] as const).filter((c) => at[c] === undefined);
  if (missing.length > 0 || layout === null) {
    // The two ways a spreadsheet breaks an export, named so the user knows what to change.
    if (r.fields.some((f) => f.includes("\u0000"))) throw new CsvProblem(r.line, "the file is UTF-16 text; save it as CSV UTF-8 (or upload TradingView's export unchanged)");
    if (r.fields.length === 1 && r.fields[0].includes(";")) throw new CsvProblem(r.line, "the fields are separated by semicolons; save it as comma-separated CSV (or upload TradingView's export unchanged)");
    const names: Record<string, string> = { tradeNo: "Trade #", type: "Type", time: "Date/Time", price: "Price", qty: "Position size (qty) or Contracts", pnl: "Net P&L or Profit" };
    throw new CsvProblem(r.line, `not a TradingView List of trades header: missing ${missing.map((c) => names[c]).join(", ")}`);
  }
  const currency = currencies.pnl ?? currencies.price ?? "USD";
  return { at, currency, layout };
}

