// The "List of trades" parser, directly (pure): both layouts, what exports and spreadsheets do to them, and every
// refusal naming its line (the header is line 1).
import { describe, expect, it } from "vitest";
import { MAX_TRADES, parseListOfTrades, type ParseResult } from "../../src/backtest/csv";
import { NEW_HEADER, NEW_LAYOUT, NEW_LAYOUT_TRADES, OLD_LAYOUT } from "./fixtures";

function ok(r: ParseResult) {
  if (!r.ok) throw new Error(`expected a parse, got line ${r.line}: ${r.message}`);
  return r;
}

function bad(text: string, line: number, mentions: RegExp) {
  const r = parseListOfTrades(text, "UTC");
  if (r.ok) throw new Error(`expected a refusal on line ${line}, got ${r.trades.length} trades`);
  expect({ line: r.line, message: r.message }).toEqual({ line, message: expect.stringMatching(mentions) });
}

const csv = (...lines: string[]) => lines.join("\n");

describe("both layouts", () => {
  it("newer layout: pyramiding, partial exit, reversal and an open trade, one trade per Trade #", () => {
    const r = ok(parseListOfTrades(NEW_LAYOUT, "UTC"));
    expect(r).toEqual({ ok: true, trades: NEW_LAYOUT_TRADES, currency: "USD", layout: "new" });
  });

  it("older layout: Signal before Date/Time, Contracts, Profit, positive drawdowns, 'Mar 05, 2024, 04:30' in New York", () => {
    const r = ok(parseListOfTrades(OLD_LAYOUT, "America/New_York"));
    expect(r.layout).toBe("old");
    expect(r.currency).toBe("USD");
    // The same trades as the newer file's #1–#4 and #9: local 04:30 EST is 09:30 UTC; drawdowns stored ≤ 0.
    expect(r.trades).toEqual(NEW_LAYOUT_TRADES.filter((t) => [1, 2, 3, 4, 9].includes(t.tradeNo)));
  });

  it("any column order, other currencies, unknown columns ignored", () => {
    const text = csv(
      "Date/Time,Net P&L USDT,Type,Price EUR,Trade #,Contracts,Some new column,Signal",
      "2024-03-05 10:00,-12.5,Exit short,101.5,1,0.5,x,Stop",
      "2024-03-05 09:00,-12.5,Entry short,100,1,0.5,y,Sell",
    );
    const r = ok(parseListOfTrades(text, "UTC"));
    expect(r.currency).toBe("USDT"); // the money columns' currency, not the price's
    expect(r.trades).toEqual([
      { tradeNo: 1, side: "short", entryAt: "2024-03-05T09:00:00.000Z", entryPrice: 100, entrySignal: "Sell", exitAt: "2024-03-05T10:00:00.000Z", exitPrice: 101.5, exitSignal: "Stop", quantity: 0.5, pnl: -12.5, runup: null, drawdown: null },
    ]);
  });

  it("later TradingView names: 'Date and time', 'Favorable excursion', 'Adverse excursion'", () => {
    const text = csv(
      "Trade #,Type,Date and time,Signal,Price USD,Position size (qty),Net P&L USD,Favorable excursion USD,Adverse excursion USD",
      "1,Exit long,2024-03-05 10:00,Close,101,2,2,3,-1",
      "1,Entry long,2024-03-05 09:00,Long,100,2,2,3,-1",
    );
    expect(ok(parseListOfTrades(text, "UTC")).trades[0]).toMatchObject({ pnl: 2, runup: 3, drawdown: -1 });
  });
});

