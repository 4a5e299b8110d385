// The backtest beside the live record (CONTRACT "Backtest beside live": GET /api/recorders/:id/comparison). Pure.
//
// Inputs: the imported backtest trades and the live trades as the Strategy Tester lists them (one per entry,
// src/stats/entry-trades.ts), both closed only: a backtest trade still open at the end of the backtest (exitAt
// null) has no result yet, as a live position still open is not a trade, so it takes part in nothing here (it is
// stored and counted by the import).
//
// Matching, deterministic: backtest trades are taken in entry order (entryAt, then Trade #). Each one takes the
// unmatched live trade of the same side whose entry is nearest to its own, among those within `toleranceSeconds`
// (|live entry − backtest entry| ≤ tolerance, inclusive); a tie goes to the earlier live entry, then to the live
// trade listed first (close order, then entry order within a position). A backtest trade with no candidate is
// missed in live; live trades left over are extra in live. Greedy in time order, not a global optimum: it is what
// a reader does walking down both lists; with the tie-breaks above the result is fully determined by the two lists.
//
// Per pair (live − backtest; slippage in ticks, adverse positive):
//   entrySlippageTicks = dir × (live entry − backtest entry) / tick   (dir +1 long, −1 short: paying more is adverse)
//   exitSlippageTicks  = dir × (backtest exit − live exit) / tick     (receiving less is adverse)
//   entryLagSeconds    = live entry time − backtest entry time (to the millisecond)
//   pnlDiff, runupDiff, drawdownDiff = live − backtest (run-up ≥ 0, drawdown ≤ 0 on both sides; null when the CSV
//   had no such column). Ticks are rounded to 2 decimals (float noise); null when the tick size is unknown.
// Unmatched rows carry null in every difference. Backtest money is taken as the CSV gave it: for futures that is USD
// like the live side (the import records the CSV's currency; GET /api/recorders/:id/backtest shows it).
// Summary, all money summed in integer cents so the identity is exact:
//   netProfitLive = netProfitBacktest + pnlFromMissed + pnlFromExtra + pnlFromSlippage, where
//   pnlFromMissed = −Σ missed backtest P&L, pnlFromExtra = Σ extra live P&L, pnlFromSlippage = Σ (live − backtest)
//   over matched pairs.
// Rows: matched and missed rows by backtest entry, extra rows by live entry, merged by that time (then Trade #,
// then live order). Cost: O((B + L) log L) plus, per backtest trade, the live entries inside its window.
import type { Trade } from "../engine/types";
import { fromCents, roundTo, toCents } from "../stats/money";
import type { BacktestTrade } from "./types";

export interface ComparisonRow {
  backtest: BacktestTrade | null;
  live: Trade | null;
  entrySlippageTicks: number | null;
  exitSlippageTicks: number | null;
  entryLagSeconds: number | null;
  pnlDiff: number | null;
  runupDiff: number | null;
  drawdownDiff: number | null;
}

export interface ComparisonSummary {
  backtestTrades: number;
  liveTrades: number;
  matched: number;
  missedInLive: number;
  extraInLive: number;
  netProfitBacktest: number;
  netProfitLive: number;
  pnlFromMissed: number;
  pnlFromExtra: number;
  pnlFromSlippage: number;
}

export interface Comparison {
  summary: ComparisonSummary;
  trades: ComparisonRow[];
}

export interface CompareOptions {
  toleranceSeconds: number;
  /** Tick size of a live trade's symbol (the recorder's override first); undefined when unknown. */
  tickSize: (symbol: string) => number | undefined;
}

interface LiveEntry {
  trade: Trade;
  /** Position in the input list: the last tie-break. */
  index: number;
  at: number;
  matched: boolean;
}

