// Peer payload fields of the second round (reference/peers.md; CONTRACT "Exits and risk rules"): TradersPost
// quantityType, action cancel, orderType, trailing stopLoss; PickMyTrade trail* / breakeven*; time / timestamp.
import { describe, expect, it } from "vitest";
import { parseWebhookBody } from "../../src/signals/parse";
import { quantityStepProblems } from "../../src/signals/quantity-step";
import { invalidFields, ok } from "./helpers";

const buy = { action: "buy" };

describe("TradersPost quantityType", () => {
  it("fixed_quantity (any case) is contracts, as without quantityType", () => {
    expect(ok({ ...buy, quantityType: "fixed_quantity", quantity: "2" })).toEqual({ ...buy, quantity: 2 });
    expect(ok({ ...buy, quantityType: " Fixed_Quantity ", qty: 3 })).toEqual({ ...buy, quantity: 3 });
    expect(ok({ ...buy, quantityType: "", quantity: 1 })).toEqual({ ...buy, quantity: 1 });
    expect(invalidFields({ ...buy, quantityType: "fixed_quantity", quantity: 100_001 }, ["quantity"]).quantity).toBe(
      "must be at most 100000, got 100001",
    );
  });

  it("dollar_amount -> sizing.dollarAmount and no quantity; the contracts bound does not apply", () => {
    expect(ok({ ...buy, quantityType: "dollar_amount", quantity: "5000" })).toEqual({ ...buy, sizing: { dollarAmount: 5000 } });
    expect(ok({ ...buy, quantityType: "DOLLAR_AMOUNT", qty: 250_000.5 })).toEqual({ ...buy, sizing: { dollarAmount: 250_000.5 } });
    expect(ok({ ...buy, quantityType: "dollar_amount", contracts: "1e12" })).toEqual({ ...buy, sizing: { dollarAmount: 1e12 } });
  });

  it("dollar_amount: > 0 and at most 1e12, named by the key sent", () => {
    expect(invalidFields({ ...buy, quantityType: "dollar_amount", quantity: 1e12 + 1 }, ["quantity"]).quantity).toBe(
      "must be at most 1000000000000, got 1000000000001",
    );
    expect(invalidFields({ ...buy, quantityType: "dollar_amount", qty: "1e400" }, ["qty"]).qty).toBe(
      'must be at most 1000000000000, got "1e400"',
    );
    expect(invalidFields({ ...buy, quantityType: "dollar_amount", contracts: -5 }, ["contracts"]).contracts).toBe(
      "must be greater than 0, got -5",
    );
    invalidFields({ ...buy, quantityType: "dollar_amount", quantity: "abc" }, ["quantity"]);
  });

  it("percent_of_equity -> sizing.percentOfEquity: > 0 and at most 100", () => {
    expect(ok({ ...buy, quantityType: "percent_of_equity", quantity: "25" })).toEqual({ ...buy, sizing: { percentOfEquity: 25 } });
    expect(ok({ ...buy, quantityType: "percent_of_equity", quantity: 100 })).toEqual({ ...buy, sizing: { percentOfEquity: 100 } });
    expect(ok({ ...buy, quantityType: "percent_of_equity", qty: 0.5 })).toEqual({ ...buy, sizing: { percentOfEquity: 0.5 } });
    expect(invalidFields({ ...buy, quantityType: "percent_of_equity", quantity: 100.5 }, ["quantity"]).quantity).toBe(
      "must be at most 100, got 100.5",
    );
    expect(invalidFields({ ...buy, quantityType: "percent_of_equity", qty: "-1" }, ["qty"]).qty).toBe("must be greater than 0, got -1");
  });

  it("an entry with dollar_amount / percent_of_equity needs a quantity > 0", () => {
    const dollar = invalidFields({ ...buy, quantityType: "dollar_amount" }, ["quantity"]).quantity;
    expect(dollar).toBe("is required with quantityType dollar_amount: the amount in USD, greater than 0");
    expect(invalidFields({ action: "sell", quantityType: "percent_of_equity", quantity: "" }, ["quantity"]).quantity).toMatch(
      /^is required with quantityType percent_of_equity/,
    );
    // named by the key the sender used
    invalidFields({ action: "add", quantityType: "dollar_amount", qty: 0 }, ["qty"]);
    invalidFields({ action: "buy", quantityType: "dollar_amount", contracts: "0" }, ["contracts"]);
  });

  it("a close, a flat sentiment or a target signal needs no quantity; flat drops the sizing", () => {
    expect(ok({ action: "exit", quantityType: "dollar_amount" })).toEqual({ action: "close" });
    expect(ok({ action: "exit", quantityType: "dollar_amount", quantity: 500 })).toEqual({
      action: "close",
      sizing: { dollarAmount: 500 },
    });
    expect(ok({ action: "sell", sentiment: "flat", quantityType: "dollar_amount", quantity: 500 })).toEqual({ action: "close" });
    expect(ok({ action: "buy", positionSize: 2, quantityType: "percent_of_equity" })).toEqual({ action: "buy", targetSize: 2 });
    expect(ok({ marketPosition: "long", quantityType: "dollar_amount" })).toEqual({ targetSide: "long" });
  });

  it.each(["risk_dollar_amount", "percent_of_position", "dollars", "fixed"])("%s is refused on quantityType", (type) => {
    expect(invalidFields({ ...buy, quantityType: type, quantity: 1 }, ["quantityType"]).quantityType).toBe(
      `must be one of fixed_quantity, dollar_amount, percent_of_equity, got "${type}"`,
    );
  });

  it("a refused quantityType names only quantityType, whatever the quantity's size", () => {
    invalidFields({ ...buy, quantityType: "risk_dollar_amount", quantity: 250_000 }, ["quantityType"]);
    invalidFields({ ...buy, quantityType: 5, quantity: 1 }, ["quantityType"]);
    expect(invalidFields({ ...buy, quantityType: "{{qt}}", quantity: 1 }, ["quantityType"]).quantityType).toMatch(/placeholder \{\{qt\}\}/);
    // the quantity is still checked for what no unit allows
    invalidFields({ ...buy, quantityType: "percent_of_position", quantity: -1 }, ["quantityType", "quantity"]);
  });

  it("quantityStepProblems does not check a sized signal's amount; its target size is still contracts", () => {
    const sized = ok({ ...buy, quantityType: "dollar_amount", quantity: "1234.56" });
    expect(quantityStepProblems(sized, 1)).toEqual([]);
    expect(quantityStepProblems({ ...sized, quantity: 0.5 }, 1)).toEqual([]);
    expect(quantityStepProblems(ok({ ...buy, quantityType: "percent_of_equity", quantity: 12.5 }), 1)).toEqual([]);
    expect(quantityStepProblems({ sizing: { percentOfEquity: 10 }, targetSize: 1.5 }, 1).map((p) => p.field)).toEqual(["positionSize"]);
  });
});

