import { describe, expect, it } from "vitest";
import { parseWebhookBody } from "../../src/signals/parse";
import { err, invalidFields, ok } from "./helpers";

describe("body decoding", () => {
  it("parses a text/plain style body (just a string) and keeps the parsed object", () => {
    const text = '{"action":"buy","ticker":"MNQ1!","custom":{"x":1}}';
    const r = parseWebhookBody(text);
    expect(r).toEqual({ ok: true, signal: { action: "buy", ticker: "MNQ1!" }, body: JSON.parse(text) });
  });

  it("tolerates a UTF-8 BOM and surrounding whitespace", () => {
    expect(ok('\uFEFF  \n{"action":"sell"}\r\n ')).toEqual({ action: "sell" });
    expect(ok('\uFEFF{"action":"sell"}')).toEqual({ action: "sell" });
  });

  it("rejects non-JSON with invalid_json and a human message", () => {
    const e = err("buy MNQ1! q=1");
    expect(e.code).toBe("invalid_json");
    expect(e.message).toMatch(/not valid JSON/);
    expect(e.details).toBeUndefined();
    const r = parseWebhookBody("{action: buy}");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.body).toBeUndefined();
  });

  it("rejects an empty body with invalid_json", () => {
    expect(err("").code).toBe("invalid_json");
    expect(err(" \uFEFF ").code).toBe("invalid_json");
    expect(err("\uFEFF").message).toMatch(/empty/);
  });

  it.each([
    ['"buy"', '"buy"'],
    ["42", "42"],
    ["null", "null"],
    ["[1,2]", "an array"],
    ["true", "true"],
  ])("rejects JSON %s that is not an object with invalid_signal", (text, described) => {
    const r = parseWebhookBody(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe("invalid_signal");
    expect(r.error.details).toEqual([{ field: "body", problem: `must be a JSON object, got ${described}` }]);
    expect(r.body).toEqual(JSON.parse(text));
  });

  it("keeps the parsed body on invalid_signal for the signal log", () => {
    const r = parseWebhookBody('{"action":"hold","ticker":"MNQ1!"}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.body).toEqual({ action: "hold", ticker: "MNQ1!" });
  });

  it("ignores unknown fields but keeps them in body", () => {
    const r = parseWebhookBody('{"action":"buy","interval":"5","extras":{"a":[1]},"token":"x"}');
    expect(r.ok && r.signal).toEqual({ action: "buy" });
    expect(r.body).toEqual({ action: "buy", interval: "5", extras: { a: [1] }, token: "x" });
  });
});

describe("peer formats", () => {
  it("TradersPost default strategy template", () => {
    const body =
      '{"ticker":"MNQ1!","action":"buy","sentiment":"long","quantity":"1","price":"25600.25","time":"2026-11-26T10:00:00Z","interval":"5"}';
    expect(ok(body)).toEqual({
      action: "buy",
      sentiment: "long",
      ticker: "MNQ1!",
      quantity: 1,
      price: 25600.25,
      time: "2026-11-26T10:00:00Z",
      timeMs: Date.UTC(2026, 10, 26, 10),
    });
  });

  it("TradersPost exit: action sell with sentiment flat closes", () => {
    expect(ok({ ticker: "MNQ1!", action: "sell", sentiment: "flat" })).toEqual({ action: "close", ticker: "MNQ1!" });
  });

  it("TradersPost template exit drops the order quantity: flat means the whole position", () => {
    expect(ok({ ticker: "MNQ1!", action: "sell", sentiment: "flat", quantity: "2", price: "25610" })).toEqual({
      action: "close",
      ticker: "MNQ1!",
      price: 25610,
    });
  });

  it("TradersPost with takeProfit / stopLoss objects and signalPrice", () => {
    expect(
      ok({
        ticker: "MNQ1!",
        action: "buy",
        signalPrice: 25600,
        takeProfit: { limitPrice: 25650 },
        stopLoss: { type: "stop", stopPrice: 25550 },
      }),
    ).toEqual({ action: "buy", ticker: "MNQ1!", price: 25600, takeProfit: { price: 25650 }, stopLoss: { price: 25550 } });
  });

  it("PickMyTrade body", () => {
    expect(
      ok({ symbol: "MNQZ2025", data: "buy", quantity: 2, price: 25600, tp: 25650, sl: 25550, date: "2026-11-26T10:00:00Z" }),
    ).toEqual({
      action: "buy",
      ticker: "MNQZ2025",
      quantity: 2,
      price: 25600,
      takeProfit: { price: 25650 },
      stopLoss: { price: 25550 },
    });
  });

  it("PickMyTrade generated body: unused tp/sl fields are 0 (strings) and mean not set", () => {
    expect(
      ok({
        symbol: "MNQ1!",
        date: "2026-11-26T10:00:00Z",
        data: "sell",
        quantity: "1",
        risk_percentage: "0",
        price: "25600",
        tp: "0",
        percentage_tp: "0",
        dollar_tp: "2",
        sl: "0",
        dollar_sl: "0",
        percentage_sl: "0",
        trail: "0",
        update_tp: "false",
        token: "abc",
        multiple_accounts: [{ token: "abc", account_id: "2" }],
      }),
    ).toEqual({ action: "sell", ticker: "MNQ1!", quantity: 1, price: 25600, takeProfit: { amount: 2 } });
  });

  it("PickMyTrade close", () => {
    expect(ok({ symbol: "MNQ1!", data: "close", quantity: 0, price: 25600 })).toEqual({
      action: "close",
      ticker: "MNQ1!",
      price: 25600,
    });
  });

  it("3Commas strategy_info", () => {
    expect(
      ok({
        action: "sell",
        trigger_price: "25600",
        strategy_info: {
          market_position: "short",
          market_position_size: "2",
          prev_market_position: "long",
          prev_market_position_size: "1",
        },
      }),
    ).toEqual({ action: "sell", targetSize: -2 });
    expect(ok({ strategy_info: { market_position: "flat", market_position_size: "0" } })).toEqual({ targetSize: 0 });
    expect(ok({ strategy_info: { market_position: "long" } })).toEqual({ targetSide: "long" });
  });

  it("top-level marketPosition takes precedence over strategy_info", () => {
    expect(
      ok({ market_position: "long", market_position_size: 1, strategy_info: { market_position: "short", market_position_size: 3 } }),
    ).toEqual({ targetSize: 1 });
  });
});

describe("invalid_signal details", () => {
  it("collects every offending field at once", () => {
    const byField = invalidFields(
      { action: "hold", qty: -1, price: "abc", takeProfit: { trailPercent: 1 }, id: "x".repeat(201), positionSize: "{{strategy.position_size}}" },
      ["action", "qty", "price", "takeProfit.trailPercent", "id", "positionSize"],
    );
    expect(byField.action).toContain("hold");
    expect(byField.qty).toMatch(/greater than 0/);
    expect(byField.price).toMatch(/must be a number/);
    expect(byField["takeProfit.trailPercent"]).toMatch(/a take-profit cannot trail/);
    expect(byField.id).toMatch(/at most 200/);
    expect(byField.positionSize).toMatch(/\{\{strategy\.position_size\}\}.*not substituted/);
  });

  it("reports field problems plus the missing action together", () => {
    invalidFields({ ticker: "MNQ1!", quantity: "abc" }, ["quantity", "action"]);
  });

  it("the message is a sentence naming the fields", () => {
    const e = err({ action: "buy", quantity: -2, price: "x" });
    expect(e.message).toBe('Invalid signal (quantity, price): quantity must be greater than 0, got -2; price must be a number, got "x".');
  });
});

describe("robustness", () => {
  it("a __proto__ key is just an unknown field", () => {
    expect(ok('{"__proto__":{"action":"sell"},"action":"buy"}')).toEqual({ action: "buy" });
    expect(err('{"__proto__":{"action":"sell"}}').code).toBe("invalid_signal");
  });
  it("a bad strategy_info does not also report a missing action", () => {
    invalidFields({ strategy_info: { market_position: "up" } }, ["strategy_info.market_position"]);
  });
});
