// The Strategy Tester's Performance Summary columns: All, Long, Short. Each column is the same summary over the
// trades of that side only (its own equity curve, drawdown and run-up, as TradingView computes them per column);
// open P&L is split by the side of the open position. Pure. Cost: three passes of computeStats, O(n log n).
import type { Trade } from "../engine/types";
import { computeStats, type Stats, type StatsOptions } from "./metrics";

export interface StatsBySide {
  all: Stats;
  long: Stats;
  short: Stats;
}

type PerSide = { long: number; short: number };

export function statsBySide(
  trades: readonly Trade[],
  opts: Omit<StatsOptions, "openPnl" | "openTrades"> & { openPnl?: PerSide; openTrades?: PerSide } = {},
): StatsBySide {
  const pnl = opts.openPnl ?? { long: 0, short: 0 };
  const n = opts.openTrades ?? { long: 0, short: 0 };
  const base = { ...opts, openPnl: undefined, openTrades: undefined };
  return {
    all: computeStats(trades, { ...base, openPnl: pnl.long + pnl.short, openTrades: n.long + n.short }),
    long: computeStats(
      trades.filter((t) => t.side === "long"),
      { ...base, openPnl: pnl.long, openTrades: n.long },
    ),
    short: computeStats(
      trades.filter((t) => t.side === "short"),
      { ...base, openPnl: pnl.short, openTrades: n.short },
    ),
  };
}
