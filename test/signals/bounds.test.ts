// CONTRACT "Bad input and faults": numbers are finite, a given price and every level < 1e9 (levels > 0),
// quantity / |positionSize| / marketPositionSize <= 100 000. Out-of-range values are invalid_signal naming the
// field the sender used, never a crash.
import { describe, expect, it } from "vitest";
import { MAX_PRICE, MAX_QUANTITY } from "../../src/signals/limits";
import { parseWebhookBody } from "../../src/signals/parse";
import { invalidFields, ok } from "./helpers";

const buy = { action: "buy" };

describe("limits", () => {
  it("are the contract's numbers", () => {
    expect(MAX_PRICE).toBe(1e9);
    expect(MAX_QUANTITY).toBe(100_000);
  });
});

describe("quantity bounds", () => {
  it.each(["quantity", "qty", "contracts"])("%s: up to 100000; beyond is named", (key) => {
    expect(ok({ ...buy, [key]: 100_000 })).toEqual({ ...buy, quantity: 100_000 });
    expect(ok({ ...buy, [key]: "100000" })).toEqual({ ...buy, quantity: 100_000 });
    expect(invalidFields({ ...buy, [key]: 100_001 }, [key])[key]).toBe("must be at most 100000, got 100001");
    expect(invalidFields({ ...buy, [key]: "100000.5" }, [key])[key]).toBe("must be at most 100000, got 100000.5");
  });
  it("1e306, \"1e308\" and \"1e400\" are out of range, not a crash", () => {
    expect(invalidFields({ ...buy, quantity: 1e306 }, ["quantity"]).quantity).toBe("must be at most 100000, got 1e+306");
    expect(invalidFields({ ...buy, qty: "1e308" }, ["qty"]).qty).toBe("must be at most 100000, got 1e+308");
    expect(invalidFields({ ...buy, contracts: "1e400" }, ["contracts"]).contracts).toBe('must be at most 100000, got "1e400"');
  });
  it("a JSON number that overflows (JSON.parse gives Infinity) is out of range", () => {
    expect(invalidFields('{"action":"buy","quantity":1e400}', ["quantity"]).quantity).toBe("must be at most 100000, got Infinity");
    expect(invalidFields('{"action":"buy","quantity":-1e400}', ["quantity"]).quantity).toBe("must be greater than 0, got -Infinity");
  });
  it("0 still means the default; negatives are errors", () => {
    expect(ok({ ...buy, quantity: 0 })).toEqual(buy);
    expect(ok({ ...buy, quantity: "0e5" })).toEqual(buy);
    invalidFields({ ...buy, quantity: "-1e400" }, ["quantity"]);
  });
});

describe("price bounds", () => {
  it.each(["price", "signalPrice", "close"])("%s: below 1e9; 1e9 or more is named", (key) => {
    expect(ok({ ...buy, [key]: 999_999_999.75 })).toEqual({ ...buy, price: 999_999_999.75 });
    expect(invalidFields({ ...buy, [key]: 1e9 }, [key])[key]).toBe("must be less than 1000000000, got 1000000000");
    expect(invalidFields({ ...buy, [key]: "1e9" }, [key])[key]).toBe("must be less than 1000000000, got 1000000000");
    expect(invalidFields({ ...buy, [key]: "1e308" }, [key])[key]).toBe("must be less than 1000000000, got 1e+308");
    expect(invalidFields({ ...buy, [key]: "1e400" }, [key])[key]).toBe('must be less than 1000000000, got "1e400"');
  });
  it("absent, 0 and negative still mean 'use the feed price'", () => {
    expect(ok({ ...buy, price: 0 })).toEqual(buy);
    expect(ok({ ...buy, price: -1e300 })).toEqual(buy);
    expect(ok({ ...buy, price: "-5" })).toEqual(buy);
  });
  it("an overflowing negative is not finite, so it is an error rather than 'absent'", () => {
    expect(invalidFields({ ...buy, price: "-1e400" }, ["price"]).price).toBe('must be a finite number, got "-1e400"');
    expect(invalidFields('{"action":"buy","close":-1e400}', ["close"]).close).toBe("must be a finite number, got -Infinity");
  });
  it("a bad price is not replaced by the next alias", () => {
    invalidFields({ ...buy, price: 1e9, close: 25600 }, ["price"]);
  });
});

