// The two cumulative P&L curves of "Backtest vs live", both built from one comparison response.
//
// Why the live curve comes from the comparison's live trades and not from GET /equity?pairing=entries: the
// comparison is the one place that lists exactly the live trades its summary adds up, so the live curve ends at the
// summary's netProfitLive to the cent, and both curves come from one consistent read (a trade closing between two
// requests cannot make the chart and the numbers disagree). Its live trades are per entry, like the backtest's.
import type { Comparison } from "./api";
import { CURVE_COLORS, type CurveLine } from "./charts";
import { isNum } from "./format";

interface Step {
  time: string;
  pnl: number;
  order: string | number;
}

/** Running totals in time order (ties by the trade's own order), summed in cents so the end is exact. */
function cumulative(steps: Step[]): { time: string; value: number }[] {
  const sorted = [...steps].sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  let cents = 0;
  return sorted.map((s) => {
    cents += Math.round(s.pnl * 100);
    return { time: s.time, value: cents / 100 };
  });
}

export function comparisonCurves(cmp: Comparison): CurveLine[] {
  const backtest: Step[] = [];
  const live: Step[] = [];
  for (const row of cmp.trades) {
    const b = row.backtest;
    // a trade still open at the end of the backtest (exit "Open") has no exit time and no result: not on the curve
    if (b && b.exitAt && isNum(b.pnl)) backtest.push({ time: b.exitAt, pnl: b.pnl, order: b.tradeNo });
    const l = row.live;
    if (l && l.closedAt && isNum(l.pnl)) live.push({ time: l.closedAt, pnl: l.pnl, order: l.id });
  }
  return [
    { title: "Backtest", color: CURVE_COLORS.backtest, points: cumulative(backtest) },
    { title: "Live", color: CURVE_COLORS.live, points: cumulative(live) },
  ];
}
