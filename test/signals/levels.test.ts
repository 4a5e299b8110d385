import { describe, expect, it } from "vitest";
import { invalidFields, ok } from "./helpers";

const buy = { action: "buy" };

describe("takeProfit / stopLoss", () => {
  it("plain numbers and numeric strings are prices", () => {
    expect(ok({ ...buy, takeProfit: 25650, stopLoss: "25550.5" })).toEqual({
      ...buy,
      takeProfit: { price: 25650 },
      stopLoss: { price: 25550.5 },
    });
  });
  it("TradersPost object shapes", () => {
    expect(ok({ ...buy, takeProfit: { limitPrice: "25650" } }).takeProfit).toEqual({ price: 25650 });
    expect(ok({ ...buy, takeProfit: { amount: 100 } }).takeProfit).toEqual({ amount: 100 });
    expect(ok({ ...buy, takeProfit: { percent: "0.5" } }).takeProfit).toEqual({ percent: 0.5 });
    expect(ok({ ...buy, stopLoss: { type: "stop", stopPrice: 25550 } }).stopLoss).toEqual({ price: 25550 });
    expect(ok({ ...buy, stopLoss: { amount: 50 } }).stopLoss).toEqual({ amount: 50 });
    expect(ok({ ...buy, stopLoss: { percent: 1 } }).stopLoss).toEqual({ percent: 1 });
    expect(ok({ ...buy, stopLoss: { type: "stop_limit", stopPrice: 25550, limitPrice: 25549 } }).stopLoss).toEqual({
      price: 25550,
    });
  });
  it("our own {price} and {ticks}", () => {
    expect(ok({ ...buy, takeProfit: { ticks: 40 }, stopLoss: { price: 25550 } })).toEqual({
      ...buy,
      takeProfit: { ticks: 40 },
      stopLoss: { price: 25550 },
    });
    expect(ok({ ...buy, stopLoss: { ticks: "20" } }).stopLoss).toEqual({ ticks: 20 });
  });
  it("empty values are absent", () => {
    expect(ok({ ...buy, takeProfit: "", stopLoss: null })).toEqual(buy);
    expect(ok({ ...buy, takeProfit: { limitPrice: "" } })).toEqual(buy);
  });
  it("tp / sl are prices", () => {
    expect(ok({ ...buy, tp: "25650", sl: 25550 })).toEqual({ ...buy, takeProfit: { price: 25650 }, stopLoss: { price: 25550 } });
  });
  it("PickMyTrade dollar_* / percentage_*", () => {
    expect(ok({ ...buy, dollar_tp: 100, dollar_sl: "50" })).toEqual({
      ...buy,
      takeProfit: { amount: 100 },
      stopLoss: { amount: 50 },
    });
    expect(ok({ ...buy, percentage_tp: "1.5", percentage_sl: 0.75 })).toEqual({
      ...buy,
      takeProfit: { percent: 1.5 },
      stopLoss: { percent: 0.75 },
    });
  });
  it("the same level from two sources is fine; different ones conflict", () => {
    expect(ok({ ...buy, takeProfit: 25650, tp: "25650" }).takeProfit).toEqual({ price: 25650 });
    expect(invalidFields({ ...buy, takeProfit: { limitPrice: 25650 }, dollar_tp: 100 }, ["dollar_tp"]).dollar_tp).toBe(
      "conflicts with takeProfit: give only one take-profit",
    );
    invalidFields({ ...buy, sl: 25550, percentage_sl: 1 }, ["percentage_sl"]);
  });
});

describe("takeProfit / stopLoss errors", () => {
  it("values must be > 0", () => {
    invalidFields({ ...buy, takeProfit: 0 }, ["takeProfit"]);
    invalidFields({ ...buy, stopLoss: "-1" }, ["stopLoss"]);
    invalidFields({ ...buy, takeProfit: { percent: -1 } }, ["takeProfit.percent"]);
    invalidFields({ ...buy, stopLoss: { ticks: 0 } }, ["stopLoss.ticks"]);
    invalidFields({ ...buy, tp: -1, dollar_sl: "-5" }, ["tp", "dollar_sl"]);
  });
  it("rejects non-numbers and placeholders", () => {
    invalidFields({ ...buy, takeProfit: "abc" }, ["takeProfit"]);
    expect(invalidFields({ ...buy, stopLoss: { stopPrice: "{{plot_0}}" } }, ["stopLoss.stopPrice"])["stopLoss.stopPrice"]).toMatch(
      /\{\{plot_0\}\}/,
    );
    invalidFields({ ...buy, takeProfit: true }, ["takeProfit"]);
    invalidFields({ ...buy, takeProfit: [25650] }, ["takeProfit"]);
  });
  it("a take-profit cannot trail", () => {
    expect(invalidFields({ ...buy, takeProfit: { trailAmount: 10 } }, ["takeProfit.trailAmount"])["takeProfit.trailAmount"]).toMatch(
      /^a take-profit cannot trail; give a trailing stop as stopLoss/,
    );
    invalidFields({ ...buy, takeProfit: { type: "trailing", limitPrice: 25650 } }, ["takeProfit.type"]);
  });
  it("exactly one value key", () => {
    expect(invalidFields({ ...buy, takeProfit: {} }, ["takeProfit"]).takeProfit).toBe(
      "must have one of limitPrice, price, amount, percent, ticks",
    );
    expect(invalidFields({ ...buy, takeProfit: { limitPrice: 1, percent: 2 } }, ["takeProfit"]).takeProfit).toMatch(
      /more than one value \(limitPrice, percent\)/,
    );
    invalidFields({ ...buy, stopLoss: { limitPrice: 25550 } }, ["stopLoss"]);
  });
  it("unknown keys and wrong-side keys are rejected", () => {
    expect(invalidFields({ ...buy, stopLoss: { stop_price: 1 } }, ["stopLoss.stop_price"])["stopLoss.stop_price"]).toMatch(
      /not a known key; stopLoss takes exactly one of stopPrice, price, amount, percent, ticks \(or type "trailing_stop" with exactly one of trailAmount, trailPercent\)/,
    );
    invalidFields({ ...buy, takeProfit: { stopPrice: 1 } }, ["takeProfit.stopPrice"]);
  });
});
