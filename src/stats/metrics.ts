// TradingView Strategy Tester style performance summary over closed trades. Pure, no I/O, no Cloudflare imports.
//
// Conventions (see also CONTRACT.md "GET /api/recorders/:id/stats"):
// - Trades are taken in close order (closedAt, then id); input order is not trusted. Equity starts at 0.
// - All money is USD rounded to the cent (half away from zero). Sums and extremes are computed in integer cents
//   from each trade's cent-rounded value, so they are exact; averages are rounded once at the end.
// - Amounts that are losses by definition (grossLoss, avgLosingTrade, largestLosingTrade, maxDrawdown) are positive.
//   MAE values (avgMae, avgMaeWinners) keep the stored sign (≤ 0), as the trade's maxAdverse does.
// - Winner: pnl > 0; loser: pnl < 0; breakeven: pnl = 0 to the cent (neither, but counted in totalClosedTrades,
//   avgTrade and the percentProfitable denominator, as in TradingView).
// - Sums and counts of an empty set are 0. Averages of an empty set, extremes of an empty set (largest winner with
//   no winner) and ratios with nothing to divide by are null. No field is ever NaN or ±Infinity.
// - Ratios (profitFactor, ratioAvgWinAvgLoss, percentProfitable, avgMfeCaptured, mfeCaptured, sharpeRatio, sortinoRatio) are
//   not rounded; they are computed from the cent-rounded amounts.
//
// Figures relative to the initial capital C (the recorder's `initialCapital`, CONTRACT "Exits and risk rules").
// Without a usable C (absent, null, not finite, under one cent) every one of them is null: a percent of an account
// the user never described would be invented. Percents are rounded to 2 decimals (half away from zero), as the
// Strategy Tester shows them; they are computed from the cent-exact amounts, then rounded once.
// - Account equity after the k-th closed trade: Eₖ = C + Σ pnl of trades 1…k (closed-trade equity, no open P&L;
//   E₀ = C is the start).
// - netProfitPercent = 100 × netProfit / C (Pine's strategy.netprofit_percent, the report's "Net profit %").
// - maxDrawdownPercent = max over k of 100 × (Pₖ − Eₖ) / Pₖ, Pₖ = max(E₀…Eₖ) the running peak (the start counts,
//   so Pₖ ≥ C > 0). The largest fall as a share of the peak it fell from, the basis of Pine's
//   strategy.max_drawdown_percent ("% of the running peak"). It is the largest *relative* fall, which need not be
//   the fall of the largest amount (maxDrawdown): 100 → 50 (50 %) outweighs 1000 → 900 (10 %). 0 when equity
//   never falls; above 100 when losses take equity below 0. (The newer report also shows drawdown "as % of
//   initial capital": that is simply 100 × maxDrawdown / C, so a client can derive it; it is not a field here.)
// - maxRunupPercent = max over k of 100 × (Eₖ − Tₖ) / Tₖ, Tₖ = min(E₀…Eₖ) the running trough (start included):
//   the largest rise as a share of the trough it rose from (Pine's strategy.max_runup_percent basis). A trough at
//   or below 0 (the account was wiped out) is no base for a percent: rises from it are skipped. 0 when equity never
//   rises above a trough.
//   TradingView measures both intrabar, with open positions marked to market; a recorder has closed trades only, so
//   these are the closed-trade (close-to-close) figures, consistent with maxDrawdown / maxRunup above.
// - sharpeRatio / sortinoRatio: see riskRatios below (returns of equity, so they need C too).
import type { Trade } from "../engine/types";
import { capitalCents, fromCents, roundCents, roundPct, toCents } from "./money";
import { sortByClose, timeMs } from "./order";

export interface StatsOptions {
  /** Unrealized P&L of the open position(s), reported as openPnl. Default 0. */
  openPnl?: number;
  /** How many positions are open, reported as totalOpenTrades. Default 0. */
  openTrades?: number;
  /** Annual risk-free rate for Sharpe/Sortino, e.g. 0.02 = 2 %/year (TradingView's default). Default 0.02. */
  riskFreeRate?: number;
  /** Initial capital in USD (the recorder's `initialCapital`). null/undefined: not configured, and then the percent
   *  figures and Sharpe/Sortino are null. */
  initialCapital?: number | null;
}