describe("TradersPost action cancel", () => {
  it("is accepted: cancel, no action", () => {
    expect(ok({ ticker: "MNQ1!", action: "cancel" })).toEqual({ ticker: "MNQ1!", cancel: true });
    expect(ok({ action: " CANCEL " })).toEqual({ cancel: true });
    expect(ok({ data: "cancel" })).toEqual({ cancel: true });
  });
  it("wins over sentiment; drops quantity and sizing; keeps the rest", () => {
    expect(ok({ action: "cancel", sentiment: "flat" })).toEqual({ cancel: true });
    expect(ok({ action: "cancel", sentiment: "long", quantity: 2, price: 25600, id: "c-1" })).toEqual({
      cancel: true,
      price: 25600,
      id: "c-1",
    });
    expect(ok({ action: "cancel", quantityType: "dollar_amount" })).toEqual({ cancel: true });
  });
  it("its other fields are still validated", () => {
    invalidFields({ action: "cancel", price: "abc" }, ["price"]);
    invalidFields({ action: "cancel", quantity: -1 }, ["quantity"]);
  });
});

describe("TradersPost orderType", () => {
  it("market (or absent) adds nothing", () => {
    expect(ok({ ...buy, orderType: "market" })).toEqual(buy);
    expect(ok({ ...buy, orderType: " MARKET ", limitPrice: 25590 })).toEqual(buy);
    expect(ok({ ...buy, orderType: "" })).toEqual(buy);
  });
  it("limit with limitPrice, stop with stopPrice (numbers as strings)", () => {
    expect(ok({ ...buy, orderType: "limit", limitPrice: "25590.5" })).toEqual({ ...buy, order: { type: "limit", limitPrice: 25590.5 } });
    expect(ok({ action: "sell", orderType: "Stop", stopPrice: 25550 })).toEqual({
      action: "sell",
      order: { type: "stop", stopPrice: 25550 },
    });
    // the other price key is ignored
    expect(ok({ ...buy, orderType: "limit", limitPrice: 25590, stopPrice: "abc" })).toEqual({
      ...buy,
      order: { type: "limit", limitPrice: 25590 },
    });
  });
  it("a missing or blank price is a problem on that key", () => {
    expect(invalidFields({ ...buy, orderType: "limit" }, ["limitPrice"]).limitPrice).toBe(
      "is required with orderType limit: the limit price, greater than 0",
    );
    invalidFields({ ...buy, orderType: "limit", limitPrice: "" }, ["limitPrice"]);
    expect(invalidFields({ ...buy, orderType: "stop", limitPrice: 25590 }, ["stopPrice"]).stopPrice).toMatch(
      /^is required with orderType stop/,
    );
  });
  it("the price is bounded like a level", () => {
    expect(invalidFields({ ...buy, orderType: "limit", limitPrice: 0 }, ["limitPrice"]).limitPrice).toBe("must be greater than 0, got 0");
    expect(invalidFields({ ...buy, orderType: "limit", limitPrice: "-1" }, ["limitPrice"]).limitPrice).toBe(
      "must be greater than 0, got -1",
    );
    expect(invalidFields({ ...buy, orderType: "stop", stopPrice: 1e9 }, ["stopPrice"]).stopPrice).toBe(
      "must be less than 1000000000, got 1000000000",
    );
    expect(invalidFields({ ...buy, orderType: "stop", stopPrice: "1e400" }, ["stopPrice"]).stopPrice).toBe(
      'must be less than 1000000000, got "1e400"',
    );
    expect(invalidFields({ ...buy, orderType: "limit", limitPrice: "abc" }, ["limitPrice"]).limitPrice).toBe('must be a number, got "abc"');
    invalidFields({ ...buy, orderType: "limit", limitPrice: "{{plot_0}}" }, ["limitPrice"]);
  });
  it.each(["stop_limit", "trailing_stop", "limit_order", "mkt"])("%s is refused on orderType", (type) => {
    expect(invalidFields({ ...buy, orderType: type, limitPrice: 1, stopPrice: 1 }, ["orderType"]).orderType).toBe(
      `must be one of market, limit, stop, got "${type}"`,
    );
  });
  it("refuses non-strings and placeholders", () => {
    invalidFields({ ...buy, orderType: 1 }, ["orderType"]);
    invalidFields({ ...buy, orderType: "{{order_type}}" }, ["orderType"]);
  });
  it("limitPrice / stopPrice without an orderType that needs them are ignored, whatever they hold", () => {
    expect(ok({ ...buy, limitPrice: 25590, stopPrice: "abc" })).toEqual(buy);
    expect(ok({ ...buy, limitPrice: { x: 1 }, stopPrice: -5 })).toEqual(buy);
    expect(ok({ ...buy, orderType: "market", stopPrice: 1e400 })).toEqual(buy);
  });
  it("takeProfit.limitPrice / stopLoss.stopPrice are unaffected", () => {
    expect(
      ok({ ...buy, orderType: "limit", limitPrice: 25590, takeProfit: { limitPrice: 25650 }, stopLoss: { type: "stop", stopPrice: 25550 } }),
    ).toEqual({ ...buy, order: { type: "limit", limitPrice: 25590 }, takeProfit: { price: 25650 }, stopLoss: { price: 25550 } });
  });
});

