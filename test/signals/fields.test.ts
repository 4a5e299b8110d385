import { describe, expect, it } from "vitest";
import { ACCEPTED_ACTIONS } from "../../src/signals/actions";
import { invalidFields, ok } from "./helpers";

describe("action", () => {
  it.each([
    ["buy", "buy"],
    ["long", "buy"],
    ["sell", "sell"],
    ["short", "sell"],
    ["close", "close"],
    ["exit", "close"],
    ["flat", "close"],
    ["add", "add"],
    [" BUY ", "buy"],
    ["Exit", "close"],
  ])("action %j -> %s", (raw, action) => {
    expect(ok({ action: raw })).toEqual({ action });
    expect(ok({ data: raw })).toEqual({ action });
  });

  it("action wins over data when both are present", () => {
    expect(ok({ action: "sell", data: "buy" })).toEqual({ action: "sell" });
    expect(ok({ action: "", data: "buy" })).toEqual({ action: "buy" });
  });

  it("rejects unknown actions naming the field and listing the accepted values", () => {
    const byField = invalidFields({ ticker: "MNQ1!", action: "hold" }, ["action"]);
    expect(byField.action).toBe(`must be one of ${ACCEPTED_ACTIONS}, got "hold"`);
    expect(ACCEPTED_ACTIONS).toBe("buy, long, sell, short, close, exit, flat, add, cancel");
    expect(invalidFields({ data: "hold" }, ["data"]).data).toContain("buy, long, sell");
    expect(invalidFields({ action: 1 }, ["action"]).action).toBe("must be a string, got 1");
    expect(invalidFields({ action: "{{strategy.order.action}}" }, ["action"]).action).toMatch(
      /placeholder \{\{strategy\.order\.action\}\}, which was not substituted/,
    );
  });

  it("requires an action, sentiment flat or target info", () => {
    expect(invalidFields({ ticker: "MNQ1!", quantity: 1 }, ["action"]).action).toMatch(/is required/);
    invalidFields({}, ["action"]);
    invalidFields({ action: "" }, ["action"]);
    invalidFields({ action: "  ", sentiment: "long" }, ["action"]);
    // a size without a direction is not target information
    invalidFields({ marketPositionSize: 2 }, ["action"]);
  });
});

describe("sentiment", () => {
  it("flat means close, with or without action", () => {
    expect(ok({ sentiment: "flat" })).toEqual({ action: "close" });
    expect(ok({ action: "buy", sentiment: " FLAT " })).toEqual({ action: "close" });
    expect(ok({ action: "add", sentiment: "flat", quantity: 1 })).toEqual({ action: "close" });
  });
  it("long/short (bullish/bearish) with buy/sell is the side after the order; other values are ignored", () => {
    expect(ok({ action: "sell", sentiment: "long" })).toEqual({ action: "sell", sentiment: "long" });
    expect(ok({ action: "buy", sentiment: "Bullish" })).toEqual({ action: "buy", sentiment: "long" });
    expect(ok({ action: "sell", sentiment: "bearish" })).toEqual({ action: "sell", sentiment: "short" });
    expect(ok({ action: "close", sentiment: "long" })).toEqual({ action: "close" });
    for (const sentiment of ["", null, "whatever"]) {
      expect(ok({ action: "sell", sentiment })).toEqual({ action: "sell" });
    }
  });
  it("rejects an unsubstituted placeholder and non-strings", () => {
    invalidFields({ action: "buy", sentiment: "{{strategy.market_position}}" }, ["sentiment"]);
    invalidFields({ action: "buy", sentiment: 1 }, ["sentiment"]);
  });
});

describe("ticker", () => {
  it("ticker and symbol, trimmed; ticker wins", () => {
    expect(ok({ action: "buy", ticker: " CME_MINI:MNQ1! " })).toEqual({ action: "buy", ticker: "CME_MINI:MNQ1!" });
    expect(ok({ action: "buy", symbol: "MNQZ5" })).toEqual({ action: "buy", ticker: "MNQZ5" });
    expect(ok({ action: "buy", ticker: "MNQ1!", symbol: "ES1!" })).toEqual({ action: "buy", ticker: "MNQ1!" });
  });
  it("is optional; empty = absent", () => {
    expect(ok({ action: "buy", ticker: "" })).toEqual({ action: "buy" });
    expect(ok({ action: "buy", symbol: null })).toEqual({ action: "buy" });
  });
  it("rejects non-strings, placeholders and overlong values", () => {
    invalidFields({ action: "buy", ticker: 5 }, ["ticker"]);
    invalidFields({ action: "buy", symbol: "{{ticker}}" }, ["symbol"]);
    invalidFields({ action: "buy", ticker: "X".repeat(101) }, ["ticker"]);
  });
});

