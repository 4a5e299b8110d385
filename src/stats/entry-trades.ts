// CONTRACT "Backtest beside live", `?pairing=entries`: a closed position as the Strategy Tester lists it. One
// element per (entry fill, exit fill) pair matched first-in-first-out, so a partial exit splits the entry it closes;
// each element has its own run-up and drawdown measured from its own entry. The engine computes the elements when
// the position closes (src/engine/entry-lots.ts), the symbol object delivers them in `trades.entry_trades`; this
// module turns them into Trade-shaped rows, so stats, equity and CSV code is the same for both pairings.
// Rows without elements (recorded before the column existed) are read as one entry: the round trip itself.
// Cost: O(elements).
import type { EntryTrade, Trade } from "../engine/types";

/** One element of `trades.entry_trades`: the engine's EntryTrade (src/engine/types.ts, computed by
 * src/engine/entry-lots.ts). Money in USD (cents exact; the chunks' commission and pnl sum exactly to the trade's),
 * prices at the instrument's tick, runup ≥ 0, drawdown ≤ 0. */
export type EntryTradeChunk = EntryTrade;

export type TradeRow = Trade & { entryTrades?: readonly EntryTradeChunk[] | null | unknown };

/** The trades as the Strategy Tester lists them: one Trade per chunk, ids `${trade.id}:${index}`. */
export function asEntryTrades(trades: readonly TradeRow[]): Trade[] {
  const out: Trade[] = [];
  for (const t of trades) {
    const chunks = Array.isArray(t.entryTrades) ? (t.entryTrades as EntryTradeChunk[]) : null;
    if (!chunks || chunks.length === 0) {
      out.push(stripChunks(t));
      continue;
    }
    chunks.forEach((c, i) =>
      out.push({
        id: `${t.id}:${i}`,
        positionId: t.positionId,
        recorderId: t.recorderId,
        symbol: t.symbol,
        side: t.side,
        quantity: c.quantity,
        entryPrice: c.entryPrice,
        exitPrice: c.exitPrice,
        grossPnl: c.grossPnl,
        commission: c.commission,
        pnl: c.pnl,
        maxFavorable: c.runup,
        maxAdverse: c.drawdown,
        openedAt: c.entryAt,
        closedAt: c.exitAt,
        exitReason: c.exitReason,
      }),
    );
  }
  return out;
}

function stripChunks(t: TradeRow): Trade {
  const { entryTrades: _chunks, ...trade } = t as Trade & { entryTrades?: unknown };
  return trade;
}