describe("TradersPost trailing stopLoss", () => {
  it("type trailing_stop with trailAmount / trailPercent -> trailingStop, no stopLoss", () => {
    expect(ok({ ...buy, stopLoss: { type: "trailing_stop", trailAmount: 10 } })).toEqual({ ...buy, trailingStop: { distance: 10 } });
    expect(ok({ ...buy, stopLoss: { type: " Trailing_Stop ", trailAmount: "12.5" } })).toEqual({
      ...buy,
      trailingStop: { distance: 12.5 },
    });
    expect(ok({ ...buy, stopLoss: { type: "trailing_stop", trailPercent: "0.5" } })).toEqual({ ...buy, trailingStop: { percent: 0.5 } });
  });
  it("without a type, a trail key makes it a trailing stop", () => {
    expect(ok({ ...buy, stopLoss: { trailPercent: 1 } })).toEqual({ ...buy, trailingStop: { percent: 1 } });
    expect(ok({ ...buy, stopLoss: { trailAmount: "4", trailPercent: "" } })).toEqual({ ...buy, trailingStop: { distance: 4 } });
  });
  it("stop / stop_limit as before", () => {
    expect(ok({ ...buy, stopLoss: { type: "stop", stopPrice: 25550 } })).toEqual({ ...buy, stopLoss: { price: 25550 } });
    expect(ok({ ...buy, stopLoss: { type: "STOP_LIMIT", stopPrice: 25550, limitPrice: 25549 } })).toEqual({
      ...buy,
      stopLoss: { price: 25550 },
    });
    expect(ok({ ...buy, stopLoss: { type: "stop", amount: 50 } })).toEqual({ ...buy, stopLoss: { amount: 50 } });
    expect(ok({ ...buy, stopLoss: { type: "stop", percent: "1" } })).toEqual({ ...buy, stopLoss: { percent: 1 } });
  });
  it("a trailing stop may come with a fixed stop-loss from sl (the initial stop)", () => {
    expect(ok({ ...buy, sl: 25550, stopLoss: { type: "trailing_stop", trailAmount: 10 } })).toEqual({
      ...buy,
      stopLoss: { price: 25550 },
      trailingStop: { distance: 10 },
    });
  });
  it("a trailing_stop without trailAmount / trailPercent, or with both, is a problem on stopLoss.trailAmount", () => {
    expect(invalidFields({ ...buy, stopLoss: { type: "trailing_stop" } }, ["stopLoss.trailAmount"])["stopLoss.trailAmount"]).toBe(
      "is required for a trailing stop: give exactly one of trailAmount (price units), trailPercent",
    );
    expect(
      invalidFields({ ...buy, stopLoss: { type: "trailing_stop", trailAmount: 5, trailPercent: 1 } }, ["stopLoss.trailAmount"])[
        "stopLoss.trailAmount"
      ],
    ).toBe("and trailPercent are both given; a trailing stop takes exactly one of them");
    invalidFields({ ...buy, stopLoss: { trailAmount: "5", trailPercent: "1" } }, ["stopLoss.trailAmount"]);
  });
  it("trail values rendered empty: no stop-loss, as for other level keys", () => {
    expect(ok({ ...buy, stopLoss: { type: "trailing_stop", trailAmount: "" } })).toEqual(buy);
  });
  it("an unknown or non-string type is a problem on stopLoss.type", () => {
    expect(invalidFields({ ...buy, stopLoss: { type: "trailing", trailAmount: 5 } }, ["stopLoss.type"])["stopLoss.type"]).toBe(
      'must be one of stop, stop_limit, trailing_stop, got "trailing"',
    );
    invalidFields({ ...buy, stopLoss: { type: "limit", stopPrice: 25550 } }, ["stopLoss.type"]);
    invalidFields({ ...buy, stopLoss: { type: 3, stopPrice: 25550 } }, ["stopLoss.type"]);
  });
  it("mixing fixed and trailing keys is refused on the key that does not belong", () => {
    expect(
      invalidFields({ ...buy, stopLoss: { type: "trailing_stop", trailAmount: 5, stopPrice: 25550 } }, ["stopLoss.stopPrice"])[
        "stopLoss.stopPrice"
      ],
    ).toMatch(/^is not used by a trailing stop/);
    expect(
      invalidFields({ ...buy, stopLoss: { type: "stop", stopPrice: 25550, trailAmount: 5 } }, ["stopLoss.trailAmount"])[
        "stopLoss.trailAmount"
      ],
    ).toBe('is only for a trailing stop (type "trailing_stop"), not type "stop"');
    invalidFields({ ...buy, stopLoss: { stopPrice: 25550, trailPercent: 1 } }, ["stopLoss.stopPrice"]);
  });
  it("bounds: trailAmount > 0 and < 1e9, trailPercent > 0 and < 100", () => {
    expect(invalidFields({ ...buy, stopLoss: { type: "trailing_stop", trailAmount: 0 } }, ["stopLoss.trailAmount"])["stopLoss.trailAmount"]).toBe(
      "must be greater than 0, got 0",
    );
    expect(invalidFields({ ...buy, stopLoss: { trailAmount: "1e9" } }, ["stopLoss.trailAmount"])["stopLoss.trailAmount"]).toBe(
      "must be less than 1000000000, got 1000000000",
    );
    expect(invalidFields({ ...buy, stopLoss: { trailPercent: 100 } }, ["stopLoss.trailPercent"])["stopLoss.trailPercent"]).toBe(
      "must be less than 100, got 100",
    );
    expect(invalidFields({ ...buy, stopLoss: { trailPercent: "-1" } }, ["stopLoss.trailPercent"])["stopLoss.trailPercent"]).toBe(
      "must be greater than 0, got -1",
    );
    invalidFields({ ...buy, stopLoss: { trailAmount: "abc" } }, ["stopLoss.trailAmount"]);
    invalidFields({ ...buy, stopLoss: { trailAmount: "{{atr}}" } }, ["stopLoss.trailAmount"]);
    invalidFields('{"action":"buy","stopLoss":{"trailPercent":1e400}}', ["stopLoss.trailPercent"]);
  });
  it("the TradersPost documentation body", () => {
    expect(
      ok({
        ticker: "MNQ1!",
        action: "buy",
        quantity: "1",
        signalPrice: "25600",
        takeProfit: { limitPrice: "25650" },
        stopLoss: { type: "trailing_stop", trailAmount: "20" },
      }),
    ).toEqual({ action: "buy", ticker: "MNQ1!", quantity: 1, price: 25600, takeProfit: { price: 25650 }, trailingStop: { distance: 20 } });
  });
});

