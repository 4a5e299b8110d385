// The `ticker` / `symbol` field: text of at most MAX_TICKER_LENGTH characters drawn from the characters
// TradingView symbols are written with. A ticker is echoed in replies and the signal log and is the input of
// instrument resolution, so a control character (U+0000–U+001F, U+007F–U+009F) or anything outside that set is
// refused up front as a field problem (400 invalid_signal): a deterministic failure must never surface later as
// a 5xx. The set covers plain symbols (MNQ1!, CME_MINI:MNQZ2025, BRK.B), spread expressions (ES1!-NQ1!) and the
// extended-session form ={"symbol":"CME_MINI:NQ1!","session":"extended"}.
import { MAX_TICKER_LENGTH } from "./limits";
import { textField } from "./text";

const ALLOWED_PUNCTUATION = ` _.!:=-+*/^&(){}",`;
const ALLOWED = /^[A-Za-z0-9 _.!:=\-+*/^&(){}",]*$/;

function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

function isControl(cp: number): boolean {
  return cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);
}

/** The problem with a ticker's characters, or undefined when they are all allowed. */
export function tickerCharacterProblem(ticker: string): string | undefined {
  if (ALLOWED.test(ticker)) return undefined;
  for (const c of ticker) {
    if (/[A-Za-z0-9]/.test(c) || ALLOWED_PUNCTUATION.includes(c)) continue;
    // Never echo a control character itself: it could break the message, a log line or a terminal.
    if (isControl(c.codePointAt(0)!)) return `must not contain control characters, got ${codePoint(c)}`;
    return (
      `must not contain ${JSON.stringify(c)} (${codePoint(c)}): ` +
      `a ticker is letters, digits, spaces and ${ALLOWED_PUNCTUATION.trim().split("").join(" ")}`
    );
  }
  return undefined;
}

export const tickerField = () =>
  textField({ maxLength: MAX_TICKER_LENGTH }).superRefine((value, ctx) => {
    if (value === undefined) return;
    const problem = tickerCharacterProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });
