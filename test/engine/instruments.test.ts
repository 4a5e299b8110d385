import { describe, expect, it } from "vitest";
import { expandYear, findInstrument, INSTRUMENTS, resolveTicker } from "../../src/engine/instruments";

const now = new Date("2025-06-15T00:00:00Z");
const r = (ticker: string, override?: { tickSize?: number | null; tickValue?: number | null }) =>
  resolveTicker(ticker, { now, override });

describe("resolveTicker", () => {
  it("continuous forms", () => {
    const mnq = { root: "MNQ", feedSymbol: "CME_MINI:MNQ1!", tickSize: 0.25, tickValue: 0.5 };
    expect(r("MNQ1!")).toEqual(mnq);
    expect(r("CME_MINI:MNQ1!")).toEqual(mnq);
    expect(r("cme_mini:mnq1!")).toEqual(mnq);
    expect(r("MNQ")).toEqual(mnq);
    expect(r("MNQ2!")?.feedSymbol).toBe("CME_MINI:MNQ2!");
  });
  it("explicit month with 4-, 2- and 1-digit years", () => {
    for (const ticker of ["MNQZ2025", "MNQZ25", "MNQZ5", "CME_MINI:MNQZ5"]) {
      expect(r(ticker)).toEqual({ root: "MNQ", feedSymbol: "CME_MINI:MNQZ2025", tickSize: 0.25, tickValue: 0.5 });
    }
    expect(r("ESH6")?.feedSymbol).toBe("CME_MINI:ESH2026");
    expect(r("ESH4")?.feedSymbol).toBe("CME_MINI:ESH2024"); // last year still counts
    expect(r("ESH3")?.feedSymbol).toBe("CME_MINI:ESH2033"); // beyond: the next decade
    expect(r("MNQZ202")).toBeNull();
    expect(r("MNQA5")).toBeNull();
  });
  it("1-digit year window is [now-1, now+8]", () => {
    expect(expandYear("4", 2025)).toBe(2024);
    expect(expandYear("3", 2025)).toBe(2033);
    expect(expandYear("0", 2029)).toBe(2030);
    expect(expandYear("8", 2029)).toBe(2028);
  });
  it("longest root wins", () => {
    expect(r("MNQ1!")?.root).toBe("MNQ");
    expect(r("NQ1!")?.root).toBe("NQ");
    expect(r("MES1!")?.root).toBe("MES");
    expect(r("ES1!")?.root).toBe("ES");
    expect(r("M2KU5")).toMatchObject({ root: "M2K", feedSymbol: "CME_MINI:M2KU2025" });
    expect(r("6EM5")).toMatchObject({ root: "6E", feedSymbol: "CME:6EM2025", tickSize: 0.00005 });
    expect(r("ZN1!")).toMatchObject({ root: "ZN", feedSymbol: "CBOT:ZN1!", tickSize: 0.015625, tickValue: 15.625 });
  });
  it("an exchange alias is accepted, but the feed symbol comes from the table", () => {
    expect(r("CME:NQ1!")?.feedSymbol).toBe("CME_MINI:NQ1!");
  });
  it("extended-session JSON form", () => {
    expect(r('={"symbol":"CME_MINI:NQ1!","session":"extended"}')).toEqual({
      root: "NQ",
      feedSymbol: "CME_MINI:NQ1!",
      tickSize: 0.25,
      tickValue: 5,
    });
    expect(r("={not json")).toBeNull();
  });
  it("unknown roots need a full override", () => {
    expect(r("BTCUSD")).toBeNull();
    expect(r("BINANCE:BTCUSDT", { tickSize: 0.01 })).toBeNull();
    expect(r("BINANCE:btcusdt", { tickSize: 0.01, tickValue: 0.01 })).toEqual({
      root: "BTCUSDT",
      feedSymbol: "BINANCE:BTCUSDT",
      tickSize: 0.01,
      tickValue: 0.01,
    });
    expect(r("BTCUSD", { tickSize: 0, tickValue: 1 })).toBeNull();
    expect(r("", { tickSize: 1, tickValue: 1 })).toBeNull();
  });
  it("overrides replace known values one by one", () => {
    expect(r("MNQ1!", { tickSize: 0.5, tickValue: null })).toMatchObject({ tickSize: 0.5, tickValue: 0.5 });
    expect(r("MNQ1!", { tickSize: 1, tickValue: 2 })).toMatchObject({ root: "MNQ", tickSize: 1, tickValue: 2 });
  });
  it("each exchange alias is accepted; the feed symbol is always the table's", () => {
    const cases: [string, string][] = [
      ["CME:MNQ1!", "CME_MINI:MNQ1!"],
      ["CME_MINI:MNQ1!", "CME_MINI:MNQ1!"],
      ["cme:es2!", "CME_MINI:ES2!"],
      ["CBOT:YM1!", "CBOT_MINI:YM1!"],
      ["CBOT_MINI:MYM1!", "CBOT_MINI:MYM1!"],
      ["CBOT:ZB1!", "CBOT:ZB1!"],
      ["CBOT_MINI:ZN1!", "CBOT:ZN1!"],
      ["NYMEX:CL1!", "NYMEX:CL1!"],
      ["NYMEX_MINI:MCL1!", "NYMEX:MCL1!"],
      ["COMEX:GC1!", "COMEX:GC1!"],
      ["COMEX_MINI:MGC1!", "COMEX:MGC1!"],
      ["CME:6E1!", "CME:6E1!"],
      ["CME_MINI:6EM5", "CME:6EM2025"],
      ["CME:MNQZ5", "CME_MINI:MNQZ2025"],
      ["CBOT:YMH26", "CBOT_MINI:YMH2026"],
    ];
    for (const [ticker, feedSymbol] of cases) expect(r(ticker)?.feedSymbol, ticker).toBe(feedSymbol);
  });
  it("a foreign exchange prefix is unknown_instrument, even with an override", () => {
    for (const ticker of ["FOO:MNQ1!", "X1:ZB1!", "BINANCE:ES1!", "CBOT:MNQ1!", "CME:YM1!", "NYMEX:GC1!", "COMEX:CL1!", "CME:ZB1!", ":MNQ1!", "CME:CME_MINI:MNQ1!", "FOO:MNQZ5"]) {
      expect(r(ticker), ticker).toBeNull();
      expect(r(ticker, { tickSize: 0.25, tickValue: 0.5 }), ticker).toBeNull();
    }
  });
  it("continuous contracts are 1! and 2! only", () => {
    expect(r("MNQ2!")).toEqual({ root: "MNQ", feedSymbol: "CME_MINI:MNQ2!", tickSize: 0.25, tickValue: 0.5 });
    expect(r("MGC1!")?.feedSymbol).toBe("COMEX:MGC1!");
    for (const ticker of ["MGC0!", "MNQ3!", "MNQ10!", "MNQ01!", "NQ9!", "CME_MINI:MNQ3!", "MNQ!", "MNQ1!!"]) {
      expect(r(ticker), ticker).toBeNull();
      expect(r(ticker, { tickSize: 1, tickValue: 1 }), ticker).toBeNull();
    }
  });
  it("the extended-session form follows the same rules", () => {
    expect(r('={"symbol":"CME:NQ2!","session":"extended"}')?.feedSymbol).toBe("CME_MINI:NQ2!");
    expect(r('={"symbol":"FOO:NQ1!","session":"extended"}')).toBeNull();
    expect(r('={"symbol":"NQ3!","session":"extended"}')).toBeNull();
    expect(r('={"symbol":5}')).toBeNull();
  });
  it("an override builds a feed symbol only from a strictly shaped ticker", () => {
    const o = { tickSize: 0.01, tickValue: 0.01 };
    expect(r("BTCUSDT", o)).toMatchObject({ root: "BTCUSDT", feedSymbol: "BTCUSDT" });
    expect(r("binance:btcusdt.p", o)).toMatchObject({ root: "BTCUSDT.P", feedSymbol: "BINANCE:BTCUSDT.P" });
    expect(r("CME_MINI:BTC1!", o)).toMatchObject({ root: "BTC1!", feedSymbol: "CME_MINI:BTC1!" });
    expect(r("NASDAQ:NIFTY50", o)).toMatchObject({ root: "NIFTY50" });
    expect(r("E".repeat(20) + ":" + "S".repeat(30), o)?.root).toBe("S".repeat(30));
    for (const ticker of [
      "E".repeat(21) + ":BTC",
      "BINANCE:" + "S".repeat(31),
      "BTC USD",
      "BTC-USD",
      "A:B:C",
      "BTC:",
      ":BTC",
      'X"Y',
      "BTC\u0000",
      "BT\nC",
      "BTC3!",
      "BTC12!",
      "BTC!",
      "BTC1!X",
      "ES1!-NQ1!",
      "BTCÉ",
      "={not json",
    ]) {
      expect(r(ticker, o), JSON.stringify(ticker)).toBeNull();
    }
  });
  it("table", () => {
    expect(INSTRUMENTS).toHaveLength(16);
    expect(findInstrument("mes")).toMatchObject({ tickValue: 1.25, exchange: "CME_MINI" });
    expect(findInstrument("XX")).toBeUndefined();
  });
});
