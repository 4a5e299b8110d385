import { describe, expect, it } from "vitest";
import { invalidFields, ok } from "./helpers";

describe("positionSize", () => {
  it.each(["positionSize", "position_size"])("%s, signed, from strings", (key) => {
    expect(ok({ [key]: "-2" })).toEqual({ targetSize: -2 });
    expect(ok({ [key]: 3 })).toEqual({ targetSize: 3 });
    expect(ok({ [key]: "0" })).toEqual({ targetSize: 0 });
    expect(ok({ [key]: "-0" })).toEqual({ targetSize: 0 });
    expect(Object.is(ok({ [key]: "-0" }).targetSize, 0)).toBe(true);
  });
  it("strategy alert with action, contracts and position_size", () => {
    expect(
      ok({ ticker: "MNQ1!", action: "sell", contracts: "3", position_size: "-2", price: "25600", id: "o-1" }),
    ).toEqual({ ticker: "MNQ1!", action: "sell", quantity: 3, targetSize: -2, price: 25600, id: "o-1" });
  });
  it("empty positionSize is absent", () => {
    invalidFields({ positionSize: "" }, ["action"]);
  });
  it("rejects non-numbers and placeholders", () => {
    invalidFields({ position_size: "abc" }, ["position_size"]);
    invalidFields({ position_size: "{{strategy.position_size}}" }, ["position_size"]);
  });
});

describe("marketPosition", () => {
  it.each([
    ["marketPosition", "marketPositionSize"],
    ["market_position", "market_position_size"],
  ])("%s with %s", (mp, size) => {
    expect(ok({ [mp]: "long", [size]: "2" })).toEqual({ targetSize: 2 });
    expect(ok({ [mp]: "short", [size]: 2 })).toEqual({ targetSize: -2 });
    expect(ok({ [mp]: "flat", [size]: "0" })).toEqual({ targetSize: 0 });
    expect(ok({ [mp]: " Flat " })).toEqual({ targetSize: 0 });
  });
  it("mixed camelCase / snake_case spellings", () => {
    expect(ok({ market_position: "short", marketPositionSize: 1 })).toEqual({ targetSize: -1 });
  });
  it("flat ignores any size; size 0 with a side is flat", () => {
    expect(ok({ marketPosition: "flat", marketPositionSize: 3 })).toEqual({ targetSize: 0 });
    expect(Object.is(ok({ marketPosition: "short", marketPositionSize: 0 }).targetSize, 0)).toBe(true);
  });
  it("without size -> targetSide", () => {
    expect(ok({ marketPosition: "long" })).toEqual({ targetSide: "long" });
    expect(ok({ market_position: "short", market_position_size: "" })).toEqual({ targetSide: "short" });
  });
  it("positionSize wins when both are given and disagree", () => {
    expect(ok({ positionSize: -1, marketPosition: "long", marketPositionSize: 2 })).toEqual({ targetSize: -1 });
    expect(ok({ positionSize: 0, marketPosition: "long" })).toEqual({ targetSize: 0 });
  });
  it("rejects bad values", () => {
    expect(invalidFields({ marketPosition: "up" }, ["marketPosition"]).marketPosition).toBe(
      'must be one of long, short, flat, got "up"',
    );
    invalidFields({ marketPosition: "long", marketPositionSize: -1 }, ["marketPositionSize"]);
    invalidFields({ strategy_info: "long" }, ["strategy_info"]);
    invalidFields({ strategy_info: { market_position: "sideways", market_position_size: "x" } }, [
      "strategy_info.market_position",
      "strategy_info.market_position_size",
    ]);
  });
});
