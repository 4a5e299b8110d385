// Closed-trade equity curve for the dashboard (equity line with the drawdown underneath). Pure, no I/O.
import type { Trade } from "../engine/types";
import { capitalCents, fromCents, roundPct, toCents } from "./money";
import { sortByClose, timeMs } from "./order";

export interface EquityPoint {
  /** closedAt of the trade (ISO-8601 UTC as stored); for the optional start point, openedAt of the first trade. */
  time: string;
  /** null only for the optional start point. */
  tradeId: string | null;
  /** Net P&L of this trade (0 for the start point). */
  pnl: number;
  /** Cumulative net P&L after this trade, starting from 0. */
  equity: number;
  /** Running maximum of equity, the start (0) included, so peak ≥ 0. */
  peak: number;
  /** equity − peak, ≤ 0. The maximum drawdown of the stats is −min(drawdown). */
  drawdown: number;
  /** Only with an initial capital C: 100 × equity / C, the return on initial capital so far (the CSV's
   *  "Cumulative P&L %"), 2 decimals. */
  equityPercent?: number;
  /** Only with an initial capital C: 100 × drawdown / (C + peak), ≤ 0, 2 decimals: the fall as a percent of the
   *  account's running peak, so the stats' maxDrawdownPercent is −min(drawdownPercent) (up to rounding). */
  drawdownPercent?: number;
}

export interface EquityOptions {
  /** Prepend a point {time: first trade's openedAt, tradeId: null, equity 0} so the curve starts at 0. Default false. */
  includeStart?: boolean;
  /** Initial capital in USD. When usable (≥ 1 cent), every point also carries equityPercent and drawdownPercent;
   *  null/undefined leaves the points as they are without it. */
  initialCapital?: number | null;
}

/** Equity after each closed trade in close order (closedAt, then id). Money in USD rounded to the cent, percents to
 *  2 decimals. */
export function equitySeries(trades: readonly Trade[], opts: EquityOptions = {}): EquityPoint[] {
  const sorted = sortByClose(trades);
  const capital = capitalCents(opts.initialCapital);
  // Percent fields only when there is a capital to relate to; computed from the cent amounts, rounded once.
  const withPct = (p: EquityPoint, equityCents: number, peakCents: number): EquityPoint =>
    capital === null
      ? p
      : {
          ...p,
          equityPercent: roundPct((100 * equityCents) / capital),
          drawdownPercent: roundPct((100 * (equityCents - peakCents)) / (capital + peakCents)), // C + peak ≥ C > 0
        };
  const out: EquityPoint[] = [];
  if (opts.includeStart && sorted.length > 0) {
    let first = sorted[0].openedAt;
    for (const t of sorted) if (timeMs(t.openedAt) < timeMs(first)) first = t.openedAt;
    out.push(withPct({ time: first, tradeId: null, pnl: 0, equity: 0, peak: 0, drawdown: 0 }, 0, 0));
  }
  let equity = 0; // cents
  let peak = 0; // cents
  for (const t of sorted) {
    const pnl = toCents(t.pnl);
    equity += pnl;
    if (equity > peak) peak = equity;
    out.push(
      withPct(
        {
          time: t.closedAt,
          tradeId: t.id,
          pnl: fromCents(pnl),
          equity: fromCents(equity),
          peak: fromCents(peak),
          drawdown: fromCents(equity - peak),
        },
        equity,
        peak,
      ),
    );
  }
  return out;
}