describe("PickMyTrade trail / trail_stop / trail_trigger", () => {
  it.each([1, "1", true, "true", " TRUE ", "1.0"])("trail %j with trail_stop turns trailing on", (trail) => {
    expect(ok({ ...buy, trail, trail_stop: 10 })).toEqual({ ...buy, trailingStop: { distance: 10 } });
  });
  it("trail_trigger > 0 is the trigger; 0 trails at once", () => {
    expect(ok({ ...buy, trail: 1, trail_stop: "10", trail_trigger: "20.5" })).toEqual({
      ...buy,
      trailingStop: { distance: 10, trigger: 20.5 },
    });
    expect(ok({ ...buy, trail: 1, trail_stop: 10, trail_trigger: 0 })).toEqual({ ...buy, trailingStop: { distance: 10 } });
  });
  it("a trail_stop > 0 turns trailing on when trail is not said", () => {
    expect(ok({ ...buy, trail_stop: 8 })).toEqual({ ...buy, trailingStop: { distance: 8 } });
    expect(ok({ ...buy, trail: "", trail_stop: 8, trail_trigger: 4 })).toEqual({ ...buy, trailingStop: { distance: 8, trigger: 4 } });
  });
  it.each([0, "0", false, "false", "FALSE"])("trail %j turns trailing off whatever trail_stop says", (trail) => {
    expect(ok({ ...buy, trail, trail_stop: 10, trail_trigger: 5 })).toEqual(buy);
  });
  it("nothing set: no trailing; a trail_trigger alone is ignored", () => {
    expect(ok({ ...buy, trail: 0, trail_stop: 0, trail_trigger: 0 })).toEqual(buy);
    expect(ok({ ...buy, trail_trigger: 5 })).toEqual(buy);
  });
  it("trail on without a trail_stop is a problem on trail_stop", () => {
    expect(invalidFields({ ...buy, trail: 1 }, ["trail_stop"]).trail_stop).toBe(
      "is required when trail is on: the trailing distance in price units, greater than 0",
    );
    invalidFields({ ...buy, trail: "true", trail_stop: "0" }, ["trail_stop"]);
    invalidFields({ ...buy, trail: true, trail_stop: "" }, ["trail_stop"]);
  });
  it("refuses other switch values", () => {
    expect(invalidFields({ ...buy, trail: "yes", trail_stop: 10 }, ["trail"]).trail).toBe('must be one of 1, 0, true, false, got "yes"');
    invalidFields({ ...buy, trail: 2, trail_stop: 10 }, ["trail"]);
    invalidFields({ ...buy, trail: [1] }, ["trail"]);
    expect(invalidFields({ ...buy, trail: "{{trail}}" }, ["trail"]).trail).toMatch(/placeholder \{\{trail\}\}/);
  });
  it("bounds: trail_stop > 0 (0 = not set) and < 1e9; trail_trigger >= 0 and < 1e9", () => {
    expect(invalidFields({ ...buy, trail_stop: -1 }, ["trail_stop"]).trail_stop).toBe("must be greater than 0, got -1");
    expect(invalidFields({ ...buy, trail: 1, trail_stop: 1e9 }, ["trail_stop"]).trail_stop).toBe("must be less than 1000000000, got 1000000000");
    expect(invalidFields({ ...buy, trail_stop: 10, trail_trigger: "-0.5" }, ["trail_trigger"]).trail_trigger).toBe(
      "must be 0 or more, got -0.5",
    );
    expect(invalidFields({ ...buy, trail_stop: 10, trail_trigger: "1e400" }, ["trail_trigger"]).trail_trigger).toBe(
      'must be less than 1000000000, got "1e400"',
    );
    // checked even when trailing is off
    invalidFields({ ...buy, trail: 0, trail_stop: "abc" }, ["trail_stop"]);
  });
  it("with a TradersPost trailing stopLoss: the same trailing stop is fine, a different one conflicts", () => {
    expect(ok({ ...buy, stopLoss: { type: "trailing_stop", trailAmount: 10 }, trail_stop: "10" })).toEqual({
      ...buy,
      trailingStop: { distance: 10 },
    });
    expect(invalidFields({ ...buy, stopLoss: { type: "trailing_stop", trailAmount: 10 }, trail_stop: 12 }, ["trail_stop"]).trail_stop).toBe(
      "conflicts with stopLoss (trailing_stop): give only one trailing stop",
    );
    invalidFields({ ...buy, stopLoss: { trailPercent: 1 }, trail: 1, trail_stop: 10 }, ["trail_stop"]);
    invalidFields({ ...buy, stopLoss: { trailAmount: 10 }, trail_stop: 10, trail_trigger: 5 }, ["trail_stop"]);
    // trail off: no PickMyTrade trailing, no conflict
    expect(ok({ ...buy, stopLoss: { trailAmount: 10 }, trail: 0, trail_stop: 12 })).toEqual({ ...buy, trailingStop: { distance: 10 } });
  });
});

