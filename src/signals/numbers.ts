// Numeric fields. TradingView substitutes placeholders as text, so numbers often arrive as JSON strings
// ("25600.25", " 1 "). Accepted: JSON numbers and decimal strings (optional sign, optional exponent, surrounding
// whitespace). Rejected: anything else ("abc", "1,5", "0x10", "NaN", "Infinity", booleans), with a specific
// message for an unsubstituted `{{placeholder}}`. Blank (missing, null, "") means absent.
//
// Numbers must be finite (CONTRACT "Bad input and faults"). A decimal string that overflows ("1e400") and a JSON
// number that does (JSON.parse gives Infinity) are numbers out of range, so they get the field's bound problem
// ("must be less than 1000000000") rather than "not a number": that tells the sender what the field takes.
import { z } from "zod";
import { MAX_DOLLAR_AMOUNT, MAX_PERCENT_OF_EQUITY, MAX_PRICE, MAX_QUANTITY, MAX_TRAIL_PERCENT } from "./limits";
import { blankToUndefined, describeValue, findPlaceholder, placeholderProblem } from "./values";

const DECIMAL_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A decimal string converted to a number (±Infinity when it overflows; never NaN); anything else is returned
 * unchanged (a non-number is then rejected). No -0.
 */
export function coerceNumber(value: unknown): unknown {
  if (typeof value === "string") {
    const s = value.trim();
    if (DECIMAL_RE.test(s)) return Number(s) || 0;
  }
  if (typeof value === "number" && value === 0) return 0;
  return value;
}

function notANumberProblem(input: unknown): string {
  const placeholder = findPlaceholder(input);
  if (placeholder) return placeholderProblem(placeholder);
  return `must be a number, got ${describeValue(input)}`;
}

export type NumberRule = {
  /** Lower bound that is an error when violated. */
  min?: { gt: number } | { gte: number };
  /** Upper bound that is an error when violated. */
  max?: { lt: number } | { lte: number };
  /** Finite values treated as absent instead of checked (e.g. a price <= 0). Checked before the bounds. */
  absentWhen?: (n: number) => boolean;
};

/** The first bound `n` violates, as a field problem; a non-finite value always violates something. */
function boundProblem(n: number, rule: NumberRule, got: string): string | undefined {
  const { min, max } = rule;
  if (min && "gt" in min && !(n > min.gt)) return `must be greater than ${min.gt}, got ${got}`;
  if (min && "gte" in min && !(n >= min.gte)) return `must be ${min.gte} or more, got ${got}`;
  if (max && "lt" in max && !(n < max.lt)) return `must be less than ${max.lt}, got ${got}`;
  if (max && "lte" in max && !(n <= max.lte)) return `must be at most ${max.lte}, got ${got}`;
  if (!Number.isFinite(n)) return `must be a finite number, got ${got}`;
  return undefined;
}

/** An optional numeric field: `number | undefined` after parsing, always finite. */
export function numberField(rule: NumberRule = {}) {
  return z
    .unknown()
    .transform((raw, ctx): number | undefined => {
      const value = coerceNumber(blankToUndefined(raw));
      if (value === undefined) return undefined;
      if (typeof value !== "number" || Number.isNaN(value)) {
        ctx.addIssue({ code: "custom", message: notANumberProblem(raw) });
        return undefined;
      }
      if (Number.isFinite(value) && rule.absentWhen?.(value)) return undefined;
      // An overflowed value says little as a number ("Infinity"); show what was sent when it was text.
      const got = Number.isFinite(value) || typeof raw !== "string" ? describeValue(value) : describeValue(raw);
      const problem = boundProblem(value, rule, got);
      if (problem !== undefined) {
        ctx.addIssue({ code: "custom", message: problem });
        return undefined;
      }
      return value;
    })
    .optional();
}

const belowMaxPrice = { lt: MAX_PRICE } as const;
const maxQuantity = { lte: MAX_QUANTITY } as const;

/** A quantity in contracts: > 0 and <= MAX_QUANTITY; 0 means "not set" (the recorder default applies). */
export const quantityValue = () => numberField({ min: { gt: 0 }, max: maxQuantity, absentWhen: (n) => n === 0 });
/** A price: <= 0 means absent (CONTRACT: the fill uses `price` only if present and > 0); a given one < MAX_PRICE. */
export const priceValue = () => numberField({ max: belowMaxPrice, absentWhen: (n) => n <= 0 });
/** A take-profit / stop-loss value (price, amount, percent or ticks): > 0 and < MAX_PRICE. */
export const levelValue = () => numberField({ min: { gt: 0 }, max: belowMaxPrice });
/** PickMyTrade's flat level keys: as levelValue, but 0 means "not set" (it sends 0 for unused fields). */
export const levelValueOrZeroAbsent = () => numberField({ min: { gt: 0 }, max: belowMaxPrice, absentWhen: (n) => n === 0 });
/** A signed target position: |n| <= MAX_QUANTITY. */
export const signedSize = () => numberField({ min: { gte: -MAX_QUANTITY }, max: maxQuantity });
/** An unsigned target size: 0..MAX_QUANTITY. */
export const unsignedSize = () => numberField({ min: { gte: 0 }, max: maxQuantity });
/** TradersPost dollar_amount sizing: USD, > 0 and <= MAX_DOLLAR_AMOUNT; 0 means "not set" (as for quantity). */
export const dollarAmountValue = () =>
  numberField({ min: { gt: 0 }, max: { lte: MAX_DOLLAR_AMOUNT }, absentWhen: (n) => n === 0 });
/** TradersPost percent_of_equity sizing: > 0 and <= 100; 0 means "not set" (as for quantity). */
export const percentOfEquityValue = () =>
  numberField({ min: { gt: 0 }, max: { lte: MAX_PERCENT_OF_EQUITY }, absentWhen: (n) => n === 0 });
/** A trailing distance in percent of the fill price: > 0 and < MAX_TRAIL_PERCENT. */
export const trailPercentValue = () => numberField({ min: { gt: 0 }, max: { lt: MAX_TRAIL_PERCENT } });
/** A distance in price units that may be 0 (a trailing trigger, a break-even offset): >= 0 and < MAX_PRICE. */
export const distanceOrZeroValue = () => numberField({ min: { gte: 0 }, max: belowMaxPrice });