export type RatioPeriod = "daily" | "monthly";

export interface Stats {
  /** Sum of net P&L (after commission). */
  netProfit: number;
  /** Sum of net P&L of winning trades. */
  grossProfit: number;
  /** Sum of |net P&L| of losing trades, positive. */
  grossLoss: number;
  /** grossProfit / grossLoss; null when grossLoss is 0. */
  profitFactor: number | null;
  totalClosedTrades: number;
  winningTrades: number;
  losingTrades: number;
  /** pnl = 0 to the cent: neither winner nor loser. */
  breakevenTrades: number;
  /** 100 × winningTrades / totalClosedTrades (0–100); null with no trade. */
  percentProfitable: number | null;
  /** netProfit / totalClosedTrades; null with no trade. */
  avgTrade: number | null;
  /** grossProfit / winningTrades; null with no winner. */
  avgWinningTrade: number | null;
  /** grossLoss / losingTrades, positive; null with no loser. */
  avgLosingTrade: number | null;
  /** avgWinningTrade / avgLosingTrade; null when either is null. */
  ratioAvgWinAvgLoss: number | null;
  /** Largest net P&L of a winner; null with no winner. */
  largestWinningTrade: number | null;
  /** Largest |net P&L| of a loser, positive; null with no loser. */
  largestLosingTrade: number | null;
  /** Largest fall of closed-trade equity from its running peak (the start is a peak of 0), positive; 0 if none. */
  maxDrawdown: number;
  /** Largest rise of closed-trade equity from its running trough (the start is a trough of 0); 0 if none. */
  maxRunup: number;
  /** 100 × netProfit / initialCapital, 2 decimals; null without initial capital. */
  netProfitPercent: number | null;
  /** Largest fall of account equity as a percent of the running peak it fell from (≥ 0, 2 decimals); null without
   *  initial capital. See the header. */
  maxDrawdownPercent: number | null;
  /** Largest rise of account equity as a percent of the running trough it rose from (≥ 0, 2 decimals); null without
   *  initial capital. See the header. */
  maxRunupPercent: number | null;
  /** Largest trade quantity (= the position's maxQuantity); 0 with no trade. */
  maxContractsHeld: number;
  /** Sum of trade commissions. */
  commissionPaid: number;
  /** opts.openPnl rounded to the cent, default 0. */
  openPnl: number;
  /** Mean of closedAt − openedAt in ms (rounded to the ms); null over an empty set. */
  avgTimeInTradeMs: number | null;
  avgTimeInWinningTradeMs: number | null;
  avgTimeInLosingTradeMs: number | null;
  /** (mean period return − risk-free per period) / population stdev of period returns of equity; null without
   *  initial capital, with fewer than 2 periods or a zero deviation. See riskRatios and ratioPeriod. */
  sharpeRatio: number | null;
  /** (mean period return − risk-free per period) / downside deviation sqrt(Σ min(0, rᵢ − rf)² / N) over all N
   *  periods; null as sharpeRatio, and when no period is below the risk-free rate. */
  sortinoRatio: number | null;
  /** Period of the returns used for Sharpe/Sortino; null when they could not be computed. */
  ratioPeriod: RatioPeriod | null;
  /** Mean maxAdverse (≤ 0, as stored) of winning trades: how much heat winners took. null with no winner. */
  avgMaeWinners: number | null;
  /** Mean maxFavorable (≥ 0) of losing trades: how far losers were in profit. null with no loser. */
  avgMfeLosers: number | null;
  /** Mean of pnl / maxFavorable over trades with maxFavorable > 0 (share of the best open profit kept; can be
   *  negative, and above 1 is impossible unless commission is negative). null when no trade had maxFavorable > 0. */
  avgMfeCaptured: number | null;
  /** Σ pnl / Σ maxFavorable over the same trades: of all the open profit the trades reached at their best, the
   *  share that was kept at the close (one trade up $0.50 that closed at −$50 no longer swamps the figure, as it does
   *  in the mean of ratios above). Can be negative; null when no trade had maxFavorable > 0. */
  mfeCaptured: number | null;
  /** Open positions (opts.openTrades), as the Strategy Tester's "Total open trades". */
  totalOpenTrades: number;
  /** Trades that were in profit (maxFavorable > 0) but closed with |pnl| ≤ their commission (cent-exact), i.e.
   *  scratched at breakeven. With zero commission that means pnl = 0 exactly. */
  scratchedTrades: number;
  /** Mean maxAdverse (≤ 0) over all trades; null with no trade. */
  avgMae: number | null;
  /** Mean maxFavorable (≥ 0) over all trades; null with no trade. */
  avgMfe: number | null;
}

