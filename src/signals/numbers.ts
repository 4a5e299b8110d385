// Numeric fields. TradingView substitutes placeholders as text, so numbers often arrive as JSON strings
// ("25600.25", " 1 "). Accepted: finite JSON numbers and decimal strings (optional sign, optional exponent,
// surrounding whitespace). Rejected: anything else ("abc", "1,5", "0x10", "NaN", "Infinity", booleans), with a
// specific message for an unsubstituted `{{placeholder}}`. Blank (missing, null, "") means absent.
import { z } from "zod";
import { blankToUndefined, describeValue, findPlaceholder, placeholderProblem } from "./values";

const DECIMAL_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number, or a decimal string converted to one; anything else is returned unchanged (and rejected). */
export function coerceNumber(value: unknown): unknown {
  if (typeof value === "string") {
    const s = value.trim();
    if (DECIMAL_RE.test(s)) {
      const n = Number(s);
      if (Number.isFinite(n)) return n === 0 ? 0 : n; // no -0
    }
  }
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
  /** Values treated as absent instead of checked (e.g. a price <= 0). Checked before `min`. */
  absentWhen?: (n: number) => boolean;
};

/** An optional numeric field: `number | undefined` after parsing. */
export function numberField(rule: NumberRule = {}) {
  let num = z.number({ error: (iss) => notANumberProblem(iss.input) });
  const { min } = rule;
  if (min && "gt" in min) num = num.gt(min.gt, { error: (iss) => `must be greater than ${min.gt}, got ${describeValue(iss.input)}` });
  if (min && "gte" in min) num = num.gte(min.gte, { error: (iss) => `must be ${min.gte} or more, got ${describeValue(iss.input)}` });
  return z.preprocess((raw) => {
    const value = coerceNumber(blankToUndefined(raw));
    if (typeof value === "number" && rule.absentWhen?.(value)) return undefined;
    return value;
  }, num.optional());
}

/** > 0, and 0 means "not set" (PickMyTrade sends 0 for unused fields); negatives are errors. */
export const positiveOrZeroAbsent = () => numberField({ min: { gt: 0 }, absentWhen: (n) => n === 0 });
/** Strictly > 0. */
export const positive = () => numberField({ min: { gt: 0 } });
/** >= 0. */
export const nonNegative = () => numberField({ min: { gte: 0 } });
/** Any finite number (signed). */
export const signed = () => numberField();
/** A price: a value <= 0 is treated as absent (CONTRACT: the fill uses `price` only if present and > 0). */
export const priceValue = () => numberField({ absentWhen: (n) => n <= 0 });
