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
  it("keeps a user's exchange prefix", () => {
    expect(r("CME:NQ1!")?.feedSymbol).toBe("CME:NQ1!");
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
  it("table", () => {
    expect(INSTRUMENTS).toHaveLength(16);
    expect(findInstrument("mes")).toMatchObject({ tickValue: 1.25, exchange: "CME_MINI" });
    expect(findInstrument("XX")).toBeUndefined();
  });
});