const DAY_MS = 86_400_000;

function finite(x: number | undefined, fallback: number): number {
  return typeof x === "number" && Number.isFinite(x) ? x : fallback;
}

function meanOrNull(values: number[]): number | null {
  if (values.length === 0) return null;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Average of integer cents → USD cents-rounded, or null for an empty set. */
function avgCents(values: number[]): number | null {
  const m = meanOrNull(values);
  return m === null ? null : fromCents(m);
}

function avgMs(values: number[]): number | null {
  const m = meanOrNull(values);
  return m === null ? null : Math.round(m);
}

function ratio(num: number, den: number): number | null {
  if (den === 0) return null;
  const r = num / den;
  return Number.isFinite(r) ? r : null;
}

/** `ms` plus `months` calendar months (UTC), the day clamped to the target month's length (Jan 31 + 1 = Feb 28/29). */
function addMonthsUtc(ms: number, months: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  return Date.UTC(y, m, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

function monthKey(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/**
 * Sharpe and Sortino as the Strategy Tester defines them (reference/peers.md), on returns of account equity:
 *   Sharpe  = (MR − RFR) / SD,   Sortino = (MR − RFR) / DD,
 *   MR = mean of the N period returns rᵢ, SD = sqrt(Σ (rᵢ − MR)² / N), DD = sqrt(Σ min(0, rᵢ − RFR)² / N).
 * - Needs the initial capital C: without it both are null (a return needs a base; a USD "return" is not TradingView's
 *   figure).
 * - Period: monthly when the trading period (earliest openedAt → latest closedAt) covers ≥ 3 calendar months, else
 *   daily. Periods are UTC calendar days/months, every one from the first to the last inclusive; a period without
 *   a closed trade has return 0 (the account was flat or held a position: closed-trade equity did not move).
 * - Return of period i: rᵢ = (net P&L of the trades closed in it) / (equity at its start), equity at the start of
 *   the first period = C and then C + all earlier closed P&L (simple returns on the compounding account).
 *   Equity ≤ 0 at a period's start (account wiped out) → both null: there is no base for a return.
 * - RFR = riskFreeRate / 12 (monthly) or / 365 (daily: calendar days, since every calendar day is a period).
 * - Fewer than 2 periods → null (no deviation from one value). SD or DD of (numerically) 0 → null (e.g. Sortino with
 *   no period below the risk-free rate, or Sharpe with identical returns), never ±Infinity.
 * - SD is the population standard deviation (÷ N), consistent with TradingView's DD (÷ N). Neither ratio is
 *   annualized.
 */
function riskRatios(
  sorted: Trade[],
  pnlCents: number[],
  riskFreeRate: number,
  capital: number | null,
): { sharpe: number | null; sortino: number | null; period: RatioPeriod | null } {
  const none = { sharpe: null, sortino: null, period: null };
  if (sorted.length === 0 || capital === null) return none;
  let first = Infinity;
  let last = -Infinity;
  for (const t of sorted) {
    const o = timeMs(t.openedAt);
    const c = timeMs(t.closedAt);
    first = Math.min(first, o, c);
    last = Math.max(last, c);
  }
  const period: RatioPeriod = addMonthsUtc(first, 3) <= last ? "monthly" : "daily";
  const key = period === "monthly" ? monthKey : (ms: number) => Math.floor(ms / DAY_MS);
  const k0 = key(first);
  const n = key(last) - k0 + 1;
  if (n < 2) return none;
  const periodCents = new Array<number>(n).fill(0);
  sorted.forEach((t, i) => {
    periodCents[key(timeMs(t.closedAt)) - k0] += pnlCents[i];
  });

  const rf = riskFreeRate / (period === "monthly" ? 12 : 365);
  const returns: number[] = [];
  let equityCents = capital;
  for (const p of periodCents) {
    if (equityCents <= 0) return none;
    returns.push(p / equityCents);
    equityCents += p;
  }

  let sum = 0;
  let maxAbs = 0;
  for (const r of returns) {
    sum += r;
    maxAbs = Math.max(maxAbs, Math.abs(r));
  }
  const mean = sum / n;
  let sq = 0;
  let down = 0;
  for (const r of returns) {
    sq += (r - mean) ** 2;
    down += Math.min(0, r - rf) ** 2;
  }
  const sd = Math.sqrt(sq / n);
  const dd = Math.sqrt(down / n);
  // Identical returns give an SD of float noise, not 0: anything below 1e-12 of the returns' scale counts as 0.
  const eps = 1e-12 * Math.max(maxAbs, Math.abs(rf), Number.MIN_VALUE);
  const sharpe = sd > eps ? (mean - rf) / sd : null;
  const sortino = dd > eps ? (mean - rf) / dd : null;
  return {
    sharpe: sharpe !== null && Number.isFinite(sharpe) ? sharpe : null,
    sortino: sortino !== null && Number.isFinite(sortino) ? sortino : null,
    period: sharpe === null && sortino === null ? null : period,
  };
}

/**
 * Largest relative fall from a running peak and rise from a running trough of account equity C + cumulative P&L,
 * in percent (see the header). All amounts in integer cents; `capital` > 0.
 */
function relativeExcursions(pnlCents: readonly number[], capital: number): { ddPct: number; ruPct: number } {
  let equity = capital;
  let peak = capital;
  let trough = capital;
  let ddPct = 0;
  let ruPct = 0;
  for (const p of pnlCents) {
    equity += p;
    if (equity > peak) peak = equity;
    if (equity < trough) trough = equity;
    ddPct = Math.max(ddPct, (100 * (peak - equity)) / peak); // peak ≥ capital > 0
    if (trough > 0) ruPct = Math.max(ruPct, (100 * (equity - trough)) / trough);
  }
  return { ddPct, ruPct };
}

/** Strategy Tester performance summary over closed trades (see the conventions at the top of this file). */
export function computeStats(trades: readonly Trade[], opts: StatsOptions = {}): Stats {
  const sorted = sortByClose(trades);
  const pnl = sorted.map((t) => toCents(t.pnl));

  let net = 0;
  let grossProfit = 0;
  let grossLoss = 0; // positive cents
  let commission = 0;
  let winners = 0;
  let losers = 0;
  let breakeven = 0;
  let largestWin: number | null = null;
  let largestLoss: number | null = null; // positive cents
  let maxContracts = 0;
  let equity = 0;
  let peak = 0;
  let trough = 0;
  let maxDd = 0;
  let maxRu = 0;
  let scratched = 0;
  const timeAll: number[] = [];
  const timeWin: number[] = [];
  const timeLoss: number[] = [];
  const maeAll: number[] = [];
  const mfeAll: number[] = [];
  const maeWinners: number[] = [];
  const mfeLosers: number[] = [];
  const captured: number[] = [];
  let capturedPnl = 0; // cents, over trades with an MFE
  let capturedMfe = 0; // cents

  sorted.forEach((t, i) => {
    const p = pnl[i];
    const fee = toCents(t.commission);
    const mfe = toCents(t.maxFavorable);
    const mae = toCents(t.maxAdverse);
    const dur = Math.max(0, timeMs(t.closedAt) - timeMs(t.openedAt));
    net += p;
    commission += fee;
    const qty = finite(t.quantity, 0);
    if (qty > maxContracts) maxContracts = qty;
    timeAll.push(dur);
    maeAll.push(mae);
    mfeAll.push(mfe);
    if (p > 0) {
      winners++;
      grossProfit += p;
      largestWin = largestWin === null ? p : Math.max(largestWin, p);
      timeWin.push(dur);
      maeWinners.push(mae);
    } else if (p < 0) {
      losers++;
      grossLoss += -p;
      largestLoss = largestLoss === null ? -p : Math.max(largestLoss, -p);
      timeLoss.push(dur);
      mfeLosers.push(mfe);
    } else {
      breakeven++;
    }
    if (mfe > 0) {
      captured.push(p / mfe);
      capturedPnl += p;
      capturedMfe += mfe;
      if (Math.abs(p) <= Math.abs(fee)) scratched++;
    }
    equity += p;
    if (equity > peak) peak = equity;
    if (equity < trough) trough = equity;
    maxDd = Math.max(maxDd, peak - equity);
    maxRu = Math.max(maxRu, equity - trough);
  });

  const n = sorted.length;
  const avgWinCents = winners > 0 ? grossProfit / winners : null;
  const avgLossCents = losers > 0 ? grossLoss / losers : null;
  const capital = capitalCents(opts.initialCapital);
  const risk = riskRatios(sorted, pnl, finite(opts.riskFreeRate, 0.02), capital);
  const rel = capital === null ? null : relativeExcursions(pnl, capital);

  return {
    netProfit: fromCents(net),
    grossProfit: fromCents(grossProfit),
    grossLoss: fromCents(grossLoss),
    profitFactor: ratio(grossProfit, grossLoss),
    totalClosedTrades: n,
    winningTrades: winners,
    losingTrades: losers,
    breakevenTrades: breakeven,
    percentProfitable: n > 0 ? (100 * winners) / n : null,
    avgTrade: n > 0 ? fromCents(net / n) : null,
    avgWinningTrade: avgWinCents === null ? null : fromCents(avgWinCents),
    avgLosingTrade: avgLossCents === null ? null : fromCents(avgLossCents),
    ratioAvgWinAvgLoss: avgWinCents === null || avgLossCents === null ? null : ratio(avgWinCents, avgLossCents),
    largestWinningTrade: largestWin === null ? null : fromCents(largestWin),
    largestLosingTrade: largestLoss === null ? null : fromCents(largestLoss),
    maxDrawdown: fromCents(maxDd),
    maxRunup: fromCents(maxRu),
    netProfitPercent: capital === null ? null : roundPct((100 * net) / capital),
    maxDrawdownPercent: rel === null ? null : roundPct(rel.ddPct),
    maxRunupPercent: rel === null ? null : roundPct(rel.ruPct),
    maxContractsHeld: maxContracts,
    commissionPaid: fromCents(commission),
    openPnl: roundCents(finite(opts.openPnl, 0)),
    avgTimeInTradeMs: avgMs(timeAll),
    avgTimeInWinningTradeMs: avgMs(timeWin),
    avgTimeInLosingTradeMs: avgMs(timeLoss),
    sharpeRatio: risk.sharpe,
    sortinoRatio: risk.sortino,
    ratioPeriod: risk.period,
    avgMaeWinners: avgCents(maeWinners),
    avgMfeLosers: avgCents(mfeLosers),
    avgMfeCaptured: meanOrNull(captured),
    mfeCaptured: capturedMfe > 0 ? capturedPnl / capturedMfe : null,
    totalOpenTrades: Math.max(0, Math.floor(finite(opts.openTrades, 0))),
    scratchedTrades: scratched,
    avgMae: avgCents(maeAll),
    avgMfe: avgCents(mfeAll),
  };
}
