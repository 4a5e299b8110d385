// The recorder's closed net P&L of the current trading day on OTHER symbols, for its daily limits (CONTRACT
// "Exits and risk rules": "the recorder's realized net P&L for the trading day"). The symbol object knows its own
// feed symbol's trades exactly; the others come from D1, as far as their outboxes have delivered (seconds behind).
// "Other" is by feed symbol, not root: MNQ1! and MNQZ2025 (or two contract months) are different symbol objects
// of the same root, and neither knows the other's trades. A trade's feed symbol is its position's.
// One indexed query (trades by recorder and close time, positions by id), only for recorders with a daily limit.
import { tradingDay } from "../engine/calendar";
import { DEFAULT_TIMEZONE, DEFAULT_TRADING_DAY_START } from "../engine/rules";
import type { RecorderRow } from "../recorders/repository";

export async function otherDayNet(env: Env, recorder: RecorderRow, feedSymbol: string, now: Date): Promise<number> {
  if (recorder.dailyLossLimit == null && recorder.dailyProfitTarget == null) return 0;
  const day = tradingDay(now.getTime(), recorder.timezone ?? DEFAULT_TIMEZONE, recorder.tradingDayStart ?? DEFAULT_TRADING_DAY_START);
  try {
    const row = await env.DB.prepare(
      `SELECT COALESCE(SUM(t.pnl), 0) AS net FROM trades t JOIN positions p ON p.id = t.position_id
       WHERE t.recorder_id = ? AND t.closed_at >= ? AND p.feed_symbol <> ?`,
    )
      .bind(recorder.id, new Date(day.startMs).toISOString(), feedSymbol)
      .first<{ net: number }>();
    const net = Number(row?.net ?? 0);
    return Number.isFinite(net) ? Math.round(net * 100) / 100 : 0;
  } catch (err) {
    // D1 down: the limit still holds for this symbol's own trades, which the symbol object knows.
    console.warn(`daily net of other symbols unavailable: ${String(err)}`);
    return 0;
  }
}
