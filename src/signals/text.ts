// Text fields (ticker, id, time, comment, enum-like values): trimmed, blank = absent, optional numbers turned
// into strings, unsubstituted `{{placeholders}}` rejected unless allowed.
import { z } from "zod";
import { blankToUndefined, describeValue, findPlaceholder, placeholderProblem } from "./values";

export type TextRule = {
  maxLength?: number;
  /** Accept finite JSON numbers and turn them into strings (e.g. a numeric alert id). */
  numbers?: boolean;
  /** Keep `{{...}}` as literal text instead of rejecting it (free text such as comments). */
  allowPlaceholders?: boolean;
};

export function textField(rule: TextRule = {}) {
  let str = z.string({ error: (iss) => `must be a string, got ${describeValue(iss.input)}` });
  if (rule.maxLength !== undefined) {
    const max = rule.maxLength;
    str = str.max(max, { error: () => `must be at most ${max} characters` });
  }
  const checked = rule.allowPlaceholders
    ? str
    : str.refine((s) => findPlaceholder(s) === undefined, {
        error: (iss) => placeholderProblem(findPlaceholder(iss.input) ?? "{{…}}"),
      });
  return z.preprocess((raw) => {
    let value = blankToUndefined(raw);
    if (rule.numbers && typeof value === "number" && Number.isFinite(value)) value = String(value);
    return typeof value === "string" ? value.trim() : value;
  }, checked.optional());
}

/**
 * A case-insensitive keyword field: trimmed, lower-cased, mapped through `table`; unknown values are errors
 * listing the accepted words.
 */
export function keywordField<T extends string>(table: Record<string, T>, accepted: string) {
  return textField().transform((value, ctx): T | undefined => {
    if (value === undefined) return undefined;
    const mapped = Object.hasOwn(table, value.toLowerCase()) ? table[value.toLowerCase()] : undefined;
    if (mapped === undefined) {
      ctx.addIssue({ code: "custom", message: `must be one of ${accepted}, got ${describeValue(value)}` });
      return undefined;
    }
    return mapped;
  });
}