describe("PickMyTrade breakeven / breakeven_offset", () => {
  it("breakeven > 0 -> breakEven {trigger, offset}, offset 0 by default", () => {
    expect(ok({ ...buy, breakeven: 10 })).toEqual({ ...buy, breakEven: { trigger: 10, offset: 0 } });
    expect(ok({ ...buy, breakeven: "10", breakeven_offset: "2.5" })).toEqual({ ...buy, breakEven: { trigger: 10, offset: 2.5 } });
    expect(ok({ ...buy, breakeven: 10, breakeven_offset: "" })).toEqual({ ...buy, breakEven: { trigger: 10, offset: 0 } });
  });
  it("breakeven 0 = not set; an offset without a breakeven is ignored", () => {
    expect(ok({ ...buy, breakeven: 0, breakeven_offset: 0 })).toEqual(buy);
    expect(ok({ ...buy, breakeven: "0", breakeven_offset: 3 })).toEqual(buy);
  });
  it("the offset must be >= 0 and below breakeven", () => {
    expect(invalidFields({ ...buy, breakeven: 10, breakeven_offset: 10 }, ["breakeven_offset"]).breakeven_offset).toBe(
      "must be less than breakeven (10), got 10",
    );
    invalidFields({ ...buy, breakeven: 10, breakeven_offset: "12" }, ["breakeven_offset"]);
    expect(invalidFields({ ...buy, breakeven: 10, breakeven_offset: -1 }, ["breakeven_offset"]).breakeven_offset).toBe(
      "must be 0 or more, got -1",
    );
  });
  it("bounds and types of breakeven", () => {
    expect(invalidFields({ ...buy, breakeven: -5 }, ["breakeven"]).breakeven).toBe("must be greater than 0, got -5");
    expect(invalidFields({ ...buy, breakeven: "1e9" }, ["breakeven"]).breakeven).toBe("must be less than 1000000000, got 1000000000");
    invalidFields({ ...buy, breakeven: "ten" }, ["breakeven"]);
    invalidFields({ ...buy, breakeven: true }, ["breakeven"]);
  });
  it("trailing and break-even together, with a fixed sl", () => {
    expect(ok({ ...buy, sl: 25550, trail: 1, trail_stop: 10, trail_trigger: 20, breakeven: 8, breakeven_offset: 1 })).toEqual({
      ...buy,
      stopLoss: { price: 25550 },
      trailingStop: { distance: 10, trigger: 20 },
      breakEven: { trigger: 8, offset: 1 },
    });
  });
});