describe("level bounds", () => {
  const objectKeys = {
    takeProfit: ["limitPrice", "price", "amount", "percent", "ticks"],
    stopLoss: ["stopPrice", "price", "amount", "percent", "ticks"],
  } as const;

  it.each(["takeProfit", "stopLoss"] as const)("%s as a plain price: > 0 and < 1e9", (kind) => {
    expect(ok({ ...buy, [kind]: 999_999_999 })[kind]).toEqual({ price: 999_999_999 });
    expect(invalidFields({ ...buy, [kind]: 1e9 }, [kind])[kind]).toBe("must be less than 1000000000, got 1000000000");
    expect(invalidFields({ ...buy, [kind]: "1e308" }, [kind])[kind]).toBe("must be less than 1000000000, got 1e+308");
    expect(invalidFields({ ...buy, [kind]: "1e400" }, [kind])[kind]).toBe('must be less than 1000000000, got "1e400"');
    expect(invalidFields({ ...buy, [kind]: 0 }, [kind])[kind]).toBe("must be greater than 0, got 0");
    expect(invalidFields({ ...buy, [kind]: -3 }, [kind])[kind]).toBe("must be greater than 0, got -3");
  });

  for (const kind of ["takeProfit", "stopLoss"] as const) {
    it.each(objectKeys[kind])(`${kind}.%s: > 0 and < 1e9`, (key) => {
      const field = `${kind}.${key}`;
      expect(ok({ ...buy, [kind]: { [key]: 999_999_999 } })[kind]).toEqual({ [key === "limitPrice" || key === "stopPrice" ? "price" : key]: 999_999_999 });
      expect(invalidFields({ ...buy, [kind]: { [key]: 1e9 } }, [field])[field]).toBe("must be less than 1000000000, got 1000000000");
      expect(invalidFields({ ...buy, [kind]: { [key]: "1e400" } }, [field])[field]).toBe('must be less than 1000000000, got "1e400"');
      expect(invalidFields({ ...buy, [kind]: { [key]: 0 } }, [field])[field]).toBe("must be greater than 0, got 0");
      expect(invalidFields({ ...buy, [kind]: { [key]: "-1" } }, [field])[field]).toBe("must be greater than 0, got -1");
    });
  }

  it.each(["tp", "sl", "dollar_tp", "dollar_sl", "percentage_tp", "percentage_sl"])(
    "PickMyTrade %s: 0 is 'not set', otherwise > 0 and < 1e9",
    (key) => {
      expect(ok({ ...buy, [key]: 0 })).toEqual(buy);
      expect(ok({ ...buy, [key]: "0" })).toEqual(buy);
      expect(invalidFields({ ...buy, [key]: 1e9 }, [key])[key]).toBe("must be less than 1000000000, got 1000000000");
      expect(invalidFields({ ...buy, [key]: "1e308" }, [key])[key]).toBe("must be less than 1000000000, got 1e+308");
      expect(invalidFields({ ...buy, [key]: -1 }, [key])[key]).toBe("must be greater than 0, got -1");
    },
  );
});

describe("target size bounds", () => {
  it.each(["positionSize", "position_size"])("%s: |x| <= 100000", (key) => {
    expect(ok({ [key]: 100_000 })).toEqual({ targetSize: 100_000 });
    expect(ok({ [key]: "-100000" })).toEqual({ targetSize: -100_000 });
    expect(invalidFields({ [key]: 100_001 }, [key])[key]).toBe("must be at most 100000, got 100001");
    expect(invalidFields({ [key]: -100_001 }, [key])[key]).toBe("must be -100000 or more, got -100001");
    expect(invalidFields({ [key]: "1e308" }, [key])[key]).toBe("must be at most 100000, got 1e+308");
    expect(invalidFields({ [key]: "-1e400" }, [key])[key]).toBe('must be -100000 or more, got "-1e400"');
  });
  it.each(["marketPositionSize", "market_position_size"])("%s: <= 100000", (key) => {
    expect(ok({ marketPosition: "short", [key]: 100_000 })).toEqual({ targetSize: -100_000 });
    expect(invalidFields({ marketPosition: "long", [key]: 100_001 }, [key])[key]).toBe("must be at most 100000, got 100001");
    expect(invalidFields({ marketPosition: "long", [key]: "1e400" }, [key])[key]).toBe('must be at most 100000, got "1e400"');
  });
  it("strategy_info.market_position_size: <= 100000", () => {
    expect(ok({ strategy_info: { market_position: "long", market_position_size: "100000" } })).toEqual({ targetSize: 100_000 });
    expect(
      invalidFields({ strategy_info: { market_position: "long", market_position_size: 1e306 } }, ["strategy_info.market_position_size"])[
        "strategy_info.market_position_size"
      ],
    ).toBe("must be at most 100000, got 1e+306");
  });
});

describe("never a crash, never a non-finite number", () => {
  const numericKeys = [
    "quantity", "qty", "contracts", "price", "signalPrice", "close", "positionSize", "position_size",
    "marketPositionSize", "market_position_size", "takeProfit", "stopLoss", "tp", "sl", "dollar_tp", "dollar_sl",
    "percentage_tp", "percentage_sl",
  ];
  const values = ["1e308", "1e400", "-1e400", "1e-400", "9".repeat(400), "0.1e999", 1e306, -1e306, 5e-324, Number.MAX_VALUE];
  it("every numeric field with extreme values either parses to finite numbers or names the field", () => {
    for (const key of numericKeys) {
      for (const value of values) {
        const body = { action: "buy", marketPosition: "long", [key]: value };
        const r = parseWebhookBody(JSON.stringify(body));
        if (r.ok) {
          for (const n of Object.values(r.signal).flatMap((v) => (typeof v === "object" ? Object.values(v) : [v]))) {
            if (typeof n === "number") expect(Number.isFinite(n)).toBe(true);
          }
        } else {
          expect(r.error.code).toBe("invalid_signal");
          expect(r.error.details?.map((d) => d.field.split(".")[0])).toEqual([key]);
        }
      }
    }
  });
  it("a raw JSON body with overflowing numbers in every field is one invalid_signal", () => {
    const text = `{"action":"buy","quantity":1e400,"price":1e400,"positionSize":-1e400,"takeProfit":{"ticks":1e400},"sl":1e400}`;
    const r = parseWebhookBody(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("invalid_signal");
      expect(r.error.details?.map((d) => d.field).sort()).toEqual(["positionSize", "price", "quantity", "sl", "takeProfit.ticks"]);
    }
  });
});
