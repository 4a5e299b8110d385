// Times and numbers of a List of trades, directly (pure).
import { describe, expect, it } from "vitest";
import { parseTradeTime } from "../../src/backtest/dates";
import { parseNumber } from "../../src/backtest/numbers";

/** The wall clock of `iso` in `zone` as "YYYY-MM-DD HH:MM", by Intl (independent of the parser's memo). */
function wallClock(iso: string, zone: string): string {
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  const p = Object.fromEntries(f.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

describe("parseTradeTime", () => {
  it("every 37 minutes of 2024, in zones with DST, half-hour DST and odd offsets: back to the same wall clock", () => {
    for (const zone of ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns", "UTC"]) {
      let gaps = 0;
      for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2025, 0, 1); ms += 37 * 60_000) {
        const local = new Date(ms).toISOString().slice(0, 16).replace("T", " ");
        const iso = parseTradeTime(local, zone);
        expect(iso, `${local} ${zone}`).not.toBeNull();
        const back = wallClock(iso!, zone);
        // Only a time inside a spring-forward gap comes back different: moved forward by the gap (≤ 1 h).
        if (back !== local) {
          gaps++;
          const moved = Date.parse(back.replace(" ", "T") + "Z") - Date.parse(local.replace(" ", "T") + "Z");
          expect(moved > 0 && moved <= 3_600_000, `${local} ${zone} → ${back}`).toBe(true);
        }
      }
      expect(gaps).toBeLessThanOrEqual(3); // a gap of ≤ 1 h holds at most 2 of these times
    }
  });

  it("the fall-back hour resolves to the first pass (EDT), explicit offsets are kept", () => {
    expect(parseTradeTime("2024-11-03 01:30", "America/New_York")).toBe("2024-11-03T05:30:00.000Z");
    expect(parseTradeTime("2024-11-03 01:30 -05:00", "America/New_York")).toBe("2024-11-03T06:30:00.000Z");
    expect(parseTradeTime("2024-03-05T14:30:00.123456Z", "Asia/Tokyo")).toBe("2024-03-05T14:30:00.123Z");
    expect(parseTradeTime("2024-03-05 14:30 UTC", "Asia/Tokyo")).toBe("2024-03-05T14:30:00.000Z");
    expect(parseTradeTime("2024-03-05 14:30", "Asia/Tokyo")).toBe("2024-03-05T05:30:00.000Z");
  });

  it("refuses what is not a date", () => {
    for (const s of ["", "Open", "05/03/2024 14:30", "2024-03-05 14:60", "2024-03-05 25:00", "2024-02-30", "1969-12-31 23:59", "2101-01-01", "Marz 05, 2024", "Mar 05 2024 13:00 PM", "2024-03-05 14:30 +15:00", "2024-03-05 14:30 junk"]) {
      expect(parseTradeTime(s, "UTC"), s).toBeNull();
    }
    expect(parseTradeTime("2024-02-29 00:00", "UTC")).toBe("2024-02-29T00:00:00.000Z"); // a leap day is fine
    expect(parseTradeTime("Sept 5, 2024", "UTC")).toBe("2024-09-05T00:00:00.000Z");
  });
});

describe("parseNumber", () => {
  it("what exports and spreadsheets write", () => {
    const cases: [string, number | null][] = [
      ["25600.25", 25600.25],
      ["-12.5", -12.5],
      ["+3", 3],
      ["−12.50", -12.5],
      ["1,234.50", 1234.5],
      ["1,234,567", 1234567],
      ["1 234.5", 1234.5],
      ["1\u202f234.5", 1234.5],
      ["-12.50 USD", -12.5],
      ["$-12", -12],
      ["-$12", -12],
      ["0.45%", 0.45],
      [".5", 0.5],
      ["1e3", 1000],
      ["-0", 0],
      [" 7 ", 7],
      ["", null],
      ["1,23", null],
      ["12,3456", null],
      ["12..5", null],
      ["1e400", null],
      ["NaN", null],
      ["Infinity", null],
      ["0x10", null],
      ["abc", null],
      ["--1", null],
    ];
    for (const [s, v] of cases) expect(parseNumber(s), s).toBe(v);
    expect(Object.is(parseNumber("-0"), 0)).toBe(true);
  });
});