describe("time / timestamp", () => {
  const at = Date.UTC(2025, 0, 2, 14, 30);
  it("ISO-8601 as {{timenow}} sends it -> timeMs; time is kept as text", () => {
    expect(ok({ ...buy, time: "2025-01-02T14:30:00Z" })).toEqual({ ...buy, time: "2025-01-02T14:30:00Z", timeMs: at });
    expect(ok({ ...buy, timestamp: "2025-01-02T14:30:00Z" })).toEqual({ ...buy, time: "2025-01-02T14:30:00Z", timeMs: at });
  });
  it("time wins over timestamp", () => {
    expect(ok({ ...buy, time: "2025-01-02T14:30:00Z", timestamp: "1700000000" })).toEqual({
      ...buy,
      time: "2025-01-02T14:30:00Z",
      timeMs: at,
    });
    expect(ok({ ...buy, time: "", timestamp: 1_735_828_200 })).toEqual({ ...buy, time: "1735828200", timeMs: at });
  });
  it("epoch seconds and milliseconds, as numbers or strings", () => {
    expect(ok({ ...buy, time: 1_735_828_200 }).timeMs).toBe(at);
    expect(ok({ ...buy, time: "1735828200" }).timeMs).toBe(at);
    expect(ok({ ...buy, time: "1735828200.25" }).timeMs).toBe(at + 250);
    expect(ok({ ...buy, timestamp: 1_735_828_200_000 }).timeMs).toBe(at);
    expect(ok({ ...buy, timestamp: " 1735828200123 " })).toEqual({ ...buy, time: "1735828200123", timeMs: at + 123 });
  });
  it("an unreadable time is kept as text without timeMs, not an error", () => {
    for (const time of ["yesterday", "2025-02-30T10:00:00Z", "2025-01-02", "0", "-5", "1e400", "Thu Jan 02 2025", "2025-01-02T25:00:00Z"]) {
      const signal = ok({ ...buy, time });
      expect(signal.time).toBe(time);
      expect(signal.timeMs).toBeUndefined();
    }
  });
  it("still refuses placeholders and non-text in either key", () => {
    invalidFields({ ...buy, timestamp: "{{timenow}}" }, ["timestamp"]);
    invalidFields({ ...buy, timestamp: { t: 1 } }, ["timestamp"]);
    invalidFields('{"action":"buy","timestamp":1e400}', ["timestamp"]);
  });
});