describe("what exports and spreadsheets do to a file", () => {
  it("BOM, CRLF, quoted fields with thousands separators and commas, unicode minus, currency after the number", () => {
    const text =
      "\ufeff" +
      [
        NEW_HEADER,
        `1,Exit long,"Mar 5, 2024, 2:30 PM","Exit, ""all""","25,610.50",1,"51,221.00",−1 234.56 USD,-0.01,"1,000.00",0.01,"−2,000.10",-0.01,"−1,234.56",`,
        `1,Entry long,"March 5 2024 14:00",Long,"25,600.25",1,"51,200.50",−1 234.56 USD,-0.01,"1,000.00",0.01,"−2,000.10",-0.01,"−1,234.56",`,
      ].join("\r\n");
    expect(ok(parseListOfTrades(text, "UTC")).trades).toEqual([
      { tradeNo: 1, side: "long", entryAt: "2024-03-05T14:00:00.000Z", entryPrice: 25600.25, entrySignal: "Long", exitAt: "2024-03-05T14:30:00.000Z", exitPrice: 25610.5, exitSignal: 'Exit, "all"', quantity: 1, pnl: -1234.56, runup: 1000, drawdown: -2000.1 },
    ]);
  });

  it("a quoted field spanning lines counts its lines (the error after it names the right line)", () => {
    const text = csv(
      NEW_HEADER,
      `1,Exit long,2024-03-05 10:00,"two`,
      `lines",101,1,100,2,0,0,0,0,0,2,0`,
      "1,Entry long,2024-03-05 09:00,Long,abc,1,100,2,0,0,0,0,0,2,0",
    );
    bad(text, 4, /Price "abc" is not a number/);
  });

  it("blank lines before the header: lines are still counted as an editor shows them", () => {
    bad(csv("", "", NEW_HEADER, "1,Exit long,2024-03-05 10:00,Close,x,1,100,2,0,,,,,2,0", "1,Entry long,2024-03-05 09:00,Long,100,1,100,2,0,,,,,2,0"), 4, /Price "x"/);
  });

  it("blank lines and a missing final line end are fine; rows may come oldest first, entry first", () => {
    const text = csv(NEW_HEADER, "", "1,Entry long,2024-03-05 09:00,Long,100,1,100,2,0,,,,,2,0", "", "1,Exit long,2024-03-05 10:00,Close,101,1,100,2,0,,,,,2,0", "");
    expect(ok(parseListOfTrades(text, "UTC")).trades).toMatchObject([{ tradeNo: 1, pnl: 2, runup: null, drawdown: null }]);
  });

  it("P&L, run-up and drawdown come from the exit row, else from the entry row", () => {
    const text = csv(NEW_HEADER, "1,Exit long,2024-03-05 10:00,Close,101,1,100,,,,,,,,", "1,Entry long,2024-03-05 09:00,Long,100,1,100,2,0,3,0,-1,0,2,0");
    expect(ok(parseListOfTrades(text, "UTC")).trades[0]).toMatchObject({ pnl: 2, runup: 3, drawdown: -1 });
  });

  it("money is rounded to the cent", () => {
    const text = csv(NEW_HEADER, "1,Exit long,2024-03-05 10:00,Close,101,1,100,2.005,0,1.234,0,-0.555,0,2,0", "1,Entry long,2024-03-05 09:00,Long,100,1,100,2,0,3,0,-1,0,2,0");
    expect(ok(parseListOfTrades(text, "UTC")).trades[0]).toMatchObject({ pnl: 2.01, runup: 1.23, drawdown: -0.56 });
  });
});

describe("times without a zone are the recorder's timezone", () => {
  const one = (entry: string, exit: string, zone: string) =>
    ok(parseListOfTrades(csv(NEW_HEADER, `1,Exit long,"${exit}",Close,101,1,100,2,0,,,,,2,0`, `1,Entry long,"${entry}",Long,100,1,100,2,0,,,,,2,0`), zone)).trades[0];

  it("New York winter (UTC−5) and summer (UTC−4); an explicit zone is kept", () => {
    expect(one("2024-01-15 09:30", "2024-07-15 09:30", "America/New_York")).toMatchObject({ entryAt: "2024-01-15T14:30:00.000Z", exitAt: "2024-07-15T13:30:00.000Z" });
    expect(one("2024-01-15T09:30:00Z", "2024-01-15T11:30:15+01:00", "America/New_York")).toMatchObject({ entryAt: "2024-01-15T09:30:00.000Z", exitAt: "2024-01-15T10:30:15.000Z" });
  });

  it("the spring-forward gap moves forward, the fall-back hour is the first one", () => {
    // 2024-03-10 02:30 does not exist in New York: 03:30 EDT = 07:30Z. 2024-11-03 01:30 happens twice: EDT first = 05:30Z.
    expect(one("2024-03-10 02:30", "2024-11-03 01:30", "America/New_York")).toMatchObject({ entryAt: "2024-03-10T07:30:00.000Z", exitAt: "2024-11-03T05:30:00.000Z" });
  });

  it("a date alone (a daily chart) is local midnight; 05 Mar 2024 and 2024/03/05 too", () => {
    expect(one("2024-03-05", "06 Mar 2024 16:00", "Europe/Berlin")).toMatchObject({ entryAt: "2024-03-04T23:00:00.000Z", exitAt: "2024-03-06T15:00:00.000Z" });
    expect(one("Mar 05, 2024, 12:00 am", "2024/03/05 10:00:30", "UTC")).toMatchObject({ entryAt: "2024-03-05T00:00:00.000Z", exitAt: "2024-03-05T10:00:30.000Z" });
    expect(one("Mar 05, 2024, 12:00 PM", "Mar 05, 2024, 1:05 p.m.", "UTC")).toMatchObject({ entryAt: "2024-03-05T12:00:00.000Z", exitAt: "2024-03-05T13:05:00.000Z" });
  });
});

