// TradersPost `quantityType` (reference/peers.md): what the `quantity` (aliases qty, contracts) counts.
// - fixed_quantity (and absent): contracts, bounded by MAX_QUANTITY (signal.quantity, as always).
// - dollar_amount: USD to spend, > 0 and <= MAX_DOLLAR_AMOUNT -> `sizing: {dollarAmount}`, no `quantity`.
// - percent_of_equity: percent of the recorder's equity, > 0 and <= 100 -> `sizing: {percentOfEquity}`, no
//   `quantity`.
// TradersPost's risk_dollar_amount and percent_of_position (and anything else) are refused on `quantityType`.
// The quantity keys are checked against the bound of their unit, so the parser picks the quantity schema from
// the quantityType before it runs the field schemas (quantityValueFor).
import type { NormalizedSignal } from "../engine/types";
import { dollarAmountValue, percentOfEquityValue, quantityValue } from "./numbers";
import { keywordField } from "./text";

export type QuantityType = "fixed_quantity" | "dollar_amount" | "percent_of_equity";
const QUANTITY_TYPES: Record<string, QuantityType> = {
  fixed_quantity: "fixed_quantity",
  dollar_amount: "dollar_amount",
  percent_of_equity: "percent_of_equity",
};
export const ACCEPTED_QUANTITY_TYPES = Object.keys(QUANTITY_TYPES).join(", ");

export const quantityTypeField = () => keywordField(QUANTITY_TYPES, ACCEPTED_QUANTITY_TYPES);

/** The schema of a quantity key (quantity, qty, contracts) when the quantityType is `type`. */
export function quantityValueFor(type: QuantityType) {
  switch (type) {
    case "fixed_quantity":
      return quantityValue();
    case "dollar_amount":
      return dollarAmountValue();
    case "percent_of_equity":
      return percentOfEquityValue();
  }
}

/** A quantity read in the unit of `type`: contracts, or the sizing it stands for. */
export function sizingOf(type: QuantityType, quantity: number): Pick<NormalizedSignal, "quantity" | "sizing"> {
  switch (type) {
    case "fixed_quantity":
      return { quantity };
    case "dollar_amount":
      return { sizing: { dollarAmount: quantity } };
    case "percent_of_equity":
      return { sizing: { percentOfEquity: quantity } };
  }
}

export function missingSizedQuantityProblem(type: Exclude<QuantityType, "fixed_quantity">): string {
  const unit = type === "dollar_amount" ? "the amount in USD" : "the percent of equity (at most 100)";
  return `is required with quantityType ${type}: ${unit}, greater than 0`;
}
