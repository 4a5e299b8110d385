// One line per recorder for the recorders list (`GET /api/recorders?summary=true`): net P&L, closed trades, open
// positions, max drawdown and the last signal, so the list answers "how is each strategy doing" without opening
// each report. Closed trades and signals from D1; open positions live from the symbol objects the directory lists
// as holding some (as the positions screen does: an opening may not have reached D1 yet when the list is read).
// Net P&L and max drawdown are the report's own (computeStats, round trips), so the two never disagree.
// Cost: two queries and one call per active symbol object; the trades query reads every closed trade once (O(trades)), like one report per recorder.
import { max } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { signals, trades } from "../db/schema";
import type { Trade } from "../engine/types";
import { computeStats } from "../stats";
import { livePositions } from "./positions";

export interface RecorderSummary {
  netProfit: number;
  totalClosedTrades: number;
  openPositions: number;
  /** Largest fall of closed-trade equity from its peak, positive (the report's maxDrawdown). */
  maxDrawdown: number;
  /** receivedAt of the recorder's latest signal (any outcome), null when it never sent one. */
  lastSignalAt: string | null;
}

/** Every Trade column but the per-entry chunks (large, and not needed here). */
const tradeColumns = {
  id: trades.id,
  positionId: trades.positionId,
  recorderId: trades.recorderId,
  symbol: trades.symbol,
  side: trades.side,
  quantity: trades.quantity,
  entryPrice: trades.entryPrice,
  exitPrice: trades.exitPrice,
  grossPnl: trades.grossPnl,
  commission: trades.commission,
  pnl: trades.pnl,
  maxFavorable: trades.maxFavorable,
  maxAdverse: trades.maxAdverse,
  openedAt: trades.openedAt,
  closedAt: trades.closedAt,
  exitReason: trades.exitReason,
};

export async function recorderSummaries(env: Env, db: DrizzleD1Database): Promise<Map<string, RecorderSummary>> {
  const [closed, open, last] = await Promise.all([
    db.select(tradeColumns).from(trades),
    livePositions(env, {}),
    db.select({ recorderId: signals.recorderId, at: max(signals.receivedAt) }).from(signals).groupBy(signals.recorderId),
  ]);
  const byRecorder = new Map<string, Trade[]>();
  for (const t of closed) {
    const list = byRecorder.get(t.recorderId) ?? [];
    list.push(t as Trade);
    byRecorder.set(t.recorderId, list);
  }
  const out = new Map<string, RecorderSummary>();
  const entry = (id: string) => {
    let s = out.get(id);
    if (s === undefined) {
      s = { netProfit: 0, totalClosedTrades: 0, openPositions: 0, maxDrawdown: 0, lastSignalAt: null };
      out.set(id, s);
    }
    return s;
  };
  for (const [id, list] of byRecorder) {
    const stats = computeStats(list);
    Object.assign(entry(id), { netProfit: stats.netProfit, totalClosedTrades: stats.totalClosedTrades, maxDrawdown: stats.maxDrawdown });
  }
  for (const p of open) entry(p.recorderId).openPositions++;
  for (const l of last) entry(l.recorderId).lastSignalAt = l.at ?? null;
  return out;
}

export function emptySummary(): RecorderSummary {
  return { netProfit: 0, totalClosedTrades: 0, openPositions: 0, maxDrawdown: 0, lastSignalAt: null };
}
