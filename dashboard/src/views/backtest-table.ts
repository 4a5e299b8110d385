// The trade-by-trade table of "Backtest vs live": each comparison row is a pair of lines (the backtest trade above,
// the live trade below) with the differences beside them. Worse-than-backtest differences are tinted red, better
// ones green; a backtest trade not taken live ("missed") and a live trade the backtest does not have ("extra") are
// marked on their line. The table scrolls inside its own card on a narrow screen.
import { resolveTicker } from "../../../src/engine/instruments";
import type { BacktestTrade, ComparisonRow, Recorder, Trade } from "../api";
import { h } from "../dom";
import { clock, dateTime, DASH, isNum, money, signedSeconds, signedUnits } from "../format";
import { emptyRow, sideBadge } from "../shared";
import { tickPrice, tickSizeOf } from "../ticks";

export type RowKind = "matched" | "missed" | "extra";

export function rowKind(r: ComparisonRow): RowKind {
  return r.backtest && r.live ? "matched" : r.backtest ? "missed" : "extra";
}

const KIND_LABEL: Record<RowKind, string> = { matched: "matched", missed: "missed in live", extra: "extra in live" };

/** "worse" / "better" than the backtest, or "" when equal or unknown. `higherIsBetter` says which way is good. */
function verdict(v: number | null | undefined, higherIsBetter: boolean): "worse" | "better" | "" {
  if (!isNum(v) || Math.abs(v) < 0.005) return "";
  return v > 0 === higherIsBetter ? "better" : "worse";
}

function cell(text: string, cls = "", attrs: Record<string, string> = {}): HTMLTableCellElement {
  return h("td", { class: `r num ${cls}`.trim(), ...attrs }, text);
}

const DIFF_COLS = 6;
const TRADE_COLS = 8;

/** The tick prices are shown at: a live trade's instrument (the recorder's override first); for a backtest trade
 * nobody traded live, the recorder's live trades' instrument, else its default symbol's; null: as sent. */
function tickFinder(rows: ComparisonRow[], recorder: Recorder): (r: ComparisonRow) => number | null {
  const anyLive = rows.find((r) => r.live)?.live;
  const fallback = anyLive
    ? tickSizeOf(anyLive.symbol, recorder)
    : (resolveTicker(recorder.symbol ?? "", { now: new Date(), override: recorder })?.tickSize ?? null);
  return (r) => (r.live ? tickSizeOf(r.live.symbol, recorder) : fallback);
}

export function comparisonTable(rows: ComparisonRow[], recorder: Recorder): HTMLElement {
  const tickOf = tickFinder(rows, recorder);
  const head = h(
    "thead",
    null,
    h(
      "tr",
      null,
      h("th", null, "Trade"),
      h("th", null, "Side"),
      h("th", null, "Entry time"),
      h("th", { class: "r" }, "Entry"),
      h("th", null, "Exit time"),
      h("th", { class: "r" }, "Exit"),
      h("th", { class: "r" }, "P&L"),
      h("th", { class: "r", title: "Best open profit during the trade" }, "Run-up"),
      h("th", { class: "r", title: "Worst open loss during the trade" }, "Drawdown"),
      h("th", { class: "r", title: "Live entry price against the backtest's, in ticks; positive = worse for the trade" }, "Entry slip."),
      h("th", { class: "r", title: "Live exit price against the backtest's, in ticks; positive = worse for the trade" }, "Exit slip."),
      h("th", { class: "r", title: "Live entry time − backtest entry time" }, "Entry lag"),
      h("th", { class: "r", title: "Live P&L − backtest P&L" }, "P&L diff"),
      h("th", { class: "r", title: "Live run-up − backtest run-up" }, "Run-up diff"),
      h("th", { class: "r", title: "Live drawdown − backtest drawdown (negative: a deeper drawdown live)" }, "DD diff"),
    ),
  );
  const table = h("table", { class: "grid compare", "data-testid": "compare-table" }, head);
  if (!rows.length) table.appendChild(h("tbody", null, emptyRow(1 + TRADE_COLS + DIFF_COLS, "Nothing to compare yet: import a backtest, or wait for live trades.")));
  for (const r of rows) table.appendChild(pair(r, tickOf(r)));
  return table;
}

