// Numbers in a TradingView "List of trades" CSV, as exports and spreadsheets re-saving them write them. Pure.
//
// Accepted: `-1234.5`, `+3`, `1,234.50` / `1 234.50` (thousands groups of exactly three digits, separated by a
// comma, a space, a no-break or a narrow no-break space), `−12.5` (U+2212, the minus TradingView shows on screen),
// a currency code or `$` / `%` around the number (`-12.50 USD`, `$25600`, `0.45%`), an exponent (`1e3`).
// Refused (null): anything else, e.g. `1,23` (a decimal comma is ambiguous with a thousands separator), `12..5`,
// `NaN`, `Infinity`, text. The caller bounds the value; a non-finite result (`1e400`) is refused here already.

const GROUPED = /^\d{1,3}(?:[, \u00a0\u202f]\d{3})+(?:\.\d*)?$/;
const PLAIN = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,4})?$/;

/** The number in `raw`, or null when it is not one (empty included). */
export function parseNumber(raw: string): number | null {
  let s = raw.trim().replace(/\u2212/g, "-");
  // A currency code or symbol before or after the number, as a copy from the screen may carry.
  s = s.replace(/^(?:[A-Za-z]{2,10}|\$)\s*/, "").replace(/\s*(?:[A-Za-z]{2,10}|%)$/, "");
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  // `$-12` or `-$12`.
  if (s.startsWith("$")) s = s.slice(1);
  if (s.startsWith("-") && sign === 1) {
    sign = -1;
    s = s.slice(1);
  }
  if (GROUPED.test(s)) s = s.replace(/[, \u00a0\u202f]/g, "");
  if (!PLAIN.test(s)) return null;
  const v = sign * Number(s);
  return Number.isFinite(v) ? v + 0 : null;
}
