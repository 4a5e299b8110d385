import { describe, expect, it } from "vitest";
import type { Trade } from "../../src/engine/types";
import { csvField, TRADES_CSV_HEADER, tradesCsv } from "../../src/stats/trades-csv";
import { trade } from "./helpers";

const HEADER =
  "Trade #,Type,Date/Time,Signal,Price USD,Position size (qty),Position size (value),Net P&L USD,Net P&L %,Run-up USD,Run-up %,Drawdown USD,Drawdown %,Cumulative P&L USD,Cumulative P&L %";

// MNQ long: 2 contracts, 25600.25 → 25610.75 = 42 ticks × $0.50 × 2 = $42.00 gross, $2.48 commission.
const longMnq: Trade = trade({
  id: "t-a",
  symbol: "MNQ",
  side: "long",
  quantity: 2,
  entryPrice: 25600.25,
  exitPrice: 25610.75,
  grossPnl: 42,
  commission: 2.48,
  pnl: 39.52,
  maxFavorable: 55,
  maxAdverse: -12.5,
  openedAt: "2026-11-26T14:30:05.123Z",
  closedAt: "2026-11-26T15:02:59Z",
  exitReason: "take_profit",
});

// Short on a symbol without a known point value: value = qty × price.
const shortXyz: Trade = trade({
  id: "t-b",
  symbol: "XYZ",
  side: "short",
  quantity: 1,
  entryPrice: 100.5,
  exitPrice: 101.25,
  grossPnl: -75,
  commission: 1,
  pnl: -76,
  maxFavorable: 20,
  maxAdverse: -90,
  openedAt: "2026-11-27T09:05:00Z",
  closedAt: "2026-11-27T10:00:00.000Z",
  exitReason: "stop_loss",
});

const pointValue = (symbol: string) => (symbol === "MNQ" ? 2 : undefined); // $0.50 / 0.25