describe("quantity", () => {
  it.each(["quantity", "qty", "contracts"])("%s as number and string", (key) => {
    expect(ok({ action: "buy", [key]: 2 })).toEqual({ action: "buy", quantity: 2 });
    expect(ok({ action: "buy", [key]: " 1 " })).toEqual({ action: "buy", quantity: 1 });
    expect(ok({ action: "buy", [key]: "0.5" })).toEqual({ action: "buy", quantity: 0.5 });
  });
  it("precedence quantity > qty > contracts", () => {
    expect(ok({ action: "buy", contracts: 3, qty: 2, quantity: 1 })).toEqual({ action: "buy", quantity: 1 });
    expect(ok({ action: "buy", contracts: 3, qty: 2 })).toEqual({ action: "buy", quantity: 2 });
  });
  it("empty and 0 are absent", () => {
    expect(ok({ action: "close", quantity: "" })).toEqual({ action: "close" });
    expect(ok({ action: "close", quantity: 0 })).toEqual({ action: "close" });
    expect(ok({ action: "close", qty: "0" })).toEqual({ action: "close" });
  });
  it("a partial close keeps its quantity", () => {
    expect(ok({ action: "exit", quantity: 1 })).toEqual({ action: "close", quantity: 1 });
  });
  it("rejects negative quantities", () => {
    expect(invalidFields({ action: "buy", quantity: -1 }, ["quantity"]).quantity).toBe("must be greater than 0, got -1");
    expect(invalidFields({ action: "buy", contracts: "-2" }, ["contracts"]).contracts).toBe("must be greater than 0, got -2");
  });
});

describe("price", () => {
  it.each(["price", "signalPrice", "close"])("%s", (key) => {
    expect(ok({ action: "buy", [key]: 25600.25 })).toEqual({ action: "buy", price: 25600.25 });
    expect(ok({ action: "buy", [key]: "25600.25" })).toEqual({ action: "buy", price: 25600.25 });
  });
  it("precedence price > signalPrice > close", () => {
    expect(ok({ action: "buy", close: 3, signalPrice: 2, price: 1 })).toEqual({ action: "buy", price: 1 });
    expect(ok({ action: "buy", close: 3, signalPrice: 2 })).toEqual({ action: "buy", price: 2 });
  });
  it("a price <= 0 or empty is absent, not an error; the next alias is used", () => {
    expect(ok({ action: "buy", price: 0 })).toEqual({ action: "buy" });
    expect(ok({ action: "buy", price: "0" })).toEqual({ action: "buy" });
    expect(ok({ action: "buy", price: -5 })).toEqual({ action: "buy" });
    expect(ok({ action: "buy", price: "" })).toEqual({ action: "buy" });
    expect(ok({ action: "buy", price: 0, close: 25600 })).toEqual({ action: "buy", price: 25600 });
  });
  it("rejects the unsubstituted {{close}}", () => {
    const byField = invalidFields({ action: "buy", price: "{{close}}" }, ["price"]);
    expect(byField.price).toMatch(/^contains the TradingView placeholder \{\{close\}\}, which was not substituted/);
  });
});

describe("numbers as strings", () => {
  it.each([
    ["25600.25", 25600.25],
    [" 1 ", 1],
    ["1e2", 100],
    ["+3", 3],
    [".5", 0.5],
    ["2.", 2],
    ["1E-1", 0.1],
  ])("accepts %j", (raw, n) => {
    expect(ok({ action: "buy", price: raw })).toEqual({ action: "buy", price: n });
  });
  it.each(["abc", "1,5", "0x10", "NaN", "Infinity", "-Infinity", "12abc", "1 2", "--1"])("rejects %j", (raw) => {
    expect(invalidFields({ action: "buy", price: raw }, ["price"]).price).toBe(`must be a number, got ${JSON.stringify(raw)}`);
  });
  it("a decimal string that overflows is out of range, not 'not a number'", () => {
    expect(invalidFields({ action: "buy", price: "1e999" }, ["price"]).price).toBe('must be less than 1000000000, got "1e999"');
  });
  it("rejects booleans, arrays and objects", () => {
    expect(invalidFields({ action: "buy", quantity: true }, ["quantity"]).quantity).toBe("must be a number, got true");
    expect(invalidFields({ action: "buy", quantity: [1] }, ["quantity"]).quantity).toBe("must be a number, got an array");
    expect(invalidFields({ action: "buy", quantity: { n: 1 } }, ["quantity"]).quantity).toBe("must be a number, got an object");
  });
});

describe("id, time, comment", () => {
  it.each(["id", "alertId", "signalId"])("%s, trimmed; numbers become strings", (key) => {
    expect(ok({ action: "buy", [key]: " abc-1 " })).toEqual({ action: "buy", id: "abc-1" });
    expect(ok({ action: "buy", [key]: 12345 })).toEqual({ action: "buy", id: "12345" });
  });
  it("precedence id > alertId > signalId; empty is absent", () => {
    expect(ok({ action: "buy", signalId: "c", alertId: "b", id: "a" })).toEqual({ action: "buy", id: "a" });
    expect(ok({ action: "buy", id: "", alertId: "b" })).toEqual({ action: "buy", id: "b" });
  });
  it("max 200 chars; placeholders rejected", () => {
    expect(ok({ action: "buy", id: "x".repeat(200) }).id).toHaveLength(200);
    invalidFields({ action: "buy", alertId: "x".repeat(201) }, ["alertId"]);
    invalidFields({ action: "buy", id: "{{strategy.order.id}}" }, ["id"]);
    invalidFields({ action: "buy", id: { a: 1 } }, ["id"]);
  });
  it("time and comment are strings; a comment may hold literal braces", () => {
    expect(ok({ action: "buy", time: "2026-11-26T10:00:00Z", comment: " entry {{x}} " })).toEqual({
      action: "buy",
      time: "2026-11-26T10:00:00Z",
      timeMs: Date.UTC(2026, 10, 26, 10),
      comment: "entry {{x}}",
    });
    invalidFields({ action: "buy", time: "{{timenow}}" }, ["time"]);
    invalidFields({ action: "buy", time: true }, ["time"]);
  });
});