describe("TradersPost default strategy template", () => {
  it("parses as before (plus timeMs)", () => {
    const template =
      '{"ticker":"{{ticker}}","action":"{{strategy.order.action}}","sentiment":"{{strategy.market_position}}",' +
      '"quantity":"{{strategy.order.contracts}}","price":"{{close}}","time":"{{timenow}}","interval":"{{interval}}"}';
    const rendered = template
      .replace("{{ticker}}", "MNQ1!")
      .replace("{{strategy.order.action}}", "sell")
      .replace("{{strategy.market_position}}", "short")
      .replace("{{strategy.order.contracts}}", "2")
      .replace("{{close}}", "25600.25")
      .replace("{{timenow}}", "2025-01-02T14:30:00Z")
      .replace("{{interval}}", "5");
    const r = parseWebhookBody(rendered);
    expect(r.ok && r.signal).toEqual({
      ticker: "MNQ1!",
      action: "sell",
      sentiment: "short",
      quantity: 2,
      price: 25600.25,
      time: "2025-01-02T14:30:00Z",
      timeMs: Date.UTC(2025, 0, 2, 14, 30),
    });
    // the exit of the same template
    expect(ok(rendered.replace('"short"', '"flat"'))).toEqual({
      ticker: "MNQ1!",
      action: "close",
      price: 25600.25,
      time: "2025-01-02T14:30:00Z",
      timeMs: Date.UTC(2025, 0, 2, 14, 30),
    });
    // left unsubstituted it is refused as before, naming every placeholder field
    invalidFields(template, ["ticker", "action", "sentiment", "quantity", "price", "time"]);
  });
});

