// The ticker's characters (CONTRACT "Bad input and faults": a ticker with control characters is a 4xx): a
// field problem of invalid_signal, never a crash later.
import { describe, expect, it } from "vitest";
import { MAX_TICKER_LENGTH } from "../../src/signals/limits";
import { tickerCharacterProblem } from "../../src/signals/ticker";
import { invalidFields, ok } from "./helpers";

const buy = { action: "buy" };

describe("ticker characters", () => {
  it.each([
    "MNQ1!",
    "CME_MINI:MNQ1!",
    "mnqz2025",
    "BINANCE:BTCUSDT.P",
    "NYSE:BRK.B",
    "CME_MINI:ES1!-CME_MINI:NQ1!",
    "ES1!/NQ1!*2",
    '={"symbol":"CME_MINI:NQ1!","session":"extended"}',
  ])("accepts %j", (ticker) => {
    expect(ok({ ...buy, ticker })).toEqual({ ...buy, ticker });
  });

  it.each([
    ["\u0000", "U+0000"],
    ["\n", "U+000A"],
    ["\t", "U+0009"],
    ["\u001b", "U+001B"],
    ["\u007f", "U+007F"],
    ["\u0085", "U+0085"],
    ["\u009f", "U+009F"],
  ])("refuses a control character inside (%j) naming the field", (c, code) => {
    for (const key of ["ticker", "symbol"]) {
      const problem = invalidFields({ ...buy, [key]: `MNQ${c}1!` }, [key])[key];
      expect(problem).toBe(`must not contain control characters, got ${code}`);
      expect(problem).not.toContain(c);
    }
  });

  it("refuses control characters in the extended-session form too", () => {
    invalidFields({ ...buy, ticker: '={"symbol":"CME_MINI:NQ1!\u0000","session":"extended"}' }, ["ticker"]);
  });

  it("surrounding whitespace is trimmed as before; inside it is refused", () => {
    expect(ok({ ...buy, ticker: "\n MNQ1! \r\n" })).toEqual({ ...buy, ticker: "MNQ1!" });
    invalidFields({ ...buy, ticker: "MNQ\r\n1!" }, ["ticker"]);
  });

  it.each(["MNQ1!<script>", "MNQ\\1!", "MNQ;1!", "MNQ`1!", "MNQ1!\u00e9", "MNQ\u200b1!", "MNQ1!\u{1F600}", "MNQ\u20281!"])(
    "refuses characters outside the set: %j",
    (ticker) => {
      expect(invalidFields({ ...buy, ticker }, ["ticker"]).ticker).toMatch(/^must not contain/);
    },
  );

  it("names the character and its code point", () => {
    expect(tickerCharacterProblem("MNQ1!é")).toMatch(/^must not contain "é" \(U\+00E9\): a ticker is letters, digits, spaces and _ \. !/);
    expect(tickerCharacterProblem("MNQ1!\u{1F600}")).toMatch(/\(U\+1F600\)/);
    expect(tickerCharacterProblem("CME_MINI:MNQ1!")).toBeUndefined();
  });

  it("max length stays 100", () => {
    expect(MAX_TICKER_LENGTH).toBe(100);
    expect(ok({ ...buy, ticker: "X".repeat(100) }).ticker).toHaveLength(100);
    expect(invalidFields({ ...buy, ticker: "X".repeat(101) }, ["ticker"]).ticker).toBe("must be at most 100 characters");
  });
});
