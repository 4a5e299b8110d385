// The recorder's closed net P&L of the current trading day on OTHER symbols, for its daily limits (CONTRACT "Exits and
// risk rules": "the recorder's realized net P&L for the trading day"). The symbol object knows its own feed
// symbol's trades exactly; the others come from D1, as far as their outboxes have delivered (seconds behind).
// "Other" is by feed symbol, not root: MNQ1! and MNQZ2025 (or two contract months) are different symbol objects
// of the same root, and neither knows the other's trades. A trade's feed symbol is its position's.
// Pure: the rows are the webhook lookup's (recorders/day-pnl.ts, sums per feed symbol and close minute over a
// window containing the day), so no D1 round trip of its own; a loop over at most a few thousand rows.
import { tradingDay } from "../engine/calendar";
import { DEFAULT_TIMEZONE, DEFAULT_TRADING_DAY_START } from "../engine/rules";
import type { DayPnlRow } from "../recorders/day-pnl";
import type { RecorderRow } from "../recorders/repository";

export function otherDayNet(rows: readonly DayPnlRow[], recorder: RecorderRow, feedSymbol: string, now: Date): number {
  if (recorder.dailyLossLimit == null && recorder.dailyProfitTarget == null) return 0;
  const day = tradingDay(now.getTime(), recorder.timezone ?? DEFAULT_TIMEZONE, recorder.tradingDayStart ?? DEFAULT_TRADING_DAY_START);
  // The day starts on a whole minute (day-pnl.ts): a trade closed in its first minute or later counts.
  const from = new Date(day.startMs).toISOString().slice(0, 16);
  let net = 0;
  for (const r of rows) {
    if (r.recorderId === recorder.id && r.feedSymbol !== feedSymbol && r.minute >= from) net += Number(r.net);
  }
  if (Number.isFinite(net)) return Math.round(net * 100) / 100;
  // Not a number D1 should ever return: the limit still holds for this symbol's own trades, which the symbol
  // object knows.
  console.warn(`daily net of other symbols unavailable: ${net}`);
  return 0;
}