/** One comparison row: a <tbody> holding the backtest line and the live line, the differences spanning both. */
function pair(r: ComparisonRow, tick: number | null): HTMLTableSectionElement {
  const kind = rowKind(r);
  const entrySlip = verdict(r.entrySlippageTicks, false);
  const exitSlip = verdict(r.exitSlippageTicks, false);
  const pnlV = verdict(r.pnlDiff, true);
  const diffs = [
    cell(signedUnits(r.entrySlippageTicks, "tick"), entrySlip, { "data-testid": "entry-slippage", "data-verdict": entrySlip }),
    cell(signedUnits(r.exitSlippageTicks, "tick"), exitSlip, { "data-testid": "exit-slippage", "data-verdict": exitSlip }),
    cell(signedSeconds(r.entryLagSeconds), "", { "data-testid": "entry-lag" }),
    cell(isNum(r.pnlDiff) ? money(r.pnlDiff, true) : DASH, pnlV, { "data-testid": "pnl-diff", "data-verdict": pnlV }),
    cell(isNum(r.runupDiff) ? money(r.runupDiff, true) : DASH, verdict(r.runupDiff, true), { "data-testid": "runup-diff" }),
    cell(isNum(r.drawdownDiff) ? money(r.drawdownDiff, true) : DASH, verdict(r.drawdownDiff, true), { "data-testid": "drawdown-diff" }),
  ];
  for (const d of diffs) d.rowSpan = 2;

  const btLine = h(
    "tr",
    { class: "bt-line" },
    h("td", { class: "src", rowspan: 2 }, h("span", { class: `badge kind-${kind}`, "data-testid": "row-kind" }, KIND_LABEL[kind]), h("div", { class: "small muted" }, r.backtest ? `#${r.backtest.tradeNo}` : "")),
    ...(r.backtest ? backtestCells(r.backtest, tick) : [absent("not in the backtest", "extra")]),
    ...diffs,
  );
  const liveLine = h(
    "tr",
    { class: "live-line" },
    ...(r.live ? liveCells(r.live, tick, { entry: entrySlip, exit: exitSlip, pnl: pnlV }) : [absent("not taken live", "missed")]),
  );
  return h("tbody", { class: `cmp-pair cmp-${kind}`, "data-testid": "compare-row", "data-kind": kind }, btLine, liveLine);
}

function absent(text: string, kind: RowKind): HTMLTableCellElement {
  return h("td", { colspan: TRADE_COLS, class: `absent absent-${kind}` }, text);
}

/** An exit on its entry's (local) day shows the time of day only, which keeps the table narrow enough for a desk. */
function exitTime(entryIso: string, exitIso: string | null): HTMLTableCellElement {
  if (!exitIso) return h("td", { class: "time" }, "open");
  const sameDay = dateTime(entryIso).slice(0, 10) === dateTime(exitIso).slice(0, 10);
  return h("td", { class: "time", title: exitIso }, sameDay ? clock(exitIso) : dateTime(exitIso));
}

function sideCell(label: string, side: string): HTMLTableCellElement {
  return h("td", null, h("span", { class: "line-label" }, label), " ", sideBadge(side));
}

function backtestCells(b: BacktestTrade, tick: number | null): HTMLTableCellElement[] {
  return [
    sideCell("Backtest", b.side),
    h("td", { class: "time", title: b.entryAt }, dateTime(b.entryAt)),
    cell(tickPrice(b.entryPrice, tick)),
    exitTime(b.entryAt, b.exitAt),
    cell(tickPrice(b.exitPrice, tick)),
    cell(money(b.pnl, true), "", { "data-testid": "bt-pnl" }),
    cell(money(b.runup)),
    cell(money(b.drawdown)),
  ];
}

/** The live line; its entry, exit and P&L cells carry the verdict of their difference, so the eye finds them. */
function liveCells(t: Trade, tick: number | null, v: { entry: string; exit: string; pnl: string }): HTMLTableCellElement[] {
  return [
    sideCell("Live", t.side),
    h("td", { class: "time", title: t.openedAt }, dateTime(t.openedAt)),
    cell(tickPrice(t.entryPrice, tick), v.entry),
    exitTime(t.openedAt, t.closedAt),
    cell(tickPrice(t.exitPrice, tick), v.exit),
    cell(money(t.pnl, true), v.pnl, { "data-testid": "live-pnl" }),
    cell(money(t.maxFavorable)),
    cell(money(t.maxAdverse)),
  ];
}