/** Minimal RFC 4180 parser for the checks below (CRLF records, quoted fields). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (field += c), i++;
    } else if (c === '"') (quoted = true), i++;
    else if (c === ",") row.push(field), (field = ""), i++;
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), (i += 2);
    else (field += c), i++;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe("tradesCsv", () => {
  it("header is exactly the newer Strategy Tester layout", () => {
    expect(TRADES_CSV_HEADER).toBe(HEADER);
    expect(tradesCsv([])).toBe(HEADER + "\r\n");
  });

  it("two trades (long and short): exact text, newest first, exit row first, CRLF", () => {
    // Long:  value 2 × 25600.25 × 2 = 102401.00; 39.52 / 102401 = 0.0386 % → 0.04; 55 → 0.0537 % → 0.05;
    //        -12.5 → -0.0122 % → -0.01; cumulative 39.52
    // Short: value 1 × 100.50 = 100.50; -76 / 100.5 = -75.6219 % → -75.62; 20 → 19.9005 % → 19.90;
    //        -90 → -89.5522 % → -89.55; cumulative 39.52 - 76 = -36.48
    const expected =
      HEADER +
      "\r\n" +
      "2,Exit short,2026-11-27 10:00,stop_loss,101.25,1,100.50,-76.00,-75.62,20.00,19.90,-90.00,-89.55,-36.48,\r\n" +
      "2,Entry short,2026-11-27 09:05,short,100.50,1,100.50,-76.00,-75.62,20.00,19.90,-90.00,-89.55,-36.48,\r\n" +
      "1,Exit long,2026-11-26 15:02,take_profit,25610.75,2,102401.00,39.52,0.04,55.00,0.05,-12.50,-0.01,39.52,\r\n" +
      "1,Entry long,2026-11-26 14:30,long,25600.25,2,102401.00,39.52,0.04,55.00,0.05,-12.50,-0.01,39.52,\r\n";
    expect(tradesCsv([longMnq, shortXyz], { pointValue })).toBe(expected);
    // Input order does not matter.
    expect(tradesCsv([shortXyz, longMnq], { pointValue })).toBe(expected);
  });

  it("cumulative P&L % relative to initialCapital when given", () => {
    // 39.52 / 10000 = 0.3952 % → 0.40; -36.48 / 10000 = -0.3648 % → -0.36
    const lines = tradesCsv([longMnq, shortXyz], { pointValue, initialCapital: 10_000 }).split("\r\n");
    expect(lines[1]).toBe(
      "2,Exit short,2026-11-27 10:00,stop_loss,101.25,1,100.50,-76.00,-75.62,20.00,19.90,-90.00,-89.55,-36.48,-0.36",
    );
    expect(lines[4]).toBe(
      "1,Entry long,2026-11-26 14:30,long,25600.25,2,102401.00,39.52,0.04,55.00,0.05,-12.50,-0.01,39.52,0.40",
    );
    expect(lines[5]).toBe("");
    expect(lines).toHaveLength(6);
  });

  it("with initialCapital only Cumulative P&L % changes: Net P&L % stays relative to the entry's position value", () => {
    // Net P&L % is profit / (qty × entry price × point value), e.g. 39.52 / 102401 = 0.04 %, with or without capital.
    // Cumulative P&L % = cumulative P&L / capital: 39.52 / 3000 = 1.3173 % → 1.32; -36.48 / 3000 = -1.216 % → -1.22
    const without = tradesCsv([longMnq, shortXyz], { pointValue }).split("\r\n");
    const withCap = tradesCsv([longMnq, shortXyz], { pointValue, initialCapital: 3000 }).split("\r\n");
    expect(withCap).toHaveLength(without.length);
    const lastCol = (l: string) => l.split(",").at(-1);
    expect(withCap.slice(1, 5).map(lastCol)).toEqual(["-1.22", "-1.22", "1.32", "1.32"]);
    withCap.slice(1, 5).forEach((line, i) => {
      const a = line.split(",");
      const b = without[i + 1].split(",");
      expect(a.slice(0, 14)).toEqual(b.slice(0, 14)); // every other column identical
      expect(b[14]).toBe("");
    });
    expect(withCap[3].split(",")[8]).toBe("0.04"); // long: 39.52 / 102401.00
    expect(withCap[1].split(",")[8]).toBe("-75.62"); // short: -76 / 100.50
  });

  it("no usable initialCapital (null, 0, negative, NaN, under a cent): Cumulative P&L % empty", () => {
    const plain = tradesCsv([longMnq, shortXyz], { pointValue });
    for (const initialCapital of [undefined, null, 0, -100, Number.NaN, 0.004]) {
      expect(tradesCsv([longMnq, shortXyz], { pointValue, initialCapital })).toBe(plain);
    }
  });

  it("Cumulative P&L % is computed from cent-exact sums, rounded once", () => {
    // capital 8: 0.10 / 8 = 1.25 %; 0.1 + 0.2 = 0.30 exactly (not 0.30000000000000004) → 0.30 / 8 = 3.75 %;
    // 0.30 - 0.31 = -0.01 → -0.01 / 8 = -0.125 % → -0.13 (half away from zero)
    const a = trade({ id: "a", pnl: 0.1, closedAt: "2026-03-02T10:00:00Z" });
    const b = trade({ id: "b", pnl: 0.2, closedAt: "2026-03-02T11:00:00Z" });
    const c = trade({ id: "c", pnl: -0.31, closedAt: "2026-03-02T12:00:00Z" });
    const lines = tradesCsv([a, b, c], { initialCapital: 8 }).split("\r\n");
    const cum = (l: string) => l.split(",").slice(13);
    expect(cum(lines[1])).toEqual(["-0.01", "-0.13"]); // trade 3 (newest first)
    expect(cum(lines[3])).toEqual(["0.30", "3.75"]); // trade 2
    expect(cum(lines[5])).toEqual(["0.10", "1.25"]); // trade 1
  });

  it("without a point value, position value = qty × price", () => {
    // 2 × 25600.25 = 51200.50; 39.52 / 51200.5 = 0.0772 % → 0.08; 55 → 0.1074 % → 0.11; -12.5 → -0.0244 % → -0.02
    const lines = tradesCsv([longMnq]).split("\r\n");
    expect(lines[1]).toBe(
      "1,Exit long,2026-11-26 15:02,take_profit,25610.75,2,51200.50,39.52,0.08,55.00,0.11,-12.50,-0.02,39.52,",
    );
  });

  it("percent columns empty when the position value is 0; whole prices get 2 decimals", () => {
    const t = trade({ id: "z", entryPrice: 0, exitPrice: 4000, pnl: 5, quantity: 3, exitReason: "manual" });
    const lines = tradesCsv([t]).split("\r\n");
    expect(lines[1]).toBe("1,Exit long,2026-03-02 10:00,manual,4000.00,3,0.00,5.00,,0.00,,0.00,,5.00,");
    expect(lines[2]).toBe("1,Entry long,2026-03-02 09:00,long,0.00,3,0.00,5.00,,0.00,,0.00,,5.00,");
  });

  it("RFC 4180 quoting of odd text", () => {
    expect(csvField("CME_MINI:MNQ1!")).toBe("CME_MINI:MNQ1!");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('ES "Z5"')).toBe('"ES ""Z5"""');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("cr\rx")).toBe('"cr\rx"');
    expect(csvField("")).toBe("");
    expect(csvField(-1.5)).toBe("-1.5");
  });

  it("odd symbols and signal text never break the row structure", () => {
    const seen: string[] = [];
    const odd = trade({
      id: "odd",
      symbol: 'ES "Z5",\r\nx',
      // Not a valid ExitReason, but whatever the database hands back must stay one field.
      exitReason: 'manual, "forced"\n' as Trade["exitReason"],
      pnl: 1,
    });
    const csv = tradesCsv([odd, longMnq], {
      pointValue: (s) => {
        seen.push(s);
        return undefined;
      },
    });
    expect(seen.sort()).toEqual(['ES "Z5",\r\nx', "MNQ"]);
    expect(csv).toContain('"manual, ""forced""\n"');
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(r).toHaveLength(15);
    const oddExit = rows.find((r) => r[1] === "Exit long" && r[3].startsWith("manual"));
    expect(oddExit?.[3]).toBe('manual, "forced"\n');
  });
});

describe("Date/Time in the recorder's time zone", () => {
  it("writes local wall-clock minutes, as TradingView writes the chart's zone", async () => {
    const { fmtDateTime } = await import("../../src/stats/trades-csv");
    expect(fmtDateTime("2026-03-02T15:04:30.000Z")).toBe("2026-03-02 15:04");
    expect(fmtDateTime("2026-03-02T15:04:30.000Z", "America/New_York")).toBe("2026-03-02 10:04"); // EST, UTC−5
    expect(fmtDateTime("2026-07-02T15:04:30.000Z", "America/New_York")).toBe("2026-07-02 11:04"); // EDT, UTC−4
    expect(fmtDateTime("2026-07-02T23:30:00.000Z", "Asia/Kolkata")).toBe("2026-07-03 05:00"); // UTC+5:30, next day
    expect(fmtDateTime("2026-07-02T04:00:00.000Z", "America/New_York")).toBe("2026-07-02 00:00"); // never "24:00"
  });
});
