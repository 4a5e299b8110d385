// Exit and fill reasons in words ("Take profit", "Trailing stop") instead of the API's codes (take_profit,
// trailing_stop); the code stays in the element's title and data attribute, so filters and tests can still use it.
const WORDS: Record<string, string> = {
  signal: "Exit signal",
  reverse: "Reversal",
  take_profit: "Take profit",
  stop_loss: "Stop loss",
  manual: "Manual close",
  trailing_stop: "Trailing stop",
  break_even: "Break-even stop",
  session_end: "Session end",
  daily_limit: "Daily limit",
  open: "Entry",
  add: "Add",
  reduce: "Partial exit",
};

/** "take_profit_2" -> "Take profit 2"; an unknown code -> its words ("foo_bar" -> "Foo bar"). */
export function reasonText(code: string | null | undefined): string {
  if (!code) return "—";
  const known = WORDS[code];
  if (known) return known;
  const leg = /^take_profit_(\d+)$/.exec(code);
  if (leg) return `Take profit ${leg[1]}`;
  const words = code.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The CSS family of a reason (its colour): take-profits green, stops red, manual amber. */
export function reasonClass(code: string | null | undefined): string {
  if (!code) return "";
  if (code.startsWith("take_profit")) return "reason-take_profit";
  if (code === "stop_loss" || code === "trailing_stop" || code === "break_even" || code === "daily_limit") return "reason-stop_loss";
  if (code === "manual" || code === "session_end") return "reason-manual";
  return `reason-${code}`;
}