describe("refusals name the first bad line (header = line 1)", () => {
  const exit = "1,Exit long,2024-03-05 10:00,Close,101,1,100,2,0,,,,,2,0";
  const entry = "1,Entry long,2024-03-05 09:00,Long,100,1,100,2,0,,,,,2,0";

  it("an empty file, or a header that is not a List of trades", () => {
    bad("", 1, /empty/);
    bad("\ufeff\r\n", 1, /empty/);
    bad(csv("Trade #,Type,Date/Time,Signal", exit), 1, /missing Price, Position size \(qty\) or Contracts, Net P&L or Profit/);
    bad(csv("time,open,high,low,close", "1,2,3,4,5"), 1, /not a TradingView List of trades header/);
    bad(csv(NEW_HEADER + ",Profit USD", exit, entry), 1, /two columns mean the same thing/);
    // What a spreadsheet may do to the file: semicolons (European locales), UTF-16 read as UTF-8.
    bad(csv(NEW_HEADER.replaceAll(",", ";"), exit.replaceAll(",", ";")), 1, /separated by semicolons/);
    const utf16 = new TextDecoder().decode(new Uint8Array([0xff, 0xfe, ...[...NEW_HEADER].flatMap((ch) => [ch.charCodeAt(0), 0])]));
    bad(utf16, 1, /UTF-16/);
  });

  it("bad values, each on its own line", () => {
    bad(csv(NEW_HEADER, exit, entry.replace("Entry long", "Buy")), 3, /Type must be Entry long/);
    bad(csv(NEW_HEADER, exit.replace("1,Exit", "x,Exit"), entry), 2, /Trade # must be a whole number/);
    bad(csv(NEW_HEADER, exit.replace(",101,1,", ",101,x,"), entry), 2, /quantity "x" is not a number/);
    bad(csv(NEW_HEADER, exit.replace("1,Exit", "0,Exit"), entry), 2, /Trade #/);
    bad(csv(NEW_HEADER, exit.replace("1,Exit", "1.5,Exit"), entry), 2, /Trade #/);
    bad(csv(NEW_HEADER, exit, entry.replace("2024-03-05 09:00", "05/03/2024 09:00")), 3, /Date\/Time "05\/03\/2024 09:00" is not a date/);
    bad(csv(NEW_HEADER, exit, entry.replace("2024-03-05 09:00", "2024-02-30 09:00")), 3, /Date\/Time/);
    bad(csv(NEW_HEADER, exit, entry.replace("2024-03-05 09:00", "2024-03-05 24:00")), 3, /Date\/Time/);
    bad(csv(NEW_HEADER, exit, entry.replace("2024-03-05 09:00", "Open")), 3, /entry row's Date\/Time cannot be "Open"/);
    bad(csv(NEW_HEADER, exit, entry.replace(",100,1,", ",0,1,")), 3, /Price 0 is out of range/);
    bad(csv(NEW_HEADER, exit, entry.replace(",100,1,", ",1e9,1,")), 3, /Price 1e9 is out of range/);
    bad(csv(NEW_HEADER, exit.replace(",101,", ",1e400,"), entry), 2, /Price "1e400" is not a number/);
    bad(csv(NEW_HEADER, exit.replace(",101,", ",NaN,"), entry), 2, /Price "NaN" is not a number/);
    bad(csv(NEW_HEADER, exit.replace(",101,", ",Infinity,"), entry), 2, /Price "Infinity" is not a number/);
    bad(csv(NEW_HEADER, exit.replace(",101,", ',"1,23",'), entry), 2, /Price "1,23" is not a number/); // a decimal comma
    bad(csv(NEW_HEADER, exit, entry.replace(",100,1,", ",100,-1,")), 3, /quantity -1 is out of range/);
    bad(csv(NEW_HEADER, exit, entry.replace(",100,1,", ",100,2e9,")), 3, /quantity 2e9 is out of range/);
    bad(csv(NEW_HEADER, exit.replace(",2,0,", ",1e9,0,"), entry), 2, /Net P&L 1e9 is out of range/);
    bad(csv(NEW_HEADER, exit.replace(",2,0,", ",,0,"), entry.replace(",2,0,", ",,0,")), 2, /Net P&L is empty/);
    bad(csv(NEW_HEADER, exit.replace("Close", "x".repeat(201)), entry), 2, /Signal is longer than 200/);
    bad(csv(NEW_HEADER, exit.replace("Close", '"a\u0007b"'), entry), 2, /control characters/);
    bad(csv(NEW_HEADER, "1,Exit long,2024-03-05 10:00", entry), 2, /the row has 3 fields/);
  });

  it("rows that do not pair up", () => {
    bad(csv(NEW_HEADER, exit), 2, /trade #1 has an exit row but no entry row/);
    bad(csv(NEW_HEADER, entry), 2, /trade #1 has an entry row but no exit row/);
    bad(csv(NEW_HEADER, exit, entry, exit), 4, /trade #1 has a second exit row \(the first is on line 2\)/);
    bad(csv(NEW_HEADER, exit, entry.replace("Entry long", "Entry short")), 3, /trade #1 is long on line 2 but short here/);
    bad(csv(NEW_HEADER, exit.replace("10:00", "08:59"), entry), 2, /exits \(2024-03-05T08:59:00.000Z\) before it enters/);
  });

  it("CSV syntax", () => {
    bad(csv(NEW_HEADER, exit, '1,Entry long,"2024-03-05 09:00,Long,100,1,100,2,0,,,,,2,0'), 3, /never closed/);
    bad(csv(NEW_HEADER, exit, '1,Entry long,"2024-03-05 09:00"x,Long,100,1,100,2,0,,,,,2,0'), 3, /text after a closing quote/);
    bad(csv(NEW_HEADER, exit, '1,Entry long,2024-03-05 09:00,Lo"ng,100,1,100,2,0,,,,,2,0'), 3, /double quote inside an unquoted field/);
  });

  it("the first bad line wins, whichever check finds it", () => {
    // Line 2 pairs with nothing (found last, after all rows are read); line 5 has a bad price (found per trade).
    const text = csv(NEW_HEADER, exit.replace("1,", "7,"), "2,Exit long,2024-03-05 10:00,Close,101,1,100,2,0,,,,,2,0", "2,Entry long,2024-03-05 09:00,Long,100,1,100,2,0,,,,,2,0", exit.replace(",101,", ",-3,"), entry);
    bad(text, 2, /trade #7 has an exit row but no entry row/);
    // The exit row (line 2) and the entry row (line 3) of one trade are both bad: line 2 is named.
    bad(csv(NEW_HEADER, exit.replace(",101,", ",zz,"), entry.replace(",100,", ",yy,")), 2, /Price "zz"/);
    bad(csv(NEW_HEADER, entry.replace(",100,", ",yy,"), exit.replace(",101,", ",zz,")), 2, /Price "yy"/);
  });
});

describe("size", () => {
  it(`at most ${MAX_TRADES} trades: one more is refused on the line of its first row`, () => {
    const lines = ["Trade #,Type,Date/Time,Price,Contracts,Profit"];
    for (let n = 1; n <= MAX_TRADES + 1; n++) lines.push(`${n},Exit long,2024-03-05,2,1,1`, `${n},Entry long,2024-03-05,1,1,1`);
    bad(lines.join("\n"), 2 + 2 * MAX_TRADES, new RegExp(`more than ${MAX_TRADES} trades`));
    expect(ok(parseListOfTrades(lines.slice(0, -2).join("\n"), "UTC")).trades).toHaveLength(MAX_TRADES);
  });

  it("a 10 000-trade file parses (about 1.6 MB)", () => {
    const lines = [NEW_HEADER];
    for (let n = 10_000; n >= 1; n--) {
      const day = new Date(Date.UTC(2020, 0, 1) + n * 3_600_000).toISOString().slice(0, 16).replace("T", " ");
      lines.push(`${n},Exit long,${day},Close,18001.25,1,36000.00,2.50,0.01,3.00,0.01,-1.00,0.00,${n * 2.5},0.00`);
      lines.push(`${n},Entry long,${day},Long,18000.00,1,36000.00,2.50,0.01,3.00,0.01,-1.00,0.00,${n * 2.5},0.00`);
    }
    const r = ok(parseListOfTrades(lines.join("\r\n"), "America/New_York"));
    expect(r.trades).toHaveLength(10_000);
    expect(r.trades[9_999]).toMatchObject({ tradeNo: 10_000, pnl: 2.5, exitPrice: 18001.25 });
  });
});