export function compareTrades(backtest: readonly BacktestTrade[], live: readonly Trade[], opts: CompareOptions): Comparison {
  const toleranceMs = opts.toleranceSeconds * 1000;
  const closed = backtest
    .filter((b) => b.exitAt !== null && b.pnl !== null)
    .map((b) => ({ b, at: Date.parse(b.entryAt) }))
    .sort((x, y) => x.at - y.at || x.b.tradeNo - y.b.tradeNo);
  const bySide = { long: [] as LiveEntry[], short: [] as LiveEntry[] };
  live.forEach((trade, index) => bySide[trade.side].push({ trade, index, at: Date.parse(trade.openedAt), matched: false }));
  for (const list of Object.values(bySide)) list.sort((x, y) => x.at - y.at || x.index - y.index);

  const rows: { at: number; tradeNo: number; index: number; row: ComparisonRow }[] = [];
  let matched = 0;
  let backtestCents = 0;
  let liveCents = 0;
  let missedCents = 0;
  let extraCents = 0;
  let slippageCents = 0;

  for (const { b, at } of closed) {
    backtestCents += toCents(b.pnl!);
    const m = nearest(bySide[b.side], at, toleranceMs);
    if (m === null) {
      missedCents -= toCents(b.pnl!);
      rows.push({ at, tradeNo: b.tradeNo, index: -1, row: unmatched(b, null) });
      continue;
    }
    m.matched = true;
    matched++;
    slippageCents += toCents(m.trade.pnl) - toCents(b.pnl!);
    rows.push({ at, tradeNo: b.tradeNo, index: m.index, row: pair(b, m.trade, opts.tickSize(m.trade.symbol)) });
  }
  for (const list of Object.values(bySide)) {
    for (const l of list) {
      liveCents += toCents(l.trade.pnl);
      if (l.matched) continue;
      extraCents += toCents(l.trade.pnl);
      rows.push({ at: l.at, tradeNo: 0, index: l.index, row: unmatched(null, l.trade) });
    }
  }
  rows.sort((x, y) => x.at - y.at || x.tradeNo - y.tradeNo || x.index - y.index);
  return {
    summary: {
      backtestTrades: closed.length,
      liveTrades: live.length,
      matched,
      missedInLive: closed.length - matched,
      extraInLive: live.length - matched,
      netProfitBacktest: fromCents(backtestCents),
      netProfitLive: fromCents(liveCents),
      pnlFromMissed: fromCents(missedCents),
      pnlFromExtra: fromCents(extraCents),
      pnlFromSlippage: fromCents(slippageCents),
    },
    trades: rows.map((r) => r.row),
  };
}

/** The nearest unmatched entry within the tolerance (ties: earlier entry, then list order), or null. */
function nearest(list: LiveEntry[], at: number, toleranceMs: number): LiveEntry | null {
  // First entry at or after at − tolerance (binary search); then scan the window.
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].at < at - toleranceMs) lo = mid + 1;
    else hi = mid;
  }
  let best: LiveEntry | null = null;
  for (let i = lo; i < list.length && list[i].at <= at + toleranceMs; i++) {
    const l = list[i];
    // Sorted by (at, index): the first at a given distance is the tie-break winner, so only strictly nearer replaces.
    if (!l.matched && (best === null || Math.abs(l.at - at) < Math.abs(best.at - at))) best = l;
  }
  return best;
}

function unmatched(backtest: BacktestTrade | null, live: Trade | null): ComparisonRow {
  return { backtest, live, entrySlippageTicks: null, exitSlippageTicks: null, entryLagSeconds: null, pnlDiff: null, runupDiff: null, drawdownDiff: null };
}

function pair(b: BacktestTrade, l: Trade, tickSize: number | undefined): ComparisonRow {
  const dir = b.side === "long" ? 1 : -1;
  const ticks = (priceDiff: number) => (tickSize !== undefined && tickSize > 0 ? roundTo((dir * priceDiff) / tickSize, 2) : null);
  const diff = (liveUsd: number, backtestUsd: number | null) => (backtestUsd === null ? null : fromCents(toCents(liveUsd) - toCents(backtestUsd)));
  return {
    backtest: b,
    live: l,
    entrySlippageTicks: ticks(l.entryPrice - b.entryPrice),
    exitSlippageTicks: ticks(b.exitPrice! - l.exitPrice),
    entryLagSeconds: roundTo((Date.parse(l.openedAt) - Date.parse(b.entryAt)) / 1000, 3),
    pnlDiff: diff(l.pnl, b.pnl),
    runupDiff: diff(l.maxFavorable, b.runup),
    drawdownDiff: diff(l.maxAdverse, b.drawdown),
  };
}