describe("new numeric keys never crash and never give a non-finite number", () => {
  const keys = ["trail_stop", "trail_trigger", "breakeven", "breakeven_offset"];
  const values = ["1e308", "1e400", "-1e400", "1e-400", "9".repeat(400), 1e306, -1e306, 5e-324, Number.MAX_VALUE];
  it("each value either parses to finite numbers or names its key", () => {
    const bodies: [Record<string, unknown>, string][] = [];
    for (const key of keys) for (const value of values) bodies.push([{ ...buy, breakeven: key === "breakeven_offset" ? 1e8 : undefined, [key]: value }, key]);
    for (const value of values) {
      bodies.push([{ ...buy, quantityType: "dollar_amount", quantity: value }, "quantity"]);
      bodies.push([{ ...buy, quantityType: "percent_of_equity", quantity: value }, "quantity"]);
      bodies.push([{ ...buy, orderType: "limit", limitPrice: value }, "limitPrice"]);
      bodies.push([{ ...buy, stopLoss: { trailAmount: value } }, "stopLoss"]);
      bodies.push([{ ...buy, stopLoss: { trailPercent: value } }, "stopLoss"]);
    }
    for (const [body, key] of bodies) {
      const r = parseWebhookBody(JSON.stringify(body));
      if (r.ok) {
        const numbers = JSON.stringify(r.signal, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? "NONFINITE" : v));
        expect(numbers).not.toContain("NONFINITE");
      } else {
        expect(r.error.code).toBe("invalid_signal");
        expect(r.error.details?.map((d) => d.field.split(".")[0])).toEqual([key]);
      }
    }
  });
});
