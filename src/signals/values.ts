// Low-level value helpers shared by the signal field schemas: blank detection, placeholder detection and
// short human descriptions of received values for error messages. Pure functions, no zod.

/** A TradingView placeholder left in the text, e.g. `{{close}}` or `{{strategy.order.contracts}}`. */
const PLACEHOLDER_RE = /\{\{[^{}]*\}\}/;

/** Returns the first unsubstituted `{{...}}` placeholder in a string value, if any. */
export function findPlaceholder(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return PLACEHOLDER_RE.exec(value)?.[0];
}

export function placeholderProblem(placeholder: string): string {
  return (
    `contains the TradingView placeholder ${placeholder}, which was not substituted ` +
    `(check its spelling and that it exists for this kind of alert, e.g. strategy.* placeholders only work in strategy alerts)`
  );
}

/**
 * Absent for an optional field: missing, null, or a string that is empty after trimming
 * (TradingView placeholders can render empty).
 */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

/** `blank -> undefined`, otherwise the value unchanged. */
export function blankToUndefined(value: unknown): unknown {
  return isBlank(value) ? undefined : value;
}

/** A short description of a received value for error messages ("abc", true, an object, ...). */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    const s = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(s);
  }
  return String(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
