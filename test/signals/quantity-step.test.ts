// Quantity granularity (CONTRACT "Bad input and faults"): whole contracts unless the recorder's quantityStep
// allows fractions. A pure check the webhook handler runs with the recorder's step.
import { describe, expect, it } from "vitest";
import { DEFAULT_QUANTITY_STEP } from "../../src/signals/limits";
import { isMultipleOf, quantityStepProblems } from "../../src/signals/quantity-step";
import { ok } from "./helpers";

describe("quantityStepProblems", () => {
  it("default step 1: whole contracts only", () => {
    expect(DEFAULT_QUANTITY_STEP).toBe(1);
    expect(quantityStepProblems({ action: "buy", quantity: 2 }, 1)).toEqual([]);
    expect(quantityStepProblems({ action: "buy", quantity: 100_000 })).toEqual([]);
    expect(quantityStepProblems({ action: "buy", quantity: 0.5 }, 1)).toEqual([
      { field: "quantity", problem: "must be a whole number of contracts, got 0.5" },
    ]);
    expect(quantityStepProblems({ action: "buy", quantity: 1.5 })).toHaveLength(1);
  });

  it("checks the target size too, signed, named positionSize", () => {
    expect(quantityStepProblems({ targetSize: -3 }, 1)).toEqual([]);
    expect(quantityStepProblems({ targetSize: 0 }, 1)).toEqual([]);
    expect(quantityStepProblems({ targetSize: -2.5 }, 1)).toEqual([
      { field: "positionSize", problem: "must be a whole number of contracts, got -2.5" },
    ]);
    expect(quantityStepProblems({ action: "sell", quantity: 0.5, targetSize: 1.5 }, 1).map((p) => p.field)).toEqual([
      "quantity",
      "positionSize",
    ]);
  });

  it("step 0.001 allows thousandths, tolerant of binary fractions", () => {
    for (const q of [0.001, 0.003, 0.007, 0.1, 0.3, 1.001, 2.675, 99_999.999, 100_000]) {
      expect(quantityStepProblems({ action: "buy", quantity: q }, 0.001)).toEqual([]);
    }
    expect(quantityStepProblems({ targetSize: -0.003 }, 0.001)).toEqual([]);
    expect(quantityStepProblems({ action: "buy", quantity: 0.0005 }, 0.001)).toEqual([
      { field: "quantity", problem: "must be a multiple of 0.001 (the recorder's quantityStep), got 0.0005" },
    ]);
    expect(quantityStepProblems({ action: "buy", quantity: 1.0015 }, 0.001)).toHaveLength(1);
  });

  it("other steps", () => {
    expect(quantityStepProblems({ action: "buy", quantity: 0.75 }, 0.25)).toEqual([]);
    expect(quantityStepProblems({ action: "buy", quantity: 0.8 }, 0.25)).toHaveLength(1);
    expect(quantityStepProblems({ action: "buy", quantity: 0.3 }, 0.1)).toEqual([]);
  });

  it("a step that is not a positive finite number counts as 1", () => {
    for (const step of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(quantityStepProblems({ action: "buy", quantity: 2 }, step)).toEqual([]);
      expect(quantityStepProblems({ action: "buy", quantity: 0.5 }, step)).toHaveLength(1);
    }
  });

  it("no quantity, no target: nothing to check", () => {
    expect(quantityStepProblems({ action: "close" }, 1)).toEqual([]);
  });

  it("works on what the parser produces", () => {
    expect(quantityStepProblems(ok({ action: "buy", qty: "0.5" }), 1)).toHaveLength(1);
    expect(quantityStepProblems(ok({ position_size: "-0.002" }), 0.001)).toEqual([]);
    expect(quantityStepProblems(ok({ marketPosition: "long", marketPositionSize: "1.5" }), 1)[0].field).toBe("positionSize");
  });

  it("isMultipleOf", () => {
    expect(isMultipleOf(0.3, 0.1)).toBe(true);
    expect(isMultipleOf(0.35, 0.1)).toBe(false);
    expect(isMultipleOf(3, 1)).toBe(true);
    expect(isMultipleOf(3.0000001, 1)).toBe(false);
    expect(isMultipleOf(0, 1)).toBe(true);
  });

  it("a quantity far below one step is not '0 steps' (found by the hostile suite)", () => {
    expect(quantityStepProblems({ action: "buy", quantity: 5e-324 }, 1)).toHaveLength(1);
    expect(quantityStepProblems({ action: "buy", quantity: 1e-13 }, 0.001)).toHaveLength(1);
    expect(quantityStepProblems({ targetSize: 5e-324 }, 1)[0].field).toBe("positionSize");
  });
});
